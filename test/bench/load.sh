#!/usr/bin/env bash
# Load scenarios against a freshly built Apiary on SQLite, and the same wrk
# runs against a minimal net/http "ceiling" server answering the same routes
# with fixed bodies of the same size (test/bench/ceiling).
#
#   test/bench/load.sh              10 s per run, at 1, 16 and 64 connections
#   QUICK=1 test/bench/load.sh      3 s per run, 16 connections only
#   ROWS=100000 test/bench/load.sh  on 100,000 item rows
#
# Scenarios: list (page of 10), get by id, create, patch, include (a list
# page of 10 with its project), aggregate (count by project, when the server
# has /aggregate; else skipped with a note), signin, random (a page of 10 at
# a random page 1 to ROWS/10 under a random sort: title, -title, due,
# -created_at), mixed (70% random, 20% get by random id, 10% create),
# random_nocache and get_nocache (random and get again after a restart with
# -read_cache_mb 0; they run last, as the server stays without its read
# cache). After the table the report lists issue 15's targets, each with
# the figure measured and whether it is met.
#
# Environment: DURATION (seconds per run, default 10; QUICK=1 -> 3),
# CONNS (default "1 16 64"; QUICK=1 -> "16"), ROWS (item rows, default
# 10000; ITEMS is the old name), SEED_HTTP (how many of them are created
# over HTTP, default 200; the rest are SQL copies of those, made with the
# server stopped), PROJECTS (default 100), AGG_PATH (the aggregate request),
# OUT (also append the report to this file), KEEP=1 (keep the work folder),
# COMMIT (label for the report), SCENARIOS (which runs, default "list get create
# patch include aggregate signin random mixed random_nocache get_nocache").
#
# Only 127.0.0.1 is targeted. Every wait is bounded; everything started here
# is stopped on exit. The Markdown report goes to stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
QUICK=${QUICK:-0}
if [[ "$QUICK" == 1 ]]; then
	DURATION=${DURATION:-3}
	CONNS=${CONNS:-16}
else
	DURATION=${DURATION:-10}
	CONNS=${CONNS:-"1 16 64"}
fi
ROWS=${ROWS:-${ITEMS:-10000}}
SEED_HTTP=${SEED_HTTP:-200}
((SEED_HTTP > ROWS)) && SEED_HTTP=$ROWS
AGG_PATH=${AGG_PATH:-"/aggregate/item?group=project_id&column=count"}
PROJECTS=${PROJECTS:-100}
COMMIT=${COMMIT:-$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo " + uncommitted changes")}
WORK=$(mktemp -d /tmp/apiary-load.XXXXXX)
APIARY_PID=""
CEILING_PID=""

log() { echo "load: $*" >&2; }

