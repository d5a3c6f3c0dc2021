#!/usr/bin/env bash
# Runs every test of the solution. Installs what the tests need when it is missing (Debian packages;
# run as root), then builds and tests in Release. Integration tests start their own throwaway
# PostgreSQL and redis-server instances on loopback ports; nothing is skipped for a missing engine.
set -euo pipefail
cd "$(dirname "$0")"

need_packages=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "Installing ${need_packages[*]} for the integration tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

dotnet build FleaMarket.Orleans.sln -c Release
dotnet test FleaMarket.Orleans.sln -c Release --no-build --logger "console;verbosity=normal" --blame-hang-timeout 5m "$@"
