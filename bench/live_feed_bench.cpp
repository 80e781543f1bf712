// Frames/s through the real TLS WebSocket on loopback, and frame -> signal latency.
//
//   live_feed_bench [RECORDING | --generate] [--repeat N] [--timeout S] [--storage]
//
// With --storage the handler also does what the daemon does for history: every event copied
// into a batch handed to a StorageWriter over a fresh SQLite file (in /tmp), signals and
// outcome changes saved. Compare the feed thread's CPU per frame with and without it.
//
// The simulated CoinGlass streams the recording as fast as it can from its own thread and
// io_context (its writes are the fake's cost, not the daemon's). This thread runs what the
// daemon's thread runs per frame: WsFeed (TLS decryption + WebSocket framing) -> FeedListener::
// on_frame -> FrameParser::parse -> Pipeline::on_frame -> signals.
//
// Without RECORDING it uses ../shared/data/recordings/binance-2025-01-27.jsonl when present,
// else (or with --generate) a generated one-hour market. Snapshot lines (funding_rates /
// open_interest) are dropped: the daemon gets those over REST, not the WebSocket. The frames are
// repeated (default: enough for >= 250k frames) with event times shifted forward each pass, so the
// pipeline sees time move on instead of jumping back. The run stops after every frame arrived or
// --timeout seconds (default 60).
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "teleglas/alerts/signal_json.hpp"
#include "teleglas/app/recorder.hpp"
#include "teleglas/storage/open_store.hpp"
#include "teleglas/storage/writer.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/net/feed.hpp"
#include "teleglas/net/tls_identity.hpp"
#include "teleglas/net/ws_feed.hpp"
#include "teleglas/pipeline/pipeline.hpp"
#include "teleglas/signals/win_rate.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/simserver/coinglass_server.hpp"
#include "recorded_market.hpp"

