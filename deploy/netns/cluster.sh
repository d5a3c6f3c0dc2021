#!/usr/bin/env bash
# A FleaMarket cluster on this machine where every process is a host of its own: PostgreSQL, redis-server, each
# Orleans silo, each API node and nginx run in their own network namespace with their own address in
# 198.18.K.0/24 (the benchmarking range 198.18.0.0/15; K picked free at `up`), a veth each, joined by one bridge
# that holds 198.18.K.1 for this machine. Nothing binds outside that range or a namespace's own loopback
# (silo admin ports are on their namespace's 127.0.0.1). Needs root, iproute2 and nftables.
#
#   deploy/netns/cluster.sh up [--silos N] [--apis M]   start everything (default 3 silos, 2 APIs); prints nginx's URL
#   deploy/netns/cluster.sh status                      hosts, addresses, faults; silos as Orleans sees them; API nodes
#   deploy/netns/cluster.sh url                         nginx's URL (http://198.18.K.4)
#   deploy/netns/cluster.sh add-silo | add-api          one more silo (returns when Active) / API node (nginx reloaded)
#   deploy/netns/cluster.sh stop-silo N | kill-silo N   SIGTERM (graceful) / SIGKILL of silo-N
#   deploy/netns/cluster.sh kill-api N                  SIGKILL of api-N (nginx routes around it)
#   deploy/netns/cluster.sh stop HOST | start HOST      stop / start redis or postgres (same address and data)
#   deploy/netns/cluster.sh restart HOST                postgres: pg_ctl restart -m fast; redis: stop then start
#   deploy/netns/cluster.sh isolate HOST                link down: HOST reaches nobody and nobody reaches it
#   deploy/netns/cluster.sh partition HOST PEER [--one-way]
#                                                       nft drop between HOST and PEER (a host, or a group: silos,
#                                                       apis, others = every silo but HOST); --one-way drops only
#                                                       what HOST sends to PEER
#   deploy/netns/cluster.sh pause HOST | resume HOST    SIGSTOP / SIGCONT of every process in HOST (a hung process)
#   deploy/netns/cluster.sh heal                        links up, nft rules gone, paused hosts resumed
#   deploy/netns/cluster.sh holder [GRAIN_TYPE]         the silo with the most activations of a type (default listing)
#   deploy/netns/cluster.sh placement [GRAIN_TYPE...]   every grain active on each silo (of these types; default all):
#                                                       "silo<TAB>grainType<TAB>key" lines, from each silo's admin
#                                                       /placement; a silo that does not answer is named on stderr
#   deploy/netns/cluster.sh exec HOST CMD...            run a command inside HOST's namespace
#   deploy/netns/cluster.sh logs [HOST]                 list the log files, or print one
#   deploy/netns/cluster.sh down [--keep-logs DIR]      stop everything and remove every namespace, veth, bridge, nft
#                                                       table and the state directory (logs copied to DIR first)
#
# HOST is postgres, redis, nginx, silo-N or api-N. State (pids, logs, PostgreSQL data) lives in a temporary
# directory, $FLEAMARKET_NETNS_STATE (default ${TMPDIR:-/tmp}/fleamarket-netns); `down` deletes it. Two clusters
# on one machine need different state directories; each takes its own K and names (fm<K>-...).
# Silos and API nodes run with the membership profile built into src/Silo and src/Api (docs/operations.md);
# variables exported before `up` reach every process (Membership__ProbeTimeout=..., PasswordHasher__IterationCount=...).
# FLEAMARKET_DASHBOARD=0 turns Orleans' dashboard off (load runs). Uses the Release build (built when missing).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${FLEAMARKET_NETNS_STATE:-${TMPDIR:-/tmp}/fleamarket-netns}
SILO_DLL=$REPO/src/Silo/bin/Release/net10.0/FleaMarket.Silo.dll
API_DLL=$REPO/src/Api/bin/Release/net10.0/FleaMarket.Api.dll
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
START_TIMEOUT=${FLEAMARKET_START_TIMEOUT:-120}
STOP_TIMEOUT=${FLEAMARKET_STOP_TIMEOUT:-30}
MEMBERSHIP_KEY=fleamarket/members/fleamarket
NFT_TABLE=fleamarket_faults
# Every host listens on the same ports at its own address.
PG_PORT=5432 REDIS_PORT=6379 HTTP_PORT=80 API_PORT=8080 SILO_PORT=11111 GATEWAY_PORT=30000 ADMIN_PORT=8081

