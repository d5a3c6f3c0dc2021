#!/usr/bin/env bash
# A FleaMarket cluster of separate processes on this machine, all on loopback:
# PostgreSQL (grain state, order journals, reminders), redis-server (Orleans' membership table), N Orleans
# silos, M stateless API nodes (Orleans clients) and nginx balancing over the API nodes.
#
#   deploy/local/cluster.sh up [--silos N] [--apis M]   start everything (default 2 silos, 2 APIs). --apis 0: no
#                                                       separate API tier; every silo also serves the API (as the
#                                                       embedded default does) and nginx balances over the silos
#   deploy/local/cluster.sh status                      silos as Orleans sees them (membership view, activations per
#                                                       grain type from each silo's /metrics), API nodes, endpoints
#   deploy/local/cluster.sh add-silo                    start one more silo; Orleans places NEW activations on it too
#                                                       (existing ones stay where they are unless the silos run with
#                                                       Silo__ActivationRebalancer=true exported before up); with
#                                                       --apis 0 it also joins nginx's upstreams once ready
#   deploy/local/cluster.sh stop-silo N                 graceful stop (SIGTERM: the silo deactivates its grains, leaves;
#                                                       with --apis 0 nginx stops sending it requests first)
#   deploy/local/cluster.sh kill-silo N                 abrupt stop (SIGKILL: peers declare it Dead after ~2-3 s)
#   deploy/local/cluster.sh add-api                     start one more API node and add it to nginx (reload)
#   deploy/local/cluster.sh load [drop options...]      run tools/LoadTest's drop against nginx (no options: a 20 s hot-listing drop)
#   deploy/local/cluster.sh logs [NAME]                 list the log files, or print one (silo-1, api-2, nginx, postgres, redis)
#   deploy/local/cluster.sh down [--purge]              stop everything; --purge also deletes the state directory
#
# Everything lives in one state directory: $FLEAMARKET_STATE, default <repo>/.state/cluster.
# Each silo gets three ports: silo-to-silo, gateway (API nodes connect here) and admin (/dashboard, /metrics,
# /health). Ports are picked at start from fixed bases below the ephemeral range (the first free port at or
# above each base) and recorded in <state>/ports.env and <state>/<process>/env.
# FLEAMARKET_DASHBOARD=0 starts silos with Dashboard__Enabled=false: Orleans' dashboard profiles every grain
# call, which costs CPU, so turn it off for load runs and benchmarks (deploy/bench does); default on.
# FLEAMARKET_DASHBOARD_KEY=... sets Dashboard__AccessKey on the silos (the script then sends it).
# Uses the Release build (built first when missing). PostgreSQL runs as user postgres when started by root.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${FLEAMARKET_STATE:-$REPO/.state/cluster}
mkdir -p "$STATE" 2>/dev/null || true
STATE=$(cd "$STATE" && pwd)

SILO_DLL=$REPO/src/Silo/bin/Release/net10.0/FleaMarket.Silo.dll
API_DLL=$REPO/src/Api/bin/Release/net10.0/FleaMarket.Api.dll
LOAD_DLL=$REPO/tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# Port bases (override with the environment).
# Below Linux's ephemeral range (32768-60999): a port there can be taken by any outgoing connection between
# the free-port check and the bind, which made a CI run fail once.
PG_PORT_BASE=${FLEAMARKET_PG_PORT_BASE:-25432}
REDIS_PORT_BASE=${FLEAMARKET_REDIS_PORT_BASE:-26379}
NGINX_PORT_BASE=${FLEAMARKET_HTTP_PORT_BASE:-28080}
SILO_PORT_BASE=${FLEAMARKET_SILO_PORT_BASE:-21110}   # silo-N: silo-to-silo port base+N, its gateway port +1000, its admin port +2000
API_PORT_BASE=${FLEAMARKET_API_PORT_BASE:-24110}     # api-N: base+N; with --apis 0, silo-N's API port

