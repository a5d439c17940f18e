# DELETE on the author's own place.

new_user D
ID=$(mkplace "$D_ID" "Doomed" "Nowhere")

t "DELETE own place"
areq "$D_TOKEN" DELETE "/api/places/$ID"
expect_error 200 '{"status":"Place deleted"}'

t "GET after DELETE is 404"
areq "$D_TOKEN" GET "/api/places/$ID"
expect_error 404 '{"status":"Not found"}'

t "row is gone"
expect_eq "no row" 0 "$(sql "SELECT count(*) FROM places WHERE id = :'id';" id="$ID")"

t "DELETE again is 404"
areq "$D_TOKEN" DELETE "/api/places/$ID"
expect_error 404 '{"status":"Not found"}'

t "PUT after DELETE is 404"
jreq "$D_TOKEN" PUT "/api/places/$ID" '{"name":"a","location":"b"}'
expect_error 404 '{"status":"Not found"}'

t "PATCH after DELETE is 404"
jreq "$D_TOKEN" PATCH "/api/places/$ID" '{"name":"a"}'
expect_error 404 '{"status":"Not found"}'

t "DELETE unknown id"
areq "$D_TOKEN" DELETE /api/places/00000000-0000-4000-8000-000000000000
expect_error 404 '{"status":"Not found"}'

t "DELETE malformed id"
areq "$D_TOKEN" DELETE /api/places/123
expect_error 404 '{"status":"Not found"}'

t "DELETE by upper-case id"
ID2=$(mkplace "$D_ID" "Doomed too" "Nowhere")
areq "$D_TOKEN" DELETE "/api/places/$(printf '%s' "$ID2" | tr 'a-f' 'A-F')"
expect_error 200 '{"status":"Place deleted"}'
