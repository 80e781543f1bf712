// A backtest end to end through the real executable: `replay --db` follows every signal to
// its outcome and stores it; `stats` reads the outcomes back per type and per confidence.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <vector>

#include "cli_harness.hpp"
#include "support/png_image.hpp"
#include "support/postgres_test_support.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;
namespace json = boost::json;

constexpr long long t0 = 1'725'416'400'000;

struct TradeSetup {
  double entry = 0, stop = 0, target = 0;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

using Tape = std::multimap<long long, std::string>;  // lines by time: a recording in order

std::string text_of(const Tape& tape) {
  std::string rec;
  for (const auto& [t, line] : tape) rec += line + "\n";
  return rec;
}

// Four stop hunts of longs on four symbols; BGUSDT keeps the feed watched until `end`.
Tape flushes(long long end) {
  struct Flush {
    const char* symbol;
    long long at;
  };
  const Flush all[] = {{"AAAUSDT", t0}, {"BBBUSDT", t0 + 20'000}, {"CCCUSDT", t0 + 40'000},
                       {"DDDUSDT", t0 + 1'100'000}};
  Tape tape;
  for (long long t = t0 - 60'000; t < end; t += 5'000) {
    tape.emplace(t, liquidation_line(t, 1, 100, 1.0, "BGUSDT"));
  }
  for (const Flush& f : all) {
    for (int i = 0; i < 3; ++i) {
      tape.emplace(f.at + i * 1'000, liquidation_line(f.at + i * 1'000, 1, 900'000, 100, f.symbol));
    }
    tape.emplace(f.at + 4'000, trade_line(f.at + 4'000, 2, 150'000, 100, f.symbol));
  }
  return tape;
}

class Backtest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir / "short-horizon.yaml", "outcomes:\n  horizon_s: 600\n");
    // The setups the hunts get (decided before anything the follow-ups add).
    write_file(dir / "flushes.jsonl", text_of(flushes(t0 + 1'200'000)));
    const auto r = run_teleglas("replay --json " + (dir / "flushes.jsonl").string(), dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const std::string& line : lines_of(r.out)) {
      const json::object o = json::parse(line).as_object();
      if (!o.contains("type") || o.at("type").as_string() != "STOP_HUNT") continue;
      setups[std::string(o.at("symbol").as_string())] =
          TradeSetup{o.at("entry").to_number<double>(), o.at("stop").to_number<double>(),
                o.at("target").to_number<double>()};
    }
  }

  // The flushes, then AAA reaches its target, BBB its stop, CCC neither until the horizon
  // passes, and DDD's hunt is still open when the recording ends.
  std::string market() {
    Tape tape = flushes(t0 + 1'200'000);
    tape.emplace(t0 + 120'000,
                 trade_line(t0 + 120'000, 2, 1'000, setups["AAAUSDT"].target + 0.01, "AAAUSDT"));
    tape.emplace(t0 + 140'000,
                 trade_line(t0 + 140'000, 1, 1'000, setups["BBBUSDT"].stop - 0.01, "BBBUSDT"));
    tape.emplace(t0 + 160'000,
                 trade_line(t0 + 160'000, 1, 1'000, setups["CCCUSDT"].entry, "CCCUSDT"));
    return text_of(tape);
  }

  TempDir dir;
  std::map<std::string, TradeSetup> setups;
};

