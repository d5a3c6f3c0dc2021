#!/usr/bin/env bash
# Acceptance 1 of issue 5: the README's run command works from a fresh clone and keeps its data.
#
# Runs `dotnet run --project src/Silo` (Release, already built) from an empty temporary directory, so the
# embedded default's ./data lands there; creates a seller, a market, a listing, a buyer and an order with
# curl; stops the service (SIGTERM); checks the SQLite file is in <tmp>/data; starts it again from the same
# directory, logs in again and reads the order back from GET /api/me/orders. Always stops the process.
#
# The documented ports (API 5000, silo 11111, admin 8081) are used when free; when one is taken (another
# service on this machine) the script moves all three to free ports with the same environment variables
# the README documents (Urls, Silo__Port, Admin__Urls).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DEADLINE_SECONDS=${SMOKE_START_TIMEOUT:-120}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fleamarket-smoke.XXXXXX")
PGID=
PASSED=false

log() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_service() {
  [ -n "$PGID" ] || return 0
  if kill -0 "$PGID" 2>/dev/null; then
    kill -TERM -- "-$PGID" 2>/dev/null || true
    local deadline=$((SECONDS + 45))
    while pgrep -g "$PGID" >/dev/null 2>&1 && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if pgrep -g "$PGID" >/dev/null 2>&1; then
      log "service did not stop within 45s after SIGTERM; SIGKILL"
      kill -KILL -- "-$PGID" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  PGID=
}

cleanup() {
  local rc=$?
  stop_service
  if ! $PASSED; then
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
trap 'exit 130' INT TERM

fail() { log "FAIL: $*"; exit 1; }

port_busy() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
free_port() { local p=$1; while port_busy "$p"; do p=$((p + 1)); done; echo "$p"; }

API_PORT=5000 SILO_PORT=11111 ADMIN_PORT=8081
EXTRA_ENV=()
if port_busy $API_PORT || port_busy $SILO_PORT || port_busy $ADMIN_PORT; then
  API_PORT=$(free_port 35000); SILO_PORT=$(free_port 36111); ADMIN_PORT=$(free_port 37081)
  log "a documented port is taken here; using API $API_PORT, silo $SILO_PORT, admin $ADMIN_PORT"
  EXTRA_ENV=("Urls=http://127.0.0.1:$API_PORT" "Silo__Port=$SILO_PORT" "Admin__Urls=http://127.0.0.1:$ADMIN_PORT")
fi
BASE=http://127.0.0.1:$API_PORT

if [ ! -f "$REPO/src/Silo/bin/Release/net10.0/FleaMarket.Silo.dll" ]; then
  log "building src/Silo (Release)"
  dotnet build -c Release "$REPO/src/Silo/Silo.csproj" >&2
fi

RUN=0
start_service() {
  RUN=$((RUN + 1))
  local out=$WORK/run-$RUN.log
  log "start $RUN: cd $WORK && dotnet run --project $REPO/src/Silo -c Release --no-build"
  # Its own session and process group: SIGTERM reaches dotnet run and the service it started.
  (cd "$WORK" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$WORK/pgid" \
    env "${EXTRA_ENV[@]}" dotnet run --project "$REPO/src/Silo" -c Release --no-build >"$out" 2>&1 </dev/null) &
  local deadline=$((SECONDS + DEADLINE_SECONDS))
  until [ -s "$WORK/pgid" ]; do sleep 0.05; done
  PGID=$(cat "$WORK/pgid"); rm -f "$WORK/pgid"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/health/ready" || true)" = 200 ]; do
    pgrep -g "$PGID" >/dev/null 2>&1 || fail "the service exited while starting (run $RUN)"
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
  local args=(-s -X "$method" --max-time 30 -o "$WORK/body" -w '%{http_code}' -H 'Accept: application/json')
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

start_service
grep -q "http://127.0.0.1:$API_PORT" "$WORK/run-1.log" || fail "the start-up output does not say where the API is"

TOKEN=
api POST /api/users '{"username":"smoke-seller","password":"correct-horse-1","displayName":"Smoke Seller"}'
expect 201 "create seller"
api POST /api/users '{"username":"smoke-buyer","password":"correct-horse-1","displayName":"Smoke Buyer"}'
expect 201 "create buyer"

login smoke-seller
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

stop_service
[ -f "$WORK/data/fleamarket.db" ] || fail "no SQLite file in $WORK/data (found: $(ls -A "$WORK" "$WORK/data" 2>/dev/null | tr '\n' ' '))"
log "stopped; data in $WORK/data: $(ls "$WORK/data" | tr '\n' ' ')"

BUYER_TOKEN=$TOKEN
start_service
# A session is a grain with durable state: the token issued before the restart still works.
TOKEN=$BUYER_TOKEN
api GET /api/me
expect 200 "GET /api/me with the session created before the restart"
login smoke-buyer
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

stop_service
PASSED=true
log "PASS: order $ORDER survived a restart of the embedded default (data in ./data of the start directory)"
