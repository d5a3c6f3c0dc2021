#!/usr/bin/env bash
# Acceptance 2 of issue 5: scale out under load.
#
#   deploy/local/cluster.sh up --silos 2 --apis 2 (own throwaway state directory, loopback only)
#   a session is created through nginx before anything else happens
#   tools/LoadTest fires a drop through nginx; while purchases are in flight, cluster.sh add-silo
#
# Passes only when
#   - the load tool's own checks pass (exit code 0: nothing oversold, no buyer over a limit, every 201 readable),
#   - its JSON counts no 5xx, no transport error and no unexpected response (no purchase failed because of the join),
#   - the third silo is Active and holds a share of the grains (activations > 0 in the admin JSON),
#   - the session created before the join still works through nginx afterwards (on every API node),
#   - purchases were actually in flight when the silo joined.
# Bounded in time (SCALEOUT_TIMEOUT, default 180 s); always brings the cluster down; prints the logs on failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER=$REPO/deploy/local/cluster.sh
LOAD_DLL=$REPO/tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
TIMEOUT=${SCALEOUT_TIMEOUT:-180}
LOAD_SECONDS=${SCALEOUT_LOAD_SECONDS:-60}   # upper bound; the run ends when the stock is sold out

export FLEAMARKET_STATE
FLEAMARKET_STATE=$(mktemp -d "${TMPDIR:-/tmp}/fleamarket-scaleout.XXXXXX")
chmod 755 "$FLEAMARKET_STATE"
WORK=$FLEAMARKET_STATE/ci
mkdir -p "$WORK"
PASSED=false
WATCHDOG=
LOAD_PID=

