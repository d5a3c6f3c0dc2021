#!/usr/bin/env bash
# Acceptance 1 of issue 5: the README's run command works from a fresh clone and keeps its data.
#
# Runs `dotnet run --project src/Silo` (Release, already built) from an empty temporary directory, so the
# embedded default's ./data lands there (one Orleans silo, localhost clustering, SQLite in ./data/fleamarket.db,
# the HTTP API in the same process).
#   1. Creates a seller, a market, a listing, a buyer and an order with curl; stops the service (SIGTERM);
#      checks the SQLite file is in <tmp>/data; starts it again from the same directory; the session issued
#      before the restart still works, the order is read back, the stock is right, the purchase retried with
#      the same Idempotency-Key returns the same order.
#   2. Kill -9: buyers fire purchases from several loops; once some are acknowledged the whole service is
#      killed with SIGKILL in the middle of the firing; after a restart every acknowledged order (201/200) is
#      there, every purchase retried with its key resolves to exactly one order (the ones cut off by the kill
#      included), and remaining = quantity - units ordered.
# Every process it starts is stopped on exit, also on failure or a signal (trap). Bounded in time: each start
# waits at most SMOKE_START_TIMEOUT (default 120 s), the whole script at most SMOKE_TIMEOUT (default 420 s).
#
# Ports: the API and admin ports are always picked free (from 25500 up, below the ephemeral range) and passed
# with the environment variables the README documents (Urls, Admin__Urls); Orleans' silo and gateway ports
# are picked free by the embedded default itself. No fixed default port (5000, 8081, 11111, 30000) is relied on.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEADLINE_SECONDS=${SMOKE_START_TIMEOUT:-120}
TIMEOUT=${SMOKE_TIMEOUT:-420}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fleamarket-smoke.XXXXXX")
PGID=
PASSED=false
WATCHDOG=
LOOPS=()

log() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# True while any process of the service's process group (dotnet run and the silo it started) runs.
service_running() { [ -n "$PGID" ] && pgrep -g "$PGID" >/dev/null 2>&1; }

# stop_service [SIGNAL]: TERM (graceful; SIGKILL after 45 s) or KILL, to the whole process group; waits until it is gone.
stop_service() {
  local signal=${1:-TERM}
  [ -n "$PGID" ] || return 0
  if service_running; then
    kill "-$signal" -- "-$PGID" 2>/dev/null || true
    local deadline=$((SECONDS + 45))
    while service_running && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if service_running; then
      log "service did not stop within 45s after SIG$signal; SIGKILL"
      kill -KILL -- "-$PGID" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while service_running && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    fi
  fi
  PGID=
}

