#!/usr/bin/env bash
# The no-keys demo: installs dependencies, builds, and runs the whole daemon against a
# simulated CoinGlass on 127.0.0.1 (real TLS WebSocket + REST) serving one generated hour of
# market at 30x — cascades with and without absorption, order-flow runs, whales, a funding
# extreme. Alerts print as Telegram would show them; Ctrl-C stops it early.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DTELEGLAS_TESTS=OFF -DTELEGLAS_BENCH=OFF >/dev/null
cmake --build build-demo -j "$(nproc)" --target teleglas
exec build-demo/teleglas demo --pace "${PACE:-30}" "$@"