LOG_TAG=netns
. "$REPO/deploy/lib/cluster-common.sh"
# A signal ends the script through its EXIT trap, so a half-finished up or add-silo removes what it created.
trap 'exit 143' TERM
trap 'exit 130' INT

# ---------------------------------------------------------------- hosts and addresses

load_net() { [ -f "$STATE/net.env" ] && . "$STATE/net.env"; return 0; }

require_up() {
  [ -f "$STATE/net.env" ] || die "no netns cluster in $STATE (run: $0 up)"
  load_net
}

# host_ip HOST: its address; the last octet is fixed per role (postgres 2, redis 3, nginx 4, silo-N 10+N, api-N 100+N).
host_ip() {
  local octet
  case $1 in
    postgres) octet=2 ;;
    redis) octet=3 ;;
    nginx) octet=4 ;;
    silo-[1-9]|silo-[1-8][0-9]) octet=$((10 + ${1#silo-})) ;;
    api-[1-9]|api-[1-9][0-9]) octet=$((100 + ${1#api-})) ;;
    *) die "unknown host '$1' (postgres, redis, nginx, silo-N, api-N)" ;;
  esac
  echo "$NET.$octet"
}

ns_of() { echo "$PREFIX-$1"; }

# The host-side end of a host's veth (interface names are at most 15 characters).
veth_of() {
  case $1 in
    postgres) echo "${PREFIX}pg" ;;
    redis) echo "${PREFIX}rd" ;;
    nginx) echo "${PREFIX}nx" ;;
    silo-*) echo "${PREFIX}s${1#silo-}" ;;
    api-*) echo "${PREFIX}a${1#api-}" ;;
  esac
}

hosts() { cat "$STATE/hosts" 2>/dev/null || true; }

in_ns() { local host=$1; shift; ip netns exec "$(ns_of "$host")" "$@"; }

# The first K whose bridge address 198.18.K.1 no interface of this machine holds and no fm<K>- namespace uses.
pick_net() {
  local k
  for k in $(seq "${FLEAMARKET_NETNS_INDEX:-0}" 255); do
    ip -4 -o addr show | grep -q " 198\.18\.$k\.1/" && continue
    ip netns list | grep -q "^fm$k-" && continue
    ip link show "fm${k}br" >/dev/null 2>&1 && continue
    echo "$k"; return 0
  done
  die "no free 198.18.K.0/24 subnet"
}

create_bridge() {
  ip link add "$BRIDGE" type bridge
  echo "$BRIDGE" >>"$STATE/links"
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# add_host HOST: a namespace with loopback and eth0 (HOST's address), its veth peer on the bridge.
add_host() {
  local host=$1 ns veth
  ns=$(ns_of "$host"); veth=$(veth_of "$host")
  ip netns add "$ns"
  echo "$host" >>"$STATE/hosts"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$(host_ip "$host")/24" dev eth0
  ip -n "$ns" link set eth0 up
  mkdir -p "$STATE/$host"
}

# remove_host HOST: every process in its namespace killed, then the namespace (its veth goes with it).
remove_host() {
  local host=$1 ns pids
  ns=$(ns_of "$host")
  if ip netns list | grep -q "^$ns\b"; then
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      kill -CONT $pids 2>/dev/null || true
      kill -KILL $pids 2>/dev/null || true
      local p; for p in $pids; do stop_pid "$p" "$host" KILL; done
    fi
    ip netns del "$ns" 2>/dev/null || true
  fi
  ip link del "$(veth_of "$host")" 2>/dev/null || true
  sed -i "/^$host\$/d" "$STATE/hosts" 2>/dev/null || true
}

# ---------------------------------------------------------------- servers

log_file() {
  case $1 in
    nginx) echo "$STATE/nginx/error.log" ;;
    postgres) echo "$STATE/postgres/postgres.log" ;;
    redis) echo "$STATE/redis/redis.log" ;;
    *) echo "$STATE/$1/out.log" ;;
  esac
}

