// Input that cannot poison the state: outlier times, absurd values, floods of symbols.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tape.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;

std::string liquidation_frame(TimeMs t, int side, const std::string& usd, double price,
                              const std::string& symbol = "BTCUSDT") {
  return R"({"channel":"liquidationOrders","data":[{"baseAsset":"BTC","exName":"Binance","price":)" +
         std::to_string(price) + R"(,"side":)" + std::to_string(side) + R"(,"symbol":")" + symbol +
         R"(","time":)" + std::to_string(t) + R"(,"volUsd":)" + usd + "}]}";
}
std::string trade_frame(TimeMs t, int side, double usd, double price) {
  return R"({"channel":"futures_trades@Binance_BTCUSDT@10000","data":[{"baseAsset":"BTC","exName":"Binance","price":)" +
         std::to_string(price) + R"(,"side":)" + std::to_string(side) +
         R"(,"symbol":"BTCUSDT","time":)" + std::to_string(t) + R"(,"volUsd":)" +
         std::to_string(usd) + "}]}";
}

// A recording's frames through the real parser and the pipeline, as replay runs them.
struct FrameRun {
  explicit FrameRun(const Config& config = Config{})
      : config(config), parser(parser_options(this->config)), pipeline(this->config) {}
  void feed(const std::vector<std::string>& frames) {
    for (const std::string& f : frames) pipeline.on_frame(parser.parse(f), signals);
  }
  Config config;
  FrameParser parser;
  Pipeline pipeline;
  std::vector<Signal> signals;
};

