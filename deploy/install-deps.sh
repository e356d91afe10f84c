#!/usr/bin/env bash
# Installs the Debian 12 packages Signet builds with and tests against.
# Run as root. Safe to run again: apt-get skips what is already there.
set -euo pipefail

packages=(
  # Build
  build-essential cmake ninja-build pkg-config ccache git
  libgit2-dev libyaml-cpp-dev libldns-dev libssl-dev libuv1-dev
  libspdlog-dev libfmt-dev libsqlite3-dev libcli11-dev nlohmann-json3-dev
  libcpp-httplib-dev libjemalloc-dev catch2
  # Validators and peers used by tests and benchmarks
  ldnsutils bind9 bind9-utils bind9-dnsutils knot knot-dnsutils
  knot-dnssecutils nsd
  pdns-server pdns-backend-sqlite3 sqlite3 softhsm2 python3
  # Secrets for the quick start; /usr/bin/time for the benchmarks
  openssl time
)

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