namespace {

using namespace teleglas;
using namespace teleglas::bench;
using steady = std::chrono::steady_clock;

constexpr std::uint64_t default_min_frames = 250'000;
constexpr double target_frames_per_s = 200'000;
constexpr double target_p99_us = 100;

double thread_cpu_s(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The daemon's per-frame path, timed from the feed handing the frame over to the pipeline
// having decided (signals or none).
class BenchListener final : public FeedListener {
 public:
  BenchListener(const Config& config, std::uint64_t expected, StorageWriter* storage)
      : expected_(expected),
        storage_(storage),
        parser_(parser_options(config)),
        pipeline_(config) {
    // Reserved up front so that recording a sample never reallocates inside the timed path.
    latency_ns_.reserve(expected);
    had_signal_.reserve(expected);
  }

  std::function<void()> on_all_received;
  // The fake server's thread CPU clock, sampled at the first and the last frame.
  void set_server_cpu_clock(clockid_t clock) { server_cpu_clock_ = clock; }

  void on_frame(std::string_view text, TimeMs receive_time) override {
    const steady::time_point start = steady::now();
    const ParsedFrame& frame = parser_.parse(text, receive_time);
    pipeline_.on_frame(frame, signals_);
    if (storage_) keep_history(frame);
    const steady::time_point end = steady::now();

    latency_ns_.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    had_signal_.push_back(!signals_.empty());
    signal_count_ += signals_.size();
    signals_.clear();
    handler_s_ += seconds_between(start, end);
    if (received_ == 0) {
      first_start_ = start;
      client_cpu_first_ = thread_cpu_s(CLOCK_THREAD_CPUTIME_ID);
      server_cpu_first_ = thread_cpu_s(server_cpu_clock_);
    }
    last_start_ = start;
    last_end_ = end;
    bytes_ += text.size();
    if (++received_ == expected_) {
      client_cpu_last_ = thread_cpu_s(CLOCK_THREAD_CPUTIME_ID);
      server_cpu_last_ = thread_cpu_s(server_cpu_clock_);
      if (on_all_received) on_all_received();
    }
  }
  // The daemon's history hand-over (src/app/daemon.cpp keep_events / deliver).
  void keep_history(const ParsedFrame& frame) {
    for (const MarketEvent& e : frame.events) {
      stored_.push_back(StoredEvent::of(e));
    }
    if (stored_.size() >= 1024) storage_->take_events(stored_);
    for (const Signal& sig : signals_) storage_->save_signal({sig, signal_to_json(sig)});
    pipeline_.take_outcomes(outcomes_);
    for (const Outcome& o : outcomes_) storage_->save_outcome(o);
    outcomes_.clear();
  }

  void on_state(std::size_t, ConnectionState) override {}
  void on_alarm(std::string_view what) override {
    std::fprintf(stderr, "alarm: %.*s\n", static_cast<int>(what.size()), what.data());
  }
  void on_gap(const FeedGap& gap) override { pipeline_.on_gap(gap.from, gap.to); }

  std::uint64_t received() const { return received_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t signals() const { return signal_count_; }
  const ParseStats& parse_stats() const { return parser_.stats(); }
  const std::vector<std::int64_t>& latency_ns() const { return latency_ns_; }
  const std::vector<bool>& had_signal() const { return had_signal_; }
  double handler_s() const { return handler_s_; }
  double first_to_last_s() const { return seconds_between(first_start_, last_start_); }
  double first_to_done_s() const { return seconds_between(first_start_, last_end_); }
  bool complete() const { return received_ >= expected_; }
  double client_cpu_s() const { return client_cpu_last_ - client_cpu_first_; }
  double server_cpu_s() const { return server_cpu_last_ - server_cpu_first_; }

 private:
  std::uint64_t expected_;
  StorageWriter* storage_;
  std::vector<StoredEvent> stored_;
  std::vector<Outcome> outcomes_;
  clockid_t server_cpu_clock_ = CLOCK_THREAD_CPUTIME_ID;
  FrameParser parser_;
  Pipeline pipeline_;
  std::vector<Signal> signals_;
  std::vector<std::int64_t> latency_ns_;
  std::vector<bool> had_signal_;
  std::uint64_t received_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t signal_count_ = 0;
  double handler_s_ = 0;
  steady::time_point first_start_{}, last_start_{}, last_end_{};
  double client_cpu_first_ = 0, client_cpu_last_ = 0;
  double server_cpu_first_ = 0, server_cpu_last_ = 0;
};

struct Percentiles {
  std::size_t count = 0;
  double p50 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;  // microseconds
};

Percentiles percentiles(std::vector<std::int64_t> ns) {
  Percentiles p;
  p.count = ns.size();
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  const auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ns.size()))) - 1;
    return static_cast<double>(ns[std::min(i, ns.size() - 1)]) / 1e3;
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = static_cast<double>(ns.back()) / 1e3;
  double sum = 0;
  for (std::int64_t v : ns) sum += static_cast<double>(v);
  p.mean = sum / static_cast<double>(ns.size()) / 1e3;
  return p;
}

