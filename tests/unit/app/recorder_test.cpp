#include "teleglas/app/recorder.hpp"

#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>

#include "support/temp_dir.hpp"
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

// ---- a recorder of its own thread, directory mode, retention and errors ----------------

using testing::TempDir;
using namespace std::chrono_literals;

constexpr TimeMs september_4 = 1'725'408'000'000;  // 2024-09-04 00:00:00 UTC
constexpr TimeMs one_day = 86'400'000;

std::string recv_line(TimeMs t) {
  return format_control_line({.kind = ControlKind::receive_time, .time = t}) + "\n";
}

// The default logger, captured for one test.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_));
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }
  std::size_t count(const std::string& what) const {
    const std::string all = text();
    std::size_t n = 0;
    for (std::size_t at = all.find(what); at != std::string::npos; at = all.find(what, at + 1)) {
      ++n;
    }
    return n;
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(Recorder, CountsTheFramesAndBytesItWroteOnceClosed) {
  const TempDir dir;
  Recorder r;
  ASSERT_EQ(r.open(dir.file("one.jsonl")), "");
  EXPECT_FALSE(r.directory_mode());
  r.append_frame("A", 5);
  r.append_tick(6);
  r.append_frame("B", 5);
  r.close();
  const RecorderStats stats = r.stats();
  EXPECT_EQ(stats.frames_written, 2u);
  EXPECT_EQ(stats.bytes_written, std::filesystem::file_size(dir / "one.jsonl"));
  EXPECT_EQ(stats.write_errors, 0u);
  EXPECT_EQ(stats.frames_dropped, 0u);
  EXPECT_EQ(stats.queued_bytes, 0u);
  r.append_frame("after close", 7);
  EXPECT_EQ(r.frames(), 2u) << "a closed recorder records nothing";
}

TEST(Recorder, InADirectoryEachUtcDayHasAFileWhoseFirstFrameStatesItsReceiveTime) {
  const TempDir dir;
  TimeMs now = september_4 + one_day - 500;  // 23:59:59.500
  RecorderOptions options;
  options.wall_clock = [&now] { return now; };
  Recorder r;
  ASSERT_EQ(r.open(dir.file("recording") + "/", options), "") << "created when missing";
  EXPECT_TRUE(r.directory_mode());
  r.append_frame("A", 1'000);
  r.append_tick(1'500);
  now += 1'000;  // past midnight, in the middle of a hand-over
  r.append_frame("B", 1'000);
  r.flush();
  r.append_frame("C", 1'000);
  r.close();
  const std::string tick = format_control_line({.kind = ControlKind::tick, .time = 1'500});
  EXPECT_EQ(slurp(dir / "recording" / "2024-09-04.jsonl"), recv_line(1'000) + "A\n" + tick + "\n");
  EXPECT_EQ(slurp(dir / "recording" / "2024-09-05.jsonl"), recv_line(1'000) + "B\nC\n")
      << "the new day's file does not rely on the last day's receive-time line";
  EXPECT_EQ(r.stats().frames_written, 3u);
}

TEST(Recorder, ADayThatBeginsWithNothingRecordedStillGetsItsFile) {
  const TempDir dir;
  TimeMs now = september_4;
  RecorderOptions options;
  options.wall_clock = [&now] { return now; };
  Recorder r;
  ASSERT_EQ(r.open(dir.file("recording"), options), "");
  EXPECT_FALSE(r.directory_mode()) << "a path that is not a directory and has no '/' is a file";
  r.close();
  ASSERT_TRUE(std::filesystem::is_regular_file(dir / "recording"));

  Recorder daily;
  std::filesystem::remove(dir / "recording");
  std::filesystem::create_directory(dir / "recording");
  ASSERT_EQ(daily.open(dir.file("recording"), options), "");
  EXPECT_TRUE(daily.directory_mode()) << "an existing directory, without the '/'";
  now += one_day;
  daily.flush();
  ASSERT_TRUE(daily.wait_for_writer());
  EXPECT_TRUE(std::filesystem::exists(dir / "recording" / "2024-09-05.jsonl"));
}

TEST(Recorder, RetentionDeletesOnlyDailyFilesOlderThanItsDaysAtOpenAndWhenADayBegins) {
  const TempDir dir;
  const std::vector<std::string> others = {
      "notes.txt",     "2024-08-01.jsonl.gz", "2024-02-30.jsonl", "20240801.jsonl",
      "capture.jsonl", "2024-8-01.jsonl",     "x2024-08-01.jsonl"};
  for (const std::string& name : others) std::ofstream(dir / name) << "kept\n";
  for (const char* name : {"2024-08-27.jsonl", "2024-08-28.jsonl", "2024-09-03.jsonl"}) {
    std::ofstream(dir / name) << "daily\n";
  }
  std::filesystem::create_directory(dir / "2024-08-01.jsonl");  // named like one, not a file
  TimeMs now = september_4 + 12 * 3'600'000;
  RecorderOptions options;
  options.wall_clock = [&now] { return now; };
  options.retention_days = 7;
  Recorder r;
  ASSERT_EQ(r.open(dir.path().string(), options), "");
  EXPECT_FALSE(std::filesystem::exists(dir / "2024-08-27.jsonl")) << "8 days before today";
  EXPECT_TRUE(std::filesystem::exists(dir / "2024-08-28.jsonl")) << "holds the last 7 days' start";
  EXPECT_TRUE(std::filesystem::exists(dir / "2024-09-03.jsonl"));

  now += one_day;  // once a day: when the next day's first line is written
  r.append_frame("A", 1);
  r.flush();
  ASSERT_TRUE(r.wait_for_writer());
  EXPECT_FALSE(std::filesystem::exists(dir / "2024-08-28.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(dir / "2024-09-03.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(dir / "2024-09-04.jsonl"));
  EXPECT_TRUE(std::filesystem::exists(dir / "2024-09-05.jsonl"));
  EXPECT_TRUE(std::filesystem::is_directory(dir / "2024-08-01.jsonl"));
  for (const std::string& name : others) EXPECT_EQ(slurp(dir / name), "kept\n") << name;
}

TEST(Recorder, ADailyFileThatCannotBeOpenedAtStartIsAnError) {
  const TempDir dir;
  std::filesystem::create_directories(dir / "recording" / "2024-09-04.jsonl");
  RecorderOptions options;
  options.wall_clock = [] { return september_4; };
  Recorder r;
  EXPECT_NE(r.open(dir.file("recording"), options).find("2024-09-04.jsonl"), std::string::npos);
  EXPECT_FALSE(r.enabled());
}

TEST(Recorder, AFailedRotationIsLoggedOnceCountedAndRetriedEveryFlushUntilItWorks) {
  const TempDir dir;
  const LogCapture log;
  TimeMs now = september_4 + one_day - 1'000;
  RecorderOptions options;
  options.wall_clock = [&now] { return now; };
  Recorder r;
  ASSERT_EQ(r.open(dir.file("recording") + "/", options), "") << "missing, created";
  r.append_frame("A", 1);
  r.flush();
  // Tomorrow's file cannot be opened: a directory stands in its place (root cannot write
  // there either, unlike a read-only directory).
  const auto tomorrow = dir / "recording" / "2024-09-05.jsonl";
  std::filesystem::create_directory(tomorrow);
  now += 2'000;
  r.append_frame("B", 2);
  for (int flushes = 0; flushes < 3; ++flushes) {
    r.flush();
    ASSERT_TRUE(r.wait_for_writer());
  }
  RecorderStats stats = r.stats();
  EXPECT_EQ(stats.write_errors, 3u);
  EXPECT_TRUE(stats.failing);
  EXPECT_NE(stats.last_error.find(tomorrow.string() + ": " + std::strerror(EISDIR)),
            std::string::npos)
      << stats.last_error;
  EXPECT_EQ(stats.frames_written, 1u);
  EXPECT_GT(stats.queued_bytes, 0u) << "kept for the next attempt";
  EXPECT_EQ(log.count(tomorrow.string()), 1u) << log.text();

  std::filesystem::remove(tomorrow);
  r.flush();
  ASSERT_TRUE(r.wait_for_writer());
  stats = r.stats();
  EXPECT_FALSE(stats.failing);
  EXPECT_EQ(stats.write_errors, 3u);
  EXPECT_EQ(stats.frames_written, 2u);
  EXPECT_EQ(slurp(tomorrow), recv_line(2) + "B\n");
  EXPECT_EQ(slurp(dir / "recording" / "2024-09-04.jsonl"), recv_line(1) + "A\n");
  EXPECT_EQ(log.count("again after 3 failed attempt(s)"), 1u) << log.text();
}

// Runs `body` in a forked child, so that process-wide settings (resource limits, signal
// dispositions) stay there, and returns what it reports: empty when every check held.
std::string in_child_process(const std::function<std::string()>& body) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    ::close(pipe_ends[0]);
    const std::string report = body();
    const ssize_t ignored = write(pipe_ends[1], report.data(), report.size());
    (void)ignored;
    _exit(0);
  }
  ::close(pipe_ends[1]);
  std::string report;
  char chunk[512];
  for (ssize_t n; (n = read(pipe_ends[0], chunk, sizeof chunk)) > 0;) report.append(chunk, n);
  ::close(pipe_ends[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) report += "\nthe child died";
  return report;
}

TEST(Recorder, AFullDiskIsLoggedOnceCountedAndTheRecordingGoesOnWholeWhenSpaceIsBack) {
  const TempDir dir;
  const std::string path = dir.file("full.jsonl");
  const std::string report = in_child_process([&] {
    std::ostringstream failures;
    const auto check = [&](bool ok, const std::string& what) {
      if (!ok) failures << what << "\n";
    };
    // The file may grow to 1000 bytes: a disk that fills in the middle of a line.
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    getrlimit(RLIMIT_FSIZE, &limit);
    const rlim_t unlimited = limit.rlim_max;
    limit.rlim_cur = 1'000;
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return std::string("setrlimit failed");
    const LogCapture log;
    Recorder r;
    check(r.open(path) == "", "open");
    std::string expected;
    for (int i = 0; i < 30; ++i) {
      const std::string frame = fmt::format("frame {:02} {}", i, std::string(40, 'x'));
      r.append_frame(frame, 1'725'416'318'000 + i);
      expected += recv_line(1'725'416'318'000 + i) + frame + "\n";
    }
    for (int flushes = 0; flushes < 3; ++flushes) {
      r.flush();
      check(r.wait_for_writer(), "the writer did not answer");
    }
    RecorderStats stats = r.stats();
    check(stats.write_errors == 3, fmt::format("write errors {}", stats.write_errors));
    check(stats.failing, "not failing");
    check(stats.last_error == path + ": " + std::strerror(EFBIG), stats.last_error);
    check(stats.bytes_written == 1'000, fmt::format("bytes written {}", stats.bytes_written));
    check(std::filesystem::file_size(path) == 1'000, "file size");
    check(log.count(path) == 1, "logged once: " + log.text());

    limit.rlim_cur = unlimited;  // space is back
    setrlimit(RLIMIT_FSIZE, &limit);
    r.flush();
    check(r.wait_for_writer(), "the writer did not answer");
    stats = r.stats();
    check(!stats.failing, "still failing");
    check(stats.frames_written == 30, fmt::format("frames written {}", stats.frames_written));
    check(stats.frames_dropped == 0, "dropped");
    check(stats.bytes_written == expected.size(), "bytes written");
    check(slurp(path) == expected, "no line is cut short or written twice:\n" + slurp(path));
    check(log.count("again after 3 failed attempt(s)") == 1, "resumed: " + log.text());
    return failures.str();
  });
  EXPECT_EQ(report, "");
}

TEST(Recorder, AStalledWriterNeverHoldsUpTheCallerAndBeyondItsBoundDropsAndMarksAGap) {
  const TempDir dir;
  const LogCapture log;
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  RecorderOptions options;
  options.max_queued_bytes = 4'096;
  options.before_write = [&] {
    std::unique_lock lock(mutex);
    released_cv.wait_for(lock, 5s, [&] { return released; });  // a disk that hangs
  };
  Recorder r;
  ASSERT_EQ(r.open(dir.file("stalled.jsonl"), options), "");
  const std::string frame(1'000, 'x');
  constexpr TimeMs t0 = 1'725'416'318'000;
  const auto started = std::chrono::steady_clock::now();
  for (int second = 0; second < 6; ++second) {  // the writer takes the first and hangs
    for (int i = 0; i < 3; ++i) r.append_frame(frame, t0 + second * 1'000 + i);
    r.flush();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "the caller never waited";
  RecorderStats stats = r.stats();
  EXPECT_EQ(stats.frames_dropped, 15u);
  EXPECT_LE(stats.queued_bytes, options.max_queued_bytes);
  EXPECT_EQ(log.count("behind"), 1u) << log.text();
  {
    const std::lock_guard lock(mutex);
    released = true;
  }
  released_cv.notify_all();
  ASSERT_TRUE(r.wait_for_writer());
  r.append_frame("after", t0 + 5'002);  // the receive time of the last frame dropped
  r.close();

  std::string expected;
  for (int i = 0; i < 3; ++i) expected += recv_line(t0 + i) + frame + "\n";
  expected +=
      format_control_line({.kind = ControlKind::gap, .from = t0 + 1'000, .to = t0 + 5'002}) + "\n";
  expected += recv_line(t0 + 5'002) + "after\n";
  EXPECT_EQ(slurp(dir / "stalled.jsonl"), expected);
  stats = r.stats();
  EXPECT_EQ(stats.frames_written, 4u);
  EXPECT_EQ(stats.frames_dropped, 15u);
  EXPECT_EQ(log.count("caught up; 15 frame(s) were dropped"), 1u) << log.text();

  const Config config;
  Replay replay(config, [](const Signal&) {});
  ASSERT_EQ(replay.feed_file(dir.file("stalled.jsonl")), "");
  EXPECT_EQ(replay.summary().control.gaps, 1u) << "replay knows what it lacks";
}

TEST(Recorder, AnIdleWriterGetsTheLinesEveryMegabyteWithoutWaitingForAFlush) {
  const TempDir dir;
  Recorder r;
  ASSERT_EQ(r.open(dir.file("busy.jsonl")), "");
  const std::string frame(999, 'x');  // a line of 1000 bytes
  for (int i = 0; i < 2'500; ++i) r.append_frame(frame, 7);
  ASSERT_TRUE(r.wait_for_writer());
  EXPECT_GE(r.stats().frames_written, 1'000u) << "a busy second is written as it comes";
  EXPECT_LT(r.stats().frames_written, 2'500u) << "the last part waits for the flush";
  r.flush();
  ASSERT_TRUE(r.wait_for_writer());
  EXPECT_EQ(r.stats().frames_written, 2'500u);
  r.close();
  std::string expected = recv_line(7);
  for (int i = 0; i < 2'500; ++i) expected += frame + "\n";
  EXPECT_EQ(slurp(dir / "busy.jsonl"), expected);
}

TEST(Recorder, WhileTheWriterIsBehindLinesWaitForTheFlushAsBefore) {
  const TempDir dir;
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  RecorderOptions options;
  options.before_write = [&] {
    std::unique_lock lock(mutex);
    released_cv.wait_for(lock, 5s, [&] { return released; });
  };
  Recorder r;
  ASSERT_EQ(r.open(dir.file("behind.jsonl"), options), "");
  const std::string frame(999, 'y');
  // The first megabyte goes early and the writer hangs on it; the rest waits for a flush.
  for (int i = 0; i < 3'000; ++i) r.append_frame(frame, 7);
  const RecorderStats stalled = r.stats();
  EXPECT_GE(stalled.queued_bytes, std::size_t{1} << 20);
  EXPECT_LT(stalled.queued_bytes, (std::size_t{1} << 20) + 2'000);
  r.flush();
  EXPECT_EQ(r.stats().queued_bytes, 3'000u * 1'000 + recv_line(7).size());
  {
    const std::lock_guard lock(mutex);
    released = true;
  }
  released_cv.notify_all();
  ASSERT_TRUE(r.wait_for_writer());
  r.close();
  EXPECT_EQ(r.stats().frames_written, 3'000u);
  EXPECT_EQ(r.stats().frames_dropped, 0u);
}

}  // namespace
}  // namespace teleglas