ensure_built() {
  local project
  for project in src/Silo/Silo.csproj src/Api/Api.csproj; do
    local dll=$SILO_DLL; [ "$project" = src/Api/Api.csproj ] && dll=$API_DLL
    [ -f "$dll" ] && continue
    log "building $project (Release)"
    dotnet build -c Release "$REPO/$project" >&2
  done
}

start_postgres() {
  local dir=$STATE/postgres ip; ip=$(host_ip postgres)
  postgres_init "$dir"
  if ! grep -q '^host all all 198.18.0.0/15 trust' "$dir/data/pg_hba.conf"; then
    echo 'host all all 198.18.0.0/15 trust' >>"$dir/data/pg_hba.conf"
  fi
  log "postgres on $ip:$PG_PORT"
  in_ns postgres runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$START_TIMEOUT" \
    -o "-p $PG_PORT -k $dir -c listen_addresses=$ip -c max_connections=400 -c shared_buffers=256MB" start >/dev/null ||
    { tail_log postgres; die "PostgreSQL did not start"; }
  if ! "$PG_BIN/psql" -h "$ip" -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'fleamarket'" | grep -q 1; then
    "$PG_BIN/psql" -h "$ip" -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE fleamarket" >/dev/null
  fi
}

postgres_pid() { head -n1 "$STATE/postgres/data/postmaster.pid" 2>/dev/null || true; }

stop_postgres() {
  local dir=$STATE/postgres
  [ -f "$dir/data/postmaster.pid" ] || return 0
  kill -CONT $(ip netns pids "$(ns_of postgres)" 2>/dev/null) 2>/dev/null || true
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 || {
    local pid; pid=$(postgres_pid)
    [ -n "$pid" ] && stop_pid "$pid" postgres KILL
  }
}

start_redis() {
  local dir=$STATE/redis ip; ip=$(host_ip redis)
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
  log "redis on $ip:$REDIS_PORT"
  # Append-only: the membership table must survive a Redis restart (docs/operations.md). Protected mode would refuse
  # every client but loopback; it listens on the cluster's private address only.
  in_ns redis redis-server --port "$REDIS_PORT" --bind "$ip" --protected-mode no --save "" --appendonly yes --appendfsync everysec --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  wait_redis -h "$ip" -p "$REDIS_PORT"
  cp "$dir/redis.pid" "$dir/pid"
}

