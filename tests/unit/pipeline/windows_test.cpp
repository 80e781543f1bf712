// Windows cover exactly their time span, at any event rate and whatever the ring capacities.
#include <gtest/gtest.h>

#include "tape.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;  // a minute boundary

// Ten trades a second for ten minutes. The five minutes before t0 + 600 s hold 250 s of buys
// then 50 s of sells (the last 500 trades): the window's buy ratio is 250/300, while the last
// 500 trades alone would read 0 and call DISTRIBUTION.
Tape dense_tape() {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 700'000);
  for (TimeMs t = t0; t < t0 + 600'000; t += 100) {
    const bool buy = t >= t0 + 300'000 && t < t0 + 550'000;
    tape.trade(t, buy ? Side::buy : Side::sell, 20'000, 95'000);
  }
  return tape;
}

TEST(Windows, TenTradesASecondForTenMinutesGiveTheExactFiveMinuteBuyRatio) {
  Config config;
  const auto signals = dense_tape().run(config, t0 + 600'000);
  std::vector<Signal> at_ten_minutes;
  for (const Signal& s : signals) {
    if (s.time == t0 + 600'000 && s.symbol == "BTCUSDT") at_ten_minutes.push_back(s);
  }
  ASSERT_EQ(at_ten_minutes.size(), 1u);
  const Signal& s = at_ten_minutes[0];
  EXPECT_EQ(s.type, SignalType::accumulation);
  EXPECT_DOUBLE_EQ(metric_value(s, "buy_ratio"), 250.0 / 300.0);
  EXPECT_EQ(metric_value(s, "trades"), 3'000) << "every trade of the five minutes, not the ring";
  EXPECT_DOUBLE_EQ(metric_value(s, "buy_usd"), 2'500 * 20'000.0);
  EXPECT_EQ(s.window_start, t0 + 300'000);
}

TEST(Windows, RingCapacitiesNeverChangeADecision) {
  const Tape tape = dense_tape();
  Config small, large;
  small.buffers = {10, 10};
  large.buffers = {1'000'000, 1'000'000};
  const auto a = tape.run(small, t0 + 700'000);
  const auto b = tape.run(Config{}, t0 + 700'000);
  const auto c = tape.run(large, t0 + 700'000);
  ASSERT_FALSE(b.empty());
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(c.size(), b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(a[i].time, b[i].time);
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].confidence, b[i].confidence);
    EXPECT_EQ(c[i].metrics.front().value, b[i].metrics.front().value);
  }
}

TEST(Windows, AFlushOfTwoThousandLiquidationsInThirtySecondsIsSummedWhole) {
  // 2,000 liquidations of $1,500 = $3M: more than the 1,000-event ring holds.
  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  for (int i = 0; i < 2'000; ++i)
    tape.liquidation(t0 + i * 10, Side::sell, 1'500, 95'000 - i * 0.1);
  tape.trade(t0 + 21'000, Side::buy, 150'000, 94'900);
  Config config;
  const auto hunts = of_type(tape.run(config, t0 + 60'000), SignalType::stop_hunt);
  ASSERT_EQ(hunts.size(), 1u);
  EXPECT_DOUBLE_EQ(hunts[0].volume_usd, 3'000'000);
  EXPECT_EQ(metric_value(hunts[0], "liquidations"), 2'000);
}

TEST(Windows, TheStopHuntWindowIsThirtySecondsNotMore) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 120'000);
  tape.liquidation(t0, Side::sell, 1'100'000, 95'000);
  tape.liquidation(t0 + 31'000, Side::sell, 1'000'000, 94'900);  // the first has left
  tape.trade(t0 + 32'000, Side::buy, 200'000, 94'950);
  Config config;
  EXPECT_TRUE(of_type(tape.run(config, t0 + 120'000), SignalType::stop_hunt).empty());
}

}  // namespace
}  // namespace teleglas
