#include "teleglas/sim/market_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace teleglas {
namespace {

// ---------------------------------------------------------------------------------------------
// A small scanner for the generator's own output. The sim layer links no JSON library, and the
// generator writes flat objects in a fixed shape, so string inspection is enough — and checks
// the exact bytes a replay would read.

// The raw text of `"key":value` in `object` (string values without their quotes); empty if
// absent.
std::string_view field(std::string_view object, std::string_view key) {
  const std::string pattern = "\"" + std::string(key) + "\":";
  const auto at = object.find(pattern);
  if (at == std::string_view::npos) return {};
  auto value = object.substr(at + pattern.size());
  if (value.starts_with('"')) return value.substr(1, value.find('"', 1) - 1);
  return value.substr(0, value.find_first_of(",}]"));
}

double number(std::string_view text) {
  double value = NAN;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// The flat objects of the array that follows `"data":[` (or any `"name":[`), split on "},{".
std::vector<std::string_view> objects_in(std::string_view text, std::string_view array_name) {
  const std::string opening = "\"" + std::string(array_name) + "\":[";
  std::vector<std::string_view> objects;
  const auto at = text.find(opening);
  if (at == std::string_view::npos) return objects;
  auto rest = text.substr(at + opening.size());
  rest = rest.substr(0, rest.find(']'));
  while (!rest.empty()) {
    const auto split = rest.find("},{");
    objects.push_back(rest.substr(0, split == std::string_view::npos ? rest.size() : split + 1));
    if (split == std::string_view::npos) break;
    rest = rest.substr(split + 2);
  }
  return objects;
}

std::string_view channel_of(std::string_view line) {
  return field(line, "channel");
}

bool is_liquidation_channel(std::string_view channel) {
  return channel == "liquidationOrders" || channel == "liquidation_orders";
}
bool is_trade_channel(std::string_view channel) {
  return channel.starts_with("futures_trades@");
}

struct scanned_event {
  bool liquidation = false;
  int side = 0;  // wire value: 1 sell / long liquidated, 2 buy / short liquidated
  double price = 0;
  double volume_usd = 0;
  TimeMs time = 0;
  std::string symbol;
  std::string exchange;
};

struct generated {
  std::string text;
  std::vector<std::string_view> lines;  // views into text
  std::vector<scanned_event> events;    // liquidations and trades, in line order
  std::vector<PlantedScenario> planted;
};

generated generate(const MarketGeneratorOptions& options) {
  generated g;
  std::ostringstream out;
  g.planted = generate_market(options, out);
  g.text = out.str();
  std::string_view rest = g.text;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    g.lines.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
  for (const auto line : g.lines) {
    const auto channel = channel_of(line);
    const bool liquidation = is_liquidation_channel(channel);
    if (!liquidation && !is_trade_channel(channel)) continue;
    for (const auto object : objects_in(line, "data")) {
      scanned_event e;
      e.liquidation = liquidation;
      e.side = static_cast<int>(number(field(object, "side")));
      e.price = number(field(object, "price"));
      e.volume_usd =
          number(field(object, channel == "liquidation_orders" ? "volume_usd" : "volUsd"));
      e.time = static_cast<TimeMs>(number(field(object, "time")));
      e.symbol = field(object, "symbol");
      e.exchange = field(object, channel == "liquidation_orders" ? "exchange" : "exName");
      g.events.push_back(std::move(e));
    }
  }
  return g;
}

// Generating an hour takes a few tens of milliseconds; most tests read the same one.
const generated& default_recording() {
  static const generated g = generate({});
  return g;
}

std::vector<PlantedScenario> planted_of(const generated& g, std::string_view kind) {
  std::vector<PlantedScenario> found;
  for (const auto& p : g.planted) {
    if (p.kind == kind) found.push_back(p);
  }
  return found;
}

constexpr TimeMs seconds(double s) {
  return seconds_ms(s);
}

// Events of `symbol` with from <= time < to matching `keep`.
template <typename Keep>
std::vector<scanned_event> events_between(const generated& g, std::string_view symbol, TimeMs from,
                                          TimeMs to, Keep keep) {
  std::vector<scanned_event> found;
  for (const auto& e : g.events) {
    if (e.symbol == symbol && e.time >= from && e.time < to && keep(e)) found.push_back(e);
  }
  return found;
}

double total_usd(const std::vector<scanned_event>& events) {
  double total = 0;
  for (const auto& e : events) total += e.volume_usd;
  return total;
}

// ---------------------------------------------------------------------------------------------

TEST(MarketGenerator, SameSeedWritesIdenticalBytes) {
  MarketGeneratorOptions options;
  options.seed = 7;
  options.duration_s = 900;
  const auto first = generate(options);
  const auto second = generate(options);
  EXPECT_EQ(first.text, second.text);
  ASSERT_EQ(first.planted.size(), second.planted.size());
  for (std::size_t i = 0; i < first.planted.size(); ++i) {
    EXPECT_EQ(first.planted[i].kind, second.planted[i].kind);
    EXPECT_EQ(first.planted[i].start, second.planted[i].start);
  }
}

TEST(MarketGenerator, DifferentSeedsWriteDifferentRecordings) {
  MarketGeneratorOptions options;
  options.duration_s = 900;
  options.seed = 1;
  const auto first = generate(options);
  options.seed = 2;
  const auto second = generate(options);
  EXPECT_NE(first.text, second.text);
}

TEST(MarketGenerator, TimesNeverGoBackwards) {
  const auto& g = default_recording();
  TimeMs last = 0;
  std::size_t checked = 0;
  for (const auto line : g.lines) {
    std::vector<TimeMs> times;
    const auto channel = channel_of(line);
    if (channel == "funding_rates" || channel == "open_interest") {
      times.push_back(static_cast<TimeMs>(number(field(line, "time"))));
    } else if (is_liquidation_channel(channel) || is_trade_channel(channel)) {
      for (const auto object : objects_in(line, "data")) {
        times.push_back(static_cast<TimeMs>(number(field(object, "time"))));
      }
    }
    for (const TimeMs t : times) {
      ASSERT_GE(t, last) << line;
      last = t;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10'000u);
}

TEST(MarketGenerator, EveryLineIsPongOrAFrameOfAKnownChannel) {
  const auto& g = default_recording();
  const std::set<std::string_view> symbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  for (const auto line : g.lines) {
    if (line == "pong") continue;
    ASSERT_TRUE(line.starts_with("{\"channel\":\"") && line.ends_with("}")) << line;
    // No string value contains a bracket, so counting them checks the nesting.
    int depth = 0;
    for (const char c : line) {
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ASSERT_GE(depth, 0) << line;
    }
    ASSERT_EQ(depth, 0) << line;
    const auto channel = channel_of(line);
    if (is_trade_channel(channel)) {
      const auto symbol = channel.substr(std::string_view("futures_trades@Binance_").size());
      ASSERT_TRUE(channel.starts_with("futures_trades@Binance_") && symbol.ends_with("@10000"))
          << line;
      EXPECT_TRUE(symbols.contains(symbol.substr(0, symbol.size() - 6))) << line;
    } else {
      EXPECT_TRUE(is_liquidation_channel(channel) || channel == "funding_rates" ||
                  channel == "open_interest")
          << line;
    }
  }
}

TEST(MarketGenerator, TradeFramesCarryOneToFiveTradesOfTheirChannelSymbol) {
  const auto& g = default_recording();
  std::set<std::size_t> sizes;
  for (const auto line : g.lines) {
    const auto channel = channel_of(line);
    if (!is_trade_channel(channel)) continue;
    const auto objects = objects_in(line, "data");
    ASSERT_GE(objects.size(), 1u) << line;
    ASSERT_LE(objects.size(), 5u) << line;
    sizes.insert(objects.size());
    for (const auto object : objects) {
      EXPECT_NE(channel.find("_" + std::string(field(object, "symbol")) + "@"), std::string::npos)
          << line;
    }
  }
  EXPECT_EQ(sizes.size(), 5u) << "every batch size from 1 to 5 should occur";
}

TEST(MarketGenerator, LiquidationsUseBothSpellingsEachWithItsOwnFields) {
  const auto& g = default_recording();
  int camel = 0;
  int snake = 0;
  for (const auto line : g.lines) {
    const auto channel = channel_of(line);
    if (!is_liquidation_channel(channel)) continue;
    const bool is_snake = channel == "liquidation_orders";
    (is_snake ? snake : camel) += 1;
    for (const auto object : objects_in(line, "data")) {
      EXPECT_EQ(field(object, is_snake ? "volume_usd" : "volUsd").empty(), false) << line;
      EXPECT_EQ(field(object, is_snake ? "base_asset" : "baseAsset").empty(), false) << line;
      EXPECT_EQ(field(object, is_snake ? "exchange" : "exName").empty(), false) << line;
      EXPECT_TRUE(field(object, is_snake ? "volUsd" : "volume_usd").empty()) << line;
    }
  }
  EXPECT_GT(camel, 10 * snake / 2) << "the CoinGlass spelling should dominate";
  EXPECT_GT(snake, 0);
}

TEST(MarketGenerator, NumbersArePlainDecimalsOnTheSymbolTick) {
  const auto& g = default_recording();
  const std::map<std::string, std::size_t> price_decimals = {
      {"BTCUSDT", 1}, {"ETHUSDT", 2}, {"SOLUSDT", 2}};
  const auto decimals = [](std::string_view text) {
    const auto dot = text.find('.');
    return dot == std::string_view::npos ? 0 : text.size() - dot - 1;
  };
  for (const auto line : g.lines) {
    const auto channel = channel_of(line);
    if (!is_liquidation_channel(channel) && !is_trade_channel(channel)) continue;
    for (const auto object : objects_in(line, "data")) {
      const auto price = field(object, "price");
      const auto volume = field(object, channel == "liquidation_orders" ? "volume_usd" : "volUsd");
      EXPECT_LE(decimals(price), price_decimals.at(std::string(field(object, "symbol")))) << line;
      EXPECT_LE(decimals(volume), 4u) << line;
      EXPECT_EQ(price.find_first_not_of("0123456789."), std::string_view::npos) << line;
      EXPECT_EQ(volume.find_first_not_of("0123456789."), std::string_view::npos) << line;
    }
  }
}

TEST(MarketGenerator, DefaultOptionsPlantEveryKindAtLeastTwice) {
  const auto& g = default_recording();
  for (const std::string_view kind :
       {"stop_hunt_long", "stop_hunt_short", "cascade_unabsorbed", "accumulation", "distribution",
        "whale_accumulation", "funding_extreme", "oi_divergence"}) {
    EXPECT_GE(planted_of(g, kind).size(), 2u) << kind;
  }
}

TEST(MarketGenerator, EveryKindAppearsWithinTwentyFiveMinutes) {
  MarketGeneratorOptions options;
  options.duration_s = 25 * 60;
  const auto g = generate(options);
  std::set<std::string> kinds;
  for (const auto& p : g.planted) kinds.insert(p.kind);
  EXPECT_EQ(kinds.size(), 8u);
}

TEST(MarketGenerator, ScenariosComeInTimeOrderAtLeastSixMinutesApartPerSymbol) {
  const auto& g = default_recording();
  std::map<std::string, TimeMs> last_start;
  for (std::size_t i = 0; i < g.planted.size(); ++i) {
    const auto& p = g.planted[i];
    if (i > 0) {
      EXPECT_GE(p.start, g.planted[i - 1].start);
    }
    if (const auto last = last_start.find(p.symbol); last != last_start.end()) {
      EXPECT_GE(p.start - last->second, seconds(360)) << p.kind << " on " << p.symbol;
    }
    last_start[p.symbol] = p.start;
  }
  EXPECT_EQ(last_start.size(), 3u) << "scenarios rotate through every symbol";
}

// A stop hunt: >= $2M of `liquidated` liquidations within 30 s of the start, absorbed by
// >= $100K of opposite >= $10K trades within 30 s of the liquidations crossing $2M, and the
// price back beyond the middle of the zone afterwards.
void expect_stop_hunt(std::string_view kind, int liquidated_side) {
  const auto& g = default_recording();
  const int absorbing_side = 3 - liquidated_side;
  const auto hunts = planted_of(g, kind);
  ASSERT_FALSE(hunts.empty());
  for (const auto& hunt : hunts) {
    SCOPED_TRACE(hunt.symbol + " at " + std::to_string(hunt.start));
    const auto liquidations =
        events_between(g, hunt.symbol, hunt.start, hunt.start + seconds(30),
                       [&](const auto& e) { return e.liquidation && e.side == liquidated_side; });
    ASSERT_FALSE(liquidations.empty());
    EXPECT_EQ(liquidations.front().time, hunt.start) << "start is the first liquidation";
    double running = 0;
    TimeMs crossed = -1;
    double zone_low = INFINITY;
    double zone_high = 0;
    for (const auto& e : liquidations) {
      zone_low = std::min(zone_low, e.price);
      zone_high = std::max(zone_high, e.price);
      running += e.volume_usd;
      if (running >= 2e6 && crossed < 0) crossed = e.time;
    }
    ASSERT_GE(crossed, 0) << "only $" << running << " liquidated";
    const auto absorption =
        events_between(g, hunt.symbol, crossed, crossed + seconds(30), [&](const auto& e) {
          return !e.liquidation && e.side == absorbing_side && e.volume_usd >= 10e3;
        });
    EXPECT_GE(total_usd(absorption), 100e3);
    // The price runs through the zone (the last forced orders are the furthest out) ...
    const double first_price = liquidations.front().price;
    const double last_price = liquidations.back().price;
    EXPECT_GT(
        (liquidated_side == 1 ? first_price - last_price : last_price - first_price) / first_price,
        0.003);
    // ... and comes back past its middle once absorbed.
    const auto later =
        events_between(g, hunt.symbol, hunt.start + seconds(110), hunt.start + seconds(120),
                       [](const auto& e) { return !e.liquidation; });
    ASSERT_FALSE(later.empty());
    const double zone_middle = (zone_low + zone_high) / 2;
    EXPECT_TRUE(liquidated_side == 1 ? later.back().price > zone_middle
                                     : later.back().price < zone_middle);
  }
}

TEST(MarketGenerator, StopHuntLongLiquidatesLongsThenBuysAbsorb) {
  expect_stop_hunt("stop_hunt_long", 1);
}

TEST(MarketGenerator, StopHuntShortLiquidatesShortsThenSellsAbsorb) {
  expect_stop_hunt("stop_hunt_short", 2);
}

TEST(MarketGenerator, CascadeLiquidatesSixMillionOfLongsInFortyFiveSeconds) {
  const auto& g = default_recording();
  const auto cascades = planted_of(g, "cascade_unabsorbed");
  ASSERT_FALSE(cascades.empty());
  for (const auto& cascade : cascades) {
    const auto longs = events_between(g, cascade.symbol, cascade.start, cascade.start + seconds(45),
                                      [](const auto& e) { return e.liquidation && e.side == 1; });
    EXPECT_GE(total_usd(longs), 6e6) << cascade.symbol;
    EXPECT_GE(longs.size(), 15u) << cascade.symbol;
    // The price falls steadily: 1–2 % from the first forced sale to the last.
    const double drop = (longs.front().price - longs.back().price) / longs.front().price;
    EXPECT_GT(drop, 0.009) << cascade.symbol;
    EXPECT_LT(drop, 0.025) << cascade.symbol;
  }
}

TEST(MarketGenerator, CascadeIsFollowedByAMinuteWithoutBuying) {
  const auto& g = default_recording();
  const auto cascades = planted_of(g, "cascade_unabsorbed");
  ASSERT_FALSE(cascades.empty());
  for (const auto& cascade : cascades) {
    const auto buys =
        events_between(g, cascade.symbol, cascade.start, cascade.start + seconds(45 + 60),
                       [](const auto& e) { return !e.liquidation && e.side == 2; });
    EXPECT_TRUE(buys.empty()) << buys.size() << " buys on " << cascade.symbol;
    const auto sells = events_between(g, cascade.symbol, cascade.start + seconds(45),
                                      cascade.start + seconds(45 + 60),
                                      [](const auto& e) { return !e.liquidation; });
    EXPECT_FALSE(sells.empty()) << "the market keeps trading, one-sided";
  }
}

// An order-flow run: >= 80 % of the USD on `heavy_side` over 4 minutes, >= 10 trades above
// $10K and >= $3M in total.
void expect_order_flow_run(std::string_view kind, int heavy_side) {
  const auto& g = default_recording();
  const auto runs = planted_of(g, kind);
  ASSERT_FALSE(runs.empty());
  for (const auto& run : runs) {
    const auto trades = events_between(g, run.symbol, run.start, run.start + seconds(240),
                                       [](const auto& e) { return !e.liquidation; });
    double heavy = 0;
    int large = 0;
    for (const auto& e : trades) {
      if (e.side == heavy_side) heavy += e.volume_usd;
      if (e.volume_usd > 10e3) ++large;
    }
    const double total = total_usd(trades);
    EXPECT_GE(heavy / total, 0.8) << run.symbol << " at " << run.start;
    EXPECT_GE(large, 10);
    EXPECT_GE(total, 3e6);
  }
}

TEST(MarketGenerator, AccumulationIsAtLeastEightyPercentBuying) {
  expect_order_flow_run("accumulation", 2);
}

TEST(MarketGenerator, DistributionIsAtLeastEightyPercentSelling) {
  expect_order_flow_run("distribution", 1);
}

TEST(MarketGenerator, WhaleBuysLandInsideATwoTenthsPercentRange) {
  const auto& g = default_recording();
  const auto whales = planted_of(g, "whale_accumulation");
  ASSERT_FALSE(whales.empty());
  for (const auto& whale : whales) {
    const auto trades = events_between(g, whale.symbol, whale.start, whale.start + seconds(240),
                                       [](const auto& e) { return !e.liquidation; });
    int whale_buys = 0;
    double low = INFINITY;
    double high = 0;
    for (const auto& e : trades) {
      if (e.side == 2 && e.volume_usd >= 300e3 && e.volume_usd <= 1e6) ++whale_buys;
      low = std::min(low, e.price);
      high = std::max(high, e.price);
    }
    EXPECT_GE(whale_buys, 4) << whale.symbol;
    EXPECT_LE((high - low) / low, 0.002) << whale.symbol;
  }
}

TEST(MarketGenerator, BackgroundTradesStayBelowWhaleSize) {
  const auto& g = default_recording();
  const auto whales = planted_of(g, "whale_accumulation");
  for (const auto& e : g.events) {
    if (e.liquidation || e.volume_usd < 250e3) continue;
    const bool planted = std::any_of(whales.begin(), whales.end(), [&](const auto& w) {
      return w.symbol == e.symbol && e.time >= w.start && e.time <= w.start + seconds(240);
    });
    EXPECT_TRUE(planted) << e.symbol << " $" << e.volume_usd << " at " << e.time;
  }
}

TEST(MarketGenerator, LiquidationsReachTheStopHuntThresholdOnlyInScenarios) {
  const auto& g = default_recording();
  std::vector<PlantedScenario> forced = planted_of(g, "stop_hunt_long");
  for (const auto kind : {"stop_hunt_short", "cascade_unabsorbed"}) {
    const auto more = planted_of(g, kind);
    forced.insert(forced.end(), more.begin(), more.end());
  }
  for (const auto& e : g.events) {
    if (!e.liquidation) continue;
    const auto window =
        events_between(g, e.symbol, e.time, e.time + seconds(30),
                       [&](const auto& x) { return x.liquidation && x.side == e.side; });
    if (total_usd(window) < 2e6) continue;
    const bool planted = std::any_of(forced.begin(), forced.end(), [&](const auto& p) {
      return p.symbol == e.symbol && e.time >= p.start - seconds(30) &&
             e.time <= p.start + seconds(45);
    });
    ASSERT_TRUE(planted) << e.symbol << " at " << e.time;
  }
}

// The funding rows of `base` in one funding line: (exchange, rate normalised to 8 h).
std::vector<std::pair<std::string, double>> funding_8h(std::string_view line,
                                                       std::string_view base) {
  std::vector<std::pair<std::string, double>> rates;
  const auto at = line.find("{\"symbol\":\"" + std::string(base) + "\"");
  if (at == std::string_view::npos) return rates;
  for (const auto row : objects_in(line.substr(at), "stablecoin_margin_list")) {
    const double interval = number(field(row, "funding_rate_interval"));
    rates.emplace_back(field(row, "exchange"), number(field(row, "funding_rate")) * 8 / interval);
  }
  return rates;
}

std::string base_of(std::string_view symbol) {
  return std::string(symbol.substr(0, symbol.size() - std::string_view("USDT").size()));
}

TEST(MarketGenerator, FundingExtremeHoldsFiveMinutesThenNormalises) {
  const auto& g = default_recording();
  const auto extremes = planted_of(g, "funding_extreme");
  ASSERT_FALSE(extremes.empty());
  for (const auto& extreme : extremes) {
    const auto base = base_of(extreme.symbol);
    int extreme_snapshots = 0;
    bool normal_after = false;
    for (const auto line : g.lines) {
      if (channel_of(line) != "funding_rates") continue;
      const auto time = static_cast<TimeMs>(number(field(line, "time")));
      const auto rates = funding_8h(line, base);
      ASSERT_EQ(rates.size(), 3u) << line;
      const auto extreme_venues = std::count_if(rates.begin(), rates.end(), [](const auto& r) {
        return r.second >= 0.15 && r.second <= 0.3;
      });
      if (time >= extreme.start && time < extreme.start + seconds(300)) {
        EXPECT_GE(extreme_venues, 2) << line;
        ++extreme_snapshots;
      }
      if (time == extreme.start + seconds(300)) {
        normal_after = std::all_of(rates.begin(), rates.end(),
                                   [](const auto& r) { return std::abs(r.second) < 0.05; });
      }
    }
    EXPECT_EQ(extreme_snapshots, 5) << extreme.symbol;
    EXPECT_TRUE(normal_after) << extreme.symbol;
  }
}

TEST(MarketGenerator, FundingOutsideExtremesStaysNearZero) {
  const auto& g = default_recording();
  const auto extremes = planted_of(g, "funding_extreme");
  for (const auto line : g.lines) {
    if (channel_of(line) != "funding_rates") continue;
    const auto time = static_cast<TimeMs>(number(field(line, "time")));
    for (const auto base : {"BTC", "ETH", "SOL"}) {
      const bool planted = std::any_of(extremes.begin(), extremes.end(), [&](const auto& x) {
        return base_of(x.symbol) == base && time >= x.start && time < x.start + seconds(300);
      });
      if (planted) continue;
      for (const auto& [exchange, rate] : funding_8h(line, base)) {
        EXPECT_LT(std::abs(rate), 0.05) << base << " on " << exchange << " at " << time;
      }
    }
  }
}

// The 1 h change and size of each venue in one open-interest line.
struct venue_open_interest {
  double usd = 0;
  double change_1h = 0;
};
std::map<std::string, venue_open_interest> open_interest_of(std::string_view line) {
  std::map<std::string, venue_open_interest> venues;
  for (const auto row : objects_in(line, "data")) {
    venues[std::string(field(row, "exchange"))] = {
        number(field(row, "open_interest_usd")),
        number(field(row, "open_interest_change_percent_1h"))};
  }
  return venues;
}

TEST(MarketGenerator, OiDivergenceShowsBinanceUpFourAndOkxDownThreeForOneSnapshot) {
  const auto& g = default_recording();
  const auto divergences = planted_of(g, "oi_divergence");
  ASSERT_FALSE(divergences.empty());
  for (const auto& divergence : divergences) {
    const auto base = base_of(divergence.symbol);
    int diverging = 0;
    for (const auto line : g.lines) {
      if (channel_of(line) != "open_interest" ||
          line.find("\"symbol\":\"" + base + "\"") == std::string_view::npos) {
        continue;
      }
      const auto venues = open_interest_of(line);
      const bool is_planted = static_cast<TimeMs>(number(field(line, "time"))) == divergence.start;
      const bool is_diverging =
          venues.at("Binance").change_1h >= 4 && venues.at("OKX").change_1h <= -3;
      EXPECT_EQ(is_diverging, is_planted) << line;
      if (is_planted) {
        diverging += 1;
        for (const auto& [exchange, venue] : venues) EXPECT_GE(venue.usd, 1e9) << exchange;
      }
    }
    EXPECT_EQ(diverging, 1);
  }
}

TEST(MarketGenerator, OpenInterestChangesStayWithinOnePercentOutsideDivergences) {
  const auto& g = default_recording();
  const auto divergences = planted_of(g, "oi_divergence");
  for (const auto line : g.lines) {
    if (channel_of(line) != "open_interest") continue;
    const auto time = static_cast<TimeMs>(number(field(line, "time")));
    const auto base = field(objects_in(line, "data").front(), "symbol");
    const bool planted = std::any_of(divergences.begin(), divergences.end(), [&](const auto& d) {
      return base_of(d.symbol) == base && d.start == time;
    });
    if (planted) continue;
    for (const auto& [exchange, venue] : open_interest_of(line)) {
      EXPECT_LE(std::abs(venue.change_1h), 1.0) << line;
    }
  }
}

TEST(MarketGenerator, AnHourFitsInFifteenMegabytes) {
  const auto& g = default_recording();
  EXPECT_LE(g.text.size(), 15u * 1024 * 1024);
  EXPECT_GT(g.text.size(), 1u * 1024 * 1024) << "a few trades a second per symbol";
}

TEST(MarketGenerator, NothingHappensAfterTheDuration) {
  MarketGeneratorOptions options;
  options.duration_s = 1234.5;
  const auto g = generate(options);
  const TimeMs end = options.start_time + seconds(options.duration_s);
  ASSERT_FALSE(g.events.empty());
  for (const auto& e : g.events) {
    EXPECT_GE(e.time, options.start_time);
    EXPECT_LE(e.time, end);
  }
  EXPECT_GT(g.events.back().time, end - seconds(10)) << "the market runs to the end";
  for (const auto& p : g.planted) EXPECT_LE(p.start, end);
}

TEST(MarketGenerator, WithoutSnapshotsThereAreNoSnapshotLinesOrScenarios) {
  MarketGeneratorOptions options;
  options.snapshots = false;
  options.duration_s = 1800;
  const auto g = generate(options);
  for (const auto line : g.lines) {
    EXPECT_NE(channel_of(line), "funding_rates");
    EXPECT_NE(channel_of(line), "open_interest");
  }
  ASSERT_FALSE(g.planted.empty());
  for (const auto& p : g.planted) {
    EXPECT_NE(p.kind, "funding_extreme");
    EXPECT_NE(p.kind, "oi_divergence");
  }
}

TEST(MarketGenerator, AnUnknownSymbolTradesNearOneDollarUnderItsBaseAsset) {
  MarketGeneratorOptions options;
  options.symbols = {"DOGEUSDT"};
  options.duration_s = 600;
  const auto g = generate(options);
  ASSERT_FALSE(g.events.empty());
  for (const auto& e : g.events) {
    EXPECT_EQ(e.symbol, "DOGEUSDT");
    EXPECT_GT(e.price, 0.5);
    EXPECT_LT(e.price, 2.0);
  }
  EXPECT_NE(g.text.find("\"baseAsset\":\"DOGE\""), std::string::npos);
  EXPECT_NE(g.text.find("{\"symbol\":\"DOGE\",\"stablecoin_margin_list\""), std::string::npos);
}

TEST(MarketGenerator, PongsAnswerTheHeartbeat) {
  const auto& g = default_recording();
  EXPECT_GE(std::count(g.lines.begin(), g.lines.end(), "pong"), 3600 / 20 - 1);
}

}  // namespace
}  // namespace teleglas
