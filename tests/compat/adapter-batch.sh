# shellcheck shell=bash
# One adapter.mjs batch process as a bash coprocess, for shell suites that
# run many adapter ops (a node start costs 0.6 to 2 s; an op in a batch,
# milliseconds).  Source it, then:
#
#   adapter_start PRESET [--schema NAME]   starts node adapter.mjs ... PRESET batch
#   adapter_op JSON                        one {"op": ..., ...} line; the answer
#                                          ({"op","ok","result"|"error"}) in $ADAPTER_REPLY;
#                                          status 1 if it is not ok
#   adapter_stop                           ends it; its exit status (1 if any op failed)
#
# The database comes from the environment (PGHOST ... or DATABASE_URL, as
# adapter.mjs reads it).  Its stderr goes to $ADAPTER_STDERR (default
# /dev/null).  One coprocess at a time (bash's rule).

ADAPTER_MJS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/adapter.mjs
ADAPTER_REPLY=
ADAPTER_PID=  # set by coproc

adapter_start() {
	local preset=$1
	shift
	coproc ADAPTER { exec node "$ADAPTER_MJS" "$@" "$preset" batch 2>>"${ADAPTER_STDERR:-/dev/null}"; }
}

adapter_op() {
	ADAPTER_REPLY='{"ok":false,"error":"adapter.mjs did not answer"}'
	printf '%s\n' "$1" 1>&"${ADAPTER[1]}" 2>/dev/null &&
		IFS= read -r -t "${ADAPTER_TIMEOUT:-120}" ADAPTER_REPLY <&"${ADAPTER[0]}"
	[[ $ADAPTER_REPLY == *'"ok":true'* ]]
}

adapter_stop() {
	local pid=$ADAPTER_PID rc
	[ -n "$pid" ] || return 0
	eval "exec ${ADAPTER[1]}>&-"
	wait "$pid"
	rc=$?
	ADAPTER_PID=
	return "$rc"
}
