#!/usr/bin/env bash
# Realtime measurements (docs/benchmarks.md, "Realtime"): 10,000 idle /live
# connections (server RSS per connection) and the fan-out of row events to
# many subscribers of one table, and the YJS relay (50 clients x 20 edits/s).
# The idle connections and the fan-out subscribers run in a child process
# (the test binary again), so the CPU and memory reported are the server's.
# Sizes: APIARY_BENCH_CONNS (10000),
# APIARY_BENCH_SUBS (1000), APIARY_BENCH_RATE (1000 events/s),
# APIARY_BENCH_SECONDS (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
APIARY_BENCH_LIVE=1 APIARY_TEST_DB="${APIARY_TEST_DB:-sqlite}" go test -count=1 -timeout 30m -v -run 'TestIdleConnections|TestFanout|TestYjsRelay' ./test/bench/live | grep -E 'live_test|fanout_test|yjs_test|^(ok|FAIL|---)'
