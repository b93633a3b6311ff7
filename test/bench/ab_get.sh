#!/usr/bin/env bash
# A/B of one wrk scenario between two Apiary builds (or two connection-string
# variants) on the same seeded database, taking the build and the seeding out
# of the comparison. It reuses a work folder that load.sh kept:
#
#   KEEP=1 SCENARIOS=get_nocache QUICK=1 test/bench/load.sh   # prints "kept /tmp/apiary-load.XXXX"
#   test/bench/ab_get.sh /tmp/apiary-load.XXXX BIN_A BIN_B
#   DSN_B='?vfs=unix-excl' test/bench/ab_get.sh /tmp/apiary-load.XXXX W/apiary W/apiary
#
# Each round starts A then B as fresh processes with -read_cache_mb 0 (the
# default; READ_CACHE_MB overrides), runs one warm-up and one measured wrk run
# of SCENARIO (default get_nocache) at CONNS connections (default 16) for
# DURATION seconds (default 3), then the same run against the ceiling server of
# the work folder, and prints requests/s, server CPU per request (from
# /proc/PID/stat) and the share of the ceiling. ROUNDS (default 3) alternates
# them. Only 127.0.0.1 is used; everything started here is stopped on exit.
set -euo pipefail

W=${1:?work folder kept by load.sh}
BIN_A=${2:?first apiary binary}
BIN_B=${3:?second apiary binary}
SCENARIO=${SCENARIO:-get_nocache}
CONNS=${CONNS:-16}
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-3}
READ_CACHE_MB=${READ_CACHE_MB:-0}
DSN_A=${DSN_A:-}
DSN_B=${DSN_B:-}
TOK=$(cat "$W/user.tok")
HZ=$(getconf CLK_TCK)
PORT=$("$W/seed" freeport)
CPORT=$("$W/seed" freeport)
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_wrk() { # URL -> "rps requests"
	timeout $((DURATION + 30)) wrk -t2 -c "$CONNS" -d "${DURATION}s" --timeout 5s \
		-H "Authorization: Bearer $TOK" -s "$W/$SCENARIO.lua" "$1/" 2>&1 |
		awk '/^RESULT/ {printf "%.0f %d\n", $2 / ($3 / 1e6), $2; found = 1} END {if (!found) print "0 0"}'
}

"$W/ceiling" -addr "127.0.0.1:$CPORT" -dir "$W/bodies" >>"$W/ceiling.log" 2>&1 &
PIDS+=($!)
"$W/seed" wait -url "http://127.0.0.1:$CPORT" -timeout 15s >/dev/null

echo "| round | build | req/s | server CPU ms/req | ceiling req/s | Apiary / ceiling |"
echo "|---|---|---:|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
	for side in A B; do
		bin=$BIN_A dsn=$DSN_A
		[[ $side == B ]] && bin=$BIN_B dsn=$DSN_B
		(cd "$W/data" && exec "$bin" -port "127.0.0.1:$PORT" -db_type sqlite3 \
			-db_connection_string "$W/data/apiary.db$dsn" -schema_folder "$W/data" \
			-local_storage_path "$W/data/storage" -log_level warn -read_cache_mb "$READ_CACHE_MB") >>"$W/apiary.log" 2>&1 &
		pid=$!
		"$W/seed" wait -url "http://127.0.0.1:$PORT" -timeout 30s >/dev/null
		run_wrk "http://127.0.0.1:$PORT" >/dev/null
		t0=$(ticks "$pid")
		read -r rps reqs < <(run_wrk "http://127.0.0.1:$PORT")
		t1=$(ticks "$pid")
		read -r crps _ < <(run_wrk "http://127.0.0.1:$CPORT")
		kill -TERM "$pid"
		wait "$pid" 2>/dev/null || true
		awk -v r="$round" -v s="$side" -v a="$rps" -v n="$reqs" -v t0="$t0" -v t1="$t1" -v hz="$HZ" -v c="$crps" 'BEGIN {
			cpu = n > 0 ? sprintf("%.3f", (t1 - t0) * 1000 / hz / n) : "n/a"
			pct = c > 0 ? sprintf("%.1f%%", 100 * a / c) : "n/a"
			printf "| %d | %s | %d | %s | %d | %s |\n", r, s, a, cpu, c, pct }'
	done
done
echo
echo "A = $BIN_A$DSN_A, B = $BIN_B$DSN_B; $SCENARIO at $CONNS connections, ${DURATION} s runs; $(uptime | sed 's/.*load/load/')"
