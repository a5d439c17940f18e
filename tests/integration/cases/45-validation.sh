# Field rules (422 {"status":"Invalid place","errors":{...}}) on POST,
# with every limit tested at the limit and one past it.

new_user V

# invalid NAME JSON FIELDS: 422 whose errors name exactly FIELDS (a sorted
# JSON array), each with a non-empty reason.
invalid() {
	t "422: $1"
	jreq "$V_TOKEN" POST /api/places "$2"
	expect_status 422
	expect_json --argjson f "$3" 'keys == ["errors","status"] and .status == "Invalid place" and (.errors | type == "object" and keys == $f) and all(.errors[]; type == "string" and length > 0)'
}

# valid NAME JSON: 201, and GET returns the given fields unchanged.
valid() {
	local id
	t "accepted: $1"
	jreq "$V_TOKEN" POST /api/places "$2"
	expect_status 201
	id=$(jq -r '.id // empty' "$IT_TMP/body" 2>/dev/null)
	areq "$V_TOKEN" GET "/api/places/${id:-none}"
	expect_json --argjson p "$2" '. as $g | all($p | to_entries[]; $g[.key] == .value)'
}

# place NAME LOCATION [EXTRA-JSON-MEMBERS]: a place document built by jq.
place() {
	local extra=${3:-'{}'}
	jq -cn --arg n "$1" --arg l "$2" "{name: \$n, location: \$l} + ($extra)"
}

S200=$(repeat_char 200 a)
S201=$(repeat_char 201 a)
E200=$(repeat_char 200 $'\u00e9')
E201=$(repeat_char 201 $'\u00e9')
F200=$(repeat_char 200 $'\U0001F642')
F201=$(repeat_char 201 $'\U0001F642')
D5000=$(repeat_char 5000 d)
D5001=$(repeat_char 5001 d)
U2048="https://example.com/$(repeat_char $((2048 - 20)) u)"
U2049="https://example.com/$(repeat_char $((2049 - 20)) u)"

invalid 'every bad field at once' \
	"$(jq -cn --arg l "$S201" '{name: "", location: $l, image: "ftp://x", foo: 1}')" \
	'["foo","image","location","name"]'
t "422: every bad field at once, unknown field reason"
expect_json '.errors.foo == "unknown field"'

invalid 'missing name' '{"location":"b"}' '["name"]'
invalid 'missing location' '{"name":"a"}' '["location"]'
invalid 'empty object' '{}' '["location","name"]'
invalid 'empty name' '{"name":"","location":"b"}' '["name"]'
invalid 'empty location' '{"name":"a","location":""}' '["location"]'
invalid 'name null' '{"name":null,"location":"b"}' '["name"]'
invalid 'name a number' '{"name":5,"location":"b"}' '["name"]'
invalid 'name an array' '{"name":["a"],"location":"b"}' '["name"]'
invalid 'name an object' '{"name":{},"location":"b"}' '["name"]'
invalid 'location true' '{"name":"a","location":true}' '["location"]'

valid 'name of 200 ASCII characters' "$(place "$S200" b)"
invalid 'name of 201 ASCII characters' "$(place "$S201" b)" '["name"]'
valid 'name of 200 x U+00E9 (400 bytes)' "$(place "$E200" b)"
invalid 'name of 201 x U+00E9' "$(place "$E201" b)" '["name"]'
valid 'name of 200 x U+1F642 (800 bytes)' "$(place "$F200" b)"
invalid 'name of 201 x U+1F642' "$(place "$F201" b)" '["name"]'
valid 'name of 200 escaped surrogate pairs' "{\"name\":\"$(repeat_char 200 '\ud83d\ude42')\",\"location\":\"b\"}"
invalid 'name of 201 escaped surrogate pairs' "{\"name\":\"$(repeat_char 201 '\ud83d\ude42')\",\"location\":\"b\"}" '["name"]'
valid 'name of 200 \u00e9 escapes' "{\"name\":\"$(repeat_char 200 '\u00e9')\",\"location\":\"b\"}"
invalid 'name of 201 \u00e9 escapes' "{\"name\":\"$(repeat_char 201 '\u00e9')\",\"location\":\"b\"}" '["name"]'
valid 'location of 200 characters' "$(place a "$E200")"
invalid 'location of 201 characters' "$(place a "$E201")" '["location"]'

invalid 'name with U+0001' '{"name":"a\u0001b","location":"b"}' '["name"]'
invalid 'name with a tab' '{"name":"a\tb","location":"b"}' '["name"]'
invalid 'name with a newline' '{"name":"a\nb","location":"b"}' '["name"]'
invalid 'name with U+001F' '{"name":"a\u001fb","location":"b"}' '["name"]'
invalid 'name with U+007F' '{"name":"a\u007fb","location":"b"}' '["name"]'
invalid 'name with U+0000' '{"name":"a\u0000b","location":"b"}' '["name"]'
invalid 'location with U+0000' '{"name":"a","location":"\u0000"}' '["location"]'
invalid 'location with a CR' '{"name":"a","location":"x\ry"}' '["location"]'
valid 'name with quotes, backslash, slash and non-ASCII' '{"name":"\"Q\" \\ / \u00e9 \u4e2d","location":"b"}'

