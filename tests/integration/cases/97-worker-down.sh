# All workers down -> nginx answers 502/503/504 {"status":"Service unavailable"}.
# Only when this run started the stack: it stops multiwatch (by the PID in
# run/spawn.pid) and the workers with it, so it must come after every case
# that needs a worker.

t "workers down"
if [ "$IT_OWN_STACK" != 1 ]; then
	note "skipped: the stack belongs to someone else"
	pass "skipped (stack not started by this run)"
	return 0
fi
MW=$(cat "$STATE_DIR/run/spawn.pid")
CHILDREN=$(worker_pids)
kill "$MW"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	kill -0 "$MW" 2>/dev/null || break
	sleep 0.2
done
for c in $CHILDREN; do kill -0 "$c" 2>/dev/null && kill "$c"; done
sleep 0.2

new_token=$(tail -n1 "$IT_TMP/tokens")
areq "$new_token" GET /api/places
expect_status '502|503|504'
expect_body '{"status":"Service unavailable"}'
expect_header Content-Type '^application/json; charset=utf-8$'
# nginx's own 503 names the request too (nginx.conf.example).
expect_header X-Request-Id '^[0-9a-f]{32}$'
expect_header Retry-After '^5$'