stop_redis() {
  local pid; pid=$(cat "$STATE/redis/redis.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  kill -CONT "$pid" 2>/dev/null || true
  redis-cli -h "$(host_ip redis)" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  stop_pid "$pid" redis TERM
}

next_index() {
  local kind=$1 n=0 h
  for h in $(hosts); do
    case $h in "$kind"-*) [ "${h#"$kind"-}" -gt "$n" ] && n=${h#"$kind"-} ;; esac
  done
  echo $((n + 1))
}

start_silo() {
  local host=silo-$1 ip; ip=$(host_ip "silo-$1")
  local envs=()
  mapfile -t envs < <(dotnet_common_env)
  envs+=(
    "Redis__Configuration=$(host_ip redis):$REDIS_PORT"
    "Engines__Membership=Redis"
    "Engines__Storage=PostgreSql"
    "PostgreSql__ConnectionString=Host=$(host_ip postgres);Port=$PG_PORT;Username=postgres;Database=fleamarket;Maximum Pool Size=64"
    "Silo__SiloName=$host"
    "Silo__AdvertisedAddress=$ip"
    "Silo__ListenAddress=$ip"
    "Silo__Port=$SILO_PORT"
    "Silo__GatewayPort=$GATEWAY_PORT"
    "Api__Enabled=false"
    # The admin port stays on the namespace's loopback (beyond loopback it would need Dashboard__AccessKey).
    "Admin__Urls=http://127.0.0.1:$ADMIN_PORT"
  )
  [ "${FLEAMARKET_DASHBOARD:-1}" = 0 ] && envs+=("Dashboard__Enabled=false")
  log "$host: $ip (silo $SILO_PORT, gateway $GATEWAY_PORT, admin 127.0.0.1:$ADMIN_PORT in its namespace)"
  launch "$STATE/$host" "${envs[@]}" -- ip netns exec "$(ns_of "$host")" dotnet "$SILO_DLL" --contentRoot "$(dirname "$SILO_DLL")"
}

# Ready = Active in its own membership view (admin /health/ready).
wait_silo() {
  local host=silo-$1
  wait_http "http://127.0.0.1:$ADMIN_PORT/health/ready" "$(pid_of "$STATE/$host")" "$host" 200 "$(ns_of "$host")"
  log "$host is Active (pid $(pid_of "$STATE/$host"))"
}

start_api() {
  local host=api-$1 ip; ip=$(host_ip "api-$1")
  local envs=()
  mapfile -t envs < <(dotnet_common_env)
  envs+=(
    "Redis__Configuration=$(host_ip redis):$REDIS_PORT"
    "Cluster__Membership=Redis"
    "Urls=http://$ip:$API_PORT"
    "ASPNETCORE_URLS=http://$ip:$API_PORT"
    "Api__TrustedProxies__0=$(host_ip nginx)"
  )
  mapfile -t -O "${#envs[@]}" envs < <(api_load_limits_env)
  log "$host: http://$ip:$API_PORT"
  launch "$STATE/$host" "${envs[@]}" -- ip netns exec "$(ns_of "$host")" dotnet "$API_DLL" --contentRoot "$(dirname "$API_DLL")"
}

wait_api() {
  local host=api-$1
  wait_http "http://$(host_ip "$host"):$API_PORT/health/ready" "$(pid_of "$STATE/$host")" "$host"
  log "$host is ready (pid $(pid_of "$STATE/$host"))"
}

write_nginx_conf() {
  local dir=$STATE/nginx upstreams="" h
  mkdir -p "$dir/tmp"
  for h in $(hosts); do
    case $h in api-*) alive "$(pid_of "$STATE/$h")" && upstreams+="        server $(host_ip "$h"):$API_PORT max_fails=1 fail_timeout=2s;"$'\n' ;; esac
  done
  [ -n "$upstreams" ] || die "no running API node for nginx"
  awk -v state="$STATE" -v listen="$(host_ip nginx):$HTTP_PORT" -v ups="${upstreams%$'\n'}" '
    /^@UPSTREAMS@$/ { print ups; next }
    { gsub(/@STATE@/, state); gsub(/@LISTEN@/, listen); print }' "$REPO/deploy/nginx/fleamarket.conf.template" >"$dir/nginx.conf.new"
  in_ns nginx nginx -t -q -c "$dir/nginx.conf.new" -p "$dir/" 2>"$dir/test.log" || { cat "$dir/test.log" >&2; die "nginx config test failed"; }
  mv "$dir/nginx.conf.new" "$dir/nginx.conf"
}