MEMBERSHIP_KEY=fleamarket/members/fleamarket  # Orleans' Redis clustering: "<ServiceId>/members/<ClusterId>"

START_TIMEOUT=${FLEAMARKET_START_TIMEOUT:-90}  # seconds to wait for a process to become ready
STOP_TIMEOUT=${FLEAMARKET_STOP_TIMEOUT:-60}    # seconds to wait for a graceful stop before SIGKILL

LOG_TAG=cluster
. "$REPO/deploy/lib/cluster-common.sh"

# ---------------------------------------------------------------- processes and ports

port_busy() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# The first port at or above $1 that nothing listens on and this state directory has not handed out.
alloc_port() {
  local p=$1
  touch "$STATE/ports.used"
  while port_busy "$p" || grep -qx "$p" "$STATE/ports.used"; do p=$((p + 1)); done
  echo "$p" >>"$STATE/ports.used"
  echo "$p"
}

log_file() {
  case $1 in
    nginx) echo "$STATE/nginx/error.log" ;;
    postgres) echo "$STATE/postgres/postgres.log" ;;
    redis) echo "$STATE/redis/redis.log" ;;
    *) echo "$STATE/$1/out.log" ;;
  esac
}

load_ports() { [ -f "$STATE/ports.env" ] && . "$STATE/ports.env"; return 0; }

require_up() {
  [ -f "$STATE/ports.env" ] || die "no cluster in $STATE (run: $0 up)"
  load_ports
}

ensure_built() {
  local missing=()
  [ -f "$SILO_DLL" ] || missing+=("$REPO/src/Silo/Silo.csproj")
  [ -f "$API_DLL" ] || missing+=("$REPO/src/Api/Api.csproj")
  for project in "${missing[@]}"; do
    log "building $project (Release)"
    dotnet build -c Release "$project" >&2
  done
}

# ---------------------------------------------------------------- PostgreSQL and Redis

start_postgres() {
  local dir=$STATE/postgres
  postgres_init "$dir"
  PG_PORT=$(alloc_port "$PG_PORT_BASE")
  log "postgres on 127.0.0.1:$PG_PORT"
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$START_TIMEOUT" \
    -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB" start >/dev/null ||
    { tail_log postgres; die "PostgreSQL did not start"; }
  if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'fleamarket'" | grep -q 1; then
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE fleamarket" >/dev/null
  fi
}

stop_postgres() {
  local dir=$STATE/postgres
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 || {
    local pid; pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    [ -n "$pid" ] && stop_pid "$pid" postgres KILL
  }
}

start_redis() {
  local dir=$STATE/redis
  mkdir -p "$dir"
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
  REDIS_PORT=$(alloc_port "$REDIS_PORT_BASE")
  log "redis on 127.0.0.1:$REDIS_PORT"
  # The membership table must survive a Redis restart (an empty table would let a new silo start a second
  # cluster beside the running one), so Redis keeps an append-only file.
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly yes --appendfsync everysec --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  wait_redis -p "$REDIS_PORT"
  cp "$dir/redis.pid" "$dir/pid"
}

