#!/usr/bin/env bash
# The drop benchmark of record: FleaMarket (2 silos + 2 API nodes behind nginx, Redis membership, PostgreSQL
# storage) against the baseline (one stateless ASP.NET Core API doing each purchase as one PostgreSQL
# transaction) on the same machine, in the same run, driven by the same load tool, on the same PostgreSQL
# server. Two shapes: a hot listing (one listing, stock that does not run out) and a spread drop (1,000
# listings). Prints a table and leaves the load tool's JSON in $OUT. Bounded: about 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
export FLEAMARKET_STATE=${FLEAMARKET_STATE:-$PWD/.state/bench}
export PasswordHasher__IterationCount=${PasswordHasher__IterationCount:-1000} # setup speed only: purchases never hash
export DOTNET_gcServer=${DOTNET_gcServer:-0} # six .NET processes on two cores: workstation GC keeps the tail short
DURATION=${DURATION:-20}
BUYERS=${BUYERS:-1000}
CONCURRENCY=${CONCURRENCY:-128}
OUT=${OUT:-$FLEAMARKET_STATE/results}
LT=tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
BASELINE=tools/Baseline/bin/Release/net10.0/FleaMarket.Baseline.dll
[ -f "$LT" ] && [ -f "$BASELINE" ] || dotnet build -c Release FleaMarket.Orleans.sln
mkdir -p "$OUT"
baseline_pid=
cleanup() {
  [ -n "$baseline_pid" ] && kill "$baseline_pid" 2>/dev/null || true
  deploy/local/cluster.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

hot=(--listings 1 --stock 40000 --quantity 1) # large, and small enough for the load tool to read every order back
spread=(--listings 1000 --stock 1000 --quantity 1)
drop() { # name url shape...
  local name=$1 url=$2; shift 2
  dotnet "$LT" drop --base-url "$url" --opens-in 5 --buyers "$BUYERS" --concurrency "$CONCURRENCY" --duration "$DURATION" "$@" --json \
    >"$OUT/$name.json" 2>"$OUT/$name.err" || true # the units-sold check fails by design when the time runs out first
}

url=$(deploy/local/cluster.sh up --silos 2 --apis 2 | tail -1)
drop fleamarket-hot "$url" "${hot[@]}"
drop fleamarket-spread "$url" "${spread[@]}"

# Same PostgreSQL server for the baseline: stop the FleaMarket processes, keep the database running.
for pidfile in "$FLEAMARKET_STATE"/api-*/pid "$FLEAMARKET_STATE"/silo-*/pid; do kill "$(cat "$pidfile")" 2>/dev/null || true; done
source "$FLEAMARKET_STATE/ports.env"
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "DROP DATABASE IF EXISTS baseline" -c "CREATE DATABASE baseline" >/dev/null
baseline_port=25100 # below the ephemeral port range, like the cluster's ports
ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=baseline;Maximum Pool Size=100" \
  Urls="http://127.0.0.1:$baseline_port" env "Logging__LogLevel__Microsoft.AspNetCore=Warning" \
  dotnet "$BASELINE" >"$OUT/baseline.log" 2>&1 &
baseline_pid=$!
deadline=$((SECONDS + 60))
until curl -sf "http://127.0.0.1:$baseline_port/health/ready" >/dev/null; do
  [ $SECONDS -lt $deadline ] || { tail -20 "$OUT/baseline.log"; exit 1; }
  sleep 0.2
done
drop baseline-hot "http://127.0.0.1:$baseline_port" "${hot[@]}"
drop baseline-spread "http://127.0.0.1:$baseline_port" "${spread[@]}"

python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
rows = {}
for name in ["fleamarket-hot", "baseline-hot", "fleamarket-spread", "baseline-spread"]:
    run = json.load(open(os.path.join(out, name + ".json")))["run"]
    rows[name] = run
    print(f"| {name} | {run['ordersPerSecondUntilLastOrder']:,.0f} | {run['latencyMs']['p50']:.1f} | {run['latencyMs']['p99']:.1f} | {run['orders']:,} | {run['statuses']} |")
for shape in ["hot", "spread"]:
    ratio = rows[f"fleamarket-{shape}"]["ordersPerSecondUntilLastOrder"] / max(rows[f"baseline-{shape}"]["ordersPerSecondUntilLastOrder"], 1)
    print(f"{shape}: FleaMarket / baseline = {ratio:.1f}x")
PY
