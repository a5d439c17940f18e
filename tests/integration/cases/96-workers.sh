# No worker died during the run (multiwatch would have replaced it): the
# PIDs run.sh recorded at the start are still the workers'.  So that this
# holds something when the case runs alone (IT_CASES), it first sends a few
# requests of its own that reach the workers' error paths.

new_user W
t "worker PIDs unchanged since the run started"
jreq "$W_TOKEN" POST /api/places '{"name":'
expect_status 400
jreq "$W_TOKEN" POST /api/places '{"name":"w","location":"x","bogus":1}'
expect_status 422
areq "$W_TOKEN" PATCH /api/places/not-a-uuid -H 'Content-Type: application/json' --data-binary '{}'
expect_status '400|404'
areq "$W_TOKEN" GET '/api/places?limit=-1&author=%00'
expect_status 400
areq "not-$W_TOKEN" GET /api/places
expect_status 401
if [ -s "$IT_TMP/pids.start" ]; then pass "PIDs were recorded at the start"; else fail "PIDs were recorded at the start" "none (run/spawn.pid?)"; fi
expect_eq "same worker PIDs" "$(cat "$IT_TMP/pids.start")" "$(worker_pids)"
