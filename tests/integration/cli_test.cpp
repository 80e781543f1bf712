#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <vector>

#include "cli_harness.hpp"
#include "teleglas/config/reference.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;
namespace fs = std::filesystem;
namespace json = boost::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

constexpr long long t0 = 1'725'416'400'000;

TEST(ReplayCli, HandMadeStopHuntBecomesOneJsonSignalThenASummary) {
  TempDir dir;
  std::string rec;
  // Forty quiet seconds first: a window decides only once the feed was watched all along it.
  for (int i = 0; i < 8; ++i) {
    rec += liquidation_line(t0 - 40'000 + i * 5'000, 1, 100, 1.0, "BGUSDT") + "\n";
  }
  for (int i = 0; i < 3; ++i)
    rec += liquidation_line(t0 + i * 2'000, 1, 900'000, 95'900 - i * 100) + "\n";
  rec += "pong\n";
  rec += trade_line(t0 + 8'000, 2, 150'000, 95'750) + "\n";
  write_file(dir / "hunt.jsonl", rec);
  const auto r = run_teleglas("replay --json " + (dir / "hunt.jsonl").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  const json::object signal = json::parse(lines[0]).as_object();
  EXPECT_EQ(signal.at("type").as_string(), "STOP_HUNT");
  EXPECT_EQ(signal.at("symbol").as_string(), "BTCUSDT");
  EXPECT_EQ(signal.at("exchange").as_string(), "Binance");
  EXPECT_EQ(signal.at("direction").as_string(), "LONG");
  EXPECT_EQ(signal.at("time").to_number<std::int64_t>(), t0 + 8'000);
  EXPECT_EQ(signal.at("priority").as_string(), "URGENT");
  EXPECT_DOUBLE_EQ(signal.at("entry").to_number<double>(), 95'750);
  EXPECT_LT(signal.at("stop").to_number<double>(), 95'700);
  EXPECT_GT(signal.at("target").to_number<double>(), 95'750);
  EXPECT_TRUE(signal.at("factors").as_object().contains("absorption"));

  const json::object summary = json::parse(lines[1]).as_object().at("summary").as_object();
  EXPECT_EQ(summary.at("frames").to_number<std::uint64_t>(), 13u);
  EXPECT_EQ(summary.at("events").to_number<std::uint64_t>(), 12u);
  EXPECT_EQ(summary.at("rejected").to_number<std::uint64_t>(), 0u);
  EXPECT_EQ(summary.at("signals").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(summary.at("pongs").to_number<std::uint64_t>(), 1u);
}

TEST(ReplayCli, BadLinesAreCountedByReasonAndNeverFatal) {
  TempDir dir;
  std::string rec;
  rec += "{\"channel\":\"liquidationOrders\",\"data\":[{\"price\":1\n";  // truncated
  rec += liquidation_line(t0, 3, 1'000, 95'000) + "\n";                  // bad side
  rec += liquidation_line(t0, 1, -5, 95'000) + "\n";                     // bad volume
  rec += "liquidationOrders need upgrade plan\n";
  rec += liquidation_line(t0, 1, 1'000, 95'000) + "\n";  // fine
  write_file(dir / "bad.jsonl", rec);
  const auto r = run_teleglas("replay --json " + (dir / "bad.jsonl").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u);
  const json::object summary = json::parse(lines[0]).as_object().at("summary").as_object();
  EXPECT_EQ(summary.at("events").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(summary.at("rejected").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(summary.at("notices").to_number<std::uint64_t>(), 1u);
  const json::object reasons = summary.at("rejected_by_reason").as_object();
  EXPECT_EQ(reasons.at("invalid_json").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(reasons.at("bad_side").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(reasons.at("bad_volume").to_number<std::uint64_t>(), 1u);
}

TEST(ReplayCli, GeneratedMarketReplaysByteIdenticallyAndTripsEveryPattern) {
  TempDir dir;
  const auto rec = (dir / "market.jsonl").string();
  ASSERT_EQ(run_teleglas("generate --seed 11 --duration 3600 --out " + rec, dir).exit_code, 0);
  const auto first = run_teleglas("replay --json " + rec, dir);
  const auto second = run_teleglas("replay --json " + rec, dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out) << "replay must be deterministic";
  const auto lines = lines_of(first.out);
  ASSERT_GE(lines.size(), 2u);
  const json::object summary = json::parse(lines.back()).as_object().at("summary").as_object();
  EXPECT_EQ(summary.at("rejected").to_number<std::uint64_t>(), 0u);
  const json::object by_type = summary.at("signals_by_type").as_object();
  for (const char* type : {"STOP_HUNT", "ACCUMULATION", "DISTRIBUTION", "LIQUIDATION_CASCADE",
                           "WHALE_ACCUMULATION", "FUNDING_EXTREME", "OI_DIVERGENCE"}) {
    EXPECT_TRUE(by_type.contains(type)) << type << " missing from " << lines.back();
  }
}

TEST(ReplayCli, SharedRecordingsAreAcceptedInFull) {
  const fs::path recordings =
      fs::path(TELEGLAS_SOURCE_DIR) / ".." / "shared" / "data" / "recordings";
  if (!fs::exists(recordings)) GTEST_SKIP() << "no shared recordings on this machine";
  TempDir dir;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(recordings)) {
    if (entry.path().extension() != ".jsonl") continue;
    ++files;
    const auto r = run_teleglas("replay --json " + entry.path().string(), dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_FALSE(lines.empty());
    const json::object summary = json::parse(lines.back()).as_object().at("summary").as_object();
    EXPECT_EQ(summary.at("rejected").to_number<std::uint64_t>(), 0u)
        << entry.path() << ": " << lines.back();
    EXPECT_GT(summary.at("events").to_number<std::uint64_t>(), 1000u) << entry.path();
  }
  EXPECT_GT(files, 0);
}

TEST(ReplayCli, ADirectoryReplaysAsItsJsonlFilesInNameOrder) {
  TempDir dir;
  const fs::path recording = dir / "recording";
  fs::create_directory(recording);
  const auto day = [&](const std::string& name) { return (recording / name).string(); };
  // Generated into the directory out of order, the later day first.
  ASSERT_EQ(run_teleglas("generate --seed 11 --duration 900 --start 1735776000000 --out " +
                             day("2025-01-02.jsonl"),
                         dir)
                .exit_code,
            0);
  ASSERT_EQ(run_teleglas("generate --seed 12 --duration 900 --start 1735689600000 --out " +
                             day("2025-01-01.jsonl"),
                         dir)
                .exit_code,
            0);
  write_file(recording / "README.txt", "not a recording\n");
  const auto listed =
      run_teleglas("replay --json " + day("2025-01-01.jsonl") + " " + day("2025-01-02.jsonl"), dir);
  const auto whole = run_teleglas("replay --json " + recording.string(), dir);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  ASSERT_GE(lines_of(whole.out).size(), 2u) << "signals, then the summary";
  EXPECT_EQ(whole.out, listed.out);

  fs::create_directory(dir / "empty");
  const auto empty = run_teleglas("replay " + (dir / "empty").string(), dir);
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.err.find("no *.jsonl"), std::string::npos) << empty.err;
}

TEST(ReplayCli, MissingFileIsAClearError) {
  TempDir dir;
  const auto r = run_teleglas("replay " + (dir / "nope.jsonl").string(), dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nope.jsonl"), std::string::npos) << r.err;
}

TEST(CheckConfigCli, ReportsEveryProblemAsFileLineKey) {
  TempDir dir;
  write_file(dir / "bad.yaml",
             "analysis:\n"
             "  stop_hunt:\n"
             "    liquidation_usd: -5\n"
             "    absorbtion_usd: 100000\n"
             "signals:\n"
             "  cooldown_s: soon\n");
  const auto path = (dir / "bad.yaml").string();
  const auto r = run_teleglas("check-config --config " + path, dir);
  EXPECT_NE(r.exit_code, 0);
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find(path + ":3: analysis.stop_hunt.liquidation_usd:"), std::string::npos) << all;
  EXPECT_NE(all.find(path + ":4: analysis.stop_hunt.absorbtion_usd:"), std::string::npos) << all;
  EXPECT_NE(all.find(path + ":6: signals.cooldown_s:"), std::string::npos) << all;
}

TEST(CheckConfigCli, ShippedConfigIsValid) {
  TempDir dir;
  const auto r =
      run_teleglas("check-config --config " +
                       (fs::path(TELEGLAS_SOURCE_DIR) / "config" / "teleglas.yaml").string(),
                   dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(CheckConfigCli, ReferencePrintsEveryKeyWithTypeDefaultRangeAndMeaning) {
  TempDir dir;  // no config/teleglas.yaml here: the meanings are compiled in
  const auto r = run_teleglas("check-config --reference", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("analysis.stop_hunt.window_s  (number, default 30; (0, 86400])\n"
                       "    Liquidation window, seconds.\n"),
            std::string::npos)
      << r.out;
  const std::string lines = "\n" + r.out;
  for (const ConfigKey& key : describe_config()) {
    EXPECT_NE(lines.find("\n" + key.path + "  ("), std::string::npos) << key.path;
  }
}

TEST(CheckConfigCli, ReferenceAsMarkdownIsTheReadmeTable) {
  TempDir dir;
  const auto r = run_teleglas("check-config --reference --markdown", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, config_reference_markdown());
}

TEST(CheckConfigCli, MarkdownWithoutReferenceIsAUsageError) {
  TempDir dir;
  EXPECT_NE(run_teleglas("check-config --markdown", dir).exit_code, 0);
}

// A secrets file holding a fake token; the config names it on line 2.
std::string write_config_naming_secrets(const TempDir& dir, mode_t mode) {
  const auto secrets = dir / "teleglas.env";
  write_file(secrets, "COINGLASS_API_KEY=fake-key-never-printed\n");
  fs::permissions(secrets, static_cast<fs::perms>(mode));
  const auto config = dir / "teleglas.yaml";
  write_file(config, "http:\n  listen: 127.0.0.1:8080\nsecrets_file: " + secrets.string() + "\n");
  return config.string();
}

TEST(CheckConfigCli, FailsWhileTheSecretsFileIsReadableByOthersAndPassesOnceItIsPrivate) {
  TempDir dir;
  const std::string config = write_config_naming_secrets(dir, 0644);
  const auto open = run_teleglas("check-config --config " + config, dir);
  EXPECT_NE(open.exit_code, 0);
  EXPECT_NE(open.out.find(config + ":3: secrets_file: " + (dir / "teleglas.env").string() +
                          " is readable by group or others (mode 0644); chmod 600 it"),
            std::string::npos)
      << open.out;
  EXPECT_EQ((open.out + open.err).find("fake-key"), std::string::npos) << "content never printed";

  fs::permissions(dir / "teleglas.env", fs::perms::owner_read | fs::perms::owner_write);
  const auto private_file = run_teleglas("check-config --config " + config, dir);
  EXPECT_EQ(private_file.exit_code, 0) << private_file.out << private_file.err;
}

TEST(CheckConfigCli, FailsWhenTheSecretsFileDoesNotExist) {
  TempDir dir;
  const std::string config = write_config_naming_secrets(dir, 0600);
  fs::remove(dir / "teleglas.env");
  const auto r = run_teleglas("check-config --config " + config, dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find(config + ":3: secrets_file: " + (dir / "teleglas.env").string() +
                       " does not exist"),
            std::string::npos)
      << r.out;
}

TEST(Cli, HelpNamesEveryCommandAndVersionPrints) {
  TempDir dir;
  const auto help = run_teleglas("--help", dir);
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"replay", "check-config", "generate"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  }
  const auto version = run_teleglas("--version", dir);
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("teleglas"), std::string::npos);
}

TEST(Cli, RunHelpDocumentsTheSignalsFileAndWhatARecordingHolds) {
  TempDir dir;
  const auto help = run_teleglas("run --help", dir);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--signals-json FILE"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("record_path"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace teleglas
