// Frames for the stand-in CoinGlass of the black-box tests.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace teleglas::testing {

inline constexpr const char* secret_key = "SECRET-cg-key-7f3a9";

inline std::string now_ms_plus(long long offset) {
  using namespace std::chrono;
  return std::to_string(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + offset);
}

// One event on `channel` for `symbol` (base asset = the symbol without USDT).
inline std::string frame(const std::string& channel, const std::string& time, int side, double usd,
                         double price, const std::string& symbol = "BTCUSDT") {
  const std::string base = symbol.substr(0, symbol.size() - 4);
  return R"({"channel":")" + channel + R"(","data":[{"baseAsset":")" + base +
         R"(","exName":"Binance","price":)" + std::to_string(price) + R"(,"side":)" +
         std::to_string(side) + R"(,"symbol":")" + symbol + R"(","time":)" + time +
         R"(,"volUsd":)" + std::to_string(usd) + "}]}";
}

// A quiet market from `from` to `to` (epoch ms): one $100 liquidation on BGUSDT every 5 s. The
// pipeline decides on a window only once it has watched the feed for the window's whole span,
// so a scenario that should fire at once is preceded by this.
inline std::vector<std::string> background_frames(long long from, long long to) {
  std::vector<std::string> frames;
  for (long long t = from; t < to; t += 5'000) {
    frames.push_back(frame("liquidationOrders", std::to_string(t), 1, 100, 1.0, "BGUSDT"));
  }
  return frames;
}

// A stop hunt of longs on `symbol`, stamped around now: $2.7M of long liquidations, then a
// $150K buy absorbing them. Alone it gives exactly one signal. With `warm_up`, 40 s of quiet
// market come first so that the 30 s hunt window has been watched.
inline std::vector<std::string> stop_hunt_frames(const std::string& symbol = "BTCUSDT",
                                                 bool warm_up = true) {
  std::vector<std::string> frames;
  if (warm_up) {
    const long long now = std::stoll(now_ms_plus(0));
    frames = background_frames(now - 40'000, now);
  }
  for (int i = 0; i < 3; ++i) {
    frames.push_back(
        frame("liquidationOrders", now_ms_plus(i * 100), 1, 900'000, 95'900 - i * 100, symbol));
  }
  frames.push_back(frame("futures_trades@Binance_" + symbol + "@10000", now_ms_plus(400), 2,
                         150'000, 95'750, symbol));
  return frames;
}

}  // namespace teleglas::testing