start_nginx() {
  command -v nginx >/dev/null || die "nginx not found (apt-get install nginx)"
  write_nginx_conf
  log "nginx on http://$(host_ip nginx):$HTTP_PORT"
  in_ns nginx nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/" 2>>"$STATE/nginx/error.log" || { tail_log nginx; die "nginx did not start"; }
  local deadline=$((SECONDS + START_TIMEOUT))
  until [ "$(http_code "$(nginx_url)/nginx/health")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || { tail_log nginx; die "nginx did not answer"; }
    sleep 0.1
  done
  cp "$STATE/nginx/nginx.pid" "$STATE/nginx/pid"
  wait_http "$(nginx_url)/health/ready" "$(pid_of "$STATE/nginx")" nginx
}

reload_nginx() {
  alive "$(pid_of "$STATE/nginx")" || die "nginx is not running"
  write_nginx_conf
  in_ns nginx nginx -c "$STATE/nginx/nginx.conf" -p "$STATE/nginx/" -s reload 2>>"$STATE/nginx/error.log"
  log "nginx reloaded: upstreams $(grep -c '^        server ' "$STATE/nginx/nginx.conf")"
}

nginx_url() { echo "http://$(host_ip nginx)"; }

# ---------------------------------------------------------------- commands

cmd_up() {
  local silos=3 apis=2
  while [ $# -gt 0 ]; do
    case $1 in
      --silos) silos=${2:-}; shift 2 ;;
      --apis) apis=${2:-}; shift 2 ;;
      *) die "up: unknown option $1 (use --silos N --apis M)" ;;
    esac
  done
  [[ $silos =~ ^[1-9][0-9]?$ && $silos -le 89 && $apis =~ ^[1-9][0-9]?$ ]] || die "up: --silos 1-89 and --apis 1-99"
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
  local tool; for tool in ip nft jq curl redis-cli nginx; do command -v "$tool" >/dev/null || die "$tool not found"; done
  [ -f "$STATE/net.env" ] && die "a netns cluster already exists in $STATE (status, or down first)"
  ensure_built
  mkdir -p "$STATE"; chmod 0755 "$STATE" # PostgreSQL runs as postgres and must reach its directory
  : >"$STATE/hosts"; : >"$STATE/links"; : >"$STATE/faults"
  local k; k=$(pick_net)
  printf 'NET=198.18.%s\nPREFIX=fm%s\nBRIDGE=fm%sbr\n' "$k" "$k" "$k" >"$STATE/net.env"
  load_net
  local t0=$SECONDS
  # A failed start leaves nothing behind: no process, namespace, link or state directory (the failing process's
  # log has been printed; FLEAMARKET_NETNS_FAILED_LOGS=DIR keeps every log there).
  trap 'log "up failed; removing what it created"; cmd_down ${FLEAMARKET_NETNS_FAILED_LOGS:+--keep-logs "$FLEAMARKET_NETNS_FAILED_LOGS"} >/dev/null 2>&1 || true' EXIT
  create_bridge
  local i h
  for h in postgres redis nginx; do add_host "$h"; done
  for ((i = 1; i <= silos; i++)); do add_host "silo-$i"; done
  for ((i = 1; i <= apis; i++)); do add_host "api-$i"; done
  start_postgres
  start_redis
  # The first silo applies the PostgreSQL schema and founds the cluster; the rest join together.
  start_silo 1
  wait_silo 1
  for ((i = 2; i <= silos; i++)); do start_silo "$i"; done
  for ((i = 1; i <= apis; i++)); do start_api "$i"; done
  for ((i = 2; i <= silos; i++)); do wait_silo "$i"; done
  for ((i = 1; i <= apis; i++)); do wait_api "$i"; done
  start_nginx
  trap - EXIT
  log "up in $((SECONDS - t0))s: $silos silos, $apis API nodes on $NET.0/24, $(nginx_url) (state: $STATE)"
  nginx_url
}

cmd_add_silo() {
  require_up
  local n; n=$(next_index silo)
  trap 'remove_host silo-'"$n" EXIT # a silo that failed to join does not linger
  add_host "silo-$n"
  start_silo "$n"
  wait_silo "$n"
  trap - EXIT
  echo "silo-$n"
}

cmd_add_api() {
  require_up
  local n; n=$(next_index api)
  trap 'remove_host api-'"$n" EXIT
  add_host "api-$n"
  start_api "$n"
  wait_api "$n"
  trap - EXIT
  reload_nginx
  echo "api-$n"
}

# node_host KIND N: "KIND-N" after checking it exists.
node_host() {
  [[ ${2:-} =~ ^[0-9]+$ ]] || die "give the $1 number (as in status: $1-N)"
  hosts | grep -qx "$1-$2" || die "no $1-$2 in this cluster"
  echo "$1-$2"
}

cmd_stop_silo() {
  require_up
  local h; h=$(node_host silo "${1:-}")
  log "$h: SIGTERM (graceful: deactivates its grains, leaves the cluster)"
  stop_pid "$(pid_of "$STATE/$h")" "$h" TERM
}

cmd_kill() {
  require_up
  local h; h=$(node_host "$1" "${2:-}")
  local pid; pid=$(pid_of "$STATE/$h")
  alive "$pid" || { log "$h is not running"; return 0; }
  log "$h: SIGKILL (pid $pid)"
  stop_pid "$pid" "$h" KILL
}

require_host() { require_up; hosts | grep -qx "${1:-}" || die "no host '${1:-}' (postgres, redis, nginx, silo-N, api-N: see status)"; }

cmd_stop() {
  require_host "${1:-}"
  case $1 in
    redis) log "redis: shutdown"; stop_redis ;;
    postgres) log "postgres: stop (fast)"; stop_postgres ;;
    *) die "stop takes redis or postgres (stop-silo N, kill-silo N, kill-api N for the others)" ;;
  esac
}

