#include "teleglas/app/preview.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "support/temp_dir.hpp"

namespace teleglas {
namespace {

using testing::TempDir;
namespace json = boost::json;

constexpr TimeMs t0 = 1'725'416'400'000;
constexpr TimeMs end_of_tape = t0 + 1'200'000;

std::string frame(const char* channel_suffix, TimeMs t, int side, double usd, double price,
                  const std::string& symbol) {
  std::ostringstream s;
  s.precision(17);
  const std::string channel = channel_suffix[0] == '\0'
                                  ? std::string("liquidationOrders")
                                  : "futures_trades@Binance_" + symbol + "@10000";
  s << R"({"channel":")" << channel << R"(","data":[{"baseAsset":"X","exName":"Binance","price":)"
    << price << R"(,"side":)" << side << R"(,"symbol":")" << symbol << R"(","time":)" << t
    << R"(,"volUsd":)" << usd << "}]}";
  return s.str();
}
std::string liquidation(TimeMs t, int side, double usd, double price, const std::string& symbol) {
  return frame("", t, side, usd, price, symbol);
}
std::string trade(TimeMs t, int side, double usd, double price, const std::string& symbol) {
  return frame("trade", t, side, usd, price, symbol);
}

using Tape = std::multimap<TimeMs, std::string>;  // lines by time: a recording in order

// Stop hunts of longs: three liquidations of `each` USD within 2 s, then a 150k buy absorbs.
void hunt(Tape& tape, const std::string& symbol, TimeMs at, double each) {
  for (int i = 0; i < 3; ++i)
    tape.emplace(at + i * 1'000, liquidation(at + i * 1'000, 1, each, 100, symbol));
  tape.emplace(at + 4'000, trade(at + 4'000, 2, 150'000, 100, symbol));
}

// A big hunt on AAA (2.7M), a smaller one on BBB (2.1M) just after, and a late big one on CCC.
// BGUSDT's tiny liquidations keep the feed watched from a minute before until the end.
Tape hunts() {
  Tape tape;
  for (TimeMs t = t0 - 60'000; t < end_of_tape; t += 5'000) {
    tape.emplace(t, liquidation(t, 1, 100, 1.0, "BGUSDT"));
  }
  hunt(tape, "AAAUSDT", t0, 900'000);
  hunt(tape, "BBBUSDT", t0 + 20'000, 700'000);
  hunt(tape, "CCCUSDT", t0 + 1'100'000, 900'000);
  return tape;
}

std::string write_tape(const TempDir& dir, const std::string& name, const Tape& tape) {
  const std::string path = dir.file(name);
  std::ofstream out(path, std::ios::binary);
  for (const auto& [t, line] : tape) out << line << "\n";
  return path;
}

std::vector<const Signal*> hunts_in(const std::vector<Signal>& signals) {
  std::vector<const Signal*> out;
  for (const Signal& s : signals) {
    if (s.type == SignalType::stop_hunt) out.push_back(&s);
  }
  return out;
}

class Preview : public ::testing::Test {
 protected:
  TempDir dir;
  std::string recording = write_tape(dir, "hunts.jsonl", hunts());
  Config current;
};

TEST_F(Preview, IdenticalConfigurationsGiveNoDifference) {
  const PreviewResult r = run_preview(current, current, {recording});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.has_differences());
  EXPECT_EQ(r.by_type[static_cast<int>(SignalType::stop_hunt)], (PreviewCounts{.unchanged = 3}));
  EXPECT_EQ(r.unchanged, r.current_signals);
  EXPECT_EQ(r.current_signals, r.new_signals);
  EXPECT_NE(preview_text(r, "cur.yaml", "new.yaml").find("no difference in alerts"),
            std::string::npos);
}

TEST_F(Preview, RaisingTheLiquidationThresholdRemovesExactlyTheSmallerHunt) {
  Config proposed = current;
  proposed.analysis.stop_hunt.liquidation_usd = 2'500'000;
  const PreviewResult r = run_preview(current, proposed, {recording});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.removed.size(), 1u);
  EXPECT_EQ(r.removed[0].type, SignalType::stop_hunt);
  EXPECT_EQ(r.removed[0].symbol, "BBBUSDT");
  EXPECT_TRUE(r.added.empty());
  EXPECT_TRUE(r.changed.empty());
  EXPECT_EQ(r.by_type[static_cast<int>(SignalType::stop_hunt)],
            (PreviewCounts{.removed = 1, .unchanged = 2}));
  EXPECT_EQ((r.by_type_symbol.at({SignalType::stop_hunt, "BBBUSDT"})),
            (PreviewCounts{.removed = 1}));
  EXPECT_EQ((r.by_type_symbol.at({SignalType::stop_hunt, "AAAUSDT"})),
            (PreviewCounts{.unchanged = 1}));
}

TEST_F(Preview, LoweringTheThresholdAddsWhatItNowCatches) {
  Config strict = current;
  strict.analysis.stop_hunt.liquidation_usd = 2'500'000;
  const PreviewResult r = run_preview(strict, current, {recording});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.added.size(), 1u);
  EXPECT_EQ(r.added[0].symbol, "BBBUSDT");
  EXPECT_TRUE(r.removed.empty());
}

TEST_F(Preview, AnotherScoreIsTheSameSignalChangedFromOldToNew) {
  Config proposed = current;
  proposed.analysis.scoring.base = 30;  // 20 points less on every signal
  const PreviewResult r = run_preview(current, proposed, {recording});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.added.empty());
  EXPECT_TRUE(r.removed.empty());
  const auto changed_hunts = std::count_if(r.changed.begin(), r.changed.end(), [](const auto& c) {
    return c.after.type == SignalType::stop_hunt;
  });
  ASSERT_EQ(changed_hunts, 3);
  const SignalChange& c = r.changed.front();
  EXPECT_EQ(c.before.symbol, "AAAUSDT");
  EXPECT_EQ(c.after.symbol, "AAAUSDT");
  EXPECT_GT(c.before.confidence, c.after.confidence);
  EXPECT_NE(c.before.priority, c.after.priority) << "the score crossed a priority threshold";

