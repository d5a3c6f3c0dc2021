#!/usr/bin/env bash
# The chaos drop: a drop through nginx on the network-namespace cluster (deploy/netns/cluster.sh) with one fault
# injected 2 s after the opening, then everything read back through the API. Buyers retry 5xx and transport errors
# with the same Idempotency-Key and honour Retry-After (tools/LoadTest); afterwards every acknowledged key is sent
# again and must return the same order.
#
#   deploy/netns/chaos.sh FAULT... [--runs N] [--results FILE]
#
# FAULT (each its own run on a fresh cluster of 3 silos and 2 API nodes; `all` = every one in this order):
#   kill-silo        kill -9 of the silo holding the most listings
#   pause-silo       SIGSTOP of the silo holding the most listings, SIGCONT 30 s later
#   cut-silo         that silo cut off from the other silos (nft) for 20 s, still reaching Redis and PostgreSQL
#   cut-storage      that silo cut off from Redis and PostgreSQL for 20 s, still reaching the other silos
#   kill-api         kill -9 of api-1 (nginx routes around it)
#   redis-down       Redis stopped for 20 s, then started again (same data)
#   postgres-restart PostgreSQL restarted (fast: open connections dropped)
#
# Prints one line per run and appends it to FILE (default: none) as TSV: fault, passed, failed checks, units
# sold/stock, acknowledged orders, 5xx, transport errors, recovery (longest time a listing with stock left sold
# nothing, s), when the fault ran (s after the opening), silos declared Dead afterwards, load average at the start,
# then who got the 5xx and transport errors (from a placement snapshot of every silo's session, account and listing
# grains taken just before the opening): failed purchases of buyers with the session, account or
# listing on the faulted silo, of buyers with all three elsewhere, and of buyers with a grain in no silo's list
# (each "5xx+transport/buyers"; for a fault with no faulted silo every placed failure counts as "elsewhere").
# Exit code 0 when every run passed its checks. The full JSON of each run and its placement snapshot are kept in
# $CHAOS_OUT (default: a temporary directory, printed).
# Environment: DROP_ARGS replaces the drop's shape (default below); variables exported before the call reach
# every silo and API node (e.g. Membership__ProbeTimeout=00:00:02 to try a membership profile).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER=$REPO/deploy/netns/cluster.sh
LOAD_DLL=$REPO/tools/LoadTest/bin/Release/net10.0/FleaMarket.LoadTest.dll
LOG_TAG=chaos
STATE=/nonexistent
. "$REPO/deploy/lib/cluster-common.sh"
log_file() { echo /dev/null; }

# 12 listings of 300 units, paced at 120 purchases/s: about 30 s of selling, so a fault 2 s after the opening hits
# a drop in full swing and recovery can be seen on the listings it touched.
DROP_ARGS=${DROP_ARGS:---opens-in 5 --listings 12 --stock 300 --buyers 200 --concurrency 48 --rate 120 --duration 120 --request-timeout 20}
ALL_FAULTS="kill-silo pause-silo cut-silo cut-storage kill-api redis-down postgres-restart"

runs=1 results="" faults=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --results) results=${2:?}; shift 2 ;;
    all) read -ra more <<<"$ALL_FAULTS"; faults+=("${more[@]}"); shift ;;
    -h|--help) usage_of "${BASH_SOURCE[0]}"; exit 0 ;;
    *) faults+=("$1"); shift ;;
  esac
done
[ ${#faults[@]} -gt 0 ] || { usage_of "${BASH_SOURCE[0]}" >&2; exit 2; }

# The fault, as the shell command the load tool runs 5 s before the opening ($C is the cluster script): while there
# is time (activations exist since setup) it snapshots where every session, account and listing grain lives into $P
# (the load tool's --placement) and takes the silo holding the most listings from it, waits until 2 s after the
# opening (`at S`: S seconds after the opening) and prints when the fault started and ended, and which silo it took
# down ("faulted silo-N": the load tool attributes errors to it). Nothing moves between the snapshot and the fault:
# all three grain types are activated at setup, the rebalancer is off and idle collection takes 15 min. Measured at
# load average 15-36 (the other half of the machine busy), asking the silos took 4-18 s: hence the early start.
fault_command() {
  local prelude='t0=$EPOCHREALTIME; since() { awk -v a="$t0" -v b="$EPOCHREALTIME" "BEGIN { printf \"%.2f\", b - a - 5 }"; }
at() { sleep "$(awk -v a="$t0" -v b="$EPOCHREALTIME" -v s="$1" "BEGIN { d = a + 5 + s - b; print (d > 0 ? d : 0) }")"; }
$C placement session account listing >"$P" || echo "placement partial"
h=$(awk -F"\t" "\$2 == \"listing\" { n[\$1]++ } END { for (s in n) if (n[s] > m) { m = n[s]; b = s } print b }" "$P")
[ -n "$h" ] || h=$($C holder listing | cut -f1)
echo "holder $h"; echo "placement $(wc -l <"$P") grains at $(since)"
at 2; echo "fault-start $(since)"'
  local body faulted=true
  case $1 in
    kill-silo) body='$C kill-silo ${h#silo-}' ;;
    pause-silo) body='$C pause $h; at 32; $C resume $h' ;;
    cut-silo) body='$C partition $h others; at 22; $C heal' ;;
    cut-storage) body='$C partition $h redis; $C partition $h postgres; at 22; $C heal' ;;
    kill-api) body='$C kill-api 1'; faulted=false ;;
    redis-down) body='$C stop redis; at 22; $C start redis'; faulted=false ;;
    postgres-restart) body='$C restart postgres'; faulted=false ;;
    *) die "unknown fault '$1' (kill-silo pause-silo cut-silo cut-storage kill-api redis-down postgres-restart, or all)" ;;
  esac
  $faulted && body='echo "faulted $h"; '$body
  printf '%s\n%s\necho "fault-end $(since)"\n' "$prelude" "$body"
}
for f in "${faults[@]}"; do fault_command "$f" >/dev/null; done

