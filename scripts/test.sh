#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test (unit, e2e,
# slow, and the example site's rule tests).
#   scripts/test.sh                 # Release-like build in build/
#   BUILD_DIR=build-asan SANITIZE=address,undefined WERROR=1 scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build_dir=${BUILD_DIR:-build}
cmake_args=(-DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}")
[ -n "${SANITIZE:-}" ] && cmake_args+=(-DATALAYA_SANITIZE="$SANITIZE")
[ -n "${WERROR:-}" ] && cmake_args+=(-DATALAYA_WERROR=ON)

cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" ${CTEST_ARGS:-}
