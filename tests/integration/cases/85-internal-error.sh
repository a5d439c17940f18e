# 500 {"status":"Internal error"}: a query that fails for a reason other than
# the connection.  A CHECK constraint (added NOT VALID, so existing rows are
# not checked) makes inserting one particular name fail with SQLSTATE 23514.
# The constraint is dropped first in case an interrupted run left it behind;
# if it cannot be added, that is a failure, not a pass.

new_user I
t "500 on a failing query"
if OUT=$(sql "ALTER TABLE places DROP CONSTRAINT IF EXISTS it_boom;
	ALTER TABLE places ADD CONSTRAINT it_boom CHECK (name <> 'it-boom') NOT VALID;" 2>&1); then
	pass "constraint it_boom added"
else
	fail "constraint it_boom added" "$OUT"
fi
jreq "$I_TOKEN" POST /api/places '{"name":"it-boom","location":"x"}'
expect_error 500 '{"status":"Internal error"}'
sql "ALTER TABLE places DROP CONSTRAINT IF EXISTS it_boom;" >/dev/null

t "the worker answers normally after a 500"
jreq "$I_TOKEN" POST /api/places '{"name":"it-no-boom","location":"x"}'
expect_status 201
areq "$I_TOKEN" GET '/api/places?author=me'
expect_status 200
expect_json 'length == 1 and .[0].name == "it-no-boom"'
