#!/bin/bash
# A client that trickles its request body: one POST /api/places over a raw
# socket (bash /dev/tcp), the headers at once, then the body in pieces with
# pauses between them.  Bounded: PIECES writes, then at most 20 s to read
# the answer (run it under timeout(1) as well).
#
#   trickle.sh HOST PORT TOKEN NAME BODY-BYTES PIECES PAUSE OUT
#
# The body is {"name":NAME,"location":"trickle", <spaces> } padded with
# JSON whitespace to exactly BODY-BYTES.  Writes to OUT:
#   line 1: T0 T-SENT T1 (microseconds: start, last byte written, answer read)
#   then the raw response.
set -u
export LC_ALL=C
host=$1 port=$2 token=$3 name=$4 size=$5 pieces=$6 pause=$7 out=$8

head='{"name":"'$name'","location":"trickle"'
pad=$((size - ${#head} - 1))
((pad >= 0)) || {
	echo "trickle.sh: body size $size too small" >&2
	exit 2
}
printf -v spaces '%*s' "$pad" ''
body=$head$spaces'}'
piece=$(((size + pieces - 1) / pieces))

t0=${EPOCHREALTIME/./}
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'POST /api/places HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nX-Request-Id: %s\r\nConnection: close\r\n\r\n' \
	"$host" "$port" "$token" "${#body}" "$name" >&3 || exit 1
for ((off = 0; off < ${#body}; off += piece)); do
	printf '%s' "${body:off:piece}" >&3 || exit 1
	((off + piece < ${#body})) && sleep "$pause"
done
tsent=${EPOCHREALTIME/./}
resp=$(timeout 20 cat <&3)
t1=${EPOCHREALTIME/./}
exec 3<&-
printf '%s %s %s\n%s\n' "$t0" "$tsent" "$t1" "$resp" >"$out"