cmd_start() {
  require_host "${1:-}"
  case $1 in
    redis) alive "$(cat "$STATE/redis/redis.pid" 2>/dev/null)" && { log "redis is running"; return 0; }; start_redis ;;
    postgres) alive "$(postgres_pid)" && { log "postgres is running"; return 0; }; start_postgres ;;
    *) die "start takes redis or postgres" ;;
  esac
}

cmd_restart() {
  require_host "${1:-}"
  case $1 in
    postgres)
      log "postgres: restart (fast: open connections are dropped)"
      in_ns postgres runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STATE/postgres/data" -m fast -w -t "$START_TIMEOUT" \
        -l "$STATE/postgres/postgres.log" restart >/dev/null || { tail_log postgres; die "PostgreSQL did not restart"; } ;;
    redis) stop_redis; start_redis ;;
    *) die "restart takes redis or postgres" ;;
  esac
}

# peers_of HOST PEER: the hosts PEER names (a host, or silos / apis / others = every silo but HOST).
peers_of() {
  local host=$1 peer=$2 h
  case $peer in
    silos) hosts | grep '^silo-' | grep -vx "$host" ;;
    apis) hosts | grep '^api-' ;;
    others) hosts | grep '^silo-' | grep -vx "$host" ;;
    *) hosts | grep -qx "$peer" || die "no host '$peer'"; echo "$peer" ;;
  esac
}

cmd_isolate() {
  require_host "${1:-}"
  ip link set "$(veth_of "$1")" down
  echo "isolate $1" >>"$STATE/faults"
  log "$1 isolated (its link is down)"
}

cmd_partition() {
  local host=${1:-} peer=${2:-} oneway=false
  [ "${3:-}" = --one-way ] && oneway=true
  require_host "$host"
  [ -n "$peer" ] || die "partition HOST PEER [--one-way]"
  local p ip
  in_ns "$host" nft add table inet "$NFT_TABLE"
  in_ns "$host" nft add chain inet "$NFT_TABLE" input '{ type filter hook input priority 0; policy accept; }'
  in_ns "$host" nft add chain inet "$NFT_TABLE" output '{ type filter hook output priority 0; policy accept; }'
  for p in $(peers_of "$host" "$peer"); do
    [ "$p" = "$host" ] && continue
    ip=$(host_ip "$p")
    in_ns "$host" nft add rule inet "$NFT_TABLE" output ip daddr "$ip" drop
    $oneway || in_ns "$host" nft add rule inet "$NFT_TABLE" input ip saddr "$ip" drop
    echo "partition $host $p $($oneway && echo one-way || echo both)" >>"$STATE/faults"
    log "$host -/-> $p$($oneway || echo " and back") (nft in $host)"
  done
}

cmd_pause() {
  require_host "${1:-}"
  local pids; pids=$(ip netns pids "$(ns_of "$1")")
  [ -n "$pids" ] || die "nothing runs in $1"
  kill -STOP $pids
  echo "pause $1" >>"$STATE/faults"
  log "$1 paused (SIGSTOP: $(echo $pids))"
}

cmd_resume() {
  require_host "${1:-}"
  local pids; pids=$(ip netns pids "$(ns_of "$1")")
  [ -n "$pids" ] && kill -CONT $pids
  sed -i "/^pause $1\$/d" "$STATE/faults"
  log "$1 resumed"
}

cmd_heal() {
  require_up
  local h
  for h in $(hosts); do
    ip link set "$(veth_of "$h")" up 2>/dev/null || true
    in_ns "$h" nft delete table inet "$NFT_TABLE" 2>/dev/null || true
    local pids; pids=$(ip netns pids "$(ns_of "$h")" 2>/dev/null || true)
    [ -n "$pids" ] && kill -CONT $pids 2>/dev/null || true
  done
  : >"$STATE/faults"
  log "healed: links up, no nft rules, nothing paused"
}

silo_metrics() { in_ns "$1" curl -sf --max-time 3 "http://127.0.0.1:$ADMIN_PORT/metrics" 2>/dev/null || true; }

