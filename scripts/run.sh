#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and serves the default example
# site on 127.0.0.1:8080 with its state (SQLite database, lock) under var/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target atalaya
mkdir -p var
exec build/daemon/atalaya serve --config examples/default/atalaya.yaml --state-dir var "$@"
