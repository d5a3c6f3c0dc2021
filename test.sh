#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need when it is missing (Debian packages;
# run as root), then builds and tests in Release. Integration tests start their own throwaway
# PostgreSQL and redis-server instances on loopback ports; nothing is skipped for a missing engine.
# After the xunit tests, two end-to-end scripts run the real processes:
#   deploy/ci/embedded-smoke.sh     the README run command, an order, a restart, the order read back
#   deploy/ci/cluster-scaleout.sh   2 silos + 2 APIs behind nginx, a drop, a silo added during it
# Arguments are passed to `dotnet test` (e.g. --filter ...). FLEAMARKET_SKIP_E2E=1 skips the two scripts.
set -euo pipefail
cd "$(dirname "$0")"

need_packages=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
command -v nginx >/dev/null 2>&1 || need_packages+=(nginx)          # the local cluster's load balancer
[ -x /usr/bin/chromium ] || need_packages+=(chromium)                 # the dashboard's browser test (Playwright)
command -v jq >/dev/null 2>&1 || need_packages+=(jq)                  # the end-to-end scripts read JSON
command -v curl >/dev/null 2>&1 || need_packages+=(curl)
command -v ss >/dev/null 2>&1 || need_packages+=(iproute2)            # free-port checks
command -v pgrep >/dev/null 2>&1 || need_packages+=(procps)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "Installing ${need_packages[*]} for the tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Installing nginx or postgresql may try to start their system services; the tests never use those.
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

started=$SECONDS
dotnet build FleaMarket.Orleans.sln -c Release
dotnet test FleaMarket.Orleans.sln -c Release --no-build --logger "console;verbosity=normal" --blame-hang-timeout 5m "$@"

if [ "${FLEAMARKET_SKIP_E2E:-0}" != 1 ]; then
  echo "== end-to-end: embedded default (deploy/ci/embedded-smoke.sh)"
  deploy/ci/embedded-smoke.sh
  echo "== end-to-end: scale-out under load (deploy/ci/cluster-scaleout.sh)"
  deploy/ci/cluster-scaleout.sh
fi
echo "All tests passed in $(((SECONDS - started) / 60))m$(((SECONDS - started) % 60))s."