if [ ! -f "$LOAD_DLL" ]; then
  log "building tools/LoadTest (Release)"
  dotnet build -c Release "$REPO/tools/LoadTest/LoadTest.csproj" >&2
fi

OUT=${CHAOS_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/fleamarket-chaos.XXXXXX")}
mkdir -p "$OUT"
export FLEAMARKET_NETNS_STATE=${FLEAMARKET_NETNS_STATE:-$(mktemp -u "${TMPDIR:-/tmp}/fleamarket-netns-chaos.XXXXXX")}
export C=$CLUSTER
# Setup signs up 200 buyers: production PBKDF2 would take minutes on two cores; purchases never hash.
export PasswordHasher__IterationCount=${PasswordHasher__IterationCount:-1000}
export FLEAMARKET_DASHBOARD=${FLEAMARKET_DASHBOARD:-0}
load_pid=""
trap '[ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null; "$CLUSTER" down --keep-logs "$OUT/logs-interrupted" >/dev/null 2>&1 || true' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

header=$'fault\tpassed\tfailed_checks\tunits_sold\tacknowledged\t5xx\ttransport\trecovery_s\tfault_from_s\tfault_to_s\tdead_silos\tloadavg\terrors_faulted_silo\terrors_elsewhere\terrors_unplaced'
echo "$header"
[ -n "$results" ] && [ ! -s "$results" ] && echo "$header" >"$results"
failed=0 seq=0
for fault in "${faults[@]}"; do
  for ((run = 1; run <= runs; run++)); do
    seq=$((seq + 1))
    name=$(printf '%02d-%s' "$seq" "$fault")
    load=$(cut -d' ' -f1 /proc/loadavg)
    log "$name: cluster up (load average $load)"
    if ! "$CLUSTER" up --silos 3 --apis 2 >"$OUT/$name.up.log" 2>&1; then
      tail -n 30 "$OUT/$name.up.log" >&2
      printf '%s\tERROR\tcluster-up\t\t\t\t\t\t\t\t\t%s\n' "$fault" "$load" | tee -a "${results:-/dev/null}"
      failed=1
      continue
    fi
    url=$("$CLUSTER" url)
    log "$name: drop through $url; fault 2 s after the opening: $(fault_command "$fault")"
    # shellcheck disable=SC2086 # DROP_ARGS is a list of options
    code=0
    P=$OUT/$name.placement dotnet "$LOAD_DLL" drop --base-url "$url" $DROP_ARGS --replay-keys --json --placement "$OUT/$name.placement" \
      --fault-after -5 --fault-timeout 150 --fault-command "$(fault_command "$fault")" >"$OUT/$name.json" 2>"$OUT/$name.err" &
    load_pid=$!
    wait "$load_pid" || code=$?
    load_pid=""
    "$CLUSTER" status >"$OUT/$name.status" 2>&1 || true
    # Silos the cluster declared Dead: the silo a fault took down, or one falsely suspected under load.
    dead=$(awk '$1 ~ /^silo-/ && $5 == "Dead"' "$OUT/$name.status" | wc -l)
    "$CLUSTER" down --keep-logs "$OUT/$name.logs" >/dev/null 2>&1 || true
    if ! jq -e '.verification' "$OUT/$name.json" >/dev/null 2>&1; then
      printf '%s\tERROR\t%s\t\t\t\t\t\t\t\t\t%s\n' "$fault" "$(jq -r '.error // "no report"' "$OUT/$name.json" 2>/dev/null | tr '\t\n' '  ' | cut -c1-120)" "$load" |
        tee -a "${results:-/dev/null}"
      failed=1
      continue
    fi
    [ "$code" = 0 ] || failed=1
    jq -r --arg fault "$fault" --arg load "$load" --arg dead "$dead" '
      [ $fault, (if .passed then "yes" else "NO" end),
        ([.verification.checks[] | select(.passed | not) | .name] | join(",") | if . == "" then "-" else . end),
        "\(.verification.unitsSold)/\(.verification.totalStock)",
        (.verification.acknowledgedOrders | tostring),
        (.chaos.serverErrors | tostring), (.chaos.transportErrors | tostring),
        (.chaos.recovery.longestGapSeconds | tostring),
        (.chaos.fault.output // "" | [capture("fault-start (?<s>[0-9.]+)")] | .[0].s // ""),
        (.chaos.fault.output // "" | [capture("fault-end (?<s>[0-9.]+)")] | .[0].s // ""), $dead, $load,
        (.chaos.attribution // {} | .onFaultedSilo, .nothingOnFaultedSilo, .notPlaced
          | if . == null then "" else "\(.serverErrors)+\(.transportErrors)/\(.buyers)" end) ] | @tsv' \
      "$OUT/$name.json" | tee -a "${results:-/dev/null}"
  done
done
trap - EXIT
log "reports and logs in $OUT"
exit $failed
