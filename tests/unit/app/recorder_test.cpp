#include "teleglas/app/recorder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "teleglas/app/replay.hpp"

namespace teleglas {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Recorder, WritesEachFrameAsOneLineAndAppends) {
  const auto path = std::filesystem::temp_directory_path() / "teleglas-recorder-test.jsonl";
  std::filesystem::remove(path);
  {
    Recorder r;
    ASSERT_EQ(r.open(path.string()), "");
    r.append(R"({"channel":"liquidationOrders","data":[]})");
    r.append("pong");
    r.append("{\"a\":\n1}");
  }
  {
    Recorder r;
    ASSERT_EQ(r.open(path.string()), "");
    r.append("second run");
  }
  EXPECT_EQ(slurp(path),
            "{\"channel\":\"liquidationOrders\",\"data\":[]}\npong\n{\"a\": 1}\nsecond run\n");
  std::filesystem::remove(path);
}

TEST(Recorder, RecordingReplaysToTheSameEvents) {
  const auto path = std::filesystem::temp_directory_path() / "teleglas-recorder-replay.jsonl";
  std::filesystem::remove(path);
  {
    Recorder r;
    ASSERT_EQ(r.open(path.string()), "");
    r.append(
        R"({"channel":"liquidationOrders","data":[{"baseAsset":"BTC","exName":"Binance","price":56738.0,"side":2,"symbol":"BTCUSDT","time":1725416318379,"volUsd":3858.184}]})");
  }
  const Config config;
  const NoWinRateHistory none;
  Replay replay(config, none, [](const Signal&) {});
  ASSERT_EQ(replay.feed_file(path.string()), "");
  EXPECT_EQ(replay.summary().parse.events, 1u);
  EXPECT_EQ(replay.summary().parse.rejected(), 0u);
  std::filesystem::remove(path);
}

TEST(Recorder, UnwritablePathIsAnError) {
  Recorder r;
  EXPECT_NE(r.open("/nonexistent-dir/x.jsonl"), "");
  EXPECT_FALSE(r.enabled());
}

}  // namespace
}  // namespace teleglas
