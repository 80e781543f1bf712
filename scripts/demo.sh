#!/usr/bin/env bash
# The no-keys demo: installs dependencies, builds, generates one hour of a synthetic market
# (cascades with and without absorption, order-flow runs, whales, a funding extreme) and
# replays it through the real pipeline, printing the alerts it would send.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTELEGLAS_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target teleglas
mkdir -p data
build/teleglas generate --seed "${SEED:-7}" --duration "${DURATION:-3600}" --out data/demo-market.jsonl
build/teleglas replay data/demo-market.jsonl --config config/teleglas.yaml "$@"
