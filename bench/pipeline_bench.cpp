// Throughput of the full pipeline (parse + analyse + score + gate) against simdjson parsing
// alone over the same frames, and the peak RSS of a `teleglas replay` of the same recording.
//
//   pipeline_bench [RECORDING] [--passes N] [--teleglas PATH]
//
// Without RECORDING it uses ../shared/data/recordings/binance-2025-01-27.jsonl when present,
// else a generated one-hour market.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "teleglas/pipeline/pipeline.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/sim/market_generator.hpp"

namespace {

using namespace teleglas;
using clock_type = std::chrono::steady_clock;

struct Recording {
  std::string text;  // with 64 bytes of zero padding after the last line
  std::vector<std::string_view> lines;
};

Recording load(const std::string& path) {
  Recording r;
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    r.text = s.str();
  } else {
    std::ostringstream s;
    generate_market(MarketGeneratorOptions{}, s);
    r.text = s.str();
  }
  const std::size_t size = r.text.size();
  r.text.append(64, '\0');
  std::string_view all(r.text.data(), size);
  for (std::size_t pos = 0; pos < all.size();) {
    std::size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    r.lines.push_back(all.substr(pos, end - pos));
    pos = end + 1;
  }
  return r;
}

std::size_t capacity_of(const Recording& r, std::string_view line) {
  return r.text.size() - static_cast<std::size_t>(line.data() - r.text.data());
}

// One pass of parsing alone; returns seconds.
double parse_pass(const Recording& r, std::uint64_t& events) {
  FrameParser parser;
  double checksum = 0;
  const auto start = clock_type::now();
  for (std::string_view line : r.lines) {
    const ParsedFrame& f = parser.parse(line, 0, capacity_of(r, line));
    for (const MarketEvent& e : f.events) checksum += e.volume_usd;
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  events = parser.stats().events;
  if (checksum == 42) std::puts("");  // keep the work observable
  return seconds;
}

// One pass of parse + pipeline with a fresh pipeline (event time must move forward).
double pipeline_pass(const Recording& r, std::uint64_t& signals) {
  const Config config;
  std::vector<Signal> out;
  FrameParser parser;
  Pipeline pipeline(config);
  const auto start = clock_type::now();
  for (std::string_view line : r.lines) {
    pipeline.on_frame(parser.parse(line, 0, capacity_of(r, line)), out);
    signals += out.size();
    out.clear();
  }
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Peak RSS (MB) of `teleglas replay --json FILE`, or -1 when it cannot be run.
double replay_peak_rss_mb(const std::string& teleglas, const std::string& file) {
  if (teleglas.empty() || file.empty() || !std::filesystem::exists(teleglas)) return -1;
  std::fflush(stdout);  // or the child would print our buffered lines again
  const pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    execl(teleglas.c_str(), teleglas.c_str(), "replay", "--json", file.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return -1;
  }
  return usage.ru_maxrss / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  std::string teleglas = TELEGLAS_BINARY_FOR_BENCH;
  int passes = 20;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--passes") && i + 1 < argc) {
      passes = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--teleglas") && i + 1 < argc) {
      teleglas = argv[++i];
    } else {
      path = argv[i];
    }
  }
  if (path.empty()) {
    const char* shared = "../shared/data/recordings/binance-2025-01-27.jsonl";
    if (std::filesystem::exists(shared)) path = shared;
  }
  const Recording r = load(path);
  std::printf("recording: %s (%zu frames, %.1f MB)\n",
              path.empty() ? "generated 1h market" : path.c_str(), r.lines.size(),
              r.text.size() / 1e6);

  // Passes alternate between the two, and each keeps its best time: a neighbour stealing the
  // CPU for a moment then slows neither side of the comparison.
  std::uint64_t events = 0, signals = 0;
  double parse_s = 1e9, pipeline_s = 1e9;
  for (int p = 0; p < passes; ++p) {
    parse_s = std::min(parse_s, parse_pass(r, events));
    signals = 0;
    pipeline_s = std::min(pipeline_s, pipeline_pass(r, signals));
  }
  const double frames = static_cast<double>(r.lines.size());
  const double parse_fps = frames / parse_s;
  const double pipeline_fps = frames / pipeline_s;
  std::printf("parse only:     %10.0f frames/s  %10.0f events/s\n", parse_fps, events / parse_s);
  std::printf("full pipeline:  %10.0f frames/s  %10.0f events/s  (%llu signals)\n", pipeline_fps,
              events / pipeline_s, static_cast<unsigned long long>(signals));
  std::printf("pipeline / parse-only = %.0f%% (target >= 60%%)\n",
              100.0 * pipeline_fps / parse_fps);
  std::string replay_file = path;
  std::filesystem::path generated;
  if (replay_file.empty()) {
    generated = std::filesystem::temp_directory_path() / "teleglas-bench-market.jsonl";
    std::ofstream out(generated, std::ios::binary);
    out.write(r.text.data(), static_cast<std::streamsize>(r.text.size() - 64));
    replay_file = generated.string();
  }
  const double rss = replay_peak_rss_mb(teleglas, replay_file);
  if (rss >= 0) {
    std::printf("teleglas replay peak RSS: %.1f MB (target <= 32 MB)\n", rss);
  } else {
    std::printf("teleglas replay peak RSS: not measured (no teleglas binary)\n");
  }
  if (!generated.empty()) std::filesystem::remove(generated);
  return 0;
}
