#!/usr/bin/env bash
# The no-keys demo: installs dependencies, builds, and runs the whole daemon against stand-ins
# on 127.0.0.1 (real TLS WebSockets) of the sources a newcomer without a CoinGlass key gets —
# the exchanges' own public streams, Bybit and Binance, plus OKX (`teleglas demo`'s default
# sources) — each streaming its share of one generated hour of market at 30x: cascades with
# and without absorption, order-flow runs, whales. Funding and open-interest signals come from
# CoinGlass only: `scripts/demo.sh --sources coinglass` shows them against a simulated
# CoinGlass (WebSocket + REST). The health endpoint runs on a free loopback port. --telegram:
# alerts go through a stand-in Telegram Bot API on 127.0.0.1 too (made-up token, throwaway
# certificate), so the first run shows delivery, pacing and /status end to end and still needs
# no key and stops by itself. The chat prints as Telegram would show it; Ctrl-C stops it early.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DTELEGLAS_TESTS=OFF -DTELEGLAS_BENCH=OFF >/dev/null
cmake --build build-demo -j "$(nproc)" --target teleglas
exec build-demo/teleglas demo --pace "${PACE:-30}" --telegram "$@"
