#!/usr/bin/env bash
# Builds and runs bench/ingest against the default example site's config.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target bench_ingest atalaya bench_bare_server
exec build/bench/ingest/bench_ingest --atalaya build/daemon/atalaya \
  --bare build/bench/ingest/bench_bare_server --config examples/default/atalaya.yaml \
  --app-secret-file examples/default/secrets/whatsapp-app-secret "$@"
