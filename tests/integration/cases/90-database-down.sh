# Database stopped -> 503 + Retry-After; started again -> 200 from the same
# worker processes (they reconnect, nobody restarts them).

new_user B
PIDS_BEFORE=$(worker_pids)

t "workers are running"
if [ -n "$PIDS_BEFORE" ]; then pass "multiwatch has children"; else fail "multiwatch has children" "no PIDs"; fi

t "database stopped"
areq "$B_TOKEN" GET /api/places
expect_status 200
stack_ok pg-stop

t "database down: GET collection"
areq "$B_TOKEN" GET /api/places
expect_error 503 '{"status":"Service unavailable"}'
expect_header Retry-After '^5$'
expect_header Content-Type '^application/json; charset=utf-8$'

t "database down: GET collection again (other worker)"
areq "$B_TOKEN" GET /api/places
expect_error 503 '{"status":"Service unavailable"}'
expect_header Retry-After '^5$'

t "database down: POST"
jreq "$B_TOKEN" POST /api/places '{"name":"a","location":"b"}'
expect_error 503 '{"status":"Service unavailable"}'
expect_header Retry-After '^5$'

t "database down: cookie auth"
req GET /api/places/00000000-0000-4000-8000-000000000000 -b "next-auth.session-token=$B_TOKEN"
expect_error 503 '{"status":"Service unavailable"}'

t "database down: workers still alive"
expect_eq "same worker PIDs" "$PIDS_BEFORE" "$(worker_pids)"

t "database started again"
stack_ok pg-start

for i in 1 2 3 4; do
	t "database back: GET collection #$i"
	areq "$B_TOKEN" GET /api/places
	expect_status 200
	expect_json 'type == "array"'
done

t "database back: POST and GET"
jreq "$B_TOKEN" POST /api/places '{"name":"After restart","location":"b"}'
expect_status 201
areq "$B_TOKEN" GET '/api/places?author=me'
expect_status 200
expect_json '[.[].name] == ["After restart"]'

t "database back: no worker was restarted"
expect_eq "same worker PIDs" "$PIDS_BEFORE" "$(worker_pids)"
