# PUT (replace) and PATCH (merge) on the author's own place.

new_user U
FULL='{"name":"Before","location":"Old town","image":"https://example.com/i.png","mapURL":"https://maps.example.com/m","description":"Old description"}'
jreq "$U_TOKEN" POST /api/places "$FULL"
ID=$(jq -r '.id // empty' "$IT_TMP/body" 2>/dev/null)
ID=${ID:-00000000-0000-4000-8000-000000000001}
# Push both timestamps an hour back so an update must visibly move updatedAt.
sql "UPDATE places SET created_at = created_at - interval '1 hour',
                       updated_at = updated_at - interval '1 hour' WHERE id = :'id';" id="$ID" >/dev/null
areq "$U_TOKEN" GET "/api/places/$ID"
CREATED=$(jq -r '.createdAt // empty' "$IT_TMP/body" 2>/dev/null)

t "PUT replaces: omitted optional fields become null"
jreq "$U_TOKEN" PUT "/api/places/$ID" '{"name":"After","location":"New town"}'
expect_status 200
expect_place
expect_json --arg id "$ID" --arg e "$U_EMAIL" \
	'.id == $id and .name == "After" and .location == "New town" and .image == null and .mapURL == null and .description == null and .author == $e'
expect_json --arg c "$CREATED" '.createdAt == $c and .updatedAt > .createdAt'

t "GET after PUT shows the replacement"
areq "$U_TOKEN" GET "/api/places/$ID"
expect_status 200
expect_json '.name == "After" and .location == "New town" and .image == null and .mapURL == null and .description == null'

t "PUT with every field"
jreq "$U_TOKEN" PUT "/api/places/$ID" "$FULL"
expect_status 200
expect_json --argjson p "$FULL" '. as $g | all($p | to_entries[]; $g[.key] == .value)'

t "PUT with charset=utf-8 content type"
areq "$U_TOKEN" PUT "/api/places/$ID" -H 'Content-Type: application/json; charset=utf-8' --data-binary "$FULL"
expect_status 200

t "PUT ignores id, author, createdAt"
jreq "$U_TOKEN" PUT "/api/places/$ID" "$(jq -c '. + {id: "11111111-2222-4333-8444-555555555555", author: "evil@example.com", createdAt: "2000-01-01T00:00:00.000Z", updatedAt: "2000-01-01T00:00:00.000Z"}' <<<"$FULL")"
expect_status 200
expect_json --arg id "$ID" --arg e "$U_EMAIL" --arg c "$CREATED" \
	'.id == $id and .author == $e and .createdAt == $c and (.updatedAt | startswith("2000") | not)'

t "PUT missing name is 422"
jreq "$U_TOKEN" PUT "/api/places/$ID" '{"location":"x"}'
expect_status 422
expect_json '.status == "Invalid place" and (.errors | keys) == ["name"]'

t "PUT missing both required fields is 422"
jreq "$U_TOKEN" PUT "/api/places/$ID" '{"description":"only"}'
expect_status 422
expect_json '.status == "Invalid place" and (.errors | keys) == ["location","name"]'

t "PUT with several bad fields names them all"
jreq "$U_TOKEN" PUT "/api/places/$ID" '{"name":"","location":"ok","mapURL":"mailto:x@example.com","bogus":true}'
expect_status 422
expect_json '.status == "Invalid place" and (.errors | keys) == ["bogus","mapURL","name"] and .errors.bogus == "unknown field"'

t "a rejected PUT changed nothing"
areq "$U_TOKEN" GET "/api/places/$ID"
expect_json --argjson p "$FULL" '. as $g | all($p | to_entries[]; $g[.key] == .value)'

t "PUT on an unknown id is 404"
jreq "$U_TOKEN" PUT /api/places/00000000-0000-4000-8000-000000000000 '{"name":"a","location":"b"}'
expect_error 404 '{"status":"Not found"}'

