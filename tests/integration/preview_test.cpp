// `teleglas preview` through the real executable: the tuning loop's middle step.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "cli_harness.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;
namespace json = boost::json;

constexpr long long t0 = 1'725'416'400'000;

// A stop hunt of 2.7M on AAA and one of 2.1M on BBB; BGUSDT keeps the feed watched.
std::string hunts() {
  std::multimap<long long, std::string> tape;
  for (long long t = t0 - 60'000; t < t0 + 300'000; t += 5'000) {
    tape.emplace(t, liquidation_line(t, 1, 100, 1.0, "BGUSDT"));
  }
  const std::pair<const char*, double> hunts[] = {{"AAAUSDT", 900'000}, {"BBBUSDT", 700'000}};
  long long at = t0;
  for (const auto& [symbol, each] : hunts) {
    for (int i = 0; i < 3; ++i) {
      tape.emplace(at + i * 1'000, liquidation_line(at + i * 1'000, 1, each, 100, symbol));
    }
    tape.emplace(at + 4'000, trade_line(at + 4'000, 2, 150'000, 100, symbol));
    at += 20'000;
  }
  std::string text;
  for (const auto& [t, line] : tape) text += line + "\n";
  return text;
}

class PreviewCli : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir / "rec.jsonl", hunts());
    write_file(dir / "cur.yaml", "signals:\n  min_confidence: 60\n");
    write_file(dir / "new.yaml",
               "analysis:\n  stop_hunt:\n    liquidation_usd: 2500000\n"
               "  scoring:\n    base: 30\n");
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }

  TempDir dir;
};

TEST_F(PreviewCli, JsonSaysWhatWasRemovedAndChangedAndBothWinRates) {
  const auto r = run_teleglas("preview --config " + path("new.yaml") + " --against " +
                                  path("cur.yaml") + " " + path("rec.jsonl") + " --json",
                              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json::object o = json::parse(r.out).as_object();
  ASSERT_EQ(o.at("removed").as_array().size(), 1u) << r.out;
  EXPECT_EQ(o.at("removed").as_array()[0].at("symbol").as_string(), "BBBUSDT");
  EXPECT_EQ(o.at("removed").as_array()[0].at("type").as_string(), "STOP_HUNT");
  EXPECT_TRUE(o.at("added").as_array().empty());
  const json::array& changed = o.at("changed").as_array();
  ASSERT_EQ(changed.size(), 1u) << r.out;
  EXPECT_EQ(changed[0].at("before").at("symbol").as_string(), "AAAUSDT");
  EXPECT_GT(changed[0].at("before").at("confidence").to_number<int>(),
            changed[0].at("after").at("confidence").to_number<int>());
  EXPECT_TRUE(o.at("unchanged").is_number());
  const json::object& hunts = o.at("by_type").at("STOP_HUNT").as_object();
  EXPECT_EQ(hunts.at("added").to_number<int>(), 0);
  EXPECT_EQ(hunts.at("removed").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("changed").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("unchanged").to_number<int>(), 0);
  for (const char* side : {"current", "new"}) {
    const json::object& stats = o.at("win_rate").at(side).as_object();
    EXPECT_TRUE(stats.contains("by_type")) << side;
    EXPECT_TRUE(stats.at("by_type").at("STOP_HUNT").as_object().contains("win_rate")) << side;
  }
  EXPECT_EQ(
      o.at("win_rate").at("current").at("by_type").at("STOP_HUNT").at("signals").to_number<int>(),
      2);
}

TEST_F(PreviewCli, HumanOutputHasTheTableTheListsAndTheWinRates) {
  const auto r = run_teleglas("preview --config " + path("new.yaml") + " --against " +
                                  path("cur.yaml") + " " + path("rec.jsonl"),
                              dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* text : {"added", "removed", "changed", "unchanged", "STOP_HUNT", "AAAUSDT",
                           "BBBUSDT", " → ", "win rate", "current", "new"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  }
}

TEST_F(PreviewCli, ABadConfigurationIsNamedByFileAndLine) {
  write_file(dir / "bad.yaml", "analysis:\n  stop_hunt:\n    liquidation_usd: -5\n");
  const auto r = run_teleglas("preview --config " + path("bad.yaml") + " --against " +
                                  path("cur.yaml") + " " + path("rec.jsonl"),
                              dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(path("bad.yaml") + ":3: analysis.stop_hunt.liquidation_usd:"),
            std::string::npos)
      << r.err;
}

TEST_F(PreviewCli, RecordingsDefaultToTheCurrentRecordPathOrTheErrorSaysToPassThem) {
  const auto none =
      run_teleglas("preview --config " + path("new.yaml") + " --against " + path("cur.yaml"), dir);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("pass RECORDING"), std::string::npos) << none.err;

  write_file(dir / "recording.yaml", "coinglass:\n  record_path: \"" + path("rec.jsonl") + "\"\n");
  const auto recorded = run_teleglas(
      "preview --json --config " + path("new.yaml") + " --against " + path("recording.yaml"), dir);
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_EQ(json::parse(recorded.out).at("removed").as_array().size(), 1u) << recorded.out;

  const auto missing = run_teleglas("preview --config " + path("new.yaml") + " --against " +
                                        path("cur.yaml") + " " + path("gone.jsonl"),
                                    dir);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("gone.jsonl"), std::string::npos) << missing.err;
}

TEST_F(PreviewCli, HelpExplainsTheTuningLoop) {
  const auto r = run_teleglas("preview --help", dir);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("systemctl restart teleglas"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--against"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--since"), std::string::npos) << r.out;
  const auto top = run_teleglas("--help", dir);
  EXPECT_NE(top.out.find("preview"), std::string::npos) << top.out;
}

}  // namespace
}  // namespace teleglas
