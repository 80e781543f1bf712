// Time to render one dense 15-minute chart (180 candles, 180 liquidation buckets on both
// sides, 60 absorbing trades, a zone and a setup), and the size of its PNG.
//
//   chart_bench [--charts N] [--light] [--price P] [--write FILE.png]
//
// --price moves the whole chart to trade around P (0.00001: a meme coin); --write keeps the
// last chart, to look at.
//
// Then a burst of 25 charts through the daemon's ChartRenderer while the io thread keeps a
// 1 ms tick, as the stream's work would: how long the burst takes to draw, and how late the
// io thread's ticks ever ran (the stream must not wait for pictures).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "teleglas/app/chart_renderer.hpp"
#include "teleglas/charts/chart.hpp"

namespace {

using namespace teleglas;
using namespace teleglas::charts;

// Around BTC's 95,400, every price then multiplied by `scale`.
ChartData dense_chart(double scale) {
  ChartData data;
  data.symbol = "BTCUSDT";
  data.type = SignalType::stop_hunt;
  data.direction = Direction::bullish;
  data.exchange = "Binance";
  data.decided_at = 1'737'990'000'000;  // 2025-01-27 15:00:00 UTC
  const TimeMs start = data.decided_at - data.window_ms;
  const TimeMs flush_at = data.decided_at - 4 * 60'000;
  double price = 95'400;
  unsigned seed = 12345;
  const auto noise = [&seed] {  // deterministic, -1..1
    seed = seed * 1'103'515'245u + 12'345u;
    return static_cast<double>((seed >> 16) & 0x7FFF) / 16'383.5 - 1;
  };
  for (TimeMs t = start; t < data.decided_at; t += data.candle_ms) {
    const double drift = t >= flush_at && t < flush_at + 40'000   ? -45
                         : t >= flush_at + 40'000                ? 6
                                                                 : -0.4;
    const double open = price;
    price += drift + 9 * noise();
    data.candles.push_back({t, open, std::max(open, price) + 6 * std::fabs(noise()),
                            std::min(open, price) - 6 * std::fabs(noise()), price});
    const bool flushing = t >= flush_at && t < flush_at + 40'000;
    data.liquidations.push_back({t, (flushing ? 900'000 : 30'000) * (1.2 + noise()),
                                 30'000 * (1.1 + noise())});
    if (flushing || (t > flush_at && t < flush_at + 60'000)) {
      data.absorbing_trades.push_back({t + 2'000, data.candles.back().low + 10,
                                       200'000 * (1.2 + noise())});
      data.absorbing_trades.push_back({t + 3'500, data.candles.back().low + 25,
                                       60'000 * (1.2 + noise())});
    }
  }
  data.zone_low = 94'880;
  data.zone_high = 95'020;
  data.setup = SetupLevels{.entry = 95'060, .stop = 94'820, .target = 95'540};
  for (Candle& c : data.candles) {
    for (double* p : {&c.open, &c.high, &c.low, &c.close}) *p *= scale;
  }
  for (AbsorbingTrade& t : data.absorbing_trades) t.price *= scale;
  data.zone_low *= scale;
  data.zone_high *= scale;
  for (double* p : {&data.setup->entry, &data.setup->stop, &data.setup->target}) *p *= scale;
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  int charts = 200;
  ChartOptions options;
  const char* write_to = nullptr;
  double price = 95'400;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--charts") == 0 && i + 1 < argc) {
      charts = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--light") == 0) {
      options.theme = Theme::light;
    } else if (std::strcmp(argv[i], "--price") == 0 && i + 1 < argc) {
      price = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
      write_to = argv[++i];
    } else {
      std::fprintf(stderr, "usage: chart_bench [--charts N] [--light] [--price P] [--write FILE.png]\n");
      return 2;
    }
  }
  if (!(price > 0)) {
    std::fprintf(stderr, "chart_bench: --price must be above 0\n");
    return 2;
  }
  const ChartData data = dense_chart(price / 95'400);
  RenderedChart chart = render_chart(data, options);  // warm the font cache
  const auto began = std::chrono::steady_clock::now();
  for (int i = 0; i < charts; ++i) chart = render_chart(data, options);
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
  if (!chart.ok()) {
    std::fprintf(stderr, "chart_bench: %s\n", chart.error.c_str());
    return 1;
  }
  std::printf("charts: %d  ms per chart: %.2f (target <= 20)  PNG: %zu bytes (limit 102400)\n",
              charts, elapsed_ms / charts, chart.png.size());
  if (write_to) {
    std::ofstream(write_to, std::ios::binary) << chart.png;
    std::printf("wrote %s\n", write_to);
  }

  // The burst.
  constexpr int burst = 25;
  boost::asio::io_context io;
  ChartRenderer renderer(io.get_executor(), options);
  const auto shared = std::make_shared<const ChartData>(data);
  int drawn = 0;
  const auto burst_began = std::chrono::steady_clock::now();
  double burst_ms = 0;
  for (int i = 0; i < burst; ++i) {
    renderer.render(shared, [&](RenderedChart) {
      if (++drawn == burst) {
        burst_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             burst_began)
                       .count();
      }
    });
  }
  boost::asio::steady_timer tick(io);
  double worst_late_ms = 0;
  std::function<void()> schedule = [&] {
    const auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
    tick.expires_at(due);
    tick.async_wait([&, due](boost::system::error_code) {
      worst_late_ms = std::max(
          worst_late_ms,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - due).count());
      if (drawn < burst) schedule();
    });
  };
  schedule();
  io.run();
  std::printf("burst of %d charts: drawn in %.0f ms on the renderer thread; the io thread's 1 ms "
              "tick was at most %.2f ms late\n",
              burst, burst_ms, worst_late_ms);
  return elapsed_ms / charts <= 20 && chart.png.size() < 100 * 1024 ? 0 : 1;
}
