#!/usr/bin/env bash
# make install honours PREFIX and DESTDIR, and what it installs runs:
# placesctl finds the installed migrations, the worker answers as CGI.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d /tmp/places-install.XXXXXX) || exit 1
trap 'rm -rf "$dest"' EXIT

check() { if [ "$2" = "$3" ]; then echo "ok - install: $1"; else echo "not ok - install: $1 (got '$3', want '$2')"; fi; }

make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/places >/dev/null 2>&1
check "make install exits 0" 0 "$?"
for f in bin/places.fcgi bin/placesctl share/places-fcgi/nginx.conf.example \
    share/places-fcgi/sql/001_nextauth.sql share/places-fcgi/sql/demo.sql \
    share/man/man8/places.fcgi.8 share/man/man8/placesctl.8; do
	check "installs /opt/places/$f" yes "$([ -e "$dest/opt/places/$f" ] && echo yes || echo no)"
done
check "nothing outside DESTDIR/PREFIX" "opt" "$(ls "$dest")"
out=$(env -i REQUEST_METHOD=GET REQUEST_URI=/api/places "$dest/opt/places/bin/places.fcgi" </dev/null 2>/dev/null | head -1 | tr -d '\r')
check "installed worker answers a CGI request" "Status: 401 Unauthorized" "$out"
# The default SQLDIR is compiled in: without --dir it names the installed one.
out=$("$dest/opt/places/bin/placesctl" --help 2>&1 | grep -c '/opt/places/share/places-fcgi/sql')
check "placesctl's default SQLDIR is PREFIX's" 1 "$([ "$out" -ge 1 ] && echo 1 || echo 0)"

# The man pages: found where man looks, rendered without a groff warning
# (-ww: all of them), and naming every variable the programs read, so the
# docs cannot drift from the code.
man8=$dest/opt/places/share/man/man8
for page in places.fcgi placesctl; do
	check "man -M finds $page(8)" "$man8/$page.8" "$(man -M "$dest/opt/places/share/man" -w 8 "$page" 2>&1)"
	check "$page.8 renders without warnings" "" "$(groff -man -Tutf8 -ww -z "$man8/$page.8" 2>&1)"
	out=$(MANWIDTH=80 man -l "$man8/$page.8" 2>/dev/null | grep -c '^NAME')
	check "man -l renders $page.8" 1 "$out"
done
# envs FILE...: every NAME in a getenv("NAME") of the files, one a line.
envs() { grep -ohE 'getenv\("[A-Za-z0-9_]+"\)' "$@" | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u; }
# missing TEXT NAME...: the NAMEs that are not a word of TEXT.
missing() {
	local text=$1 name out=
	shift
	for name in "$@"; do grep -qw -- "$name" <<<"$text" || out+="$name "; done
	printf '%s' "$out"
}
worker_env=$(envs "$top"/lib/*.c "$top"/cgi/*.c)
ctl_env=$(envs "$top"/tools/placesctl.c)
check "the worker reads some variables" yes "$([ "$(wc -l <<<"$worker_env")" -ge 8 ] && echo yes || echo no)"
check "placesctl reads some variables" yes "$([ -n "$ctl_env" ] && echo yes || echo no)"
# -P-cbou: plain text, no escape sequences or overstrikes.
text=$(groff -man -Tascii -P-cbou "$man8/places.fcgi.8" 2>/dev/null)
# shellcheck disable=SC2086 # one name a word
check "places.fcgi.8 names every variable lib/ and cgi/ read" "" "$(missing "$text" $worker_env)"
text=$(groff -man -Tascii -P-cbou "$man8/placesctl.8" 2>/dev/null)
# shellcheck disable=SC2086
check "placesctl.8 names every variable placesctl reads" "" "$(missing "$text" $ctl_env)"

# placesctl --help: the usage on stdout, exit 0 (-h too); a usage error is
# exit 1, the code placesctl documents for it (2 means "not found").
ctl=$dest/opt/places/bin/placesctl
help=$("$ctl" --help 2>"$dest/err"); rc=$?
check "placesctl --help exits 0" 0 "$rc"
check "placesctl --help says nothing on stderr" "" "$(cat "$dest/err")"
check "placesctl -h prints the same" "$help" "$("$ctl" -h 2>&1)"
# shellcheck disable=SC2086
check "placesctl --help names every variable placesctl reads" "" "$(missing "$help" $ctl_env)"
check "placesctl --help names every command" "" "$(missing "$help" migrate user add session new list revoke prune)"
"$ctl" frobnicate >/dev/null 2>&1
check "placesctl with an unknown command exits 1" 1 "$?"
"$ctl" >/dev/null 2>&1
check "placesctl without a command exits 1" 1 "$?"

# uninstall takes back what install put there, man pages included.
make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/places >/dev/null 2>&1
check "make uninstall exits 0" 0 "$?"
check "make uninstall leaves no file" "" "$(find "$dest/opt" -type f | sed "s|^$dest||")"

# Put the normal build back (install rebuilt placesctl for PREFIX).
make -s -C "$top" all >/dev/null 2>&1
