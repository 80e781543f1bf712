// What storage costs the stream, side by side in one run (passes interleaved, best of N):
//  - replay: `Replay` of a recording alone, and with its signals and outcomes handed to a
//    StorageWriter over a fresh SQLite file (what `teleglas replay --db` does);
//  - live: the daemon's per-frame work (parse, pipeline, signals and outcomes, and every
//    market event copied into the writer's queue) with and without storage.
// The writer's own thread does the disk work; these numbers are what the stream thread pays.
//
//   storage_bench [RECORDING] [--passes N]
//
// Without RECORDING it uses ../shared/data/recordings/binance-2025-01-27.jsonl when present,
// else a generated one-hour market.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "teleglas/alerts/signal_json.hpp"
#include "teleglas/app/replay.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/pipeline/pipeline.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/storage/open_store.hpp"
#include "teleglas/storage/writer.hpp"

namespace {

using namespace teleglas;
using clock_type = std::chrono::steady_clock;

std::string load(const std::string& path) {
  if (path.empty()) {
    std::ostringstream s;
    generate_market(MarketGeneratorOptions{}, s);
    return s.str();
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string_view> lines_of(const std::string& text) {
  std::vector<std::string_view> lines;
  std::string_view all(text);
  for (std::size_t pos = 0; pos < all.size();) {
    std::size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    lines.push_back(all.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

std::unique_ptr<StorageWriter> fresh_writer(const std::string& dir, int pass, const char* what) {
  StorageConfig sqlite;
  sqlite.path = dir + "/" + what + std::to_string(pass) + ".db";
  return std::make_unique<StorageWriter>(open_store(sqlite));
}

struct Pass {
  double seconds = 0;       // on the stream thread
  double drain_seconds = 0;  // until the writer had written everything
  std::uint64_t events = 0, signals = 0, stored_events = 0, dropped = 0;
};

Pass replay_pass(const std::string& text, StorageWriter* writer) {
  const Config config;
  Pass p;
  Replay::OutcomeHandler on_outcome;
  if (writer) on_outcome = [&](const Outcome& o) { writer->save_outcome(o); };
  Replay replay(
      config,
      [&](const Signal& s) {
        ++p.signals;
        if (writer) writer->save_signal({s, signal_to_json(s)});
      },
      std::move(on_outcome));
  const auto start = clock_type::now();
  replay.feed_text(text);
  replay.finish();
  p.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  if (writer) writer->flush(std::chrono::minutes(5));
  p.drain_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  p.events = replay.summary().parse.events;
  return p;
}

// The daemon's process() for each frame: parse, pipeline, then (with storage) signals,
// outcome changes and the frame's events handed to the writer.
Pass live_pass(const std::vector<std::string_view>& lines, StorageWriter* writer) {
  const Config config;
  FrameParser parser(parser_options(config));
  Pipeline pipeline(config);
  std::vector<Signal> signals;
  std::vector<Outcome> outcomes;
  std::vector<StoredEvent> stored;
  Pass p;
  const auto start = clock_type::now();
  for (std::string_view line : lines) {
    const ParsedFrame& frame = parser.parse(line, 0);
    pipeline.on_frame(frame, signals);
    if (writer) {
      if (frame.kind == FrameKind::market && !frame.events.empty()) {
        for (const MarketEvent& e : frame.events) {
          stored.push_back(StoredEvent::of(e));
        }
        // As the daemon does: handed over in batches (each tick, or every 1024 events).
        if (stored.size() >= 1024) p.stored_events += writer->take_events(stored);
      }
      for (const Signal& s : signals) writer->save_signal({s, signal_to_json(s)});
      pipeline.take_outcomes(outcomes);
      for (const Outcome& o : outcomes) writer->save_outcome(o);
      outcomes.clear();
    }
    p.signals += signals.size();
    signals.clear();
  }
  if (writer && !stored.empty()) p.stored_events += writer->take_events(stored);
  p.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  if (writer) {
    writer->flush(std::chrono::minutes(5));
    p.dropped = writer->stats().events_dropped;
  }
  p.drain_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  p.events = parser.stats().events;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int passes = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--passes") == 0 && i + 1 < argc) {
      passes = std::max(1, std::atoi(argv[++i]));
    } else {
      path = argv[i];
    }
  }
  if (path.empty()) {
    const char* shared = "../shared/data/recordings/binance-2025-01-27.jsonl";
    if (std::filesystem::exists(shared)) path = shared;
  }
  const std::string text = load(path);
  const std::vector<std::string_view> lines = lines_of(text);
  char dir_template[] = "/tmp/teleglas-storage-bench-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) {
    std::perror("mkdtemp");
    return 1;
  }
  std::printf("recording: %s (%zu lines), %d interleaved passes, best of each\n",
              path.empty() ? "generated market" : path.c_str(), lines.size(), passes);

  Pass best_replay, best_replay_db, best_live, best_live_db;
  auto keep_best = [](Pass& best, const Pass& p) {
    if (best.seconds == 0 || p.seconds < best.seconds) best = p;
  };
  for (int pass = 0; pass < passes; ++pass) {
    keep_best(best_replay, replay_pass(text, nullptr));
    {
      auto writer = fresh_writer(dir, pass, "replay");
      keep_best(best_replay_db, replay_pass(text, writer.get()));
    }
    keep_best(best_live, live_pass(lines, nullptr));
    {
      auto writer = fresh_writer(dir, pass, "live");
      keep_best(best_live_db, live_pass(lines, writer.get()));
    }
  }
  std::filesystem::remove_all(dir);

  auto rate = [](const Pass& p) { return p.events / p.seconds; };
  std::printf("replay            %10.0f events/s  (%llu events, %llu signals)\n",
              rate(best_replay), static_cast<unsigned long long>(best_replay.events),
              static_cast<unsigned long long>(best_replay.signals));
  std::printf("replay --db       %10.0f events/s  (all written after %.3f s)  ratio %.2f "
              "(target >= 0.80)\n",
              rate(best_replay_db), best_replay_db.drain_seconds,
              rate(best_replay_db) / rate(best_replay));
  const double frame_ns = best_live.seconds * 1e9 / lines.size();
  const double frame_db_ns = best_live_db.seconds * 1e9 / lines.size();
  std::printf("live per frame    %10.1f ns without storage, %.1f ns with (+%.1f%%, target < 10%%)\n",
              frame_ns, frame_db_ns, (frame_db_ns / frame_ns - 1) * 100);
  std::printf("live events kept  %llu queued, %llu dropped by the bounded queue; all written "
              "after %.3f s\n",
              static_cast<unsigned long long>(best_live_db.stored_events),
              static_cast<unsigned long long>(best_live_db.dropped), best_live_db.drain_seconds);
  return 0;
}