valid 'description of 5000 characters' "$(place a b "{description: \"$D5000\"}")"
invalid 'description of 5001 characters' "$(place a b "{description: \"$D5001\"}")" '["description"]'
valid 'description of 5000 x U+00E9' "$(place a b "{description: \"$(repeat_char 5000 $'\u00e9')\"}")"
valid 'description with tab, CR, LF' '{"name":"a","location":"b","description":"x\ty\r\nz\n"}'
invalid 'description with U+0000' '{"name":"a","location":"b","description":"x\u0000"}' '["description"]'
invalid 'description with U+0001' '{"name":"a","location":"b","description":"x\u0001"}' '["description"]'
invalid 'description a number' '{"name":"a","location":"b","description":5}' '["description"]'
valid 'description empty string' '{"name":"a","location":"b","description":""}'

valid 'image and mapURL http and https' '{"name":"a","location":"b","image":"http://example.com/i.png","mapURL":"https://maps.example.com/?q=a&b=c#frag"}'
valid 'image with port and user info' '{"name":"a","location":"b","image":"https://u@example.com:8443/p"}'
valid 'image of 2048 characters' "$(place a b "{image: \"$U2048\"}")"
invalid 'image of 2049 characters' "$(place a b "{image: \"$U2049\"}")" '["image"]'
valid 'mapURL of 2048 characters' "$(place a b "{mapURL: \"$U2048\"}")"
invalid 'mapURL of 2049 characters' "$(place a b "{mapURL: \"$U2049\"}")" '["mapURL"]'
invalid 'image ftp://' '{"name":"a","location":"b","image":"ftp://example.com/x"}' '["image"]'
invalid 'image empty string' '{"name":"a","location":"b","image":""}' '["image"]'
invalid 'image relative' '{"name":"a","location":"b","image":"/images/x.png"}' '["image"]'
invalid 'image without host' '{"name":"a","location":"b","image":"https://"}' '["image"]'
invalid 'image with empty host and a path' '{"name":"a","location":"b","image":"http:///x.png"}' '["image"]'
invalid 'image with a port but no host' '{"name":"a","location":"b","image":"https://:8080/x.png"}' '["image"]'
invalid 'image with user info but no host' '{"name":"a","location":"b","image":"https://user@/x.png"}' '["image"]'
invalid 'mapURL with an empty host before the query' '{"name":"a","location":"b","mapURL":"https://?q=1"}' '["mapURL"]'
invalid 'image scheme only' '{"name":"a","location":"b","image":"http:"}' '["image"]'
invalid 'image non-ASCII' '{"name":"a","location":"b","image":"https://example.com/\u00e9"}' '["image"]'
invalid 'image with a tab' '{"name":"a","location":"b","image":"https://example.com/\t"}' '["image"]'
invalid 'image with U+0000' '{"name":"a","location":"b","image":"https://example.com/\u0000"}' '["image"]'
invalid 'image a number' '{"name":"a","location":"b","image":1}' '["image"]'
invalid 'mapURL javascript:' '{"name":"a","location":"b","mapURL":"javascript:alert(1)"}' '["mapURL"]'
invalid 'mapURL data:' '{"name":"a","location":"b","mapURL":"data:text/html,x"}' '["mapURL"]'
invalid 'mapURL protocol-relative' '{"name":"a","location":"b","mapURL":"//example.com/x"}' '["mapURL"]'

invalid 'unknown field' '{"name":"a","location":"b","foo":"x"}' '["foo"]'
t "422: unknown field, reason"
expect_json '.errors == {"foo":"unknown field"}'
invalid 'two unknown fields' '{"name":"a","location":"b","foo":1,"bar":null}' '["bar","foo"]'
invalid 'field names are case-sensitive' '{"Name":"a","location":"b"}' '["Name","name"]'
invalid 'mapUrl is not mapURL' '{"name":"a","location":"b","mapUrl":"https://example.com/"}' '["mapUrl"]'
invalid 'ignored fields do not hide bad ones' '{"id":"x","author":"y","createdAt":"z","updatedAt":1,"name":""}' '["location","name"]'

t "the rejected places were not stored"
N=$(sql "SELECT count(*) FROM places WHERE author_id = :'uid' AND (name = '' OR length(name) > 200 OR length(location) > 200 OR length(description) > 5000);" uid="$V_ID")
expect_eq "no over-limit rows" 0 "$N"
