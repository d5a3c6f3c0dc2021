#!/usr/bin/env bash
# Where the CPU of a drop goes: a local cluster (2 silos that serve the API behind nginx, or with APIS=2 two
# separate API nodes; dashboard off) started with .NET's perf map, a hot-listing drop from tools/LoadTest, and a
# system-wide `perf record -g` (cpu-clock, 499 Hz) for PERF_SECONDS (default 10) in the middle of the firing; then
# deploy/bench/perf-report.py for the silos and for the API nodes, if any. Needs root and perf (Debian's linux-perf). Leaves perf.data, the perf script text and the reports
# in $OUT (default .state/profile). SHAPE=spread profiles the 1,000-listing drop instead. Bounded (timeout on every
# step); the cluster is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
export FLEAMARKET_STATE=${FLEAMARKET_STATE:-$PWD/.state/profile}
export PasswordHasher__IterationCount=${PasswordHasher__IterationCount:-1000}
export DOTNET_gcServer=${DOTNET_gcServer:-0} FLEAMARKET_DASHBOARD=0
# Managed frames in perf: the JIT writes /tmp/perf-PID.map, and with W^X off the code is where the map says.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
OUT=${OUT:-$FLEAMARKET_STATE/results}
PERF_SECONDS=${PERF_SECONDS:-10}
SHAPE=${SHAPE:-hot}
APIS=${APIS:-0} # API tier: 0 (default) = the two silos serve the API themselves; N = N separate API nodes
LT=tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 1; }
for project in src/Silo src/Api tools/LoadTest; do dotnet build -c Release "$project" >/dev/null; done
trap 'deploy/local/cluster.sh down >/dev/null 2>&1 || true' EXIT
url=$(deploy/local/cluster.sh up --silos 2 --apis "$APIS" | tail -1)
mkdir -p "$OUT"
case $SHAPE in
  hot) shape=(--listings 1 --stock 200000) ;;
  spread) shape=(--listings 1000 --stock 1000) ;;
  *) echo "SHAPE is hot or spread" >&2; exit 2 ;;
esac
drop() { timeout 300 dotnet "$LT" drop --base-url "$url" --opens-in 3 --buyers 1000 --concurrency 128 "${shape[@]}" --json "$@"; }
echo "[profile] warm-up drop" >&2
drop --duration 5 >"$OUT/warmup.json" 2>/dev/null || true
echo "[profile] measured drop; perf starts 5 s into the firing" >&2
access=$FLEAMARKET_STATE/nginx/access.log
sleep 2 # nginx flushes its access log every second: let the warm-up's last lines land before counting them
seen=$(wc -l <"$access" 2>/dev/null || echo 0)
drop --duration $((PERF_SECONDS + 15)) >"$OUT/drop.json" 2>"$OUT/drop.err" &
drop_pid=$!
# The firing starts after setup (the load tool prints nothing in --json mode): the first purchase nginx logs
# after the warm-up's marks it (the access log is flushed every second).
for _ in $(seq 1 1500); do
  awk -v seen="$seen" 'NR > seen && /\/purchases/ { found = 1; exit } END { exit !found }' "$access" 2>/dev/null && break
  sleep 0.2
done
sleep 5
timeout $((PERF_SECONDS + 30)) perf record -e cpu-clock -F 499 -g -a -o "$OUT/perf.data" -- sleep "$PERF_SECONDS" 2>/dev/null
wait "$drop_pid" || true
perf script -i "$OUT/perf.data" -F pid,tid,comm,ip,sym,dso >"$OUT/perf.txt" 2>/dev/null
silos=$(cat "$FLEAMARKET_STATE"/silo-*/pid | paste -sd,)
apis=$(cat "$FLEAMARKET_STATE"/api-*/pid 2>/dev/null | paste -sd,)
{ echo "== silos ($silos)"; python3 deploy/bench/perf-report.py "$OUT/perf.txt" "$silos" 40
  if [ -n "$apis" ]; then echo; echo "== API nodes ($apis)"; python3 deploy/bench/perf-report.py "$OUT/perf.txt" "$apis" 40; fi; } | tee "$OUT/report.txt"
jq -r '"drop: \(.run.ordersPerSecondUntilLastOrder) orders/s, p50 \(.run.latencyMs.p50) ms, p99 \(.run.latencyMs.p99) ms"' "$OUT/drop.json" || true
