#!/usr/bin/env bash
# Start-up to first answer as a new process, and idle RSS, on an existing
# SQLite database (the targets of issue 8: ≤ 100 ms and ≤ 30 MiB).
#
#   test/bench/startup.sh                  20 starts of a freshly built binary
#   RUNS=50 test/bench/startup.sh
#   BIN=/tmp/apiary-old test/bench/startup.sh   measure another binary
#
# The database is made once: a first start creates it, the bench schema of
# load.sh is applied and `seed data` adds an administrator, a plain user,
# PROJECTS projects and ITEMS items over HTTP; the server is stopped. Then
# each run execs the binary with -log_level warn and `seed wait -since` polls
# /ping every millisecond: the figure is the time from just before exec to
# the first 200 answer. One second later VmRSS is read, and the server is
# stopped with SIGTERM.
#
# Environment: RUNS (default 20), PROJECTS (default 10), ITEMS (default 200),
# BIN (binary to measure; default: go build ./cmd/apiary), KEEP=1 (keep the
# work folder). Only 127.0.0.1 is used; everything started here is stopped on
# exit. Prints one Markdown line per figure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-20}
PROJECTS=${PROJECTS:-10}
ITEMS=${ITEMS:-200}
WORK=$(mktemp -d /tmp/apiary-startup.XXXXXX)
PID=""

log() { echo "startup: $*" >&2; }

stop_pid() { # SIGTERM, wait up to 10 s, then SIGKILL
	local pid=$1
	[[ -n "$pid" ]] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	stop_pid "$PID"
	if [[ "${KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$ROOT" && CGO_ENABLED=0 go build -o "$WORK/seed" ./test/bench/seed)
if [[ -z "${BIN:-}" ]]; then
	log "building into $WORK"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/apiary" ./cmd/apiary)
	BIN=$WORK/apiary
fi
[[ -x "$BIN" ]] || { log "$BIN is not an executable"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") # the server runs in $WORK/data

mkdir -p "$WORK/data"
cp "$ROOT/test/bench/schema_bench.yaml" "$WORK/data/schema_bench.yaml"

PORT=$("$WORK/seed" freeport)
URL="http://127.0.0.1:$PORT"

MS="" # set by start: milliseconds from exec to the first answer
start() {
	local t0
	t0=$(date +%s%N)
	(cd "$WORK/data" && exec "$BIN" -port "127.0.0.1:$PORT" -db_type sqlite3 \
		-db_connection_string "$WORK/data/apiary.db" -schema_folder "$WORK/data" \
		-local_storage_path "$WORK/data/storage" -log_level warn) >>"$WORK/apiary.log" 2>&1 &
	PID=$!
	MS=$("$WORK/seed" wait -url "$URL" -since "$t0" -timeout 30s) || { cat "$WORK/apiary.log" >&2; exit 1; }
}

log "creating the database"
start
log "fresh database: $MS ms"
"$WORK/seed" data -url "$URL" -out "$WORK" -projects "$PROJECTS" -items "$ITEMS" -conc 4 2>"$WORK/seed.log" ||
	{ cat "$WORK/seed.log" "$WORK/apiary.log" >&2; exit 1; }
stop_pid "$PID"
PID=""

: >"$WORK/ms.txt"
: >"$WORK/rss.txt"
for i in $(seq "$RUNS"); do
	start
	echo "$MS" >>"$WORK/ms.txt"
	sleep 1
	awk '$1 == "VmRSS:" {print $2}' "/proc/$PID/status" >>"$WORK/rss.txt"
	stop_pid "$PID"
	PID=""
	log "run $i: $MS ms, $(tail -n1 "$WORK/rss.txt") KiB"
done

stats() { # min / median / max of one number a line
	sort -n "$1" | awk '{v[NR] = $1} END {printf "%s / %s / %s", v[1], v[int((NR + 1) / 2)], v[NR]}'
}
awk '{printf "%.1f\n", $1 / 1024}' "$WORK/rss.txt" >"$WORK/rss_mib.txt"
echo "- start-up to first answer, existing database, $RUNS runs (min / median / max): $(stats "$WORK/ms.txt") ms"
echo "- idle RSS 1 s after start-up (min / median / max): $(stats "$WORK/rss_mib.txt") MiB"
