# All workers down -> nginx answers 502/503/504 {"status":"Service unavailable"}.
# tools/stack.sh pool-stop stops multiwatch and the workers with it (by the
# PID in run/spawn.pid), and pool-start brings them back as start left them,
# so this runs on any stack, the run's own or one started elsewhere, and the
# cases after it find their workers serving.

new_user D
t "workers down"
STACK_SH=$IT_ROOT/tools/stack.sh
if "$STACK_SH" pool-stop "$STATE_DIR" 1 >"$IT_TMP/stack.out" 2>&1; then
	pass "tools/stack.sh pool-stop 1"
else
	fail "tools/stack.sh pool-stop 1" "$(cat "$IT_TMP/stack.out")"
fi
areq "$D_TOKEN" GET /api/places
expect_status '502|503|504'
expect_body '{"status":"Service unavailable"}'
expect_header Content-Type '^application/json; charset=utf-8$'
# nginx's own 503 names the request too (nginx.conf.example).
expect_header X-Request-Id '^[0-9a-f]{32}$'
expect_header Retry-After '^5$'
expect_header Cache-Control '^no-store$'

t "workers up again"
if "$STACK_SH" pool-start "$STATE_DIR" 1 >"$IT_TMP/stack.out" 2>&1; then
	pass "tools/stack.sh pool-start 1"
else
	fail "tools/stack.sh pool-start 1" "$(cat "$IT_TMP/stack.out")"
fi
areq "$D_TOKEN" GET /api/places
expect_status 200
worker_pids >"$IT_TMP/pids.start" 2>/dev/null