// Ten minutes of quiet market, then a clear stop hunt of longs at t0 + 600 s.
std::vector<std::string> market_with_hunt(TimeMs start = t0) {
  std::vector<std::string> frames;
  for (TimeMs t = start; t < start + 600'000; t += 5'000) {
    frames.push_back(liquidation_frame(t, 1, "100", 1.0, "BGUSDT"));
  }
  for (int i = 0; i < 3; ++i) {
    frames.push_back(liquidation_frame(start + 600'000 + i * 2'000, 1, "900000", 95'900 - i * 100));
  }
  frames.push_back(trade_frame(start + 606'000, 2, 150'000, 95'750));
  frames.push_back(liquidation_frame(start + 700'000, 1, "100", 1.0, "BGUSDT"));
  return frames;
}

std::vector<std::string> with_line_at(std::vector<std::string> frames, std::size_t at,
                                      const std::string& line) {
  frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(at), line);
  return frames;
}

TEST(Input, OneEventStampedInTheFutureIsRejectedAndChangesNothing) {
  FrameRun clean, poisoned;
  clean.feed(market_with_hunt());
  // 2096-02-01, mid-stream: it must neither move the market clock nor expire any window.
  poisoned.feed(with_line_at(market_with_hunt(), 60,
                             liquidation_frame(3'979'500'000'000, 1, "5000", 95'000)));
  ASSERT_EQ(clean.signals.size(), 1u);
  ASSERT_EQ(poisoned.signals.size(), 1u);
  EXPECT_EQ(poisoned.signals[0].time, clean.signals[0].time);
  EXPECT_EQ(poisoned.signals[0].confidence, clean.signals[0].confidence);
  EXPECT_EQ(poisoned.pipeline.now(), clean.pipeline.now());
  EXPECT_EQ(
      poisoned.pipeline.stats().rejected_by_reason[static_cast<int>(EventRejection::clock_outlier)],
      1u);
}

TEST(Input, AnEventAnHourAheadRightBeforeTheHuntChangesNothing) {
  FrameRun poisoned;
  poisoned.feed(with_line_at(market_with_hunt(), 120,
                             liquidation_frame(t0 + 600'000 + 3'600'000, 1, "5000", 95'000)));
  ASSERT_EQ(of_type(poisoned.signals, SignalType::stop_hunt).size(), 1u);
  EXPECT_EQ(poisoned.pipeline.stats().rejected(), 1u);
}

TEST(Input, EventsFrom1970OrInMicrosecondsAreRejectedAtTheEdge) {
  FrameRun run;
  auto frames =
      with_line_at(market_with_hunt(), 10, liquidation_frame(86'400'000, 1, "5000", 95'000));
  frames = with_line_at(frames, 20, liquidation_frame(t0 * 1000, 1, "5000", 95'000));
  run.feed(frames);
  EXPECT_EQ(run.parser.stats().rejected_by_reason[static_cast<int>(RejectReason::bad_time)], 2u);
  EXPECT_EQ(of_type(run.signals, SignalType::stop_hunt).size(), 1u);
}

TEST(Input, AGenuineGapOfDaysBetweenCapturesStillReplays) {
  FrameRun run;
  auto frames = market_with_hunt();
  const auto later = market_with_hunt(t0 + 3 * 86'400'000LL);
  frames.insert(frames.end(), later.begin(), later.end());
  run.feed(frames);
  EXPECT_EQ(of_type(run.signals, SignalType::stop_hunt).size(), 2u);
  EXPECT_EQ(run.pipeline.stats().rejected(), 0u);
}

TEST(Input, AbsurdVolumesAreRejectedAndTheClearStopHuntStillFires) {
  FrameRun run;
  auto frames =
      with_line_at(market_with_hunt(), 121, liquidation_frame(t0 + 601'000, 2, "1e300", 95'850));
  frames = with_line_at(frames, 122, liquidation_frame(t0 + 601'500, 2, "1e15", 95'850));
  run.feed(frames);
  EXPECT_EQ(run.parser.stats().rejected_by_reason[static_cast<int>(RejectReason::volume_too_high)],
            2u);
  const auto hunts = of_type(run.signals, SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  EXPECT_DOUBLE_EQ(hunts[0].volume_usd, 2'700'000);
  EXPECT_DOUBLE_EQ(hunts[0].dominant_share, 1.0) << "the absurd short liquidations count nowhere";
}

TEST(Input, AStaleEventIsRejectedAndCounted) {
  FrameRun run;
  run.feed(with_line_at(market_with_hunt(), 100, liquidation_frame(t0, 1, "2500000", 95'000)));
  EXPECT_EQ(run.pipeline.stats().rejected_by_reason[static_cast<int>(EventRejection::stale_time)],
            1u);
  EXPECT_EQ(of_type(run.signals, SignalType::stop_hunt).size(), 1u);
}

std::size_t resident_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6));
  }
  return 0;
}

TEST(Input, TwoHundredThousandDistinctSymbolsKeepMemoryBoundedAndBtcAnalysed) {
  Config config;
  config.ingest.max_symbols = 2'000;
  Pipeline pipeline(config);
  std::vector<Signal> out;
  const std::size_t before_kb = resident_kb();
  // BTC trades every second throughout; 200k names of junk, one every 10 ms (2,000 s).
  TimeMs t = t0;
  std::string name;
  for (int i = 0; i < 200'000; ++i, t += 10) {
    name = "JUNK" + std::to_string(i) + "USDT";
    pipeline.on_event(
        MarketEvent{EventKind::liquidation, Side::sell, 1.0, 100, t, 0, name, "Binance", "J"}, out);
    if (i % 100 == 0) {
      pipeline.on_event(MarketEvent{EventKind::trade, Side::buy, 95'000, 20'000, t, 0, "BTCUSDT",
                                    "Binance", "BTC"},
                        out);
    }
  }
  // The flood goes on; BTC is hunted in the middle of it and must still be seen.
  for (int i = 0; i < 3; ++i) {
    pipeline.on_event(MarketEvent{EventKind::liquidation, Side::sell, 95'000, 900'000,
                                  t + i * 1'000, 0, "BTCUSDT", "Binance", "BTC"},
                      out);
    name = "LATE" + std::to_string(i) + "USDT";
    pipeline.on_event(MarketEvent{EventKind::liquidation, Side::sell, 1.0, 100, t + i * 1'000, 0,
                                  name, "Binance", "J"},
                      out);
  }
  pipeline.on_event(MarketEvent{EventKind::trade, Side::buy, 94'990, 200'000, t + 3'000, 0,
                                "BTCUSDT", "Binance", "BTC"},
                    out);
  const PipelineStats& stats = pipeline.stats();
  EXPECT_LE(stats.peak_symbols, 2'000u);
  // At the cap a new name is refused while every tracked symbol has a recent window; once the
  // oldest have been idle longer than the longest window, they make room.
  EXPECT_GT(stats.symbols_evicted, 0u);
  EXPECT_EQ(stats.rejected_by_reason[static_cast<int>(EventRejection::symbol_cap)] +
                stats.symbols_evicted + stats.symbols,
            200'000u + 3 + 1);
  EXPECT_EQ(of_type(out, SignalType::stop_hunt).size(), 1u)
      << "BTC stays analysed through the flood";
  EXPECT_LT(resident_kb() - before_kb, 64u * 1024)
      << "the flood is bounded, not 200k symbols' worth";
}

}  // namespace
}  // namespace teleglas
