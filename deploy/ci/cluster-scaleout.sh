#!/usr/bin/env bash
# Acceptance 2 of issue 5: scale out under load.
#
#   deploy/local/cluster.sh up --silos 2 --apis 2 (own throwaway state directory, loopback only)
#   a session is created through nginx before anything else happens
#   tools/LoadTest fires a drop through nginx; while purchases are in flight, cluster.sh add-silo
#
# Passes only when
#   - the load tool's own checks pass (nothing oversold, no buyer over a limit, every 201 readable, stock
#     consistent, no unknown order); "units-sold" may fall short only when the firing ended by its duration
#     (a slow or busy machine sells less in the time, which is not a failure of the join),
#   - its JSON counts no 5xx, no transport error and no unexpected response (no purchase failed because of the join),
#   - the third silo is Active and takes new activations: grains first called after the join (new users and
#     sessions created while the drop runs) land on it too (orleans_catalog_activations on its /metrics > 0;
#     Orleans leaves the grains already active where they are),
#   - the session created before the join still works through nginx afterwards (on every API node),
#   - purchases were actually in flight when the silo joined.
# Bounded in time (SCALEOUT_TIMEOUT, default 360 s; about 2-3 minutes on an idle machine); always brings the cluster down (also on failure or a
# signal) and prints the logs on failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER=$REPO/deploy/local/cluster.sh
LOAD_DLL=$REPO/tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
TIMEOUT=${SCALEOUT_TIMEOUT:-360}
LOAD_SECONDS=${SCALEOUT_LOAD_SECONDS:-75}   # upper bound of the firing; it ends earlier when the stock is sold out

export FLEAMARKET_STATE
# Setup speed only (buyers are created and logged in before the drop; purchases never hash a password).
export PasswordHasher__IterationCount=${PasswordHasher__IterationCount:-1000}
# Orleans' dashboard profiles every grain call; this test reads /metrics only.
export FLEAMARKET_DASHBOARD=${FLEAMARKET_DASHBOARD:-0}
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
# checks units sold = stock). At the bounded rate the 12,000 units last about 40 s (on a busy machine, where a silo
# takes longer to start, the duration ends the firing first), so the join happens in the
# middle of the firing; purchases are spread over many grains (they stay on the silos that activated them: Orleans
# moves no activation to a joining silo); the rate stays well inside what this machine serves, so any failure
# counted is one the join caused.
LOAD_ARGS=(drop --base-url "$BASE" --opens-in 3 --listings 40 --stock "${SCALEOUT_STOCK:-300}" --buyers 200
  --concurrency 32 --rate "${SCALEOUT_RATE:-300}" --duration "$LOAD_SECONDS" --json)
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
# nginx's timestamps have whole seconds: purchases logged from the next second on came after the join.
joined_at=$(date -d "+1 second" +%Y-%m-%dT%H:%M:%S%:z)
check_session "right after the join"

# New grains while the drop runs: users, their sessions and accounts first called now. Orleans places new
# activations on every Active silo, the new one included (existing activations stay where they are).
for i in $(seq 1 "${SCALEOUT_NEW_USERS:-12}"); do
  c=$(code -X POST "$BASE/api/users" -H 'Content-Type: application/json' \
    -d "{\"username\":\"late-$i\",\"password\":\"correct-horse-1\",\"displayName\":\"Late $i\"}")
  [ "$c" = 201 ] || fail "create user late-$i after the join: HTTP $c $(cat "$WORK/body")"
  c=$(code -X POST "$BASE/api/sessions" -H 'Content-Type: application/json' -d "{\"username\":\"late-$i\",\"password\":\"correct-horse-1\"}")
  [ "$c" = 201 ] || fail "log in late-$i after the join: HTTP $c $(cat "$WORK/body")"
  c=$(code -H "Authorization: Bearer $(jq -r .token "$WORK/body")" "$BASE/api/me/orders")
  [ "$c" = 200 ] || fail "GET /api/me/orders for late-$i after the join: HTTP $c $(cat "$WORK/body")"
done
sleep 2 # nginx flushes its access log every second
after=$(awk -v t="[$joined_at]" '/\/purchases HTTP/ && $2 >= t { n++ } END { print n + 0 }' "$FLEAMARKET_STATE/nginx/access.log")
[ "$after" -gt 0 ] || fail "no purchases went through nginx after silo-3 had joined ($before before add-silo); the join was not under load"
log "$after purchases through nginx since silo-3 is Active"

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
if [ "$load_rc" != 0 ]; then
  [ "$load_rc" = 1 ] || fail "the load tool failed (exit $load_rc): $(jq -c '.error // .verification' "$WORK/load.json")"
  failed=$(jq -r '[.verification.checks[] | select(.passed | not) | .name
    | select(. != "units-sold" or $ended != "duration")] | join(" ")' --arg ended "$(jq -r .run.endedBy "$WORK/load.json")" "$WORK/load.json")
  [ -z "$failed" ] || fail "the load tool's checks failed: $failed: $(jq -c '.verification.checks' "$WORK/load.json")"
  log "the firing ended by its duration before the stock sold out: $(jq -r '.verification.checks[] | select(.name == "units-sold") | .detail' "$WORK/load.json")"
fi
orders=$(jq -r '.run.orders' "$WORK/load.json")
[ "$orders" -gt 0 ] || fail "no orders"

# The third silo took new activations (each silo's /metrics: orleans_catalog_activations per grain type,
# Orleans' system grains left out).
app_activations() { # admin port -> the flea market's activations on that silo
  curl -sf --max-time 5 "http://127.0.0.1:$1/metrics" 2>/dev/null | awk '/^orleans_catalog_activations\{/ {
    match($0, /grain_type="[^"]*"/); t = substr($0, RSTART + 12, RLENGTH - 13)
    if (t !~ /^sys\./ && t != "dashboard" && t != "management") s += $NF } END { print s + 0 }'
}
deadline=$((SECONDS + 20))
while :; do
  statuses=""
  for d in "$FLEAMARKET_STATE"/silo-*; do
    . "$d/env"
    statuses+="${d##*/}=$(app_activations "$SILO_ADMIN_PORT") "
  done
  . "$FLEAMARKET_STATE/silo-3/env"
  acts=$(app_activations "$SILO_ADMIN_PORT")
  [ "$acts" -gt 0 ] && break
  [ $SECONDS -lt $deadline ] || fail "silo-3 took no activations (activations per silo: $statuses)"
  sleep 0.5
done
log "activations per silo: $statuses"
status=$("$CLUSTER" status)
echo "$status" >&2
for n in 1 2 3; do
  grep -Eq "^silo-$n +[0-9]+ +running +[^ ]+ +[0-9]+ +Active +200 " <<<"$status" || fail "silo-$n is not running, Active and ready"
done
check_session "after the load"

PASSED=true
log "PASS in $((SECONDS - t0))s: $orders orders, no failed purchase across the join, silo-3 took $acts activations, the early session still works"
