# GET collection by cursor (keyset pagination, issue 11): the Link header
# (RFC 8288), a walk over every page with no duplicates or gaps, stable
# while places are inserted mid-walk, and bad cursors (400).

new_user W
# 25 places in groups of three with the same createdAt (the id orders a
# tie), microseconds apart between groups: the cursor must keep both.
sql "INSERT INTO places (name, location, author_id, created_at, updated_at)
     SELECT 'Walk ' || g, 'Here', CAST(:'uid' AS integer),
         timestamptz '2021-06-01 12:00:00.000001+00' + (g / 3) * interval '1 microsecond',
         now()
     FROM generate_series(1, 25) AS g;" uid="$W_ID" >/dev/null
ALL=$(sql "SELECT json_agg(id ORDER BY created_at DESC, id DESC) FROM places
           WHERE author_id = CAST(:'uid' AS integer);" uid="$W_ID" | jq -c .)

# link_next: the path of the last response's rel="next" link, or nothing.
link_next() {
	header Link | sed -n 's/^<\([^>]*\)>; rel="next"$/\1/p'
}

# walk PATH [MIDWAY-SQL]: follows rel="next" from PATH to the end; prints
# the ids as one JSON array, then the number of pages.  MIDWAY-SQL runs
# after the first page.
walk() {
	local path=$1 midway=${2:-} ids='[]' pages=0
	while [ -n "$path" ] && [ "$pages" -lt 50 ]; do
		areq "$W_TOKEN" GET "$path"
		[ "$STATUS" = 200 ] || break
		ids=$(jq -c --argjson a "$ids" '$a + [.[].id]' "$IT_TMP/body")
		pages=$((pages + 1))
		path=$(link_next)
		if [ "$pages" = 1 ] && [ -n "$midway" ]; then
			sql "$midway" uid="$W_ID" >/dev/null
		fi
	done
	printf '%s %s\n' "$ids" "$pages"
}

t "a full page links to the next, with its limit and author"
areq "$W_TOKEN" GET '/api/places?author=me&limit=7'
expect_status 200
expect_header Link '^</api/places\?limit=7&author=me&cursor=[A-Za-z0-9_-]{34}>; rel="next"$'

t "a page that is not full has no next link"
areq "$W_TOKEN" GET '/api/places?author=me&limit=26'
expect_status 200
expect_json 'length == 25'
expect_no_header Link

t "walking limit=7 gives every place once, in order, in 4 pages"
read -r GOT PAGES <<<"$(walk '/api/places?author=me&limit=7')"
expect_eq "walk ids" "$ALL" "$GOT"
expect_eq "walk pages" 4 "$PAGES"

t "walking limit=5 (a last page that is full): 5 pages and an empty one"
read -r GOT PAGES <<<"$(walk '/api/places?author=me&limit=5')"
expect_eq "walk ids" "$ALL" "$GOT"
expect_eq "walk pages" 6 "$PAGES"

t "places inserted mid-walk, newer and among the pages seen, move nothing"
read -r GOT PAGES <<<"$(walk '/api/places?author=me&limit=4' \
	"INSERT INTO places (name, location, author_id, created_at)
	 SELECT 'Late ' || g, 'Here', CAST(:'uid' AS integer),
	     CASE WHEN g = 1 THEN timestamptz '2021-06-01 12:00:00.000009+00'
	     ELSE now() END
	 FROM generate_series(1, 3) AS g;")"
expect_eq "walk ids" "$ALL" "$GOT"
expect_eq "walk pages" 7 "$PAGES"

t "the cursor continues the full list too (no author)"
areq "$W_TOKEN" GET '/api/places?limit=1'
expect_status 200
NEXT=$(link_next)
expect_eq "link of the full list" "/api/places?limit=1&cursor=" "${NEXT%cursor=*}cursor="
areq "$W_TOKEN" GET "$NEXT"
expect_status 200
expect_json 'length == 1'

t "offset=0 with a cursor is the cursor's page"
areq "$W_TOKEN" GET '/api/places?author=me&limit=14'
NOW=$(jq -c '[.[].id]' "$IT_TMP/body")
areq "$W_TOKEN" GET '/api/places?author=me&limit=7'
NEXT=$(link_next)
areq "$W_TOKEN" GET "$NEXT&offset=0"
expect_status 200
expect_json --argjson a "$NOW" '[.[].id] == $a[7:14]'

t "HEAD has the same link"
areq "$W_TOKEN" HEAD '/api/places?author=me&limit=7'
expect_status 200
expect_header Link '^</api/places\?limit=7&author=me&cursor=[A-Za-z0-9_-]{34}>; rel="next"$'

# mkcursor VERSION USEC UUID-HEX: a cursor's text made here, byte by byte
# (cursor.h's layout), to reach the checks past base64url.
mkcursor() {
	perl -MMIME::Base64 -e '
		my ($v, $t, $id) = @ARGV;
		my $b = pack("C", $v) . pack("q>", $t) . pack("H32", $id);
		my $s = encode_base64($b, ""); $s =~ tr{+/}{-_}; $s =~ s/=+$//;
		print $s;' "$1" "$2" "$3"
}
GOOD=$(mkcursor 1 1622548800000001 00000000000000000000000000000001)

t "a cursor made by hand (version 1) is accepted"
areq "$W_TOKEN" GET "/api/places?author=me&cursor=$GOOD"
expect_status 200
expect_json 'length == 0'

bad_cursor() {
	t "bad cursor: $1"
	areq "$W_TOKEN" GET "/api/places?author=me&$2"
	expect_status 400
	expect_json 'keys == ["detail","status"] and .status == "Bad request" and (.detail | type == "string" and length > 0)'
}
bad_cursor "empty" 'cursor='
bad_cursor "no value" 'cursor'
bad_cursor "too short" "cursor=${GOOD:0:33}"
bad_cursor "too long" "cursor=${GOOD}A"
bad_cursor "padding" "cursor=${GOOD:0:32}=="
bad_cursor "not base64url" "cursor=${GOOD:0:33}+"
# The last character carries 2 bits and 4 unused ones: the next letter of
# the alphabet sets an unused bit (the same bytes, another text).
B64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
LAST=${B64%%"${GOOD:33:1}"*}
bad_cursor "non-canonical last character" "cursor=${GOOD:0:33}${B64:$((${#LAST} + 1)):1}"
bad_cursor "version 2" "cursor=$(mkcursor 2 1622548800000001 00000000000000000000000000000001)"
bad_cursor "version 0" "cursor=$(mkcursor 0 1622548800000001 00000000000000000000000000000001)"
bad_cursor "year 10000" "cursor=$(mkcursor 1 253402300800000000 00000000000000000000000000000001)"
bad_cursor "before year 1" "cursor=$(mkcursor 1 -62135596800000001 00000000000000000000000000000001)"
bad_cursor "given twice" "cursor=$GOOD&cursor=$GOOD"
bad_cursor "with an offset" "cursor=$GOOD&offset=1"
bad_cursor "percent-encoded NUL" "cursor=${GOOD:0:33}%00"
bad_cursor "2 KiB" "cursor=$(repeat_char 2000 A)"

t "a full page ending on a place dated past 9999: 200, no next link"
new_user Y
mkplace "$Y_ID" "Far future" "Later" '10000-01-01 00:00:00+00' >/dev/null
areq "$Y_TOKEN" GET '/api/places?author=me&limit=1'
expect_status 200
expect_json 'length == 1 and .[0].name == "Far future"'
expect_no_header Link
# Later cases list everyone's places: no year 10000 at their top.
sql "DELETE FROM places WHERE author_id = CAST(:'uid' AS integer);" uid="$Y_ID" >/dev/null
