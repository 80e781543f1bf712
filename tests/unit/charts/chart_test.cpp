#include "teleglas/charts/chart.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "support/png_image.hpp"

namespace teleglas::charts {
namespace {

using testing::blend;
using testing::line_near;
using testing::near;
using testing::PngImage;

constexpr TimeMs second_ms = 1'000;
constexpr TimeMs minute_ms = 60 * second_ms;
constexpr TimeMs decided_at = 1'737'990'000'000;  // 2025-01-27 15:00:00 UTC
constexpr TimeMs flush_at = decided_at - 5 * minute_ms;
constexpr double flush_usd = 3'200'000;

ChartData chart_of(std::string symbol, Direction direction = Direction::neutral) {
  ChartData data;
  data.symbol = std::move(symbol);
  data.type = SignalType::stop_hunt;
  data.direction = direction;
  data.decided_at = decided_at;
  return data;
}

ChartOptions sized(int width, int height) {
  ChartOptions options;
  options.width = width;
  options.height = height;
  return options;
}

// A stop hunt of longs around `price`: calm above the zone for ten minutes, a flush of longs
// into the zone absorbed by large buys, and a recovery. Every level is a multiple of `price`,
// so one scenario serves BTC and a meme coin alike.
ChartData stop_hunt_around(double price) {
  ChartData data = chart_of("BTCUSDT", Direction::bullish);
  data.exchange = "Binance";
  for (TimeMs t = decided_at - 15 * minute_ms; t < decided_at; t += data.candle_ms) {
    const double phase = static_cast<double>(t - decided_at) / 25'000.0;
    double level = 1.002 + 0.0004 * std::sin(phase);
    if (t >= flush_at) level = 0.9965 + 0.0006 * static_cast<double>(t - flush_at) / (5.0 * minute_ms);
    const double open = price * level;
    const double close = price * (level + 0.0001 * std::cos(phase));
    data.candles.push_back({t, open, std::max(open, close) * 1.0002, std::min(open, close) * 0.9998,
                            close});
  }
  for (TimeMs t = flush_at - 30 * second_ms; t < flush_at + 30 * second_ms; t += 5 * second_ms) {
    data.liquidations.push_back({t, t == flush_at ? flush_usd : 200'000, 0});
  }
  data.liquidations.push_back({decided_at - 12 * minute_ms, 0, 150'000});
  for (int i = 0; i < 5; ++i) {
    data.absorbing_trades.push_back(
        {flush_at + (5 + 4 * i) * second_ms, price * 0.9962, 50'000.0 * (i + 1)});
  }
  data.zone_low = price * 0.9955;
  data.zone_high = price * 0.9975;
  data.setup = SetupLevels{.entry = price * 0.999, .stop = price * 0.994, .target = price * 1.006};
  return data;
}

class ChartOfAStopHunt : public ::testing::TestWithParam<std::tuple<double, Theme>> {
 protected:
  double price() const { return std::get<0>(GetParam()); }
  ChartOptions options() const {
    ChartOptions options;
    options.theme = std::get<1>(GetParam());
    return options;
  }
  Palette colours() const { return palette(std::get<1>(GetParam())); }
};

TEST_P(ChartOfAStopHunt, IsAPngOfTheRequestedSizeUnder100KB) {
  const RenderedChart chart = render_chart(stop_hunt_around(price()), options());
  ASSERT_TRUE(chart.ok()) << chart.error;
  EXPECT_LT(chart.png.size(), 100u * 1024);
  const PngImage image(chart.png);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.width(), 800);
  EXPECT_EQ(image.height(), 450);
}

TEST_P(ChartOfAStopHunt, TintsTheZoneBandAndNothingAboveOrBelowIt) {
  const ChartData data = stop_hunt_around(price());
  const RenderedChart chart = render_chart(data, options());
  const PngImage image(chart.png);
  const ChartLayout& layout = chart.layout;
  // Early on the price trades far above the zone, so the band shows bare there.
  const double x = layout.x_of(decided_at - 13 * minute_ms + 4 * second_ms);
  const Rgb tinted = blend(colours().zone, colours().background, colours().zone_alpha);
  EXPECT_TRUE(near(image.at(x, layout.y_of((data.zone_low + data.zone_high) / 2)), tinted));
  EXPECT_TRUE(near(image.at(x, layout.y_of(data.zone_high) + 4), tinted));
  EXPECT_TRUE(near(image.at(x, layout.y_of(data.zone_low) - 4), tinted));
  for (const double y : {layout.y_of(data.zone_high) - 8, layout.y_of(data.zone_low) + 8}) {
    const Rgb outside = image.at(x, y);
    EXPECT_FALSE(near(outside, tinted)) << "row " << y;
    EXPECT_TRUE(near(outside, colours().background) || near(outside, colours().grid)) << "row " << y;
  }
}

TEST_P(ChartOfAStopHunt, DrawsTheFlushedLongsAsARedBarBelowTheZeroLine) {
  const RenderedChart chart = render_chart(stop_hunt_around(price()), options());
  const PngImage image(chart.png);
  const ChartLayout& layout = chart.layout;
  const double zero = layout.liquidation_zero_y;
  const double bottom = layout.longs_bar_bottom(flush_usd);
  const double x = layout.x_of(flush_at + 2'500);
  EXPECT_GT(bottom, zero + 20);
  EXPECT_TRUE(near(image.at(x, zero + 3), colours().down));
  EXPECT_TRUE(near(image.at(x, bottom - 3), colours().down));
  EXPECT_FALSE(near(image.at(x, bottom + 3), colours().down));
  EXPECT_FALSE(near(image.at(x, zero - 3), colours().up)) << "no shorts were liquidated then";
  // A bucket of a sixteenth of the flush is a sixteenth as tall.
  const double small_x = layout.x_of(flush_at - 10 * second_ms + 2'500);
  EXPECT_TRUE(near(image.at(small_x, zero + 2), colours().down));
  EXPECT_FALSE(near(image.at(small_x, (zero + bottom) / 2), colours().down));
}

TEST_P(ChartOfAStopHunt, DrawsEntryStopAndTargetAtTheRowsOfTheirPrices) {
  const ChartData data = stop_hunt_around(price());
  const RenderedChart chart = render_chart(data, options());
  const PngImage image(chart.png);
  const ChartLayout& layout = chart.layout;
  for (const double x : {layout.price_plot.x + layout.price_plot.width * 0.3,
                         layout.price_plot.x + layout.price_plot.width * 0.6}) {
    EXPECT_TRUE(line_near(image, x, layout.y_of(data.setup->entry), colours().entry));
    EXPECT_TRUE(line_near(image, x, layout.y_of(data.setup->stop), colours().down));
    EXPECT_TRUE(line_near(image, x, layout.y_of(data.setup->target), colours().up));
  }
}

INSTANTIATE_TEST_SUITE_P(BitcoinMemeCoinAndThemes, ChartOfAStopHunt,
                         ::testing::Combine(::testing::Values(95'000.0, 0.00001, 2.5),
                                            ::testing::Values(Theme::dark, Theme::light)));

TEST(Chart, WithoutCandlesStillShowsTheSetup) {
  ChartData data = stop_hunt_around(95'000);
  data.candles.clear();
  data.absorbing_trades.clear();
  const RenderedChart chart = render_chart(data);
  ASSERT_TRUE(chart.ok()) << chart.error;
  const PngImage image(chart.png);
  EXPECT_EQ(image.width(), 800);
  const double x = chart.layout.x_of(decided_at - 7 * minute_ms);
  EXPECT_TRUE(line_near(image, x, chart.layout.y_of(data.setup->stop), palette(Theme::dark).down));
}

TEST(Chart, WithNothingAtAllIsStillAPicture) {
  const RenderedChart chart = render_chart(chart_of("ETHUSDT"));
  ASSERT_TRUE(chart.ok()) << chart.error;
  EXPECT_TRUE(PngImage(chart.png).ok());
  EXPECT_LT(chart.layout.price_range.low, chart.layout.price_range.high);
}

TEST(Chart, AFlatPriceSitsInsideThePlot) {
  ChartData data = chart_of("BTCUSDT");
  for (TimeMs t = decided_at - 15 * minute_ms; t < decided_at; t += data.candle_ms) {
    data.candles.push_back({t, 95'000, 95'000, 95'000, 95'000});
  }
  const RenderedChart chart = render_chart(data);
  ASSERT_TRUE(chart.ok()) << chart.error;
  const ChartLayout& layout = chart.layout;
  const double y = layout.y_of(95'000);
  EXPECT_GT(y, layout.price_plot.y + 10);
  EXPECT_LT(y, layout.price_plot.bottom() - 10);
  const PngImage image(chart.png);
  EXPECT_TRUE(line_near(image, layout.x_of(decided_at - 7 * minute_ms + 2'500), y,
                        palette(Theme::dark).up));
}

TEST(Chart, AxesReachASetupOutsideTheTradedRange) {
  ChartData data = chart_of("SOLUSDT", Direction::bearish);
  for (TimeMs t = decided_at - 15 * minute_ms; t < decided_at; t += data.candle_ms) {
    data.candles.push_back({t, 100, 101, 99, 100.5});
  }
  data.setup = SetupLevels{.entry = 110, .stop = 120, .target = 90};
  const RenderedChart chart = render_chart(data);
  const ChartLayout& layout = chart.layout;
  EXPECT_LT(layout.price_range.low, 90);
  EXPECT_GT(layout.price_range.high, 120);
  const PngImage image(chart.png);
  const double x = layout.price_plot.x + layout.price_plot.width / 2;
  const Palette colours = palette(Theme::dark);
  EXPECT_TRUE(line_near(image, x, layout.y_of(120), colours.down));
  EXPECT_TRUE(line_near(image, x, layout.y_of(110), colours.entry));
  EXPECT_TRUE(line_near(image, x, layout.y_of(90), colours.up));
}

TEST(Chart, WithoutLiquidationsDrawsNoBars) {
  ChartData data = stop_hunt_around(95'000);
  data.liquidations.clear();
  const RenderedChart chart = render_chart(data);
  ASSERT_TRUE(chart.ok()) << chart.error;
  EXPECT_EQ(chart.layout.liquidation_scale_usd, 0);
  const PngImage image(chart.png);
  const Palette colours = palette(Theme::dark);
  const Rect& panel = chart.layout.liquidation_plot;
  const double x = chart.layout.x_of(flush_at + 2'500);
  for (double y = panel.y; y < panel.bottom(); y += 1) {
    EXPECT_FALSE(near(image.at(x, y), colours.down) || near(image.at(x, y), colours.up)) << y;
  }
}

TEST(Chart, RefusesASizeNoOneCouldRead) {
  const RenderedChart chart = render_chart(stop_hunt_around(95'000), sized(10, 10));
  EXPECT_FALSE(chart.ok());
  EXPECT_TRUE(chart.png.empty());
}

TEST(Chart, RendersTheSameOnSeveralThreadsAtOnce) {
  const ChartData data = stop_hunt_around(95'000);
  const std::string expected = render_chart(data).png;
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::string& result : results) {
    threads.emplace_back([&data, &result] { result = render_chart(data).png; });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& result : results) EXPECT_EQ(result, expected);
}

}  // namespace
}  // namespace teleglas::charts