# cmd_holder [TYPE]: the silo with the most activations of a grain type (from each silo's /metrics).
cmd_holder() {
  require_up
  local type=${1:-listing} h best="" most=-1 n
  # Every silo at once: a silo busy with a drop may take a second to answer.
  for h in $(hosts | grep '^silo-'); do
    alive "$(pid_of "$STATE/$h")" && silo_metrics "$h" >"$STATE/.metrics-$h" &
  done
  wait
  for h in $(hosts | grep '^silo-'); do
    [ -f "$STATE/.metrics-$h" ] || continue
    n=$(metrics_activations <"$STATE/.metrics-$h" | awk -F'\t' -v t="$type" '$1 == t { print $2 }')
    rm -f "$STATE/.metrics-$h"
    n=${n:-0}
    [ "$n" -gt "$most" ] && { most=$n; best=$h; }
  done
  [ -n "$best" ] || die "no silo answers"
  printf '%s\t%s\n' "$best" "$most"
}

# cmd_placement [TYPE...]: where each grain lives now (the chaos drop snapshots it just before a fault). Exit code 1
# when a running silo did not answer within the bound, so a caller knows the snapshot is partial.
cmd_placement() {
  require_up
  local query="" t h missing=0
  for t in "$@"; do query+="${query:+&}type=$t"; done
  # Every silo at once and bounded: one busy with a drop may take a second; a hung one must not hold the snapshot.
  for h in $(hosts | grep '^silo-'); do
    alive "$(pid_of "$STATE/$h")" &&
      in_ns "$h" curl -sf --max-time 5 "http://127.0.0.1:$ADMIN_PORT/placement${query:+?$query}" >"$STATE/.placement-$h" 2>/dev/null ||
      rm -f "$STATE/.placement-$h" &
  done
  wait
  for h in $(hosts | grep '^silo-'); do
    if [ -f "$STATE/.placement-$h" ]; then
      sed "s/^/$h\t/" "$STATE/.placement-$h"
      rm -f "$STATE/.placement-$h"
    elif alive "$(pid_of "$STATE/$h")"; then
      log "placement: $h did not answer"; missing=1
    fi
  done
  return $missing
}

cmd_status() {
  require_up
  echo "state      $STATE"
  echo "network    $NET.0/24 on bridge $BRIDGE ($NET.1), namespaces $PREFIX-*"
  echo "http       $(nginx_url) (nginx: $(alive "$(pid_of "$STATE/nginx")" && echo running || echo stopped))"
  echo "postgres   $(host_ip postgres):$PG_PORT ($(alive "$(postgres_pid)" && echo running || echo stopped))"
  echo "redis      $(host_ip redis):$REDIS_PORT ($(alive "$(cat "$STATE/redis/redis.pid" 2>/dev/null)" && echo running || echo stopped))"
  echo "faults     $( [ -s "$STATE/faults" ] && paste -sd';' "$STATE/faults" || echo none)"
  echo
  local rows; rows=$(redis-cli -h "$(host_ip redis)" -p "$REDIS_PORT" --raw HVALS "$MEMBERSHIP_KEY" 2>/dev/null | membership_tsv)
  local types=$STATE/.status-types h
  : >"$types"
  printf '%-8s %-8s %-8s %-30s %-13s %-5s %-26s %s\n' SILO PID PROCESS ADDRESS MEMBERSHIP READY "ITS VIEW" ACTIVATIONS
  for h in $(hosts | grep '^silo-' | sort -t- -k2 -n); do
    local pid; pid=$(pid_of "$STATE/$h")
    local row; row=$(awk -F'\t' -v n="$h" -v a="$(host_ip "$h"):$SILO_PORT@" '$1 == n && index($2, a) == 1' <<<"$rows" | sort -t@ -k2 -n | tail -n1)
    local ready=- view=- activations=- state=exited
    alive "$pid" && state=running
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && state=paused
    if [ "$state" = running ]; then
      ready=$(http_code "http://127.0.0.1:$ADMIN_PORT/health/ready" "$(ns_of "$h")")
      local metrics; metrics=$(silo_metrics "$h")
      if [ -n "$metrics" ]; then
        view=$(metrics_view <<<"$metrics")
        local acts; acts=$(metrics_activations <<<"$metrics")
        activations=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' <<<"$acts")
        [ -n "$acts" ] && sed "s/^/$h\t/" <<<"$acts" >>"$types"
      fi
    fi
    printf '%-8s %-8s %-8s %-30s %-13s %-5s %-26s %s\n' "$h" "$pid" "$state" "$(cut -f2 <<<"$row")" "$(cut -f3 <<<"$row")" "$ready" "${view:--}" "$activations"
  done
  if [ -s "$types" ]; then
    echo
    echo "activations per grain type (each silo's /metrics):"
    activations_table <"$types"
  fi
  rm -f "$types"
  echo
  printf '%-8s %-8s %-8s %-28s %s\n' API PID PROCESS URL READY
  for h in $(hosts | grep '^api-' | sort -t- -k2 -n); do
    local pid; pid=$(pid_of "$STATE/$h")
    local ready=-
    alive "$pid" && ready=$(http_code "http://$(host_ip "$h"):$API_PORT/health/ready")
    printf '%-8s %-8s %-8s %-28s %s\n' "$h" "$pid" "$(alive "$pid" && echo running || echo exited)" "http://$(host_ip "$h"):$API_PORT" "$ready"
  done
}

