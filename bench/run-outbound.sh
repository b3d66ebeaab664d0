#!/usr/bin/env bash
# Builds and runs bench/outbound: the real sender and SQLite store against the fake Graph
# server on 127.0.0.1. Extra flags pass through (e.g. --messages 5000 --seconds 20).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target bench_outbound
exec build/bench/outbound/bench_outbound "$@"
