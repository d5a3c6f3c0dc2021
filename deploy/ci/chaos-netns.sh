#!/usr/bin/env bash
# CI: the two silo faults of the chaos drop on the network-namespace cluster, bounded to a few minutes in all:
# kill -9 of the silo holding the most listings, and that silo hung (SIGSTOP) for 30 s. Each passes only when the
# drop's checks pass (nothing acknowledged lost, nothing oversold, one order per key, stock equal to orders, no
# transport error) and purchases on every listing with stock succeeded again within the bound (RECOVERY_KILL_S,
# RECOVERY_PAUSE_S), and when no buyer whose session, account and listing all lived on surviving silos (the placement
# snapshot taken just before the fault) got a 5xx or a transport error. Needs root, iproute2 and nftables; leaves no namespace, link or process behind (the scripts'
# traps), and prints the logs of a failed run.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RECOVERY_KILL_S=${RECOVERY_KILL_S:-5}
RECOVERY_PAUSE_S=${RECOVERY_PAUSE_S:-15}
BUDGET_S=${CHAOS_CI_BUDGET_S:-600}

[ "$(id -u)" = 0 ] || { echo "chaos-netns: needs root (network namespaces)" >&2; exit 1; }
command -v nft >/dev/null || { echo "chaos-netns: nft not found (apt-get install nftables)" >&2; exit 1; }

out=$(mktemp -d "${TMPDIR:-/tmp}/fleamarket-chaos-ci.XXXXXX")
trap 'rm -rf "$out"' EXIT
results=$out/results.tsv
status=0
CHAOS_OUT=$out timeout --signal=TERM --kill-after=60 "$BUDGET_S" \
  "$REPO/deploy/netns/chaos.sh" kill-silo pause-silo --results "$results" || status=$?

# Columns: fault passed failed_checks units_sold acknowledged 5xx transport recovery_s fault_from_s fault_to_s
# dead_silos loadavg errors_faulted_silo errors_elsewhere errors_unplaced (the last three "5xx+transport/buyers").
verdict=$(awk -F'\t' -v kill="$RECOVERY_KILL_S" -v pause="$RECOVERY_PAUSE_S" '
  function errors(field,  parts) { split(field, parts, /[+\/]/); return parts[1] + parts[2] }
  NR == 1 { next }
  { bound = ($1 == "kill-silo") ? kill : pause
    # No attribution (an empty column) proves nothing, so it fails too.
    spared = ($14 != "" && errors($14) == 0)
    ok = ($2 == "yes" && $8 != "" && $8 + 0 < bound && spared)
    printf "%s: passed=%s recovery=%ss (bound %ss) errors: faulted silo %s, elsewhere %s, unplaced %s %s\n", $1, $2, $8, bound,
      $13, $14, $15, ok ? "OK" : "FAIL"
    if (!ok) bad = 1; n++ }
  END { if (n != 2) { print "expected 2 runs, got " n + 0; bad = 1 } exit bad }' "$results" 2>/dev/null) || status=1
echo "$verdict"
if [ "$status" != 0 ]; then
  echo "chaos-netns: FAILED; logs follow" >&2
  find "$out" -name '*.log' -o -name '*.json' -o -name '*.err' -o -name '*.status' | sort | while read -r f; do
    echo "==== $f" >&2; tail -n 60 "$f" >&2
  done
fi
exit "$status"
