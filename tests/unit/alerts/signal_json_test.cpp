#include "teleglas/alerts/signal_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <string>
#include <vector>

#include "sample_signals.hpp"

namespace teleglas {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

json::object parse_object(const Signal& signal) {
  return json::parse(signal_to_json(signal)).as_object();
}

std::vector<std::string> keys_of(const json::object& object) {
  std::vector<std::string> keys;
  for (const auto& member : object) keys.emplace_back(member.key());
  return keys;
}

TEST(SignalJson, ParsesBackWithEveryField) {
  const json::object o = parse_object(samples::stop_hunt_long());
  EXPECT_EQ(o.at("type").as_string(), "STOP_HUNT");
  EXPECT_EQ(o.at("symbol").as_string(), "BTCUSDT");
  EXPECT_EQ(o.at("exchange").as_string(), "Binance");
  EXPECT_EQ(o.at("direction").as_string(), "LONG");
  EXPECT_EQ(o.at("confidence").as_int64(), 95);
  EXPECT_EQ(o.at("priority").as_string(), "URGENT");
  EXPECT_EQ(o.at("time").as_int64(), 1725416318379);
  EXPECT_EQ(o.at("window_start").as_int64(), 1725416276000);
  EXPECT_EQ(o.at("entry").as_double(), 95850.0);
  EXPECT_EQ(o.at("stop").as_double(), 95650.0);
  EXPECT_EQ(o.at("target").as_double(), 96250.0);
  EXPECT_EQ(o.at("zone_low").as_double(), 95700.0);
  EXPECT_EQ(o.at("zone_high").as_double(), 95912.5);
  EXPECT_EQ(o.at("volume_usd").as_double(), 2404000.0);
  EXPECT_EQ(o.at("dominant_share").as_double(), 0.76);
  EXPECT_EQ(o.at("absorption_usd").as_double(), 452000.0);
  EXPECT_EQ(o.at("metrics").at("absorption_delay_s").as_double(), 4.2);
  EXPECT_EQ(o.at("factors").at("absorption").as_int64(), 25);
  EXPECT_EQ(o.at("factor_details").at("volume").as_string(), "$2.40M > $2M");
}

TEST(SignalJson, KeysComeInTheDocumentedOrder) {
  EXPECT_THAT(
      keys_of(parse_object(samples::stop_hunt_long())),
      ElementsAre("type", "symbol", "exchange", "direction", "confidence", "priority", "time",
                  "window_start", "entry", "stop", "target", "zone_low", "zone_high", "volume_usd",
                  "dominant_share", "absorption_usd", "venues", "metrics", "factors",
                  "factor_details"));
}

TEST(SignalJson, VenuesListTheVolumeByVenueLargestFirst) {
  EXPECT_THAT(signal_to_json(samples::stop_hunt_long()),
              HasSubstr(R"("venues":{"Binance":1490480.0,"OKX":601000.0,"Bybit":312520.0})"));
}

TEST(SignalJson, ADirectionalSignalWithoutSetupSaysWhy) {
  Signal s = samples::stop_hunt_long();
  s.setup.reset();
  s.setup_missing = "no Binance price in the last 30 s";
  const json::object o = parse_object(s);
  EXPECT_FALSE(o.contains("entry"));
  EXPECT_EQ(o.at("setup_missing").as_string(), "no Binance price in the last 30 s");
}

TEST(SignalJson, SetupFieldsArePresentOnlyWithASetup) {
  const json::object o = parse_object(samples::oi_divergence());
  EXPECT_FALSE(o.contains("entry"));
  EXPECT_FALSE(o.contains("stop"));
  EXPECT_FALSE(o.contains("target"));
  EXPECT_TRUE(o.contains("zone_low"));
}

TEST(SignalJson, PricesReadAsTheAlertShowsThem) {
  EXPECT_THAT(signal_to_json(samples::stop_hunt_long()),
              HasSubstr(R"("entry":95850.0,"stop":95650.0,"target":96250.0,)"));
}

TEST(SignalJson, RepeatedFactorNamesAreAllKeptWithASuffix) {
  Signal s = samples::stop_hunt_long();
  s.factors = {{"confirmation", 10, "accumulation"},
               {"confirmation#2", 1, "already taken"},
               {"confirmation", 5, "funding"}};
  const json::object o = parse_object(s);
  EXPECT_THAT(keys_of(o.at("factors").as_object()),
              ElementsAre("confirmation", "confirmation#2", "confirmation#3"));
  EXPECT_EQ(o.at("factors").at("confirmation#3").as_int64(), 5);
  EXPECT_EQ(o.at("factor_details").at("confirmation#3").as_string(), "funding");
}

TEST(SignalJson, RepeatedMetricNamesAreAllKeptWithASuffix) {
  Signal s = samples::stop_hunt_long();
  s.metrics = {{"liquidations", 3}, {"liquidations", 4}};
  const json::object o = parse_object(s);
  EXPECT_EQ(o.at("metrics").at("liquidations#2").as_double(), 4.0);
}

TEST(SignalJson, FactorDetailsListOnlyFactorsThatHaveOne) {
  const json::object o = parse_object(samples::stop_hunt_long());
  EXPECT_TRUE(o.at("factors").as_object().contains("base"));
  EXPECT_FALSE(o.at("factor_details").as_object().contains("base"));
}

TEST(SignalJson, DoublesRoundTripExactly) {
  Signal s = samples::stop_hunt_long();
  const std::vector<double> values = {0.1 + 0.2, 1e-7, 123456789.123, 1e21, -0.0001, 5e-324};
  s.metrics.clear();
  for (std::size_t i = 0; i < values.size(); ++i) {
    s.metrics.push_back({"v" + std::to_string(i), values[i]});
  }
  const json::object metrics = parse_object(s).at("metrics").as_object();
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(metrics.at("v" + std::to_string(i)).as_double(), values[i]) << i;
  }
}

