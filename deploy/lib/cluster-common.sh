# Building blocks shared by deploy/local/cluster.sh (everything on loopback) and deploy/netns/cluster.sh (every
# process in its own network namespace). Sourced, never run. The sourcing script sets LOG_TAG and STATE and defines
# log_file NAME (the log of a process by name), which tail_log and wait_http use.

log() { printf '[%s %s] %s\n' "${LOG_TAG:-cluster}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# True while the pid runs (a zombie, waiting for a parent that may never reap it, counts as gone).
alive() {
  local pid=${1:-}
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  local state
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ]
}

pid_of() { cat "$1/pid" 2>/dev/null || true; }

# launch DIR VAR=value... -- command args...: runs the command in its own session, cwd DIR, output to
# DIR/out.log, pid in DIR/pid (written by the process itself before exec, so it is the server's pid; a command
# that execs in place, like `ip netns exec NS cmd`, keeps it).
launch() {
  local dir=$1; shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  rm -f "$dir/pid"
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/pid" env "${envs[@]}" "$@" >>"$dir/out.log" 2>&1 </dev/null) &
  local deadline=$((SECONDS + 10))
  until [ -s "$dir/pid" ]; do
    [ $SECONDS -lt $deadline ] || die "could not start $*"
    sleep 0.05
  done
}

# stop_pid PID NAME SIGNAL: sends the signal and waits (bounded by STOP_TIMEOUT) until the process is gone;
# SIGKILL after the deadline. A stopped (SIGSTOP) process gets SIGCONT too, or it could never act on SIGTERM.
stop_pid() {
  local pid=$1 name=$2 signal=${3:-TERM}
  alive "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + ${STOP_TIMEOUT:-60}))
  while alive "$pid"; do
    if [ $SECONDS -ge $deadline ]; then
      log "$name (pid $pid) did not stop within ${STOP_TIMEOUT:-60}s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
      return 0
    fi
    sleep 0.1
  done
}