stop_pid() { # stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL
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
	stop_pid "$APIARY_PID"
	stop_pid "$CEILING_PID"
	if [[ "${KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools -----------------------------------------------------------------
if ! command -v wrk >/dev/null; then
	log "installing wrk"
	timeout 300 apt-get update -qq >/dev/null && timeout 300 apt-get install -y -qq wrk >/dev/null
fi
command -v curl >/dev/null || { log "curl is needed"; exit 1; }

log "building into $WORK"
(cd "$ROOT" && CGO_ENABLED=0 go build -o "$WORK/apiary" ./cmd/apiary &&
	CGO_ENABLED=0 go build -o "$WORK/ceiling" ./test/bench/ceiling &&
	CGO_ENABLED=0 go build -o "$WORK/seed" ./test/bench/seed)

# --- schema (same tables and permissions as test/bench_test.go) -------------
# Table gate 561455 = locked-down 561441 + guest read, create, update; rows
# 573313 = guest peek, owner everything, group read/execute: a plain user
# reads and writes only the rows they own.
mkdir -p "$WORK/data" "$WORK/bodies"
cp "$ROOT/test/bench/schema_bench.yaml" "$WORK/data/schema_bench.yaml"

PORT=$("$WORK/seed" freeport)
URL="http://127.0.0.1:$PORT"

START_MS="" # set by start_apiary: milliseconds from exec to the first answer
start_apiary() { # start_apiary [extra flags...]
	local t0
	t0=$(date +%s%N)
	(cd "$WORK/data" && exec "$WORK/apiary" -port "127.0.0.1:$PORT" -db_type sqlite3 \
		-db_connection_string "$WORK/data/apiary.db" -schema_folder "$WORK/data" \
		-local_storage_path "$WORK/data/storage" -log_level warn "$@") >>"$WORK/apiary.log" 2>&1 &
	APIARY_PID=$!
	START_MS=$("$WORK/seed" wait -url "$URL" -since "$t0" -timeout 30s) || { cat "$WORK/apiary.log" >&2; exit 1; }
}

kib() { awk '$1 == "'"$1"':" {print $2}' "/proc/$2/status"; }

log "starting apiary on $URL (fresh database)"
start_apiary
FIRST_START_MS=$START_MS
log "seeding $PROJECTS projects and $SEED_HTTP items over HTTP"
SEED_T0=$(date +%s)
"$WORK/seed" data -url "$URL" -out "$WORK" -projects "$PROJECTS" -items "$SEED_HTTP" -conc 8 2>"$WORK/seed.log" || { cat "$WORK/seed.log" "$WORK/apiary.log" >&2; exit 1; }

# Grow the item table to ROWS with the server stopped, then restart on the
# existing database: start-up time and idle RSS.
stop_pid "$APIARY_PID"
log "copying item rows in SQL up to $ROWS"
"$WORK/seed" clone -db "$WORK/data/apiary.db" -items "$ROWS" -out "$WORK" 2>>"$WORK/seed.log" || { cat "$WORK/seed.log" >&2; exit 1; }
SEED_S=$(($(date +%s) - SEED_T0))
SEED_LINE=$(sed "s/^seed: //" "$WORK/seed.log" | paste -sd ';' | sed 's/;/; /g')
log "$SEED_LINE"
log "restarting apiary on the seeded database"
start_apiary
SEEDED_START_MS=$START_MS
sleep 1
IDLE_RSS_KB=$(kib VmRSS "$APIARY_PID")

USER_TOK=$(cat "$WORK/user.tok")
AUTH="Authorization: Bearer $USER_TOK"
FIRST_ITEM=$(head -n1 "$WORK/items.txt")
FIRST_PROJECT=$(head -n1 "$WORK/projects.txt")
LIST_PATH="/api/item?page%5Bsize%5D=10"

# --- bodies for the ceiling (captured from Apiary) ---------------------------
curl -sf -m 10 -H "$AUTH" "$URL$LIST_PATH" >"$WORK/bodies/list.json"
curl -sf -m 10 -H "$AUTH" "$URL/api/item/$FIRST_ITEM" >"$WORK/bodies/get.json"
curl -sf -m 10 -H "$AUTH" -H 'Content-Type: application/vnd.api+json' -X POST "$URL/api/item" \
	-d '{"data":{"type":"item","attributes":{"title":"created by wrk","priority":3,"notes":"x"},"relationships":{"project_id":{"data":{"type":"project","id":"'"$FIRST_PROJECT"'"}}}}}' \
	>"$WORK/bodies/create.json"
curl -sf -m 10 -H "$AUTH" -H 'Content-Type: application/vnd.api+json' -X PATCH "$URL/api/item/$FIRST_ITEM" \
	-d '{"data":{"type":"item","id":"'"$FIRST_ITEM"'","attributes":{"priority":4,"title":"patched by wrk"}}}' \
	>"$WORK/bodies/patch.json"
curl -sf -m 10 -H "$AUTH" "$URL$LIST_PATH&include=project_id" >"$WORK/bodies/include.json"
SIGNIN_BODY='{"attributes":{"email":"plain@example.test","password":"plain-password"}}'
curl -sf -m 10 -H 'Content-Type: application/json' -X POST "$URL/action/user_account/signin" -d "$SIGNIN_BODY" >"$WORK/bodies/signin.json"
SCENARIOS=${SCENARIOS:-"list get create patch include aggregate signin random mixed random_nocache get_nocache"}
NOTES=""
AGG_CODE=$(curl -s -m 10 -o "$WORK/bodies/aggregate.json" -w '%{http_code}' -H "$AUTH" "$URL$AGG_PATH" || true)
if [[ "$AGG_CODE" != 200 ]]; then
	SCENARIOS=${SCENARIOS/aggregate /}
	rm -f "$WORK/bodies/aggregate.json"
	NOTES+="- aggregate: skipped, \`GET $AGG_PATH\` answered ${AGG_CODE:-nothing} (no aggregate API in this build)."$'\n'
	log "aggregate skipped: GET $AGG_PATH answered $AGG_CODE"
fi
CPORT=$("$WORK/seed" freeport)
CURL="http://127.0.0.1:$CPORT"
"$WORK/ceiling" -addr "127.0.0.1:$CPORT" -dir "$WORK/bodies" >>"$WORK/ceiling.log" 2>&1 &
CEILING_PID=$!
"$WORK/seed" wait -url "$CURL" -timeout 15s >/dev/null

# --- wrk scripts ---------------------------------------------------------------
DONE_LUA='
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.3f %.3f %d %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
'
IDS_LUA='
local function lines(path)
  local t = {}
  for l in io.lines(path) do if #l > 0 then t[#t + 1] = l end end
  return t
end
local ids = lines("'"$WORK/items.txt"'")
local projects = lines("'"$WORK/projects.txt"'")
local n = 0
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  n = math.random(#ids)
end
'
printf '%s\n' "$DONE_LUA" >"$WORK/list.lua"
printf '%s\n%s\n' "$IDS_LUA" '
request = function()
  n = n % #ids + 1
  return wrk.format("GET", "/api/item/" .. ids[n])
end' "$DONE_LUA" >"$WORK/get.lua"
printf '%s\n%s\n' "$IDS_LUA" '
request = function()
  n = n + 1
  local body = string.format([[{"data":{"type":"item","attributes":{"title":"created by wrk %d","priority":%d,"notes":"x"},"relationships":{"project_id":{"data":{"type":"project","id":"%s"}}}}}]],
    n, n % 5, projects[n % #projects + 1])
  wrk.headers["Content-Type"] = "application/vnd.api+json"
  return wrk.format("POST", "/api/item", nil, body)
end' "$DONE_LUA" >"$WORK/create.lua"
printf '%s\n%s\n' "$IDS_LUA" '
request = function()
  n = n % #ids + 1
  local body = string.format([[{"data":{"type":"item","id":"%s","attributes":{"priority":%d,"title":"patched by wrk %d"}}}]], ids[n], n % 5, n)
  wrk.headers["Content-Type"] = "application/vnd.api+json"
  return wrk.format("PATCH", "/api/item/" .. ids[n], nil, body)
end' "$DONE_LUA" >"$WORK/patch.lua"
printf '%s\n%s\n' '
request = function()
  wrk.headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/action/user_account/signin", nil, [['"$SIGNIN_BODY"']])
end' "$DONE_LUA" >"$WORK/signin.lua"
RANDOM_LUA='
local sorts = {"title", "-title", "due", "-created_at"}
local pages = math.max(1, math.floor('"$ROWS"' / 10))
local function random_list()
  return wrk.format("GET", "/api/item?page%5Bsize%5D=10&page%5Bnumber%5D=" .. math.random(pages) .. "&sort=" .. sorts[math.random(#sorts)])
end
'
printf '%s\n%s\n%s\n' "$IDS_LUA" "$RANDOM_LUA" '
request = random_list' "$DONE_LUA" >"$WORK/random.lua"
cp "$WORK/random.lua" "$WORK/random_nocache.lua"
cp "$WORK/get.lua" "$WORK/get_nocache.lua"
printf '%s\n%s\n%s\n' "$IDS_LUA" "$RANDOM_LUA" '
request = function()
  local x = math.random(10)
  if x <= 7 then return random_list() end
  if x <= 9 then return wrk.format("GET", "/api/item/" .. ids[math.random(#ids)]) end
  n = n + 1
  local body = string.format([[{"data":{"type":"item","attributes":{"title":"mixed by wrk %d","priority":%d,"notes":"x","due":"2027-06-%02d"},"relationships":{"project_id":{"data":{"type":"project","id":"%s"}}}}}]],
    n, n % 5, n % 28 + 1, projects[n % #projects + 1])
  wrk.headers["Content-Type"] = "application/vnd.api+json"
  return wrk.format("POST", "/api/item", nil, body)
end' "$DONE_LUA" >"$WORK/mixed.lua"
cp "$WORK/list.lua" "$WORK/include.lua"
cp "$WORK/list.lua" "$WORK/aggregate.lua"

# cpu_ticks PID: the process's user + system CPU time in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

# run_wrk BASE SCENARIO CONNS -> "rps p50 p99 non2xx errors requests"
run_wrk() {
	local base=$1 sc=$2 c=$3 path="/" threads=2 out
	case $sc in
	list) path=$LIST_PATH ;;
	include) path="$LIST_PATH&include=project_id" ;;
	aggregate) path=$AGG_PATH ;;
	esac
	((c < threads)) && threads=$c
	out=$(timeout $((DURATION + 30)) wrk -t "$threads" -c "$c" -d "${DURATION}s" --timeout 5s \
		-H "$AUTH" -s "$WORK/$sc.lua" "$base$path" 2>&1) || { log "wrk failed: $out"; echo "0 0 0 0 0 0"; return; }
	echo "$out" | awk '/^RESULT/ {printf "%.0f %.2f %.2f %d %d %d\n", $2 / ($3 / 1e6), $4, $5, $6, $7, $2; found = 1}
		END { if (!found) print "0 0 0 0 0 0" }'
}

TABLE=""
declare -A RES # "scenario:conns" -> "rps p99 cpu ceiling_rps"
NOCACHE=0
log "runs of ${DURATION}s at connections: $CONNS"
for sc in $SCENARIOS; do
	if [[ "$sc" == *_nocache && "$NOCACHE" == 0 ]]; then
		NOCACHE=1
		log "restarting apiary with -read_cache_mb 0"
		stop_pid "$APIARY_PID"
		start_apiary -read_cache_mb 0
		NOTES+="- $sc and the *_nocache runs after it ran on a server restarted with \`-read_cache_mb 0\` (the peak and end RSS below are that process's)."$'\n'
	fi
	for c in $CONNS; do
		t0=$(cpu_ticks "$APIARY_PID")
		read -r rps p50 p99 bad errs reqs < <(run_wrk "$URL" "$sc" "$c") || true
		cpu=$(awk -v a="$t0" -v b="$(cpu_ticks "$APIARY_PID")" -v n="$reqs" -v hz="$CLK_TCK" 'BEGIN { if (n > 0) printf "%.2f", (b - a) * 1000 / hz / n; else print "n/a" }')
		read -r crps cp50 cp99 _ _ < <(run_wrk "$CURL" "$sc" "$c") || true
		ratio=$(awk -v a="$rps" -v b="$crps" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * a / b; else print "n/a" }')
		if [[ "$rps" == 0 ]]; then
			NOTES+="- $sc at $c connections: no request completed within the ${DURATION} s run (each took longer, or wrk failed); see the p50/p99 of the longer runs."$'\n'
		fi
		log "$sc c=$c: $rps req/s p50 $p50 ms p99 $p99 ms server CPU $cpu ms/req (ceiling $crps req/s) non-2xx $bad errors $errs"
		TABLE+="| $sc | $c | $rps | $p50 | $p99 | $cpu | $bad / $errs | $crps | $cp50 | $cp99 | $ratio |"$'\n'
		RES["$sc:$c"]="$rps $p99 $cpu $crps"
	done
done

# --- issue 15's targets against this run's figures ---------------------------
TARGETS=""
verdict() { # verdict CONDITION-as-awk-expression over a b c d -> met / missed
	awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" "BEGIN { if ($5) print \"met\"; else print \"**missed**\" }"
}
target() { # target SCENARIO CONNS TEXT AWK-CONDITION MEASURED-TEXT
	local r=${RES["$1:$2"]:-} a b c d
	[[ -n "$r" ]] || return 0
	read -r a b c d <<<"$r"
	[[ "$c" == n/a ]] && c=999
	TARGETS+="| $1, $2 conns | $3 | $(eval "echo \"$5\"") | $(verdict "$a" "$b" "$c" "$d" "$4") |"$'\n'
}
for c in $CONNS; do
	target random_nocache "$c" "≥ 1,500 req/s and ≤ 1 ms server CPU per request (at 100,000 rows: ≥ 750 req/s, ≤ 2 ms)" \
		"a >= ($ROWS >= 100000 ? 750 : 1500) && c <= ($ROWS >= 100000 ? 2 : 1)" '$a req/s, $c ms CPU'
	target mixed "$c" "≥ 1,500 req/s, p99 < 50 ms (at 100,000 rows: ≥ 750 req/s)" \
		"a >= ($ROWS >= 100000 ? 750 : 1500) && b < 50" '$a req/s, p99 $b ms, $c ms CPU'
	target get_nocache "$c" "≥ 50% of the ceiling's req/s" "d > 0 && a >= d / 2" '$a vs $d req/s'
done

PEAK_RSS_KB=$(kib VmHWM "$APIARY_PID")
END_RSS_KB=$(kib VmRSS "$APIARY_PID")
CEIL_RSS_KB=$(kib VmHWM "$CEILING_PID")
ROWCOUNT=$(curl -sf -m 10 -H "$AUTH" "$URL$LIST_PATH" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

REPORT=$(
	cat <<EOF
### Load run $(date -u +%Y-%m-%dT%H:%MZ), commit ${COMMIT}, $(printf "%'d" "$ROWS") rows

$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); wrk $(wrk -v 2>&1 | head -n1 | awk '{print $2}') on the same machine (2 threads, 1 for 1 connection); ${DURATION} s per run; SQLite; requests as a plain user of a locked-down instance; list = \`GET $LIST_PATH\`, include = the same with \`&include=project_id\`, aggregate = \`GET $AGG_PATH\`, signin = \`POST /action/user_account/signin\` (bcrypt).
Seeded over HTTP: $SEED_LINE (${SEED_S} s wall). Items visible to the user at the end: ${ROWCOUNT:-?}.
$([[ -n "$NOTES" ]] && printf '\n%s' "$NOTES")

| scenario | conns | req/s | p50 ms | p99 ms | server CPU ms/req | non-2xx / socket errors | ceiling req/s | ceiling p50 ms | ceiling p99 ms | Apiary / ceiling |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${TABLE}
- Start-up to first answer: ${FIRST_START_MS} ms on an empty database (creates it), ${SEEDED_START_MS} ms on the seeded database.
- RSS: idle $(mib "$IDLE_RSS_KB") (1 s after start-up on the seeded database), $(mib "$END_RSS_KB") after the runs, peak (VmHWM) $(mib "$PEAK_RSS_KB"); ceiling peak $(mib "$CEIL_RSS_KB").
$([[ -n "$TARGETS" ]] && printf '\n| target (issue 15) | goal | measured | verdict |\n|---|---|---|---|\n%s\n' "$TARGETS")

- Targets of start-up and idle RSS: idle RSS ≤ 30 MiB: $(mib "$IDLE_RSS_KB"), $(verdict "$IDLE_RSS_KB" 0 0 0 "a <= 30720"); start-up to the first answer on the seeded database ≤ 100 ms: ${SEEDED_START_MS} ms, $(verdict "$SEEDED_START_MS" 0 0 0 "a <= 100").
- Body sizes (bytes): list $(wc -c <"$WORK/bodies/list.json"), get $(wc -c <"$WORK/bodies/get.json"), create $(wc -c <"$WORK/bodies/create.json"), patch $(wc -c <"$WORK/bodies/patch.json"), include $(wc -c <"$WORK/bodies/include.json"), signin $(wc -c <"$WORK/bodies/signin.json")$([[ -f "$WORK/bodies/aggregate.json" ]] && echo ", aggregate $(wc -c <"$WORK/bodies/aggregate.json")").
EOF
)
echo "$REPORT"
if [[ -n "${OUT:-}" ]]; then printf '\n%s\n' "$REPORT" >>"$OUT"; fi
