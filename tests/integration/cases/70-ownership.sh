# Another user's place: readable, but PUT, PATCH, DELETE are 403 and the row
# stays as it was.

new_user O
new_user N
ID=$(mkplace "$O_ID" "Owned" "Owner's")
ROW=$(place_row "$ID")
FB='{"status":"Forbidden"}'

t "another user's place is readable"
areq "$N_TOKEN" GET "/api/places/$ID"
expect_status 200
expect_json --arg e "$O_EMAIL" '.author == $e and .name == "Owned"'

t "PUT another user's place"
jreq "$N_TOKEN" PUT "/api/places/$ID" '{"name":"Stolen","location":"Mine"}'
expect_error 403 "$FB"
expect_eq "row unchanged" "$ROW" "$(place_row "$ID")"

t "PATCH another user's place"
jreq "$N_TOKEN" PATCH "/api/places/$ID" '{"name":"Stolen"}'
expect_error 403 "$FB"
expect_eq "row unchanged" "$ROW" "$(place_row "$ID")"

t "PATCH another user's place with an empty object"
jreq "$N_TOKEN" PATCH "/api/places/$ID" '{}'
expect_error 403 "$FB"
expect_eq "row unchanged" "$ROW" "$(place_row "$ID")"

t "DELETE another user's place"
areq "$N_TOKEN" DELETE "/api/places/$ID"
expect_error 403 "$FB"
expect_eq "row unchanged" "$ROW" "$(place_row "$ID")"

t "the owner can still delete it"
areq "$O_TOKEN" DELETE "/api/places/$ID"
expect_error 200 '{"status":"Place deleted"}'