# http_code URL [NETNS]: the status code of a GET (empty when nothing answers within 2 s), from inside the
# network namespace when one is given.
http_code() {
  local prefix=()
  [ -n "${2:-}" ] && prefix=(ip netns exec "$2")
  "${prefix[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

tail_log() { local f; f=$(log_file "$1"); [ -f "$f" ] && { echo "---- last lines of $f" >&2; tail -n 40 "$f" >&2; }; return 0; }

# wait_redis REDIS_CLI_ARGS...: polls until redis-server answers PING through `redis-cli ARGS`, bounded by START_TIMEOUT.
wait_redis() {
  local deadline=$((SECONDS + ${START_TIMEOUT:-90}))
  until [ "$(redis-cli "$@" ping 2>/dev/null)" = PONG ]; do
    [ $SECONDS -lt $deadline ] || { tail_log redis; die "redis-server did not answer"; }
    sleep 0.1
  done
}

# wait_http URL PID NAME [CODE] [NETNS]: polls until the URL answers CODE (default 200), bounded by START_TIMEOUT;
# fails fast if the process died.
wait_http() {
  local url=$1 pid=$2 name=$3 want=${4:-200} netns=${5:-} code=
  local deadline=$((SECONDS + ${START_TIMEOUT:-90}))
  while :; do
    code=$(http_code "$url" "$netns")
    [ "$code" = "$want" ] && return 0
    alive "$pid" || { tail_log "$name"; die "$name exited while starting (see $(log_file "$name"))"; }
    [ $SECONDS -lt $deadline ] || { tail_log "$name"; die "$name: $url did not answer $want within ${START_TIMEOUT:-90}s (last: ${code:-no answer})"; }
    sleep 0.2
  done
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# postgres_init DIR: a data directory DIR/data owned by postgres (initdb once; trust authentication).
postgres_init() {
  local dir=$1
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 not found in $PG_BIN (apt-get install postgresql)"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "user postgres cannot write $dir (every parent directory must be searchable by it); set the state directory elsewhere"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "initdb $dir/data"
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi
}

# The process environment every silo and API node shares (logs with timestamps on one line).
dotnet_common_env() {
  echo "DOTNET_NOLOGO=1"
  echo "ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Production}"
  echo "Logging__Console__FormatterName=simple"
  echo "Logging__Console__FormatterOptions__TimestampFormat=HH:mm:ss.fff "
  echo "Logging__Console__FormatterOptions__SingleLine=true"
}

# API-node settings for a load run from one machine: every buyer comes from one address, so the per-address limits
# would be one limit for everybody. FLEAMARKET_LOGINS_PER_ADDRESS sets the login one; FLEAMARKET_PRODUCTION_LIMITS=1
# keeps the production defaults for the others. Per-username and per-buyer limits keep their defaults.
api_load_limits_env() {
  echo "Api__LoginsPerAddress=${FLEAMARKET_LOGINS_PER_ADDRESS:-1000000}"
  if [[ "${FLEAMARKET_PRODUCTION_LIMITS:-0}" != 1 ]]; then
    echo "Api__LoginFailuresPerAddress=1000000"
    echo "Api__RegistrationsPerAddress=1000000"
    echo "Api__ReadsPerSecond=1000000"
    echo "Api__ReadBurst=1000000"
    echo "Api__FeedConnectionsPerAddress=1000000"
  fi
}

# Orleans' membership table in Redis (hash "<ServiceId>/members/<ClusterId>"): the HVALS output on stdin to TSV
# rows of silo name, address (ip:port@generation), status name. SiloStatus: 2 Joining, 3 Active, 4 ShuttingDown,
# 5 Stopping, 6 Dead.
membership_tsv() {
  jq -r '
    select(type == "object")
    | [.SiloName, .SiloAddress.SiloAddress,
       ({"0":"None","1":"Created","2":"Joining","3":"Active","4":"ShuttingDown","5":"Stopping","6":"Dead"}[.Status|tostring] // (.Status|tostring))]
    | @tsv' 2>/dev/null || true
}

# From a silo's /metrics: its membership view, "active=3 dead=1" (the fleamarket_silos gauge).
metrics_view() {
  awk '/^fleamarket_silos\{/ { match($0, /status="[^"]*"/); s = substr($0, RSTART + 8, RLENGTH - 9);
         v[s] = $NF } END { n = 0; for (s in v) { printf "%s%s=%s", (n++ ? " " : ""), s, v[s] } }'
}

# From a silo's /metrics: "grain_type<TAB>activations" for the flea market's grains (Orleans' system and
# dashboard grains left out), from orleans_catalog_activations{grain_type=...}.
metrics_activations() {
  awk '/^orleans_catalog_activations\{/ { match($0, /grain_type="[^"]*"/); t = substr($0, RSTART + 12, RLENGTH - 13);
         if (t !~ /^sys\./ && t != "dashboard" && t != "management") a[t] += $NF }
       END { for (t in a) printf "%s\t%d\n", t, a[t] }'
}

# "name<TAB>grain_type<TAB>count" lines on stdin (one silo after another) as a table: grain types down, silos across.
activations_table() {
  awk -F'\t' '{ silos[$1] = 1; types[$2] = 1; n[$1 "\t" $2] = $3 }
    END {
      printf "  %-24s", "GRAIN TYPE"; ns = 0
      for (s in silos) order[++ns] = s
      for (i = 1; i <= ns; i++) for (j = i + 1; j <= ns; j++) {
        a = order[i]; b = order[j]; sub(/.*-/, "", a); sub(/.*-/, "", b)
        if (a + 0 > b + 0) { t = order[i]; order[i] = order[j]; order[j] = t } }
      for (i = 1; i <= ns; i++) printf " %8s", order[i]; printf "\n"
      for (t in types) { printf "  %-24s", t; for (i = 1; i <= ns; i++) printf " %8d", n[order[i] "\t" t]; printf "\n" }
    }'
}

# The usage text: the script's leading comment block.
usage_of() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$1"; }

# logs [NAME]: the cluster's log files under $STATE, or one process's log (log_file NAME, defined by the script).
show_logs() {
  if [ $# -eq 0 ]; then
    find "$STATE" -name '*.log' -not -path '*/postgres/data/*' | sort
  else
    local f; f=$(log_file "$1")
    [ -f "$f" ] || die "no log for $1 ($f)"
    cat "$f"
  fi
}
