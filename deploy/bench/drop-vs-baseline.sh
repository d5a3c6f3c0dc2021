#!/usr/bin/env bash
# The drop benchmark of record: FleaMarket on Orleans (2 silos that serve the API behind nginx, Redis membership,
# PostgreSQL storage, Orleans' dashboard off) against the baseline (one stateless ASP.NET Core API doing each
# purchase as one PostgreSQL transaction) on the same machine, in the same run, driven by the same load tool, on
# the same PostgreSQL server. Two shapes: a hot listing (one listing of 40,000 units) and a spread drop (1,000
# listings of 1,000); SHAPES="hot" runs only the first. Each shape runs RUNS times (default 3) on each side;
# the table gives the median of each figure and every run's JSON stays in $OUT. Then FleaMarket's hot listing
# once more, paced at half its median rate, for the latency at 50% load (HALF=0 skips it). Each side first runs one
# unmeasured drop of each shape (JIT, pools), and every measured drop starts on a quiescent database (VACUUM, then
# CHECKPOINT), so no drop is billed for the maintenance its predecessor left. APIS=2 measures FleaMarket with a
# separate API tier instead (2 API nodes, Orleans clients, behind nginx; the silos then serve no HTTP).
#
# Figures per run: acknowledged orders/s until the last order, p50/p99 latency, and the cost of the firing window
# read by deploy/bench/system-cost.py at the opening and when the firing ends: CPU-seconds per 1,000 orders of all
# the system's processes (silos, API nodes, nginx, PostgreSQL, Redis; the baseline and PostgreSQL), never the load
# tool's, and PostgreSQL write transactions per order.
# Bounded: each load run is cut off after DURATION + 240 s; about 15 minutes on an idle machine. Every process
# started is stopped on exit, also on failure (trap).
set -euo pipefail
cd "$(dirname "$0")/../.."
export FLEAMARKET_STATE=${FLEAMARKET_STATE:-$PWD/.state/bench}
export PasswordHasher__IterationCount=${PasswordHasher__IterationCount:-1000} # setup speed only: purchases never hash
export DOTNET_gcServer=${DOTNET_gcServer:-0} # six .NET processes on two cores: workstation GC keeps the tail short
export FLEAMARKET_DASHBOARD=0 # Orleans' dashboard profiles every grain call: benchmarks run without it
DURATION=${DURATION:-20}
BUYERS=${BUYERS:-1000}
CONCURRENCY=${CONCURRENCY:-128}
SHAPES=${SHAPES:-hot spread}
RUNS=${RUNS:-3}
HALF=${HALF:-1}
# The load tool's scheduling priority (nice value, both sides alike): it shares the two cores with what it measures,
# so when it waits for a core its clock runs on and its latencies include that wait; -10 lets it run first, closer
# to clients on other machines (it still takes the same CPU from the service). Default 0.
LOADTOOL_NICE=${LOADTOOL_NICE:-0}
APIS=${APIS:-0} # API tier: 0 (default) = the two silos serve the API themselves; N = N separate API nodes
OUT=${OUT:-$FLEAMARKET_STATE/results}
LT=tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
BASELINE=tools/Baseline/bin/Release/net10.0/FleaMarket.Baseline.dll
for project in src/Silo src/Api tools/LoadTest tools/Baseline; do
  dotnet build -c Release "$project" >/dev/null || { echo "building $project failed" >&2; exit 1; }
done
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.err
baseline_pid=
cleanup() {
  if [ -n "$baseline_pid" ]; then
    kill "$baseline_pid" 2>/dev/null || true
    wait "$baseline_pid" 2>/dev/null || true
  fi
  deploy/local/cluster.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hot=(--listings 1 --stock 40000 --quantity 1) # large, and small enough for the load tool to read every order back
spread=(--listings 1000 --stock 1000 --quantity 1)
# Each measured drop starts on a quiescent database, on both sides alike: the previous drop's dead rows vacuumed and
# its dirty pages written out first. Back to back, a drop was billed for its predecessor's maintenance (autovacuum
# and checkpoint writes in its window): FleaMarket's spread drops followed three hot drops of ~60,000 orders each and
# its PostgreSQL spent 0.33 CPU-s per 1,000 spread orders instead of 0.20 on a fresh database, while the baseline's
# hot drops leave ~7,000. A real drop follows an idle hour, not another drop.
quiesce() { # database
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -qc "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null
}
drop() { # name url probe-state-dir database shape...
  local name=$1 url=$2 probe=$3 database=$4; shift 4
  quiesce "$database"
  echo "[bench $(date +%H:%M:%S)] $name (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  timeout --signal=TERM $((DURATION + 240)) \
    nice -n "$LOADTOOL_NICE" dotnet "$LT" drop --base-url "$url" --opens-in 5 --buyers "$BUYERS" --concurrency "$CONCURRENCY" --duration "$DURATION" "$@" --json \
      --cost-probe "$PWD/deploy/bench/system-cost.py $probe --postgres-port $PG_PORT" \
    >"$OUT/$name.json" 2>"$OUT/$name.err" || true # the units-sold check fails by design when the time runs out first
}
# Unmeasured drops before each side's runs, one of each shape: the first drops after a start also measure JIT
# compilation and connection pools filling (its CPU per order was twice the next one's), which a service that has
# been up for a while does not pay. One 5 s drop was not enough: a profile 5 s into the next drop still found the JIT
# compiler at 22% of the silos' CPU, and the second drop after it cost 0.43 CPU-s per 1,000 orders against 0.51.
warmup() { # url
  echo "[bench $(date +%H:%M:%S)] warm-up on $1" >&2
  local shape args
  for shape in hot spread; do
    read -ra args <<<"$(shape_args "$shape")"
    timeout --signal=TERM 240 nice -n "$LOADTOOL_NICE" dotnet "$LT" drop --base-url "$1" --opens-in 3 --buyers "$BUYERS" --concurrency "$CONCURRENCY" --duration 10 \
      "${args[@]}" --json >"$OUT/warmup-$shape.json" 2>"$OUT/warmup-$shape.err" || true
  done
}
shape_args() { case $1 in hot) echo "${hot[@]}" ;; spread) echo "${spread[@]}" ;; *) echo "unknown shape $1 (hot, spread)" >&2; exit 2 ;; esac; }

