#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and serves the default example
# site on 127.0.0.1:8080 with its state (SQLite database, lock) under var/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target atalaya
mkdir -p var

cat <<'HELP'

atalaya serves the default site (examples/default/) on http://127.0.0.1:8080
  webhooks:  POST /webhooks/whatsapp   (app secret: demo-app-secret)
  admin:     http://127.0.0.1:9090/metrics, /readyz
Send it a WhatsApp message from another terminal:
  build/daemon/atalaya simulate whatsapp --config examples/default/atalaya.yaml \
      --from 573001112233 --text "hola, mi pedido no llegó"
Stop it with Ctrl-C. Logs follow (one JSON line per event):

HELP
exec build/daemon/atalaya serve --config examples/default/atalaya.yaml "$@"
