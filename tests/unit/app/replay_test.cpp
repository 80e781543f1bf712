#include "teleglas/app/replay.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"
#include "teleglas/alerts/signal_json.hpp"
#include "teleglas/app/recorder.hpp"
#include "teleglas/sim/market_generator.hpp"

namespace teleglas {
namespace {

using testing::TempDir;

// Ten minutes of generated market (seed 7): a stop hunt, then accumulation on ETHUSDT. Order
// flow decides once its window was watched whole (from start + 300 s), so the accumulation is
// decided at +360 s and, after the market's last event, by a tick at +660 s.
struct Market {
  MarketGeneratorOptions options{.seed = 7, .duration_s = 600};
  std::string text;

  Market() {
    std::ostringstream out;
    generate_market(options, out);
    text = out.str();
  }
  TimeMs start() const { return options.start_time; }
};

// The calls the daemon makes into its pipeline, each recorded just before, as the daemon does.
struct LiveRun {
  LiveRun(const Config& config, const std::string& record_path)
      : parser(parser_options(config)), pipeline(config) {
    EXPECT_EQ(recorder.open(record_path), "");
  }
  void frame(std::string_view text, TimeMs receive_time) {
    ++frames;
    wall = receive_time;
    recorder.append_frame(text, receive_time);
    pipeline.on_frame(parser.parse(text, receive_time), signals);
  }
  void tick(TimeMs now) {
    ++ticks;
    wall = std::max(wall, now);
    const std::size_t before = signals.size();
    recorder.append_tick(now);
    pipeline.on_tick(now, signals);
    decided_by_ticks += signals.size() - before;
    recorder.flush();
  }
  void gap(TimeMs from, TimeMs to) {
    recorder.append_gap(from, to);
    pipeline.on_gap(from, to);
  }

  // The market as the daemon meets it: every frame with its own receive time, a tick after
  // every 20 frames, a 4 s outage inside the last order-flow window (reported when the feed
  // is back), then a tick a second past the last event until the daemon stops at `stop`.
  void play(const Market& market, TimeMs stop) {
    const TimeMs gap_from = market.start() + 450'000;
    const TimeMs gap_to = gap_from + 4'000;
    bool gap_reported = false;
    std::istringstream in(market.text);
    for (std::string line; std::getline(in, line);) {
      frame(line, market.start() + static_cast<TimeMs>(frames) * 280);
      if (!gap_reported && pipeline.now() > gap_to) {
        gap(gap_from, gap_to);
        gap_reported = true;
      }
      if (frames % 20 == 0) tick(pipeline.now() + 100);
    }
    for (TimeMs t = pipeline.now() + 1'000; t <= stop; t += 1'000) tick(t);
    recorder.close();  // written when it returns
  }

  std::vector<std::string> signal_lines() const {
    std::vector<std::string> lines;
    for (const Signal& s : signals) lines.push_back(signal_to_json(s));
    return lines;
  }

