#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need when it is missing (Debian packages;
# run as root), then builds and tests in Release. Integration tests start their own throwaway
# PostgreSQL and redis-server instances on loopback ports; nothing is skipped for a missing engine.
# After the xunit tests, three end-to-end scripts run the real processes:
#   deploy/ci/embedded-smoke.sh     the README run command, an order, a restart, the order read back
#   deploy/ci/cluster-scaleout.sh   2 silos + 2 APIs behind nginx, a drop, a silo added during it
#   deploy/ci/chaos-netns.sh        3 silos + 2 APIs, each in its own network namespace: a drop with kill -9 of a
#                                   silo, then one with a silo hung for 30 s (about 3 minutes; needs root)
# Arguments are passed to `dotnet test` (e.g. --filter ...). FLEAMARKET_SKIP_E2E=1 skips the scripts.
# A failing test project does not stop the others or the scripts; the last line is "N passed, N failed"
# (each end-to-end script counts as one), and the exit status is non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")"

need_packages=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
command -v nginx >/dev/null 2>&1 || need_packages+=(nginx)          # the local cluster's load balancer
[ -x /usr/bin/chromium ] || need_packages+=(chromium)                 # the dashboard's browser test (Playwright)
command -v jq >/dev/null 2>&1 || need_packages+=(jq)                  # the end-to-end scripts read JSON
command -v curl >/dev/null 2>&1 || need_packages+=(curl)
command -v ss >/dev/null 2>&1 || need_packages+=(iproute2)            # free-port checks (ss), network namespaces (ip)
command -v pgrep >/dev/null 2>&1 || need_packages+=(procps)
command -v nft >/dev/null 2>&1 || need_packages+=(nftables)          # the chaos drop's partitions
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "Installing ${need_packages[*]} for the tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Installing nginx or postgresql may try to start their system services; the tests never use those.
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

started=$SECONDS
dotnet build FleaMarket.Orleans.sln -c Release

# Every test project runs even when another fails, and so do the end-to-end scripts; the totals come last.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test FleaMarket.Orleans.sln -c Release --no-build --logger "console;verbosity=normal" --blame-hang-timeout 5m "$@" 2>&1 | tee "$log"
test_status=${PIPESTATUS[0]}
set -e
# Each test assembly ends with a summary: "Total tests: 863" then "     Passed: 863" and, if any, "     Failed: 2".
read -r passed failed < <(awk '/^ +Passed: [0-9]+$/ {p += $2} /^ +Failed: [0-9]+$/ {f += $2} END {print p + 0, f + 0}' "$log")
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test failed without a failing test (a test host crashed or hung): counted as one failure."
  failed=1
fi

if [ "${FLEAMARKET_SKIP_E2E:-0}" != 1 ]; then
  for script in deploy/ci/embedded-smoke.sh deploy/ci/cluster-scaleout.sh deploy/ci/chaos-netns.sh; do
    echo "== end-to-end: $script"
    if "$script"; then
      passed=$((passed + 1))
    else
      echo "== end-to-end FAILED: $script"
      failed=$((failed + 1))
    fi
  done
fi
echo "Finished in $(((SECONDS - started) / 60))m$(((SECONDS - started) % 60))s."
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
