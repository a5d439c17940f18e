# No worker died during the suite (multiwatch would have replaced it).

t "worker PIDs unchanged since the suite started"
if [ -s "$IT_TMP/pids.start" ]; then pass "PIDs were recorded at the start"; else fail "PIDs were recorded at the start" "none (run/spawn.pid?)"; fi
expect_eq "same worker PIDs" "$(cat "$IT_TMP/pids.start")" "$(worker_pids)"