t "PUT on a malformed id is 404"
jreq "$U_TOKEN" PUT /api/places/nope '{"name":"a","location":"b"}'
expect_error 404 '{"status":"Not found"}'

t "PUT invalid JSON is 400"
jreq "$U_TOKEN" PUT "/api/places/$ID" '{"name":'
expect_status 400
expect_json '.status == "Invalid JSON" and (.detail | type == "string")'

# --- PATCH ---------------------------------------------------------------------

t "PATCH changes only the given field"
sql "UPDATE places SET updated_at = updated_at - interval '1 hour' WHERE id = :'id';" id="$ID" >/dev/null
areq "$U_TOKEN" GET "/api/places/$ID"
BEFORE_UPD=$(jq -r '.updatedAt // empty' "$IT_TMP/body" 2>/dev/null)
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"description":"New description"}'
expect_status 200
expect_place
expect_json --argjson p "$FULL" '. == ($p + {description: "New description", id: .id, author: .author, createdAt: .createdAt, updatedAt: .updatedAt})'
expect_json --arg c "$CREATED" --arg u "$BEFORE_UPD" '.createdAt == $c and .updatedAt > $u'

t "GET after PATCH"
areq "$U_TOKEN" GET "/api/places/$ID"
expect_json '.description == "New description" and .name == "Before" and .image == "https://example.com/i.png"'

t "PATCH name only"
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"name":"Patched"}'
expect_status 200
expect_json '.name == "Patched" and .location == "Old town" and .description == "New description" and .mapURL == "https://maps.example.com/m"'

t "PATCH optional field to null"
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"image":null}'
expect_status 200
expect_json '.image == null and .name == "Patched" and .mapURL == "https://maps.example.com/m"'

t "PATCH several fields"
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"location":"Elsewhere","mapURL":null,"description":null}'
expect_status 200
expect_json '.location == "Elsewhere" and .mapURL == null and .description == null and .name == "Patched"'

t "PATCH empty object changes nothing"
BEFORE_EMPTY=$(sql "SELECT to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
     FROM places WHERE id = :'id';" id="$ID")
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{}'
expect_status 200
expect_json '.name == "Patched" and .location == "Elsewhere" and .image == null'
# Not even updatedAt: nothing was changed (docs/openapi.yaml).
expect_json --arg u "$BEFORE_EMPTY" '.updatedAt == $u'

t "PATCH name null is 422"
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"name":null}'
expect_status 422
expect_json '.status == "Invalid place" and (.errors | keys) == ["name"]'

t "PATCH location null is 422"
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"location":null}'
expect_status 422
expect_json '.status == "Invalid place" and (.errors | keys) == ["location"]'

t "PATCH empty name is 422"
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"name":""}'
expect_status 422
expect_json '(.errors | keys) == ["name"]'

t "PATCH name of 201 characters is 422, 200 accepted"
jreq "$U_TOKEN" PATCH "/api/places/$ID" "{\"name\":\"$(repeat_char 201 n)\"}"
expect_status 422
expect_json '(.errors | keys) == ["name"]'
jreq "$U_TOKEN" PATCH "/api/places/$ID" "{\"name\":\"$(repeat_char 200 n)\"}"
expect_status 200
expect_json '.name | length == 200'

t "PATCH unknown field and bad image together"
jreq "$U_TOKEN" PATCH "/api/places/$ID" '{"image":"ftp://x","foo":1}'
expect_status 422
expect_json '.status == "Invalid place" and (.errors | keys) == ["foo","image"] and .errors.foo == "unknown field"'

t "a rejected PATCH changed nothing"
areq "$U_TOKEN" GET "/api/places/$ID"
expect_json '.image == null and .location == "Elsewhere" and (.name | length == 200)'

t "PATCH on an unknown id is 404"
jreq "$U_TOKEN" PATCH /api/places/00000000-0000-4000-8000-000000000000 '{"name":"a"}'
expect_error 404 '{"status":"Not found"}'