  FrameParser parser;
  Pipeline pipeline;
  Recorder recorder;
  std::vector<Signal> signals;
  std::uint64_t frames = 0;
  std::uint64_t ticks = 0;
  std::uint64_t decided_by_ticks = 0;
  TimeMs wall = 0;  // the receive time of the last frame, or the last tick: a wall clock
};

struct Replayed {
  std::vector<std::string> signal_lines;
  ReplaySummary summary;
};

// `teleglas replay FILE|DIR...` without the printing.
Replayed replay_files(const Config& config, const std::vector<std::string>& paths) {
  Replayed out;
  Replay replay(config, [&](const Signal& s) { out.signal_lines.push_back(signal_to_json(s)); });
  for (const std::string& path : paths) EXPECT_EQ(replay.feed_recording(path), "");
  replay.finish();
  out.summary = replay.summary();
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

constexpr const char* liquidation =
    R"({"channel":"liquidationOrders","data":[{"baseAsset":"BTC","exName":"Binance","price":56738.0,"side":2,"symbol":"BTCUSDT","time":1725416318379,"volUsd":3858.184}]})";

TEST(Replay, RecordedReceiveTimesTicksAndGapsGiveTheSignalsOfTheLiveCalls) {
  const TempDir dir;
  const Config config;
  const Market market;
  LiveRun live(config, dir.file("live.jsonl"));
  live.play(market, market.start() + 661'000);

  const Replayed replayed = replay_files(config, {dir.file("live.jsonl")});
  const std::vector<std::string> expected = live.signal_lines();
  ASSERT_GE(expected.size(), 2u);
  EXPECT_EQ(replayed.signal_lines, expected);
  EXPECT_GT(live.decided_by_ticks, 0u) << "the last window is decided by a tick";
  EXPECT_GT(live.signals.back().degraded_gap_ms, 0) << "and degraded by the gap";

  const ReplaySummary& s = replayed.summary;
  EXPECT_EQ(s.parse.frames, live.frames);
  EXPECT_EQ(s.parse.rejected(), live.parser.stats().rejected());
  EXPECT_EQ(s.control.ticks, live.ticks);
  EXPECT_EQ(s.control.gaps, 1u);
  EXPECT_EQ(s.control.receive_times, live.frames) << "every frame came at another time";
  EXPECT_EQ(s.control.malformed, 0u);
  EXPECT_EQ(s.pipeline.emitted, expected.size());
}

TEST(Replay, RecordedClockEndsTheReplayWhereTheLiveRunStopped) {
  const TempDir dir;
  const Config config;
  const Market market;

  // A capture without our lines: replay lets time run on past the market's end and decides
  // the windows still open.
  write_file(dir.file("capture.jsonl"), market.text);
  const Replayed capture = replay_files(config, {dir.file("capture.jsonl")});
  ASSERT_FALSE(capture.signal_lines.empty());
  const std::string& last = capture.signal_lines.back();
  const std::size_t at = last.find("\"time\":") + 7;
  const TimeMs closing_window = std::stoll(last.substr(at, last.find(',', at) - at));
  ASSERT_GE(closing_window, market.start() + 600'000) << "decided after the market's last event";

  // The daemon stopped a second before that window closed: it never sent that signal.
  LiveRun live(config, dir.file("live.jsonl"));
  live.play(market, closing_window - 1'000);
  const Replayed replayed = replay_files(config, {dir.file("live.jsonl")});
  EXPECT_EQ(replayed.signal_lines, live.signal_lines());
  EXPECT_EQ(replayed.signal_lines.size(), capture.signal_lines.size() - 1);
  EXPECT_EQ(replayed.summary.last_time, live.pipeline.now());
}

TEST(Replay, ReceiveTimeLinesReachTheParserAndEndWithTheirFile) {
  const TempDir dir;
  const Config config;
  {
    Recorder r;
    ASSERT_EQ(r.open(dir.file("far.jsonl")), "");
    // Received "in the year 30000": the event is judged against that and rejected.
    r.append_frame(liquidation, 900'000'000'000'000);
  }
  write_file(dir.file("plain.jsonl"), std::string(liquidation) + "\n");
  const ReplaySummary s =
      replay_files(config, {dir.file("far.jsonl"), dir.file("plain.jsonl")}).summary;
  EXPECT_EQ(s.parse.frames, 2u);
  EXPECT_EQ(s.parse.rejected_by_reason[static_cast<int>(RejectReason::bad_time)], 1u);
  EXPECT_EQ(s.parse.events, 1u) << "the second file's frame has no receive time to fail";
  EXPECT_EQ(s.control.receive_times, 1u);
}

TEST(Replay, MalformedControlLinesAreCountedAndSkippedNeverFrames) {
  const TempDir dir;
  const Config config;
  write_file(dir.file("bad.jsonl"),
             std::string(R"({"channel":"teleglas.tick","time":"soon"})") + "\n" +
                 R"({"channel":"teleglas.gap","from":1})" + "\n" + liquidation + "\n" +
                 R"({"channel":"teleglas.tick","time":1725416319000})" + "\n");
  const Replayed replayed = replay_files(config, {dir.file("bad.jsonl")});
  const ReplaySummary& s = replayed.summary;
  EXPECT_EQ(s.control.malformed, 2u);
  EXPECT_EQ(s.control.ticks, 1u);
  EXPECT_EQ(s.parse.frames, 1u);
  EXPECT_EQ(s.parse.rejected(), 0u);
  EXPECT_EQ(s.parse.events, 1u);
  EXPECT_EQ(s.last_time, 1'725'416'319'000) << "the tick moved the clock";

  const std::string json = summary_to_json(s);
  EXPECT_NE(json.find(R"("control_lines":1,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("control_lines_by_kind":{"recv":0,"tick":1,"gap":0,"source":0})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("control_lines_malformed":2)"), std::string::npos) << json;
}

TEST(Replay, ARecordingEarlierThanTheOneBeforeItReplaysOnAFreshPipeline) {
  // `replay b.jsonl a.jsonl` with `a` recorded first: time cannot run backwards through the
  // windows, so `a` gets a pipeline of its own and every event of both is analysed.
  const TempDir dir;
  const Config config;
  MarketGeneratorOptions later_options{.seed = 7, .duration_s = 600};
  later_options.start_time += 86'400'000;
  std::ostringstream earlier, later;
  generate_market(MarketGeneratorOptions{.seed = 7, .duration_s = 600}, earlier);
  generate_market(later_options, later);
  write_file(dir.file("a.jsonl"), earlier.str());
  write_file(dir.file("b.jsonl"), later.str());

  const Replayed alone = replay_files(config, {dir.file("a.jsonl")});
  const Replayed both = replay_files(config, {dir.file("b.jsonl"), dir.file("a.jsonl")});
  EXPECT_EQ(both.summary.pipeline.rejected(), 0u);
  EXPECT_EQ(both.summary.pipeline.events, 2 * alone.summary.pipeline.events);
  ASSERT_EQ(both.signal_lines.size(), 2 * alone.signal_lines.size());
  EXPECT_TRUE(std::equal(
      alone.signal_lines.begin(), alone.signal_lines.end(),
      both.signal_lines.begin() + static_cast<std::ptrdiff_t>(alone.signal_lines.size())))
      << "the earlier recording gives the signals it gives alone";
}

std::vector<std::string> file_names(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  std::ranges::sort(names);
  return names;
}

TEST(Replay, ADirectoryOfDailyFilesGivesTheSignalsOfOneFileAndEachDayReplaysAlone) {
  const TempDir dir;
  const Config config;
  const Market market;  // starts 2025-01-01 00:00 UTC
  LiveRun one_file(config, dir.file("live.jsonl"));
  one_file.play(market, market.start() + 661'000);

  // The same run recorded by a daemon whose wall clock passes midnight five minutes into it.
  constexpr TimeMs day = 86'400'000;
  const TimeMs offset = day - 300'000;
  LiveRun daily(config, "");
  daily.wall = market.start();
  RecorderOptions options;
  options.wall_clock = [&daily, offset] { return daily.wall + offset; };
  ASSERT_EQ(daily.recorder.open(dir.file("daily") + "/", options), "");
  daily.play(market, market.start() + 661'000);
  ASSERT_EQ(daily.signal_lines(), one_file.signal_lines());
  ASSERT_EQ(file_names(dir / "daily"),
            (std::vector<std::string>{"2025-01-01.jsonl", "2025-01-02.jsonl"}));

  const Replayed from_directory = replay_files(config, {dir.file("daily")});
  const Replayed from_file = replay_files(config, {dir.file("live.jsonl")});
  ASSERT_FALSE(from_file.signal_lines.empty());
  EXPECT_EQ(from_directory.signal_lines, from_file.signal_lines);
  EXPECT_EQ(from_directory.summary.files, 2u);
  EXPECT_EQ(from_directory.summary.parse.frames, from_file.summary.parse.frames);
  EXPECT_EQ(from_directory.summary.control.ticks, from_file.summary.control.ticks);
  EXPECT_EQ(from_directory.summary.control.gaps, from_file.summary.control.gaps);

  std::uint64_t frames = 0;
  for (const char* name : {"2025-01-01.jsonl", "2025-01-02.jsonl"}) {
    const ReplaySummary alone = replay_files(config, {(dir / "daily" / name).string()}).summary;
    EXPECT_GT(alone.parse.frames, 0u) << name;
    EXPECT_EQ(alone.parse.rejected(), 0u) << name;
    EXPECT_EQ(alone.control.malformed, 0u) << name;
    EXPECT_EQ(alone.control.receive_times, alone.parse.frames) << name;
    frames += alone.parse.frames;
  }
  EXPECT_EQ(frames, one_file.frames);
}

TEST(Replay, ADirectoryIsItsJsonlFilesInNameOrderAndNothingElse) {
  const TempDir dir;
  const Config config;
  std::filesystem::create_directory(dir / "recording");
  std::filesystem::create_directory(dir / "recording" / "2024-09-03.jsonl");  // not a file
  write_file((dir / "recording" / "notes.txt").string(), "not a recording\n");
  // Written out of order: the later day first.
  write_file((dir / "recording" / "2024-09-05.jsonl").string(),
             std::string(R"({"channel":"teleglas.tick","time":1725500000000})") + "\n");
  write_file((dir / "recording" / "2024-09-04.jsonl").string(), std::string(liquidation) + "\n");
  const Replayed replayed = replay_files(config, {dir.file("recording")});
  EXPECT_EQ(replayed.summary.files, 2u);
  EXPECT_EQ(replayed.summary.parse.frames, 1u) << "notes.txt is not replayed";
  EXPECT_EQ(replayed.summary.parse.events, 1u);
  EXPECT_EQ(replayed.summary.last_time, 1'725'500'000'000) << "the tick came last";

  std::filesystem::create_directory(dir / "empty");
  Replay replay(config, [](const Signal&) {});
  EXPECT_NE(replay.feed_recording(dir.file("empty")).find("no *.jsonl"), std::string::npos);
  EXPECT_NE(replay.feed_recording(dir.file("missing.jsonl")), "");
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

// CoinGlass names OKX's instruments as OKX does (BTC-USDT-SWAP). A flush split between Binance
// and OKX is one flush of BTCUSDT, as it is when OKX's own stream reports its share.
TEST(Replay, CoinGlassRelayingOkxUnderItsInstrumentIdAddsToTheSameSymbol) {
  const TempDir dir;
  const TimeMs t = 1'796'300'000'000;
  std::string text;
  const auto line = [&](std::string_view channel, std::string_view exchange,
                        std::string_view symbol, int side, double usd, double price, TimeMs at) {
    text += fmt::format(
        R"({{"channel":"{}","data":[{{"baseAsset":"BTC","exName":"{}","price":{},"side":{},)"
        R"("symbol":"{}","time":{},"volUsd":{}}}]}})"
        "\n",
        channel, exchange, price, side, symbol, at, usd);
  };
  for (TimeMs at = t - 40'000; at < t; at += 2'000) {
    line("futures_trades@Binance_BTCUSDT@10000", "Binance", "BTCUSDT", 2, 2'000, 95'950, at);
  }
  line("liquidationOrders", "Binance", "BTCUSDT", 1, 1'200'000, 95'900, t);
  line("liquidationOrders", "OKX", "BTC-USDT-SWAP", 1, 1'000'000, 95'890, t + 500);
  line("futures_trades@Binance_BTCUSDT@10000", "Binance", "BTCUSDT", 2, 150'000, 95'800, t + 3'000);
  write_file(dir.file("market.jsonl"), text);

  const Replayed replayed = replay_files(Config{}, {dir.file("market.jsonl")});
  ASSERT_EQ(replayed.signal_lines.size(), 1u) << "$1.2M + $1.0M: a $2.2M hunt, not two halves";
  const std::string& hunt = replayed.signal_lines[0];
  EXPECT_NE(hunt.find(R"("type":"STOP_HUNT","symbol":"BTCUSDT")"), std::string::npos) << hunt;
  EXPECT_NE(hunt.find(R"("venues":{"Binance":1200000.0,"OKX":1000000.0})"), std::string::npos)
      << hunt;
  EXPECT_EQ(replayed.summary.pipeline.peak_symbols, 1u);
}

}  // namespace
}  // namespace teleglas
