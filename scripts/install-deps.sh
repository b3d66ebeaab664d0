#!/usr/bin/env bash
# Installs the Debian 12 packages atalaya builds and tests with. Idempotent: when every package
# is already installed it touches neither apt's lists nor the network, so a re-run is fast and
# works offline.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libcpp-httplib-dev libssl-dev nlohmann-json3-dev libre2-dev
  libsqlitecpp-dev libsqlite3-dev libyaml-cpp-dev libsystemd-dev
  libgtest-dev libgmock-dev
  wrk python3 curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