cmd_logs() {
  require_up
  show_logs "$@"
}

# down: stops every process (graceful, bounded), kills what is left in each namespace, removes namespaces, veths,
# the bridge and the state directory. Safe to run twice and after a half-finished up.
cmd_down() {
  local keep=""
  [ "${1:-}" = --keep-logs ] && keep=${2:?--keep-logs DIR}
  [ -d "$STATE" ] || { log "nothing to remove ($STATE does not exist)"; return 0; }
  load_net
  if [ -n "${PREFIX:-}" ]; then
    local h
    for h in $(hosts); do ip netns pids "$(ns_of "$h")" 2>/dev/null | xargs -r kill -CONT 2>/dev/null || true; done
    stop_pid "$(pid_of "$STATE/nginx")" nginx QUIT
    for h in $(hosts | grep '^api-'); do kill -TERM "$(pid_of "$STATE/$h")" 2>/dev/null || true; done
    for h in $(hosts | grep '^api-'); do stop_pid "$(pid_of "$STATE/$h")" "$h" TERM; done
    for h in $(hosts | grep '^silo-'); do kill -TERM "$(pid_of "$STATE/$h")" 2>/dev/null || true; done
    for h in $(hosts | grep '^silo-'); do stop_pid "$(pid_of "$STATE/$h")" "$h" TERM; done
    stop_redis
    stop_postgres
    for h in $(hosts); do remove_host "$h"; done
    # Namespaces and links of this prefix that the host list missed (a crash between create and record).
    local ns; for ns in $(ip netns list | awk -v p="$PREFIX-" 'index($1, p) == 1 { print $1 }'); do
      ip netns pids "$ns" | xargs -r kill -KILL 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
    done
    ip link del "$BRIDGE" 2>/dev/null || true
  fi
  if [ -n "$keep" ]; then
    mkdir -p "$keep"
    (cd "$STATE" && find . -name '*.log' -not -path './postgres/data/*' -print0 | xargs -0 -r cp --parents -t "$keep") || true
    log "logs copied to $keep"
  fi
  case $STATE in /|"$HOME"|"$REPO"|/tmp) die "refusing to delete $STATE" ;; esac
  rm -rf "$STATE"
  log "down: no process, namespace, link or state left"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
  up) cmd_up "$@" ;;
  status) cmd_status ;;
  url) require_up; nginx_url ;;
  add-silo) cmd_add_silo ;;
  add-api) cmd_add_api ;;
  stop-silo) cmd_stop_silo "$@" ;;
  kill-silo) cmd_kill silo "$@" ;;
  kill-api) cmd_kill api "$@" ;;
  stop) cmd_stop "$@" ;;
  start) cmd_start "$@" ;;
  restart) cmd_restart "$@" ;;
  isolate) cmd_isolate "$@" ;;
  partition) cmd_partition "$@" ;;
  pause) cmd_pause "$@" ;;
  resume) cmd_resume "$@" ;;
  heal) cmd_heal ;;
  holder) cmd_holder "$@" ;;
  placement) cmd_placement "$@" ;;
  exec) require_host "${1:-}"; h=$1; shift; in_ns "$h" "$@" ;;
  logs) cmd_logs "$@" ;;
  down) cmd_down "$@" ;;
  -h|--help|help|"") usage_of "${BASH_SOURCE[0]}" ;;
  *) usage_of "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