void print_latency(const char* label, const Percentiles& p) {
  std::printf("  %-28s %9zu  %8.2f %8.2f %8.2f %8.2f %9.1f\n", label, p.count, p.mean, p.p50, p.p99,
              p.p999, p.max);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

const char* verdict(bool met) {
  return met ? "MET" : "NOT MET";
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  long repeat = 0;  // 0 = enough for default_min_frames
  double timeout_s = 60;
  bool generate = false;
  bool with_storage = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) {
      repeat = std::max(1L, std::atol(argv[++i]));
    } else if (!std::strcmp(argv[i], "--timeout") && i + 1 < argc) {
      timeout_s = std::max(1.0, std::atof(argv[++i]));
    } else if (!std::strcmp(argv[i], "--generate")) {
      generate = true;
    } else if (!std::strcmp(argv[i], "--storage")) {
      with_storage = true;
    } else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::puts(
          "usage: live_feed_bench [RECORDING | --generate] [--repeat N] [--timeout S] "
          "[--storage]");
      return 0;
    } else {
      path = argv[i];
    }
  }
  if (path.empty() && !generate) {
    const char* shared = "../shared/data/recordings/binance-2025-01-27.jsonl";
    if (std::filesystem::exists(shared)) path = shared;
  }

  std::vector<std::string> base;
  if (path.empty()) {
    std::ostringstream s;
    generate_market(MarketGeneratorOptions{}, s);
    base = stream_lines(s.str());
  } else {
    base = stream_lines(read_file(path));
  }
  if (base.empty()) {
    std::fprintf(stderr, "no WebSocket frames in %s\n", path.c_str());
    return 1;
  }
  if (repeat == 0) {
    repeat = static_cast<long>((default_min_frames + base.size() - 1) / base.size());
  }

  // Each pass starts a second after the previous one ended, so event time only moves forward.
  const TimeMs pass_ms = pass_length_ms(base);
  SimCoinglassOptions server_options;
  server_options.identity = make_loopback_identity();
  server_options.frames.reserve(base.size() * static_cast<std::size_t>(repeat));
  std::uint64_t payload_bytes = 0;
  for (long r = 0; r < repeat; ++r) {
    for (const std::string& line : base) {
      server_options.frames.push_back(shift_times(line, r * pass_ms));
      payload_bytes += server_options.frames.back().size();
    }
  }
  const std::uint64_t expected = server_options.frames.size();
  server_options.pace = 0;

  Config config;
  config.symbols = symbols_of(base, config.analysis);
  if (config.symbols.empty()) config.symbols = Config{}.symbols;
  // The server streams every frame to every connection: keep the feed on one connection.
  config.coinglass.channels_per_connection = 1'000'000;
  const auto ca_path = std::filesystem::temp_directory_path() /
                       ("teleglas-live-feed-bench-ca-" + std::to_string(::getpid()) + ".pem");
  std::ofstream(ca_path) << server_options.identity.ca_cert_pem;
  config.coinglass.ca_file = ca_path.string();

  std::printf("recording: %s, %zu frames x %ld = %llu frames (%.1f MB), %zu symbols\n",
              path.empty() ? "generated 1h market" : path.c_str(), base.size(), repeat,
              static_cast<unsigned long long>(expected), payload_bytes / 1e6,
              config.symbols.size());

  // The fake CoinGlass, on its own io_context; its thread starts once nothing can throw.
  boost::asio::io_context server_io;
  SimCoinglassServer server(server_io, std::move(server_options));
  config.coinglass.ws_url = server.ws_url();

  // The daemon's thread: one io_context, the feed and the per-frame path.
  boost::asio::io_context io;
  std::unique_ptr<StorageWriter> storage;
  const std::string db_path = "/tmp/teleglas-live-bench-" + std::to_string(getpid()) + ".db";
  if (with_storage) {
    StorageConfig sqlite;
    sqlite.path = db_path;
    storage = std::make_unique<StorageWriter>(open_store(sqlite));
  }
  BenchListener listener(config, expected, storage.get());
  WsFeedOptions feed_options;
  // Info lines (connect, live) are noise here; problems still show.
  feed_options.log = [](FeedLogLevel level, std::string_view text) {
    if (level >= FeedLogLevel::warn) {
      std::fprintf(stderr, "feed: %.*s\n", static_cast<int>(text.size()), text.data());
    }
  };
  WsFeed feed(io, config.coinglass, config.symbols, "bench-key", listener, feed_options);
  boost::asio::steady_timer deadline(
      io, std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(timeout_s)));
  bool timed_out = false;
  listener.on_all_received = [&] {
    deadline.cancel();
    feed.stop();
  };
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    timed_out = true;
    feed.stop();
  });
  std::thread server_thread([&] { server_io.run(); });
  if (clockid_t clock{}; pthread_getcpuclockid(server_thread.native_handle(), &clock) == 0) {
    listener.set_server_cpu_clock(clock);
  }
  const steady::time_point run_start = steady::now();
  feed.start();
  io.run();
  const double run_s = seconds_between(run_start, steady::now());
  const FeedConnectionStats feed_stats = feed.stats().total();

  server.stop();
  server_thread.join();
  const SimCoinglassRecord record = server.record();
  std::filesystem::remove(ca_path);

  // ---- report -----------------------------------------------------------------------------
  const std::uint64_t received = listener.received();
  const double span_s = listener.first_to_last_s();
  const double fps = received > 1 && span_s > 0 ? static_cast<double>(received - 1) / span_s : 0;
  const double done_s = listener.first_to_done_s();
  const bool lossless = received == record.frames_sent && received == expected;

  std::printf(
      "run: %.2f s wall%s; connections %llu, reconnects %llu, errors %llu; feed forwarded %llu "
      "frames, swallowed %llu pongs, dropped %llu binary / %llu oversize\n",
      run_s, timed_out ? " (TIMED OUT)" : "", static_cast<unsigned long long>(feed_stats.connects),
      static_cast<unsigned long long>(feed_stats.reconnects),
      static_cast<unsigned long long>(feed_stats.errors),
      static_cast<unsigned long long>(feed_stats.frames),
      static_cast<unsigned long long>(feed_stats.pongs),
      static_cast<unsigned long long>(feed_stats.dropped_binary),
      static_cast<unsigned long long>(feed_stats.dropped_oversize));
  std::printf("frames: sent by server %llu, received by feed %llu, expected %llu -> %s\n",
              static_cast<unsigned long long>(record.frames_sent),
              static_cast<unsigned long long>(received), static_cast<unsigned long long>(expected),
              lossless ? "nothing lost" : "MISMATCH");
  const ParseStats& ps = listener.parse_stats();
  std::printf("parsed: %llu events, %llu rejected, %llu notices; %llu signals\n",
              static_cast<unsigned long long>(ps.events),
              static_cast<unsigned long long>(ps.rejected()),
              static_cast<unsigned long long>(ps.notices),
              static_cast<unsigned long long>(listener.signals()));
  std::printf("\nthroughput: %.0f frames/s, %.1f MB/s (first -> last frame, %.3f s)\n", fps,
              static_cast<double>(listener.bytes()) / 1e6 / std::max(span_s, 1e-9), span_s);
  std::printf("  target >= 200,000 frames/s on one core: %s\n",
              verdict(fps >= target_frames_per_s));
  // Whether the client or the fake server was the limit: the busier thread is.
  const double client_cpu = listener.complete() ? listener.client_cpu_s() : 0;
  const double server_cpu = listener.complete() ? listener.server_cpu_s() : 0;
  if (listener.complete() && done_s > 0) {
    std::printf("  feed thread CPU %.3f s = %.0f%% busy -> %.0f frames per feed-CPU-second\n",
                client_cpu, 100 * client_cpu / done_s,
                client_cpu > 0 ? static_cast<double>(received) / client_cpu : 0.0);
    std::printf("  fake-server thread CPU %.3f s = %.0f%% busy\n", server_cpu,
                100 * server_cpu / done_s);
    // A feed thread that was not saturated spent the rest waiting for frames: the wall rate
    // then measures the fake server or the machine, and frames per feed-CPU-second is the
    // capacity of one core.
    if (client_cpu / done_s < 0.9) {
      std::printf(
          "  (feed thread not saturated: the wall rate is bound by the fake server or by "
          "CPU contention; %u CPUs, load average %s)\n",
          std::thread::hardware_concurrency(), load_average().c_str());
    }
  }
  std::printf(
      "  inside our handler (parse + pipeline): %.3f s = %.1f%% of first->last; the rest "
      "is TLS + WebSocket + asio + waiting for the server\n",
      listener.handler_s(), 100 * listener.handler_s() / std::max(done_s, 1e-9));
  if (client_cpu > 0) {
    std::printf("  share of feed-thread CPU: handler %.1f%%, TLS + WebSocket + asio %.1f%%\n",
                100 * listener.handler_s() / client_cpu,
                100 * (client_cpu - listener.handler_s()) / client_cpu);
  }

  std::vector<std::int64_t> with_signal;
  const auto& all = listener.latency_ns();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (listener.had_signal()[i]) with_signal.push_back(all[i]);
  }
  const Percentiles p_all = percentiles(all);
  const Percentiles p_signal = percentiles(with_signal);
  std::printf(
      "\nframe-received -> signal-decided (us)   frames      mean      p50      p99    "
      "p99.9       max\n");
  print_latency("all frames", p_all);
  print_latency("frames that gave a signal", p_signal);
  std::printf("  target frame-received -> signal-decided p99 <= 100 us: %s\n",
              verdict(!all.empty() && p_all.p99 <= target_p99_us &&
                      (with_signal.empty() || p_signal.p99 <= target_p99_us)));
  if (storage) {
    storage->flush(std::chrono::minutes(2));
    const StorageWriterStats st = storage->stats();
    std::printf("\nstorage: %llu events written, %llu dropped by the bounded queue, %llu signals\n",
                static_cast<unsigned long long>(st.events_written),
                static_cast<unsigned long long>(st.events_dropped),
                static_cast<unsigned long long>(st.signals_written));
    storage.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  }
  if (client_cpu > 0 && received > 0) {
    std::printf("feed-thread CPU per frame: %.0f ns%s\n", client_cpu * 1e9 / received,
                with_storage ? " (with storage)" : " (without storage)");
  }
  return lossless && !timed_out ? 0 : 2;
}
