#!/usr/bin/env bash
# Draws the chart the README shows, from a scenario written here: a quarter hour of BTCUSDT
# trading near 96,000 on Binance, a flush of $3M of longs down to 95,550, large buyers
# absorbing it. The picture is what `teleglas replay --charts` draws for that recording.
#
#   scripts/readme-chart.sh [BUILD_DIR]      (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
teleglas="${1:-build}/teleglas"
[[ -x "$teleglas" ]] || { echo "readme-chart: $teleglas not found; build first" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# CoinGlass frames, one per line, in time order (2025-01-27 14:45 - 15:00 UTC).
awk 'BEGIN {
  t0 = 1737990000000; start = t0 - 900000; flush = t0 - 60000
  liq = "{\"channel\":\"liquidationOrders\",\"data\":[{\"baseAsset\":\"BTC\",\"exName\":\"Binance\",\"price\":%.1f,\"side\":%d,\"symbol\":\"BTCUSDT\",\"time\":%.0f,\"volUsd\":%d}]}\n"
  trd = "{\"channel\":\"futures_trades@Binance_BTCUSDT@10000\",\"data\":[{\"baseAsset\":\"BTC\",\"exName\":\"Binance\",\"price\":%.1f,\"side\":%d,\"symbol\":\"BTCUSDT\",\"time\":%.0f,\"volUsd\":%d}]}\n"
  for (t = start; t < flush; t += 2000) {
    i = (t - start) / 2000
    p = 96000 + 60 * sin(i / 40) + 25 * sin(i / 7)
    printf trd, p, (i % 3 == 0) ? 1 : 2, t, 12000 + (i % 5) * 4000
    if (i % 10 == 0) printf liq, p - 15, (i % 20 == 0) ? 1 : 2, t + 500, 20000 + (i % 7) * 9000
  }
  # The flush: longs liquidated all the way down, sellers hitting the bids.
  for (k = 0; k < 12; k++) {
    t = flush + k * 1700; p = 95940 - k * 33
    printf liq, p, 1, t, 250000
    printf trd, p + 5, 1, t + 300, 30000
  }
  # Large buyers absorb it; the price comes back.
  for (k = 0; k < 8; k++) {
    t = flush + 21000 + k * 1500; p = 95560 + k * 28
    printf trd, p, 2, t, 60000 + k * 10000
  }
}' > "$work/scenario.jsonl"

"$teleglas" replay "$work/scenario.jsonl" --charts "$work/charts" >/dev/null 2>"$work/replay.err" ||
  { cat "$work/replay.err" >&2; exit 1; }
chart="$(ls "$work"/charts/*_STOP_HUNT_BTCUSDT_LONG.png 2>/dev/null | head -1 || true)"
[[ -n "$chart" ]] || { echo "readme-chart: the scenario gave no stop hunt" >&2; cat "$work/replay.err" >&2; exit 1; }
cp "$chart" scripts/readme-chart.png
echo "scripts/readme-chart.png: $(basename "$chart")"