TEST_F(Backtest, ReplayWithADatabaseThenStatsGivesEachOutcome) {
  ASSERT_EQ(setups.size(), 4u) << "one hunt per flushed symbol";
  write_file(dir / "market.jsonl", market());
  const std::string db = (dir / "backtest.db").string();
  const auto replayed = run_teleglas("replay --json --config " +
                                         (dir / "short-horizon.yaml").string() + " --db " + db +
                                         " " + (dir / "market.jsonl").string(),
                                     dir);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.err.find("written to sqlite " + db), std::string::npos) << replayed.err;
  std::map<std::string, int> emitted;
  for (const std::string& line : lines_of(replayed.out)) {
    const json::object o = json::parse(line).as_object();
    if (o.contains("type")) ++emitted[std::string(o.at("type").as_string())];
  }

  const auto stats = run_teleglas("stats --json --db " + db, dir);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const json::object report = json::parse(stats.out).as_object();
  const json::object& hunts = report.at("by_type").at("STOP_HUNT").as_object();
  EXPECT_EQ(hunts.at("signals").to_number<int>(), 4);
  EXPECT_EQ(hunts.at("wins").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("losses").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("expired").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("open").to_number<int>(), 1);
  EXPECT_NEAR(hunts.at("win_rate").to_number<double>(), 1.0 / 3, 1e-9);
  // Every type the replay emitted is in the store, no more, no less.
  int total = 0;
  for (const auto& [type, tally] : report.at("by_type").as_object()) {
    EXPECT_EQ(tally.at("signals").to_number<int>(), emitted[std::string(type)]) << type;
    total += tally.at("signals").to_number<int>();
  }
  EXPECT_EQ(total, report.at("total").at("signals").to_number<int>());
  // The calibration table counts the same followed signals by confidence.
  int calibrated = 0, wins = 0;
  for (const auto& bucket : report.at("calibration").as_array()) {
    calibrated += bucket.at("signals").to_number<int>();
    wins += bucket.at("wins").to_number<int>();
    const std::string label(bucket.at("bucket").as_string());
    EXPECT_EQ(label.find('-') != std::string::npos, true) << label;
  }
  EXPECT_EQ(calibrated, total - report.at("total").at("untracked").to_number<int>());
  EXPECT_EQ(wins, report.at("total").at("wins").to_number<int>());

  // The human table says the same.
  const auto table = run_teleglas("stats --db " + db, dir);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("STOP_HUNT"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("confidence"), std::string::npos) << table.out;
}

TEST_F(Backtest, ReplayWithChartsDrawsEveryDirectionalSignalIntoItsOwnFile) {
  write_file(dir / "market.jsonl", market());
  const auto charts_dir = dir / "charts";
  const auto replayed = run_teleglas(
      "replay --json --charts " + charts_dir.string() + " " + (dir / "market.jsonl").string(), dir);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  std::vector<std::string> expected;
  for (const std::string& line : lines_of(replayed.out)) {
    const json::object o = json::parse(line).as_object();
    if (!o.contains("type") || o.at("direction").as_string() == "NEUTRAL") continue;
    expected.push_back(std::string(o.at("symbol").as_string()) + "_" +
                       std::string(o.at("direction").as_string()));
  }
  ASSERT_GE(expected.size(), 4u) << "the four hunts at least";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(charts_dir)) {
    files.push_back(entry.path());
  }
  EXPECT_EQ(files.size(), expected.size()) << replayed.err;
  EXPECT_NE(replayed.err.find(std::to_string(expected.size()) + " chart(s) written to"),
            std::string::npos)
      << replayed.err;
  // 2024-09-04 02:20:00 UTC is t0; AAA's hunt is decided when its absorbing buy prints.
  EXPECT_TRUE(std::filesystem::exists(charts_dir / "20240904-022004_STOP_HUNT_AAAUSDT_LONG.png"))
      << "named by decision time, type, symbol and direction";
  for (const auto& path : files) {
    const std::string png = read_file(path);
    EXPECT_LT(png.size(), 100'000u) << path;
    const PngImage image(png);
    ASSERT_TRUE(image.ok()) << path;
    EXPECT_EQ(image.width(), 800);
    EXPECT_EQ(image.height(), 450);
  }
  // The same replay without --charts prints the very same signals.
  const auto plain = run_teleglas("replay --json " + (dir / "market.jsonl").string(), dir);
  EXPECT_EQ(plain.out, replayed.out);
}