# The purchase loops end after their current request (curl --max-time 30) once $WORK/stop exists.
stop_loops() {
  touch "$WORK/stop"
  local pid
  for pid in "${LOOPS[@]}"; do wait "$pid" 2>/dev/null || true; done
  LOOPS=()
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null || true
  stop_service TERM
  stop_loops
  if ! $PASSED; then
    [ $rc -ne 0 ] || rc=1
    for f in "$WORK"/run-*.log; do
      [ -f "$f" ] || continue
      echo "==== $f (last 80 lines)" >&2
      tail -n 80 "$f" >&2
    done
    log "FAILED (work directory kept: $WORK)"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "timed out after ${TIMEOUT}s"; exit 124' TERM
# Sends this script SIGTERM after $TIMEOUT seconds; SIGTERM to the watchdog ends it and its sleep.
watchdog() {
  sleep "$TIMEOUT" &
  local sleeper=$!
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  wait "$sleeper" && kill -TERM "$1" 2>/dev/null
}
watchdog $$ &
WATCHDOG=$!

fail() { log "FAIL: $*"; exit 1; }

port_busy() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
free_port() { local p=$1; while port_busy "$p"; do p=$((p + 1)); done; echo "$p"; }

API_PORT=$(free_port 25500)
ADMIN_PORT=$(free_port $((API_PORT + 1)))
BASE=http://127.0.0.1:$API_PORT
# One buyer fires purchases from several loops at once, far past the per-buyer rate a person reaches
# (docs/security.md): the rehearsal is about durability across a kill, so that limit is lifted here.
SERVICE_ENV=("Urls=$BASE" "Admin__Urls=http://127.0.0.1:$ADMIN_PORT" "Api__PurchasesPerSecond=100000" "Api__PurchaseBurst=100000")
log "API on $BASE, admin on http://127.0.0.1:$ADMIN_PORT"

if [ ! -f "$REPO/src/Silo/bin/Release/net10.0/FleaMarket.Silo.dll" ]; then
  log "building src/Silo (Release)"
  dotnet build -c Release "$REPO/src/Silo/Silo.csproj" >&2
fi

RUN=0
start_service() {
  RUN=$((RUN + 1))
  local out=$WORK/run-$RUN.log
  log "start $RUN: cd $WORK && dotnet run --project $REPO/src/Silo -c Release --no-build"
  # Its own session and process group: a signal to the group reaches dotnet run and the service it started.
  rm -f "$WORK/pgid"
  (cd "$WORK" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$WORK/pgid" \
    env "${SERVICE_ENV[@]}" dotnet run --project "$REPO/src/Silo" -c Release --no-build >"$out" 2>&1 </dev/null) &
  local deadline=$((SECONDS + DEADLINE_SECONDS))
  until [ -s "$WORK/pgid" ]; do
    [ $SECONDS -lt $deadline ] || fail "the service did not start (run $RUN)"
    sleep 0.05
  done
  PGID=$(cat "$WORK/pgid")
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/health/ready" || true)" = 200 ]; do
    service_running || fail "the service exited while starting (run $RUN)"
    [ $SECONDS -lt $deadline ] || fail "$BASE/health/ready did not answer 200 within ${DEADLINE_SECONDS}s (run $RUN)"
    sleep 0.2
  done
  log "ready: $BASE"
}

# api METHOD PATH [JSON] [extra curl args...]: the body goes to $WORK/body (print it with `body`), the
# status to $STATUS. Not for use inside $(...), which would lose $STATUS.
STATUS=
api() {
  local method=$1 path=$2 data=${3:-}
  shift $(($# < 3 ? $# : 3))
  # no-cache: the checks compare stock with orders, so they read past the API's one-second read cache.
  local args=(-s -X "$method" --max-time 30 -o "$WORK/body" -w '%{http_code}' -H 'Accept: application/json' -H 'Cache-Control: no-cache')
  if [ -n "$data" ]; then args+=(-H 'Content-Type: application/json' --data "$data"); fi
  if [ -n "${TOKEN:-}" ]; then args+=(-H "Authorization: Bearer $TOKEN"); fi
  STATUS=$(curl "${args[@]}" "$@" "$BASE$path") || STATUS=000
}
body() { cat "$WORK/body"; }
field() { jq -er "$1" "$WORK/body" || fail "no $1 in: $(body)"; }

expect() { # expect CODE WHAT
  [ "$STATUS" = "$1" ] || fail "$2: expected HTTP $1, got $STATUS: $(body)"
}

login() { # login USER: sets TOKEN
  TOKEN=
  api POST /api/sessions "{\"username\":\"$1\",\"password\":\"correct-horse-1\"}"
  expect 201 "login $1"
  TOKEN=$(field .token)
}

# ---------------------------------------------------------------- 1. an order survives a graceful restart
start_service
grep -q "$BASE" "$WORK/run-1.log" || fail "the start-up output does not say where the API is"

TOKEN=
api POST /api/users '{"username":"smoke-seller","password":"correct-horse-1","displayName":"Smoke Seller"}'
expect 201 "create seller"
api POST /api/users '{"username":"smoke-buyer","password":"correct-horse-1","displayName":"Smoke Buyer"}'
expect 201 "create buyer"

login smoke-seller
SELLER_TOKEN=$TOKEN
OPENS=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
api POST /api/markets "{\"title\":\"Smoke market\",\"opensAt\":\"$OPENS\"}"
expect 201 "create market"
MARKET=$(field .marketId)
api POST "/api/markets/$MARKET/listings" '{"title":"Smoke tee","priceCents":2500,"quantity":10,"maxPerBuyer":2}'
expect 201 "create listing"
LISTING=$(field .listingId)

login smoke-buyer
# The market opened a minute ago: its opening reminder fires right away, so poll briefly for on-sale.
deadline=$((SECONDS + 30))
while :; do
  api POST "/api/listings/$LISTING/purchases" '{"quantity":2}' -H "Idempotency-Key: smoke-$$"
  [ "$STATUS" = 201 ] && break
  grep -q 'not-open' "$WORK/body" && [ $SECONDS -lt $deadline ] || fail "purchase: HTTP $STATUS $(body)"
  sleep 0.2
done
ORDER=$(field .orderId)
log "order $ORDER (market $MARKET, listing $LISTING)"

stop_service TERM
[ -f "$WORK/data/fleamarket.db" ] || fail "no SQLite file in $WORK/data (found: $(ls -A "$WORK" "$WORK/data" 2>/dev/null | tr '\n' ' '))"
log "stopped; data in $WORK/data: $(ls "$WORK/data" | tr '\n' ' ')"

BUYER_TOKEN=$TOKEN
start_service
# A session is a grain with durable state: the token issued before the restart still works.
TOKEN=$BUYER_TOKEN
api GET /api/me
expect 200 "GET /api/me with the session created before the restart"
login smoke-buyer
BUYER_TOKEN=$TOKEN
api GET /api/me/orders
expect 200 "GET /api/me/orders after the restart"
jq -e --arg o "$ORDER" --arg l "$LISTING" 'map(select(.orderId == $o and .listingId == $l and .quantity == 2 and .totalCents == 5000)) | length == 1' \
  "$WORK/body" >/dev/null || fail "order $ORDER not read back after the restart: $(body)"
api GET "/api/listings/$LISTING"
expect 200 "GET the listing after the restart"
REMAINING=$(field .remaining)
[ "$REMAINING" = 8 ] || fail "listing remaining after the restart is $REMAINING, expected 8"
# The same purchase retried after the restart returns the same order (idempotency survives too).
api POST "/api/listings/$LISTING/purchases" '{"quantity":2}' -H "Idempotency-Key: smoke-$$"
[[ $STATUS == 200 || $STATUS == 201 ]] && [ "$(jq -r .orderId "$WORK/body")" = "$ORDER" ] ||
  fail "retrying the purchase after the restart: HTTP $STATUS $(body)"
log "restart: session, order, stock and idempotency survived"

# ---------------------------------------------------------------- 2. kill -9 in the middle of purchases
QUANTITY=100000
TOKEN=$SELLER_TOKEN
api POST "/api/markets/$MARKET/listings" "{\"title\":\"Kill tee\",\"priceCents\":1000,\"quantity\":$QUANTITY}"
expect 201 "create the second listing"
KILL_LISTING=$(field .listingId)

# purchase_loop N: buys one unit at a time with keys kill-N-1, kill-N-2, ... and writes "key status orderId"
# per attempt to $WORK/attempts-N, until $WORK/stop exists.
purchase_loop() {
  local n=$1 j=0 out=$WORK/attempts-$n code order
  while [ ! -e "$WORK/stop" ]; do
    j=$((j + 1))
    code=$(curl -s -X POST --max-time 30 -o "$WORK/loop-$n.body" -w '%{http_code}' -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $BUYER_TOKEN" -H "Idempotency-Key: kill-$n-$j" --data '{"quantity":1}' \
      "$BASE/api/listings/$KILL_LISTING/purchases" 2>/dev/null) || code=000
    order=-
    if [ "$code" = 201 ] || [ "$code" = 200 ]; then order=$(jq -r '.orderId // "-"' "$WORK/loop-$n.body" 2>/dev/null || echo -); fi
    echo "kill-$n-$j $code $order" >>"$out"
    if [ "$code" = 000 ]; then sleep 0.2; fi
  done
}
acknowledged() { cat "$WORK"/attempts-* 2>/dev/null | awk '($2 == 201 || $2 == 200) && $3 != "-"' | wc -l; }

rm -f "$WORK/stop" "$WORK"/attempts-*
for n in 1 2 3 4; do
  purchase_loop "$n" &
  LOOPS+=($!)
done
deadline=$((SECONDS + 60))
until [ "$(acknowledged)" -ge "${SMOKE_ACKS_BEFORE_KILL:-40}" ]; do
  [ $SECONDS -lt $deadline ] || fail "fewer than ${SMOKE_ACKS_BEFORE_KILL:-40} purchases acknowledged within 60s: $(cat "$WORK"/attempts-* | awk '{print $2}' | sort | uniq -c | tr '\n' ' ')"
  sleep 0.1
done
log "kill -9 with purchases in flight ($(acknowledged) acknowledged so far)"
stop_service KILL
sleep 1 # let the loops see the dead service
stop_loops
ATTEMPTS=$(cat "$WORK"/attempts-* | wc -l)
ACKED=$(acknowledged)
log "killed: $ATTEMPTS attempts, $ACKED acknowledged, statuses $(cat "$WORK"/attempts-* | awk '{print $2}' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')"

start_service
# Every acknowledged order is there after the kill.
TOKEN=$SELLER_TOKEN
api GET "/api/markets/$MARKET/orders?limit=1000"
expect 200 "the market's orders after the kill"
jq -r --arg l "$KILL_LISTING" '.[] | select(.listingId == $l) | .orderId' "$WORK/body" | sort >"$WORK/server-orders"
cat "$WORK"/attempts-* | awk '($2 == 201 || $2 == 200) && $3 != "-" { print $3 }' | sort -u >"$WORK/acked-orders"
lost=$(comm -23 "$WORK/acked-orders" "$WORK/server-orders" | wc -l)
[ "$lost" = 0 ] || fail "$lost acknowledged orders lost by the kill: $(comm -23 "$WORK/acked-orders" "$WORK/server-orders" | head -5 | tr '\n' ' ')"
log "all $ACKED acknowledged orders are there after the kill ($(wc -l <"$WORK/server-orders") orders on the listing)"

# Every attempt retried with its key now resolves to one order: the acknowledged ones to the same order, the
# ones the kill cut off to the order made before the kill or to a new one.
TOKEN=$BUYER_TOKEN
: >"$WORK/resolved"
while read -r key code order; do
  api POST "/api/listings/$KILL_LISTING/purchases" '{"quantity":1}' -H "Idempotency-Key: $key"
  [ "$STATUS" = 200 ] || [ "$STATUS" = 201 ] || fail "retrying $key (first answer $code) after the kill: HTTP $STATUS $(body)"
  resolved=$(field .orderId)
  if [ "$order" != - ] && [ "$resolved" != "$order" ]; then fail "retrying $key returned $resolved, first acknowledged as $order"; fi
  echo "$resolved" >>"$WORK/resolved"
done < <(cat "$WORK"/attempts-*)
distinct=$(sort -u "$WORK/resolved" | wc -l)
[ "$distinct" = "$ATTEMPTS" ] || fail "$ATTEMPTS purchase keys resolved to $distinct distinct orders"
TOKEN=$SELLER_TOKEN
api GET "/api/markets/$MARKET/orders?limit=1000"
expect 200 "the market's orders after the retries"
on_listing=$(jq --arg l "$KILL_LISTING" '[.[] | select(.listingId == $l)] | length' "$WORK/body")
[ "$on_listing" = "$ATTEMPTS" ] || fail "$on_listing orders on the listing for $ATTEMPTS purchase keys (a retry made a second order?)"
api GET "/api/listings/$KILL_LISTING"
expect 200 "GET the second listing after the kill"
REMAINING=$(field .remaining)
[ "$REMAINING" = $((QUANTITY - ATTEMPTS)) ] || fail "remaining is $REMAINING after $ATTEMPTS orders of one unit, expected $((QUANTITY - ATTEMPTS))"
log "kill -9: $ACKED acknowledged orders kept; all $ATTEMPTS keys resolve to one order each; remaining $REMAINING"

stop_service TERM
PASSED=true
log "PASS: an order survived a restart and $ACKED acknowledged orders survived kill -9 (data in ./data of the start directory)"
