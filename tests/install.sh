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
    share/places-fcgi/sql/001_nextauth.sql share/places-fcgi/sql/demo.sql; do
	check "installs /opt/places/$f" yes "$([ -e "$dest/opt/places/$f" ] && echo yes || echo no)"
done
check "nothing outside DESTDIR/PREFIX" "opt" "$(ls "$dest")"
out=$(env -i REQUEST_METHOD=GET REQUEST_URI=/api/places "$dest/opt/places/bin/places.fcgi" </dev/null 2>/dev/null | head -1 | tr -d '\r')
check "installed worker answers a CGI request" "Status: 401 Unauthorized" "$out"
# The default SQLDIR is compiled in: without --dir it names the installed one.
out=$("$dest/opt/places/bin/placesctl" --help 2>&1 | grep -c '/opt/places/share/places-fcgi/sql')
check "placesctl's default SQLDIR is PREFIX's" 1 "$([ "$out" -ge 1 ] && echo 1 || echo 0)"
# Put the normal build back (install rebuilt placesctl for PREFIX).
make -s -C "$top" all >/dev/null 2>&1