TEST_F(Backtest, ChartsIntoAPathThatIsAFileIsAClearError) {
  write_file(dir / "taken", "x");
  const auto r = run_teleglas(
      "replay --charts " + (dir / "taken").string() + " " + (dir / "flushes.jsonl").string(), dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--charts " + (dir / "taken").string()), std::string::npos) << r.err;
}

TEST_F(Backtest, ReplayingTheSameRecordingAgainCountsNothingTwice) {
  write_file(dir / "market.jsonl", market());
  const std::string db = (dir / "again.db").string();
  const std::string replay = "replay --config " + (dir / "short-horizon.yaml").string() +
                             " --db " + db + " " + (dir / "market.jsonl").string();
  ASSERT_EQ(run_teleglas(replay, dir).exit_code, 0);
  const auto first = run_teleglas("stats --json --db " + db, dir);
  ASSERT_EQ(run_teleglas(replay, dir).exit_code, 0);
  const auto second = run_teleglas("stats --json --db " + db, dir);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(first.out, second.out);
}

TEST_F(Backtest, StatsSinceADurationAndBadInputAreExplained) {
  write_file(dir / "market.jsonl", market());
  const std::string db = (dir / "since.db").string();
  ASSERT_EQ(run_teleglas("replay --db " + db + " " + (dir / "market.jsonl").string(), dir)
                .exit_code,
            0);
  // The recording is from 2024: nothing in the last day of the wall clock.
  const auto recent = run_teleglas("stats --json --since 24h --db " + db, dir);
  ASSERT_EQ(recent.exit_code, 0) << recent.err;
  EXPECT_EQ(json::parse(recent.out).at("total").at("signals").to_number<int>(), 0);
  const auto bad = run_teleglas("stats --since yesterday --db " + db, dir);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--since yesterday"), std::string::npos) << bad.err;
  // A file that is not a database is named in the error.
  write_file(dir / "notes.txt", "not a database, just some text that is long enough........\n");
  const auto foreign = run_teleglas("stats --db " + (dir / "notes.txt").string(), dir);
  EXPECT_NE(foreign.exit_code, 0);
  EXPECT_NE(foreign.err.find("notes.txt"), std::string::npos) << foreign.err;
}

// The same backtest on PostgreSQL: `replay --config` writes to that configuration's storage and
// `stats --config` reads it; the password never shows.
TEST_F(Backtest, OnPostgresReplayWithTheConfigsStorageThenStats) {
  const auto server = test_postgres_url();
  ASSERT_TRUE(server) << no_postgres_message();
  FreshDatabase database(*server);
  write_file(dir / "pg.yaml", "outcomes:\n  horizon_s: 600\nstorage:\n  backend: postgres\n"
                              "  postgres_url: \"" + database.url() + "\"\n");
  write_file(dir / "market.jsonl", market());
  const std::string config = (dir / "pg.yaml").string();
  const auto replayed =
      run_teleglas("replay --config " + config + " " + (dir / "market.jsonl").string(), dir);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.err.find("written to postgres"), std::string::npos) << replayed.err;
  const std::string password = password_of(database.url());
  ASSERT_FALSE(password.empty());
  EXPECT_EQ(replayed.err.find(password), std::string::npos) << "the password leaked";

  const auto stats = run_teleglas("stats --json --config " + config, dir);
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const json::value report = json::parse(stats.out);
  const json::object& hunts = report.at("by_type").at("STOP_HUNT").as_object();
  EXPECT_EQ(hunts.at("signals").to_number<int>(), 4);
  EXPECT_EQ(hunts.at("wins").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("losses").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("expired").to_number<int>(), 1);
  EXPECT_EQ(hunts.at("open").to_number<int>(), 1);

  // The same on SQLite gives the very same report.
  const std::string db = (dir / "same.db").string();
  ASSERT_EQ(run_teleglas("replay --config " + (dir / "short-horizon.yaml").string() + " --db " +
                             db + " " + (dir / "market.jsonl").string(),
                         dir)
                .exit_code,
            0);
  EXPECT_EQ(run_teleglas("stats --json --db " + db, dir).out, stats.out);
}

}  // namespace
}  // namespace teleglas