stop_redis() {
  local pid; pid=$(cat "$STATE/redis/redis.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  [ -n "${REDIS_PORT:-}" ] && redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  stop_pid "$pid" redis TERM
}

# ---------------------------------------------------------------- silos, API nodes, nginx

next_index() {
  local kind=$1 n=0 d
  for d in "$STATE/$kind"-*; do
    [ -d "$d" ] || continue
    local i=${d##*-}
    [ "$i" -gt "$n" ] && n=$i
  done
  echo $((n + 1))
}

common_env() {
  dotnet_common_env
  echo "Redis__Configuration=127.0.0.1:$REDIS_PORT"
}

start_silo() {
  local n=$1 dir=$STATE/silo-$1
  mkdir -p "$dir"
  local port gateway admin
  port=$(alloc_port $((SILO_PORT_BASE + n)))
  gateway=$(alloc_port $((SILO_PORT_BASE + 1000 + n)))
  admin=$(alloc_port $((SILO_PORT_BASE + 2000 + n)))
  printf 'SILO_PORT=%s\nSILO_GATEWAY_PORT=%s\nSILO_ADMIN_PORT=%s\n' "$port" "$gateway" "$admin" >"$dir/env"
  local envs=()
  mapfile -t envs < <(common_env)
  envs+=(
    "Engines__Membership=Redis"
    "Engines__Storage=PostgreSql"
    "PostgreSql__ConnectionString=Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=fleamarket;Maximum Pool Size=64"
    "Silo__SiloName=silo-$n"
    "Silo__AdvertisedAddress=127.0.0.1"
    "Silo__ListenAddress=127.0.0.1"
    "Silo__Port=$port"
    "Silo__GatewayPort=$gateway"
    "Admin__Urls=http://127.0.0.1:$admin"
  )
  if cohosted; then
    # The silo serves the API itself, behind nginx like an API node (same proxy trust, same load limits).
    local api; api=$(alloc_port $((API_PORT_BASE + n)))
    echo "API_PORT=$api" >>"$dir/env"
    envs+=("Api__Enabled=true" "Urls=http://127.0.0.1:$api" "Api__TrustedProxies__0=127.0.0.1")
    mapfile -t -O "${#envs[@]}" envs < <(api_load_limits_env)
    log "silo-$n serves the API on http://127.0.0.1:$api"
  else
    envs+=("Api__Enabled=false")
  fi
  local dashboard="/dashboard"
  if [ "${FLEAMARKET_DASHBOARD:-1}" = 0 ]; then envs+=("Dashboard__Enabled=false"); dashboard="(dashboard off)"; fi
  if [ -n "${FLEAMARKET_DASHBOARD_KEY:-}" ]; then envs+=("Dashboard__AccessKey=$FLEAMARKET_DASHBOARD_KEY"); fi
  log "silo-$n: silo port $port, gateway $gateway, admin http://127.0.0.1:$admin $dashboard"
  # cwd is the silo's state directory; the content root (appsettings.json, if any) stays the build output.
  launch "$dir" "${envs[@]}" -- dotnet "$SILO_DLL" --contentRoot "$(dirname "$SILO_DLL")"
}

# A silo is ready when its admin /health/ready answers 200: it is Active in its own membership view (it has
# joined through the Redis table and its peers have answered its probes).
wait_silo() {
  local n=$1 dir=$STATE/silo-$1
  . "$dir/env"
  wait_http "http://127.0.0.1:$SILO_ADMIN_PORT/health/ready" "$(pid_of "$dir")" "silo-$n"
  log "silo-$n is Active (pid $(pid_of "$dir"))"
}

start_api() {
  local n=$1 dir=$STATE/api-$1
  mkdir -p "$dir"
  local port; port=$(alloc_port $((API_PORT_BASE + n)))
  echo "API_PORT=$port" >"$dir/env"
  local envs=()
  mapfile -t envs < <(common_env)
  envs+=(
    "Cluster__Membership=Redis"
    "Urls=http://127.0.0.1:$port"
    "ASPNETCORE_URLS=http://127.0.0.1:$port"
    # nginx (on loopback) is the one proxy whose X-Forwarded-For the API believes (docs/security.md).
    "Api__TrustedProxies__0=127.0.0.1"
  )
  # The per-address limits count the client nginx names; on this machine every buyer of a load run is 127.0.0.1.
  mapfile -t -O "${#envs[@]}" envs < <(api_load_limits_env)
  log "api-$n: http://127.0.0.1:$port"
  launch "$dir" "${envs[@]}" -- dotnet "$API_DLL" --contentRoot "$(dirname "$API_DLL")"
}

wait_api() {
  local n=$1 dir=$STATE/api-$1
  . "$dir/env"
  wait_http "http://127.0.0.1:$API_PORT/health/ready" "$(pid_of "$dir")" "api-$n"
  log "api-$n is ready (pid $(pid_of "$dir"))"
}

# The processes that serve the API: the API nodes, or with --apis 0 the silos (but not one being stopped).
running_apis() {
  local d
  if cohosted; then
    for d in "$STATE"/silo-*; do
      [ -d "$d" ] && [ ! -e "$d/draining" ] && alive "$(pid_of "$d")" && echo "$d"
    done
  else
    for d in "$STATE"/api-*; do
      [ -d "$d" ] && alive "$(pid_of "$d")" && echo "$d"
    done
  fi
  return 0
}

# Set by up --apis 0 (recorded in ports.env): the silos serve the API, there are no API nodes.
cohosted() { [ "${COHOSTED:-0}" = 1 ]; }

write_nginx_conf() {
  local dir=$STATE/nginx
  mkdir -p "$dir/tmp"
  local upstreams="" d
  for d in $(running_apis); do
    . "$d/env"
    upstreams+="        server 127.0.0.1:$API_PORT max_fails=1 fail_timeout=2s;"$'\n'
  done
  [ -n "$upstreams" ] || die "no running API node for nginx"
  local template=$REPO/deploy/nginx/fleamarket.conf.template
  awk -v state="$STATE" -v listen="127.0.0.1:$NGINX_PORT" -v ups="${upstreams%$'\n'}" '
    /^@UPSTREAMS@$/ { print ups; next }
    { gsub(/@STATE@/, state); gsub(/@LISTEN@/, listen); print }' "$template" >"$dir/nginx.conf.new"
  nginx -t -q -c "$dir/nginx.conf.new" -p "$dir/" 2>"$dir/test.log" || { cat "$dir/test.log" >&2; die "nginx config test failed"; }
  mv "$dir/nginx.conf.new" "$dir/nginx.conf"
}

start_nginx() {
  command -v nginx >/dev/null || die "nginx not found (apt-get install nginx)"
  NGINX_PORT=$(alloc_port "$NGINX_PORT_BASE")
  echo "NGINX_PORT=$NGINX_PORT" >>"$STATE/ports.env"
  write_nginx_conf
  log "nginx on http://127.0.0.1:$NGINX_PORT"
  nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/" 2>>"$STATE/nginx/error.log" || { tail_log nginx; die "nginx did not start"; }
  local deadline=$((SECONDS + START_TIMEOUT))
  until [ "$(http_code "http://127.0.0.1:$NGINX_PORT/nginx/health")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || { tail_log nginx; die "nginx did not answer"; }
    sleep 0.1
  done
  cp "$STATE/nginx/nginx.pid" "$STATE/nginx/pid"
  wait_http "http://127.0.0.1:$NGINX_PORT/health/ready" "$(pid_of "$STATE/nginx")" nginx
}

reload_nginx() {
  local pid; pid=$(cat "$STATE/nginx/nginx.pid" 2>/dev/null || true)
  alive "$pid" || die "nginx is not running"
  write_nginx_conf
  nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/" -s reload 2>>"$STATE/nginx/error.log"
  log "nginx reloaded: upstreams $(grep -c '^        server ' "$STATE/nginx/nginx.conf")"
}

stop_nginx() {
  local pid; pid=$(cat "$STATE/nginx/nginx.pid" 2>/dev/null || true)
  [ -n "$pid" ] && stop_pid "$pid" nginx QUIT
  return 0
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local silos=2 apis=2
  while [ $# -gt 0 ]; do
    case $1 in
      --silos) silos=$2; shift 2 ;;
      --apis) apis=$2; shift 2 ;;
      *) die "up: unknown option $1 (use --silos N --apis M)" ;;
    esac
  done
  [[ $silos =~ ^[1-9][0-9]*$ && $apis =~ ^[0-9]+$ ]] || die "up: --silos takes a positive number, --apis a number (0: the silos serve the API)"
  if [ -f "$STATE/ports.env" ]; then
    load_ports
    if any_running; then die "a cluster is already running in $STATE (status, or down first)"; fi
    log "cleaning up after a cluster that is no longer running"
    cmd_down >/dev/null
  fi
  ensure_built
  command -v jq >/dev/null || die "jq not found (apt-get install jq)"
  printf '*\n' >"$STATE/.gitignore"
  rm -rf "$STATE"/silo-* "$STATE"/api-* "$STATE/nginx" "$STATE/redis" "$STATE/ports.used" "$STATE/ports.env"
  local t0=$SECONDS
  # A failed start leaves nothing running (the logs stay for a look).
  trap 'log "up failed; stopping what it started"; cmd_down >/dev/null 2>&1 || true' EXIT
  start_postgres
  start_redis
  COHOSTED=0
  [ "$apis" = 0 ] && COHOSTED=1
  printf 'PG_PORT=%s\nREDIS_PORT=%s\nCOHOSTED=%s\n' "$PG_PORT" "$REDIS_PORT" "$COHOSTED" >"$STATE/ports.env"
  # The first silo applies the PostgreSQL schema and founds the cluster; the rest join together.
  start_silo 1
  wait_silo 1
  local i
  for ((i = 2; i <= silos; i++)); do start_silo "$i"; done
  for ((i = 1; i <= apis; i++)); do start_api "$i"; done
  for ((i = 2; i <= silos; i++)); do wait_silo "$i"; done
  for ((i = 1; i <= apis; i++)); do wait_api "$i"; done
  start_nginx
  trap - EXIT
  local tier="$apis API nodes"
  cohosted && tier="the silos serve the API"
  log "up in $((SECONDS - t0))s: $silos silos, $tier, http://127.0.0.1:$NGINX_PORT (state: $STATE)"
  echo "http://127.0.0.1:$NGINX_PORT"
}

any_running() {
  local d
  for d in "$STATE"/silo-* "$STATE"/api-* "$STATE/nginx" "$STATE/redis"; do
    [ -d "$d" ] && alive "$(pid_of "$d")" && return 0
  done
  [ -f "$STATE/postgres/data/postmaster.pid" ] && alive "$(head -n1 "$STATE/postgres/data/postmaster.pid")" && return 0
  return 1
}

cmd_add_silo() {
  require_up
  local n; n=$(next_index silo)
  trap 'stop_pid "$(pid_of "$STATE/silo-'"$n"'")" silo-'"$n"' KILL' EXIT # a silo that failed to join does not linger
  start_silo "$n"
  wait_silo "$n"
  trap - EXIT
  if cohosted; then
    # Ready means Active in the cluster; its API answers /health/ready too before nginx sends it buyers.
    . "$STATE/silo-$n/env"
    wait_http "http://127.0.0.1:$API_PORT/health/ready" "$(pid_of "$STATE/silo-$n")" "silo-$n (API)"
    reload_nginx
  fi
  echo "silo-$n"
}

silo_dir() {
  [[ ${1:-} =~ ^[0-9]+$ ]] || die "give the silo number (as in status: silo-N)"
  local dir=$STATE/silo-$1
  [ -d "$dir" ] || die "no silo-$1 in $STATE"
  echo "$dir"
}

cmd_stop_silo() {
  require_up
  local dir; dir=$(silo_dir "${1:-}")
  local pid; pid=$(pid_of "$dir")
  alive "$pid" || { log "silo-$1 is not running"; return 0; }
  if cohosted; then
    # nginx first stops sending it new requests (a reload lets the requests under way finish); the last silo
    # stays nginx's upstream (nginx needs one), so its requests get 502 → 503 once it is gone.
    touch "$dir/draining"
    if [ -n "$(running_apis)" ]; then reload_nginx; else rm -f "$dir/draining"; fi
  fi
  log "silo-$1: SIGTERM (graceful: deactivates its grains, leaves the cluster)"
  stop_pid "$pid" "silo-$1" TERM
  log "silo-$1 stopped"
}

cmd_kill_silo() {
  require_up
  local dir; dir=$(silo_dir "${1:-}")
  local pid; pid=$(pid_of "$dir")
  alive "$pid" || { log "silo-$1 is not running"; return 0; }
  log "silo-$1: SIGKILL"
  stop_pid "$pid" "silo-$1" KILL
  # nginx has already given up on it (max_fails); its upstreams no longer name it (unless it was the last one).
  if cohosted && [ -n "$(running_apis)" ]; then reload_nginx; fi
}

cmd_add_api() {
  require_up
  if cohosted; then die "the silos serve the API in this cluster (up --apis 0): add-silo adds one to nginx too"; fi
  local n; n=$(next_index api)
  trap 'stop_pid "$(pid_of "$STATE/api-'"$n"'")" api-'"$n"' KILL' EXIT # an API node that failed to start does not linger
  start_api "$n"
  wait_api "$n"
  trap - EXIT
  reload_nginx
  echo "api-$n"
}

# Rows of Orleans' membership table in Redis (hash "<ServiceId>/members/<ClusterId>") as TSV: silo name,
# address (ip:port@generation), status name. Orleans' SiloStatus: 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead.
membership_rows() {
  redis-cli -p "$REDIS_PORT" --raw HVALS "$MEMBERSHIP_KEY" 2>/dev/null | membership_tsv
}

# A silo's /metrics (Prometheus text), or nothing when its admin port does not answer.
silo_metrics() {
  local headers=()
  if [ -n "${FLEAMARKET_DASHBOARD_KEY:-}" ]; then headers+=(-H "X-Dashboard-Key: $FLEAMARKET_DASHBOARD_KEY"); fi
  curl -sf --max-time 3 "${headers[@]}" "http://127.0.0.1:$1/metrics" 2>/dev/null || true
}

cmd_status() {
  require_up
  echo "state      $STATE"
  echo "http       http://127.0.0.1:${NGINX_PORT:-?} (nginx: $(alive "$(pid_of "$STATE/nginx")" && echo running || echo stopped))"
  echo "postgres   127.0.0.1:${PG_PORT:-?} ($([ -f "$STATE/postgres/data/postmaster.pid" ] && alive "$(head -n1 "$STATE/postgres/data/postmaster.pid")" && echo running || echo stopped))"
  echo "redis      127.0.0.1:${REDIS_PORT:-?} ($(alive "$(pid_of "$STATE/redis")" && echo running || echo stopped)), membership table $MEMBERSHIP_KEY"
  echo
  printf '%-8s %-8s %-8s %-34s %-8s %-13s %-5s %-24s %11s  %s\n' \
    SILO PID PROCESS ADDRESS GATEWAY MEMBERSHIP READY "ITS VIEW" ACTIVATIONS ADMIN
  local rows; rows=$(membership_rows)
  local types=$STATE/.status-types
  : >"$types"
  local d
  for d in $(ls -d "$STATE"/silo-* 2>/dev/null | sort -t- -k2 -n); do
    local name=${d##*/} pid; pid=$(pid_of "$d")
    . "$d/env"
    # The newest row of this silo in the table (a restarted silo gets a new generation).
    local row; row=$(awk -F'\t' -v n="$name" -v a="127.0.0.1:$SILO_PORT@" '$1 == n && index($2, a) == 1' <<<"$rows" | sort -t@ -k2 -n | tail -n1)
    local address status ready=- view=- activations=-
    address=$(cut -f2 <<<"$row"); status=$(cut -f3 <<<"$row")
    if alive "$pid"; then
      ready=$(http_code "http://127.0.0.1:$SILO_ADMIN_PORT/health/ready")
      local metrics; metrics=$(silo_metrics "$SILO_ADMIN_PORT")
      if [ -n "$metrics" ]; then
        view=$(metrics_view <<<"$metrics")
        local acts; acts=$(metrics_activations <<<"$metrics")
        activations=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' <<<"$acts")
        [ -n "$acts" ] && sed "s/^/$name\t/" <<<"$acts" >>"$types"
      fi
    fi
    printf '%-8s %-8s %-8s %-34s %-8s %-13s %-5s %-24s %11s  %s\n' "$name" "$pid" "$(alive "$pid" && echo running || echo exited)" \
      "${address:--}" "$SILO_GATEWAY_PORT" "${status:-none}" "$ready" "${view:--}" "$activations" "http://127.0.0.1:$SILO_ADMIN_PORT"
  done
  if [ -s "$types" ]; then
    echo
    echo "activations per grain type (each silo's /metrics, orleans_catalog_activations):"
    activations_table <"$types"
  fi
  rm -f "$types"
  echo
  printf '%-8s %-8s %-8s %-32s %s\n' API PID PROCESS URL READY
  local servers=("$STATE"/api-*)
  cohosted && servers=("$STATE"/silo-*)
  for d in $(ls -d "${servers[@]}" 2>/dev/null | sort -t- -k2 -n); do
    local name=${d##*/} pid; pid=$(pid_of "$d")
    . "$d/env"
    local ready=-
    alive "$pid" && ready=$(http_code "http://127.0.0.1:$API_PORT/health/ready")
    printf '%-8s %-8s %-8s %-32s %s\n' "$name" "$pid" "$(alive "$pid" && echo running || echo exited)" "http://127.0.0.1:$API_PORT" "$ready"
  done
}

cmd_load() {
  require_up
  if [ ! -f "$LOAD_DLL" ]; then
    [ -f "$REPO/tools/LoadTest/LoadTest.csproj" ] || die "tools/LoadTest is not in this tree"
    log "building tools/LoadTest (Release)"
    dotnet build -c Release "$REPO/tools/LoadTest/LoadTest.csproj" >&2
  fi
  # No arguments: the default hot-listing drop. Options only: a drop with those options.
  if [ $# -eq 0 ]; then
    set -- drop --opens-in 5 --listings 1 --stock 1000 --max-per-buyer 1 --buyers 500 --concurrency 64 --duration 20
  elif [[ $1 == -* ]]; then
    set -- drop "$@"
  fi
  local verb=$1; shift
  exec dotnet "$LOAD_DLL" "$verb" --base-url "http://127.0.0.1:$NGINX_PORT" "$@"
}

cmd_logs() { show_logs "$@"; }

cmd_down() {
  local purge=false
  [ "${1:-}" = --purge ] && purge=true
  load_ports
  local d
  stop_nginx
  for d in "$STATE"/api-*; do [ -d "$d" ] && kill -TERM "$(pid_of "$d")" 2>/dev/null || true; done
  for d in "$STATE"/api-*; do [ -d "$d" ] && stop_pid "$(pid_of "$d")" "${d##*/}" TERM || true; done
  # Silos stop together (each hands off to the others or, when all leave, just writes its state).
  for d in "$STATE"/silo-*; do [ -d "$d" ] && kill -TERM "$(pid_of "$d")" 2>/dev/null || true; done
  for d in "$STATE"/silo-*; do [ -d "$d" ] && stop_pid "$(pid_of "$d")" "${d##*/}" TERM || true; done
  stop_redis
  stop_postgres
  rm -f "$STATE/ports.env" "$STATE/ports.used"
  if $purge; then
    case $STATE in /|"$HOME"|"$REPO") die "refusing to delete $STATE" ;; esac
    rm -rf "$STATE"
    log "down; deleted $STATE"
  else
    log "down (logs and PostgreSQL data kept in $STATE)"
  fi
}

usage() { usage_of "${BASH_SOURCE[0]}"; }

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  up) cmd_up "$@" ;;
  status) cmd_status ;;
  add-silo) cmd_add_silo ;;
  stop-silo) cmd_stop_silo "$@" ;;
  kill-silo) cmd_kill_silo "$@" ;;
  add-api) cmd_add_api ;;
  load) cmd_load "$@" ;;
  logs) cmd_logs "$@" ;;
  down) cmd_down "$@" ;;
  -h|--help|help|"") usage ;;
  *) usage >&2; exit 2 ;;
esac