url=$(deploy/local/cluster.sh up --silos 2 --apis "$APIS" | tail -1)
source "$FLEAMARKET_STATE/ports.env"
warmup "$url"
for shape in $SHAPES; do
  read -ra args <<<"$(shape_args "$shape")"
  for run in $(seq 1 "$RUNS"); do drop "fleamarket-$shape-$run" "$url" "$FLEAMARKET_STATE" fleamarket "${args[@]}"; done
done
if [ "$HALF" = 1 ] && [[ " $SHAPES " == *" hot "* ]]; then
  # Half of the median hot rate, paced: the latency a drop sees with headroom left.
  half=$(for run in $(seq 1 "$RUNS"); do jq -r '.run.ordersPerSecondUntilLastOrder // 0' "$OUT/fleamarket-hot-$run.json" 2>/dev/null || echo 0; done |
    sort -n | awk '{ v[NR] = $1 } END { printf "%d", v[int((NR + 1) / 2)] / 2 }')
  read -ra args <<<"$(shape_args hot)"
  if [ "${half:-0}" -gt 0 ]; then
    sleep 2 # nginx writes its access log every second: the half-rate drop's purchases are the lines after this
    from=$(($(wc -l <"$FLEAMARKET_STATE/nginx/access.log") + 1))
    drop "fleamarket-hot-half" "$url" "$FLEAMARKET_STATE" fleamarket "${args[@]}" --rate "$half"
    sleep 2
    # The service's own latency (the load tool's includes its waiting for the same cores).
    deploy/bench/nginx-latency.py "$FLEAMARKET_STATE/nginx/access.log" "$from" >"$OUT/fleamarket-hot-half.nginx" || true
  fi
fi

# Same PostgreSQL server for the baseline: stop the FleaMarket processes, keep the database running.
for pidfile in "$FLEAMARKET_STATE"/api-*/pid "$FLEAMARKET_STATE"/silo-*/pid; do [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true; done
for pidfile in "$FLEAMARKET_STATE"/api-*/pid "$FLEAMARKET_STATE"/silo-*/pid; do
  [ -f "$pidfile" ] || continue
  for _ in $(seq 1 600); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
done
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS baseline" -c "CREATE DATABASE baseline" >/dev/null
baseline_port=25100 # from here up, below the ephemeral port range like the cluster's ports
while [ -n "$(ss -Hltn "sport = :$baseline_port")" ]; do baseline_port=$((baseline_port + 1)); done
ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=baseline;Maximum Pool Size=100;Max Auto Prepare=32" \
  Urls="http://127.0.0.1:$baseline_port" env "Logging__LogLevel__Microsoft.AspNetCore=Warning" \
  dotnet "$BASELINE" >"$OUT/baseline.log" 2>&1 &
baseline_pid=$!
# The baseline's cost: its process and PostgreSQL, nothing of the stopped cluster.
probe_dir=$FLEAMARKET_STATE/baseline-cost
rm -rf "$probe_dir" && mkdir -p "$probe_dir/baseline" && ln -s "$FLEAMARKET_STATE/postgres" "$probe_dir/postgres"
echo "$baseline_pid" >"$probe_dir/baseline/pid"
deadline=$((SECONDS + 60))
until curl -sf "http://127.0.0.1:$baseline_port/health/ready" >/dev/null; do
  [ $SECONDS -lt $deadline ] || { tail -20 "$OUT/baseline.log"; exit 1; }
  kill -0 "$baseline_pid" 2>/dev/null || { tail -20 "$OUT/baseline.log"; exit 1; }
  sleep 0.2
done
warmup "http://127.0.0.1:$baseline_port"
for shape in $SHAPES; do
  read -ra args <<<"$(shape_args "$shape")"
  for run in $(seq 1 "$RUNS"); do drop "baseline-$shape-$run" "http://127.0.0.1:$baseline_port" "$probe_dir" baseline "${args[@]}"; done
done

python3 deploy/bench/drop-report.py "$OUT" "$RUNS" $SHAPES
if [ -s "$OUT/fleamarket-hot-half.nginx" ]; then
  echo "hot at half rate, as nginx measured the purchases: $(cat "$OUT/fleamarket-hot-half.nginx")"
fi