log() { printf '[scaleout %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

print_logs() {
  echo "==== cluster status" >&2
  "$CLUSTER" status >&2 2>&1 || true
  for f in $("$CLUSTER" logs 2>/dev/null) "$WORK"/load.err "$WORK"/load.json; do
    [ -f "$f" ] || continue
    echo "==== $f (last 60 lines)" >&2
    tail -n 60 "$f" >&2
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$WATCHDOG" ]; then pkill -P "$WATCHDOG" 2>/dev/null || true; kill "$WATCHDOG" 2>/dev/null || true; fi
  if [ -n "$LOAD_PID" ] && kill -0 "$LOAD_PID" 2>/dev/null; then kill -TERM "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
  if ! $PASSED; then
    [ $rc -ne 0 ] || rc=1
    print_logs
  fi
  "$CLUSTER" down >&2 || true
  if $PASSED; then
    rm -rf "$FLEAMARKET_STATE"
  else
    log "FAILED; state and logs kept in $FLEAMARKET_STATE"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "timed out after ${TIMEOUT}s"; exit 124' TERM
( sleep "$TIMEOUT"; kill -TERM $$ 2>/dev/null ) >/dev/null 2>&1 &
WATCHDOG=$!

# ---------------------------------------------------------------- build and start
if [ ! -f "$LOAD_DLL" ]; then
  log "building tools/LoadTest (Release)"
  dotnet build -c Release "$REPO/tools/LoadTest/LoadTest.csproj" >&2
fi
t0=$SECONDS
BASE=$("$CLUSTER" up --silos 2 --apis 2 | tail -n1)
log "cluster up in $((SECONDS - t0))s at $BASE"
. "$FLEAMARKET_STATE/ports.env"

code() { curl -s -o "$WORK/body" -w '%{http_code}' --max-time 10 "$@" || echo 000; }

# ---------------------------------------------------------------- a session before the join
c=$(code -X POST "$BASE/api/users" -H 'Content-Type: application/json' \
  -d '{"username":"early-bird","password":"correct-horse-1","displayName":"Early Bird"}')
[ "$c" = 201 ] || fail "create user through nginx: HTTP $c $(cat "$WORK/body")"
c=$(code -X POST "$BASE/api/sessions" -H 'Content-Type: application/json' -d '{"username":"early-bird","password":"correct-horse-1"}')
[ "$c" = 201 ] || fail "log in through nginx: HTTP $c $(cat "$WORK/body")"
TOKEN=$(jq -er .token "$WORK/body")

# The session is valid on every path: through nginx and on each API node directly.
check_session() {
  local when=$1 url d
  for i in 1 2 3 4; do
    c=$(code -H "Authorization: Bearer $TOKEN" "$BASE/api/me")
    [ "$c" = 200 ] || fail "session $when, GET /api/me through nginx: HTTP $c $(cat "$WORK/body")"
  done
  for d in "$FLEAMARKET_STATE"/api-*; do
    . "$d/env"
    c=$(code -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/api/me")
    [ "$c" = 200 ] || fail "session $when, GET /api/me on ${d##*/}: HTTP $c $(cat "$WORK/body")"
  done
}
check_session "before the join"

# ---------------------------------------------------------------- load, and a silo joining during it
# 40 listings, no per-buyer limit: buyers keep buying until everything is sold out (the load tool then
# checks units sold = stock). At the bounded rate the 6,000 units last about 15 s, so the join happens in the
# middle of the firing; purchases are spread over many grains (some of them move to the new silo); the rate
# stays well inside what this machine serves, so any failure counted is one the join caused.
LOAD_ARGS=(drop --base-url "$BASE" --opens-in 3 --listings 40 --stock "${SCALEOUT_STOCK:-150}" --buyers 200
  --concurrency 32 --rate "${SCALEOUT_RATE:-400}" --duration "$LOAD_SECONDS" --json)
log "load: ${LOAD_ARGS[*]}"
timeout --signal=TERM $((LOAD_SECONDS + 90)) dotnet "$LOAD_DLL" "${LOAD_ARGS[@]}" >"$WORK/load.json" 2>"$WORK/load.err" &
LOAD_PID=$!

# Wait until purchases go through nginx (the firing has started), then let them run for a moment.
deadline=$((SECONDS + 90))
until grep -q '/purchases HTTP' "$FLEAMARKET_STATE/nginx/access.log" 2>/dev/null; do
  kill -0 "$LOAD_PID" 2>/dev/null || fail "the load tool ended before firing (see $WORK/load.err)"
  [ $SECONDS -lt $deadline ] || fail "no purchase reached nginx within 90s"
  sleep 0.2
done
sleep 3
before=$(grep -c '/purchases HTTP' "$FLEAMARKET_STATE/nginx/access.log" || true)
log "firing ($before purchases so far); add-silo"
t1=$SECONDS
"$CLUSTER" add-silo >/dev/null
log "silo-3 joined in $((SECONDS - t1))s"
check_session "right after the join"
sleep 2
after=$(grep -c '/purchases HTTP' "$FLEAMARKET_STATE/nginx/access.log" || true)
[ "$after" -gt "$before" ] || fail "no purchases went through nginx around the join ($before before, $after after)"
kill -0 "$LOAD_PID" 2>/dev/null || fail "the load run ended before the silo had joined; the join was not under load"

log "waiting for the load run to finish"
load_rc=0
wait "$LOAD_PID" || load_rc=$?
LOAD_PID=

# ---------------------------------------------------------------- verdict
jq -e . "$WORK/load.json" >/dev/null 2>&1 || fail "the load tool printed no JSON (exit $load_rc)"
jq -c '{passed, endedBy: .run.endedBy, requests: .run.requests, orders: .run.orders, rps: .run.requestsPerSecond,
  statuses: .run.statuses, problems: .run.problems, unexpected: .run.unexpectedResponses, p99: .run.latencyMs.p99}' "$WORK/load.json" >&2 || true
failures=$(jq -r '.run.statuses // {} | to_entries | map(select((.key | test("^5")) or (.key | test("^[0-9]") | not))) | map("\(.key)=\(.value)") | join(" ")' "$WORK/load.json")
[ -z "$failures" ] || fail "purchases failed during the join: $failures"
unexpected=$(jq -r '.run.unexpectedResponses // 0' "$WORK/load.json")
[ "$unexpected" = 0 ] || fail "$unexpected unexpected responses during the load"
[ "$load_rc" = 0 ] || fail "the load tool's checks failed (exit $load_rc): $(jq -c '.verification // .error' "$WORK/load.json")"
orders=$(jq -r '.run.orders' "$WORK/load.json")
[ "$orders" -gt 0 ] || fail "no orders"

# The third silo holds a share of the grains (the admin JSON lists activations per silo).
. "$FLEAMARKET_STATE/silo-3/env"
deadline=$((SECONDS + 20))
while :; do
  c=$(code "http://127.0.0.1:$SILO_ADMIN_PORT/dashboard/api/cluster")
  if [ "$c" = 200 ]; then
    acts=$(jq -r --arg p "127.0.0.1:$SILO_PORT@" '[.silos[] | select(.address | startswith($p))][0].activations // 0' "$WORK/body")
    statuses=$(jq -r '[.silos[] | "\(.name)=\(.status)/\(.activations)"] | join(" ")' "$WORK/body")
    [ "${acts:-0}" -gt 0 ] && break
  fi
  [ $SECONDS -lt $deadline ] || fail "silo-3 holds no grains (admin JSON: HTTP $c $(head -c 2000 "$WORK/body"))"
  sleep 0.5
done
log "activations per silo: $statuses"
status=$("$CLUSTER" status)
echo "$status" >&2
for n in 1 2 3; do
  grep -Eq "^silo-$n +[0-9]+ +running +[^ ]+ +Active" <<<"$status" || fail "silo-$n is not running and Active"
done
check_session "after the load"

PASSED=true
log "PASS in $((SECONDS - t0))s: $orders orders, no failed purchase across the join, silo-3 holds $acts activations, the early session still works"
