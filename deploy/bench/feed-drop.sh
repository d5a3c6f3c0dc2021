#!/usr/bin/env bash
# The opening minute as REST consumers live it, through nginx: a hot-listing drop on a cluster of separate
# processes (2 silos that serve the API behind nginx; APIS=2 for 2 separate API nodes instead, Redis membership, PostgreSQL storage, dashboard off), alone and
# with READERS event-stream readers of the market (GET /api/markets/{id}/events, each its own connection), POLLERS
# people refreshing the listing (GET with If-None-Match every POLL_MS), and both. tools/Benchmarks `feed` drives it:
# each drop sells STOCK units one per purchase from CONCURRENCY loops of BUYERS signed-in buyers, retrying 503 and
# 429 with the same Idempotency-Key after Retry-After; it then checks that every reader and poller ended at the final
# stock, that the market's orders (read back page by page) are exactly the acknowledged ones and the stock, that no
# answer was a 500 and none took longer than the API's 15 s budget. One unmeasured warm-up drop, then RUNS rounds of
# the four drops, interleaved.
# Exit code 0 when every drop passed its checks.
#
#   deploy/bench/feed-drop.sh                 # about 6 minutes on an idle machine
#   READERS=2000 POLLERS=0 deploy/bench/feed-drop.sh
#   READERS=2000 POLLERS=0 RATE=600 deploy/bench/feed-drop.sh   # the readers' cost at an equal pace (CPU per order)
#
# The readers, pollers and buyers run in one process on the same cores as the cluster: their own work (parsing
# events, sending polls) is part of what slows the drop. So each drop also reports the system's CPU-seconds per 1,000
# orders (deploy/bench/system-cost.py: silos, API nodes, nginx, PostgreSQL, Redis; never this process) over its
# firing: what the feed and the polls cost the service itself, as they would with the clients on other machines. Bounded: the benchmark is cut off after 20 minutes; every
# process started is stopped on exit, also on failure (trap).
set -euo pipefail
cd "$(dirname "$0")/../.."
export FLEAMARKET_STATE=${FLEAMARKET_STATE:-$PWD/.state/feed-bench}
export PasswordHasher__IterationCount=${PasswordHasher__IterationCount:-1000} # setup speed only: purchases never hash
export DOTNET_gcServer=${DOTNET_gcServer:-0} # six .NET processes on two cores (as deploy/bench/drop-vs-baseline.sh)
export FLEAMARKET_DASHBOARD=0
READERS=${READERS:-2000}
POLLERS=${POLLERS:-5000}
POLL_MS=${POLL_MS:-1000}
STOCK=${STOCK:-10000}
BUYERS=${BUYERS:-1000} # the per-buyer purchase limit (5/s) stays on: enough buyers that the drop never meets it
CONCURRENCY=${CONCURRENCY:-32}
RATE=${RATE:-0} # most purchases started per second; 0 = as fast as the loops go
RUNS=${RUNS:-2}
APIS=${APIS:-0} # API tier: 0 (default) = the two silos serve the API themselves; N = N separate API nodes
for project in src/Silo src/Api tools/Benchmarks; do
  dotnet build -c Release "$project" >/dev/null || { echo "building $project failed" >&2; exit 1; }
done
cleanup() { deploy/local/cluster.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

url=$(deploy/local/cluster.sh up --silos 2 --apis "$APIS" | tail -1)
echo "[feed $(date +%H:%M:%S)] cluster up at $url (load average $(cut -d' ' -f1 /proc/loadavg))" >&2
source "$FLEAMARKET_STATE/ports.env"
timeout --signal=TERM 1200 dotnet tools/Benchmarks/bin/Release/net10.0/FleaMarket.Benchmarks.dll feed --base-url "$url" \
  --readers "$READERS" --pollers "$POLLERS" --poll-interval-ms "$POLL_MS" --stock "$STOCK" --buyers "$BUYERS" \
  --concurrency "$CONCURRENCY" --rate "$RATE" --runs "$RUNS" --cost-probe "$PWD/deploy/bench/system-cost.py $FLEAMARKET_STATE --postgres-port $PG_PORT"