TEST(SignalJson, NonFiniteNumbersBecomeNull) {
  Signal s = samples::stop_hunt_long();
  s.volume_usd = std::numeric_limits<double>::quiet_NaN();
  s.metrics = {{"ratio", std::numeric_limits<double>::infinity()}};
  const json::object o = parse_object(s);
  EXPECT_TRUE(o.at("volume_usd").is_null());
  EXPECT_TRUE(o.at("metrics").at("ratio").is_null());
}

TEST(SignalJson, StringsAreEscaped) {
  Signal s = samples::stop_hunt_long();
  s.symbol = "a\"b\\c\n\x01<";
  s.factors = {{"we\"ird", 1, "tab\there"}};
  const json::object o = parse_object(s);
  EXPECT_EQ(o.at("symbol").as_string(), "a\"b\\c\n\x01<");
  EXPECT_EQ(o.at("factor_details").at("we\"ird").as_string(), "tab\there");
}

TEST(SignalJson, IsOneLineWithoutTrailingNewline) {
  Signal s = samples::stop_hunt_long();
  s.symbol = "multi\nline";
  EXPECT_THAT(signal_to_json(s), Not(HasSubstr("\n")));
}

TEST(SignalJson, SameSignalSameBytes) {
  EXPECT_EQ(signal_to_json(samples::funding_extreme()), signal_to_json(samples::funding_extreme()));
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST(SignalJson, TrackRecordOfTheTypeWhenThePipelineKnowsIt) {
  Signal s = samples::stop_hunt_long();
  EXPECT_FALSE(parse_object(s).contains("track_record"));
  s.track_record = TrackRecord{12, 5, 2, 7};
  const json::object o = parse_object(s);
  const json::object& r = o.at("track_record").as_object();
  EXPECT_EQ(r.at("wins").as_int64(), 12);
  EXPECT_EQ(r.at("losses").as_int64(), 5);
  EXPECT_EQ(r.at("expired").as_int64(), 2);
  EXPECT_EQ(r.at("lookback_days").as_double(), 7.0);
}

}  // namespace
}  // namespace teleglas
