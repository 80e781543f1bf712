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
    r.append_frame(R"({"channel":"liquidationOrders","data":[]})", 0);
    r.append_frame("pong", 0);
    r.append_frame("{\"a\":\n1}", 0);
  }
  {
    Recorder r;
    ASSERT_EQ(r.open(path.string()), "");
    r.append_frame("second run", 0);
  }
  // Each run states its receive time before its first frame: the earlier run's does not
  // carry over.
  EXPECT_EQ(slurp(path),
            "{\"channel\":\"teleglas.recv\",\"time\":0}\n"
            "{\"channel\":\"liquidationOrders\",\"data\":[]}\npong\n{\"a\": 1}\n"
            "{\"channel\":\"teleglas.recv\",\"time\":0}\nsecond run\n");
  std::filesystem::remove(path);
}

TEST(Recorder, WritesReceiveTimesWhenTheyChangeAndTicksAndGapsInCallOrder) {
  const auto path = std::filesystem::temp_directory_path() / "teleglas-recorder-control.jsonl";
  std::filesystem::remove(path);
  {
    Recorder r;
    ASSERT_EQ(r.open(path.string()), "");
    r.append_frame("A", 1'725'416'318'379);
    r.append_frame("B", 1'725'416'318'379);
    r.append_tick(1'725'416'319'000);
    r.append_frame("C", 1'725'416'320'500);
    r.append_gap(1'725'416'320'500, 1'725'416'327'250);
    r.append_frame(R"({"channel":"funding_rates","time":1725416327300,"data":[]})", 0);
    EXPECT_EQ(r.frames(), 4u);
    EXPECT_EQ(r.control_lines(), 5u);
  }
  EXPECT_EQ(slurp(path),
            R"({"channel":"teleglas.recv","time":1725416318379}
A
B
{"channel":"teleglas.tick","time":1725416319000}
{"channel":"teleglas.recv","time":1725416320500}
C
{"channel":"teleglas.gap","from":1725416320500,"to":1725416327250}
{"channel":"teleglas.recv","time":0}
{"channel":"funding_rates","time":1725416327300,"data":[]}
)");
  std::filesystem::remove(path);
}

TEST(Recorder, WithoutAPathNothingIsWrittenOrCounted) {
  Recorder r;
  ASSERT_EQ(r.open(""), "");
  EXPECT_FALSE(r.enabled());
  r.append_frame("A", 5);
  r.append_tick(6);
  r.append_gap(6, 7);
  r.flush();
  EXPECT_EQ(r.frames(), 0u);
  EXPECT_EQ(r.control_lines(), 0u);
}

TEST(Recorder, RecordingReplaysToTheSameEvents) {
  const auto path = std::filesystem::temp_directory_path() / "teleglas-recorder-replay.jsonl";
  std::filesystem::remove(path);
  {
    Recorder r;
    ASSERT_EQ(r.open(path.string()), "");
    r.append_frame(
        R"({"channel":"liquidationOrders","data":[{"baseAsset":"BTC","exName":"Binance","price":56738.0,"side":2,"symbol":"BTCUSDT","time":1725416318379,"volUsd":3858.184}]})",
        1'725'416'318'500);
  }
  const Config config;
  Replay replay(config, [](const Signal&) {});
  ASSERT_EQ(replay.feed_file(path.string()), "");
  EXPECT_EQ(replay.summary().parse.events, 1u);
  EXPECT_EQ(replay.summary().parse.rejected(), 0u);
  EXPECT_EQ(replay.summary().parse.frames, 1u) << "the receive-time line is not a frame";
  EXPECT_EQ(replay.summary().control.receive_times, 1u);
  std::filesystem::remove(path);
}

TEST(Recorder, UnwritablePathIsAnError) {
  Recorder r;
  EXPECT_NE(r.open("/nonexistent-dir/x.jsonl"), "");
  EXPECT_FALSE(r.enabled());
}

}  // namespace
}  // namespace teleglas