  const std::string text = preview_text(r, "cur.yaml", "new.yaml");
  EXPECT_NE(
      text.find(std::to_string(c.before.confidence) + " → " + std::to_string(c.after.confidence)),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(std::string(to_string(c.before.priority)) + " → " +
                      std::string(to_string(c.after.priority))),
            std::string::npos)
      << text;
}

TEST_F(Preview, SinceCountsOnlySignalsOfTheLastSpanOfTheRecording) {
  Config proposed = current;
  proposed.analysis.stop_hunt.liquidation_usd = 2'500'000;
  // The recording ends 20 min after the first hunts; only CCC's, 100 s before the end, is in
  // its last 5 minutes, although the recording is from 2024.
  const PreviewResult r = run_preview(current, proposed, {recording}, {.since = 300'000});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.last_time, end_of_tape - 5'000) << "the last event, not the wall clock";
  EXPECT_EQ(r.cutoff, r.last_time - 300'000);
  EXPECT_FALSE(r.has_differences()) << "the smaller hunt was before the cutoff";
  EXPECT_EQ(r.by_type[static_cast<int>(SignalType::stop_hunt)], (PreviewCounts{.unchanged = 1}));
  EXPECT_EQ(r.current_stats.by_type[static_cast<int>(SignalType::stop_hunt)].signals, 1);
}

TEST_F(Preview, WinRatesCountTheFinalOutcomeOfEachRunsSignals) {
  // The setups the hunts get, then AAA prints its target and BBB its stop; CCC stays open.
  // Read the setups off a run whose new configuration removes every hunt (a threshold nothing
  // reaches), which lists them all.
  Config nothing = current;
  nothing.analysis.stop_hunt.liquidation_usd = 1e12;
  const PreviewResult listed = run_preview(current, nothing, {recording});
  ASSERT_TRUE(listed.ok()) << listed.error;
  std::map<std::string, teleglas::Setup> setups;
  for (const Signal* s : hunts_in(listed.removed)) {
    ASSERT_TRUE(s->setup) << s->symbol;
    setups[s->symbol] = *s->setup;
  }
  ASSERT_EQ(setups.size(), 3u);
  Tape tape = hunts();
  tape.emplace(t0 + 120'000,
               trade(t0 + 120'000, 2, 1'000, setups["AAAUSDT"].target + 0.01, "AAAUSDT"));
  tape.emplace(t0 + 140'000,
               trade(t0 + 140'000, 1, 1'000, setups["BBBUSDT"].stop - 0.01, "BBBUSDT"));
  const std::string played = write_tape(dir, "played.jsonl", tape);

  Config proposed = current;
  proposed.analysis.stop_hunt.liquidation_usd = 2'500'000;
  const PreviewResult r = run_preview(current, proposed, {played});
  ASSERT_TRUE(r.ok()) << r.error;
  const OutcomeTally& before = r.current_stats.by_type[static_cast<int>(SignalType::stop_hunt)];
  const OutcomeTally& after = r.new_stats.by_type[static_cast<int>(SignalType::stop_hunt)];
  EXPECT_EQ(before.signals, 3);
  EXPECT_EQ(before.wins, 1);
  EXPECT_EQ(before.losses, 1);
  EXPECT_EQ(before.open, 1);
  EXPECT_DOUBLE_EQ(before.win_rate().value_or(-1), 0.5);
  EXPECT_EQ(after.signals, 2);
  EXPECT_EQ(after.wins, 1);
  EXPECT_EQ(after.losses, 0);
  EXPECT_DOUBLE_EQ(after.win_rate().value_or(-1), 1.0) << "dropping the loser lifts the rate";
}

TEST_F(Preview, JsonListsEverySignalAndCountsEachType) {
  Config proposed = current;
  proposed.analysis.stop_hunt.liquidation_usd = 2'500'000;
  const PreviewResult r = run_preview(current, proposed, {recording});
  ASSERT_TRUE(r.ok()) << r.error;
  const json::object o = json::parse(preview_json(r)).as_object();
  ASSERT_EQ(o.at("removed").as_array().size(), 1u);
  EXPECT_EQ(o.at("removed").as_array()[0].at("symbol").as_string(), "BBBUSDT");
  EXPECT_TRUE(o.at("added").as_array().empty());
  EXPECT_TRUE(o.at("changed").as_array().empty());
  EXPECT_EQ(o.at("unchanged").to_number<std::size_t>(), r.unchanged);
  const json::object& hunts = o.at("by_type").at("STOP_HUNT").as_object();
  EXPECT_EQ(hunts.at("removed").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("unchanged").to_number<int>(), 2);
  EXPECT_EQ(o.at("by_type").as_object().size(), static_cast<std::size_t>(signal_type_count));
  EXPECT_EQ(
      o.at("win_rate").at("current").at("by_type").at("STOP_HUNT").at("signals").to_number<int>(),
      3);
  EXPECT_EQ(o.at("win_rate").at("new").at("by_type").at("STOP_HUNT").at("signals").to_number<int>(),
            2);
}

TEST_F(Preview, ListsAreCappedWithHowManyMore) {
  Config nothing = current;
  nothing.analysis.stop_hunt.liquidation_usd = 1e12;
  const PreviewResult r = run_preview(current, nothing, {recording});
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.removed.size(), 3u);
  const std::string text = preview_text(r, "cur.yaml", "new.yaml", 1);
  EXPECT_NE(text.find("… 2 more"), std::string::npos) << text;
}

TEST_F(Preview, AMissingRecordingIsAnError) {
  const PreviewResult r = run_preview(current, current, {dir.file("nowhere.jsonl")});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("nowhere.jsonl"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace teleglas
