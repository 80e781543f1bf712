#include "teleglas/alerts/history_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace teleglas {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

HistoryStats sample() {
  std::vector<Outcome> rows;
  auto add = [&](SignalType type, OutcomeState state, int confidence) {
    Outcome o;
    o.type = type;
    o.state = state;
    o.confidence = confidence;
    o.max_favourable = 0.01;
    rows.push_back(o);
  };
  add(SignalType::stop_hunt, OutcomeState::win, 91);
  add(SignalType::stop_hunt, OutcomeState::win, 88);
  add(SignalType::stop_hunt, OutcomeState::loss, 86);
  add(SignalType::distribution, OutcomeState::open, 72);
  return compute_history_stats(rows);
}

TEST(HistoryStatsJson, HasTheDocumentedShape) {
  const json::object o = json::parse(history_stats_json(sample())).as_object();
  const json::object& by_type = o.at("by_type").as_object();
  EXPECT_EQ(by_type.size(), static_cast<std::size_t>(signal_type_count)) << "every type listed";
  const json::object& hunts = by_type.at("STOP_HUNT").as_object();
  EXPECT_EQ(hunts.at("signals").as_int64(), 3);
  EXPECT_EQ(hunts.at("wins").as_int64(), 2);
  EXPECT_EQ(hunts.at("losses").as_int64(), 1);
  EXPECT_EQ(hunts.at("expired").as_int64(), 0);
  EXPECT_EQ(hunts.at("open").as_int64(), 0);
  EXPECT_NEAR(hunts.at("win_rate").as_double(), 2.0 / 3, 1e-12);
  EXPECT_NEAR(hunts.at("avg_mfe_pct").as_double(), 1.0, 1e-12);
  EXPECT_TRUE(by_type.at("DISTRIBUTION").at("win_rate").is_null()) << "nothing resolved";
  EXPECT_EQ(by_type.at("WHALE_ACCUMULATION").at("signals").as_int64(), 0);
  const json::array& calibration = o.at("calibration").as_array();
  ASSERT_EQ(calibration.size(), 3u);
  EXPECT_EQ(calibration[0].at("bucket").as_string(), "70-79");
  EXPECT_EQ(calibration[1].at("bucket").as_string(), "80-89");
  EXPECT_EQ(calibration[1].at("signals").as_int64(), 2);
  EXPECT_EQ(calibration[1].at("wins").as_int64(), 1);
  EXPECT_EQ(calibration[1].at("losses").as_int64(), 1);
  EXPECT_DOUBLE_EQ(calibration[1].at("win_rate").as_double(), 0.5);
}

TEST(HistoryStatsText, TablesForATerminalAndForTelegram) {
  const std::string text = history_stats_text(sample(), "all history");
  EXPECT_THAT(text, HasSubstr("STOP_HUNT"));
  EXPECT_THAT(text, HasSubstr("67%"));
  EXPECT_THAT(text, HasSubstr("80-89"));
  const std::string html = history_stats_html(sample(), "last 7 days");
  EXPECT_THAT(html, HasSubstr("<pre>"));
  EXPECT_THAT(html, HasSubstr("last 7 days"));
  EXPECT_LE(html.size(), 4096u);
  EXPECT_THAT(history_stats_text(HistoryStats{}, "the last 1 day"),
              HasSubstr("No signals in the last 1 day"));
}

}  // namespace
}  // namespace teleglas
