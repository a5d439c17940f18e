# shellcheck shell=bash
# tools/stack.sh's worker pools (POOLS > 1): nginx.conf.example's "#pools"
# variant, an upstream of every pool.  Sourced by tools/stack.sh only for a
# stack of several pools.

# pools_variant EXAMPLE: nginx.conf.example's "#pools" variant for the
# pools in pool_addrs: the one-socket fastcgi_pass lines dropped, every
# "#pools " line un-commented, and its template upstream server line (the
# one for /run/places-fcgi/places-1.sock) repeated once per pool with that
# pool's address (the other template lines dropped).  Fails if any of the
# three is missing.
pools_variant() {
	awk -v addrs="${pool_addrs[*]}" '
		BEGIN { n = split(addrs, a, " ") }
		/^[ \t]*fastcgi_pass unix:\/run\/places-fcgi\/places\.sock;/ { dropped++; next }
		/^[ \t]*#pools / {
			line = $0
			sub(/#pools /, "", line)
			if (line ~ /^[ \t]*server unix:\/run\/places-fcgi\/places-[0-9]+\.sock[ ;]/) {
				if (!servers++)
					for (i = 1; i <= n; i++) {
						l = line
						sub(/unix:\/run\/places-fcgi\/places-[0-9]+\.sock/, a[i], l)
						print l
					}
				next
			}
			uncommented++
			print line
			next
		}
		{ print }
		END { exit !(dropped && servers && uncommented) }' "$1"
}

