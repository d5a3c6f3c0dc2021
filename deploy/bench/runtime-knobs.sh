#!/usr/bin/env bash
# A runtime setting tried on the drop: for each LABEL[:VAR=VALUE,VAR=VALUE...] argument, a fresh local cluster
# (2 silos that serve the API behind nginx, dashboard off) started with those environment variables, one unmeasured
# warm-up drop, two hot-listing drops at full rate and one paced at HALF_RATE orders/s (default 1460); one line per
# drop: orders/s, p50, p99 (load tool), CPU-s per 1,000 orders (total, api, silo, postgres), and for the paced
# drop nginx's own p50/p99 of the purchases (its access log's request time: the load tool on the same cores adds
# its own waiting to what it measures).
#
#   deploy/bench/runtime-knobs.sh as-configured nocgc:DOTNET_gcConcurrent=0 gen0:DOTNET_GCgen0size=0x4000000
#   deploy/bench/runtime-knobs.sh cohosted two-tiers:APIS=2      (APIS=N: N separate API nodes; default 0)
#
# Each configuration takes about 3.5 minutes. Bounded: every drop is cut off after 5 minutes; the cluster is
# stopped on exit, also on failure (trap).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
export FLEAMARKET_STATE=${FLEAMARKET_STATE:-$PWD/.state/knobs}
export PasswordHasher__IterationCount=${PasswordHasher__IterationCount:-1000} DOTNET_gcServer=${DOTNET_gcServer:-0} FLEAMARKET_DASHBOARD=0
HALF_RATE=${HALF_RATE:-1460}
OUT=${OUT:-$FLEAMARKET_STATE/results}
LT=tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
for project in src/Silo src/Api tools/LoadTest; do dotnet build -c Release "$project" >/dev/null; done
mkdir -p "$OUT"
trap 'deploy/local/cluster.sh down >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM

for config in "$@"; do
  label=${config%%:*}
  settings=()
  [[ $config == *:* ]] && IFS=, read -ra settings <<<"${config#*:}"
  # APIS=N among the settings is the API tier's size (0: the silos serve the API), not an environment variable.
  apis=0 envs=()
  for setting in "${settings[@]}"; do
    if [[ $setting == APIS=* ]]; then apis=${setting#APIS=}; else envs+=("$setting"); fi
  done
  deploy/local/cluster.sh down >/dev/null 2>&1 || true
  url=$(env "${envs[@]}" deploy/local/cluster.sh up --silos 2 --apis "$apis" 2>/dev/null | tail -1)
  source "$FLEAMARKET_STATE/ports.env"
  drop() { # name args...
    local name=$1; shift
    timeout 300 dotnet "$LT" drop --base-url "$url" --buyers 1000 --concurrency 128 --quantity 1 --json "$@" \
      --cost-probe "$PWD/deploy/bench/system-cost.py $FLEAMARKET_STATE --postgres-port $PG_PORT" >"$OUT/$label-$name.json" 2>/dev/null || true
  }
  drop warmup --opens-in 3 --duration 5 --listings 20 --stock 100000
  for run in 1 2; do drop "hot-$run" --opens-in 5 --duration 20 --listings 1 --stock 40000; done
  sleep 2 # nginx writes its access log every second
  from=$(($(wc -l <"$FLEAMARKET_STATE/nginx/access.log") + 1))
  drop half --opens-in 5 --duration 20 --listings 1 --stock 40000 --rate "$HALF_RATE"
  sleep 2
  for name in hot-1 hot-2 half; do
    line=$(jq -r '"\(.run.ordersPerSecondUntilLastOrder) orders/s, p50 \(.run.latencyMs.p50) ms, p99 \(.run.latencyMs.p99) ms, " +
      "CPU-s/1000 \(.cost.perThousandOrders."cpu.total") (api \(.cost.perThousandOrders."cpu.api"), silo \(.cost.perThousandOrders."cpu.silo"), postgres \(.cost.perThousandOrders."cpu.postgres"))"' \
      "$OUT/$label-$name.json" 2>/dev/null || echo "no report (see $OUT/$label-$name.json)")
    [ "$name" = half ] && line="$line; nginx $(deploy/bench/nginx-latency.py "$FLEAMARKET_STATE/nginx/access.log" "$from")"
    echo "$label $name: $line"
  done
done
