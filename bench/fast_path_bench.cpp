// Live ingestion against its floor, side by side in one run (issue 11, "Fast path").
//
//   fast_path_bench [RECORDING | --generate] [--frames N] [--rounds R] [--sources a,b,..]
//                   [--clients floor,feed,daemon] [--min-ratio X] [--min-cpu-ratio X]
//                   [--timeout S]
//
// For each source (coinglass, bybit, binance, okx) the same market is written as that source
// pushes it (CoinGlass lines as recorded; the exchanges' frames by sim/venue_frames) and served
// by that source's stand-in (simserver) over TLS on 127.0.0.1, as fast as it can, from a thread
// of its own. Each client reads the very same tape from a fresh stand-in, one after the other:
//
//   floor   a bare synchronous Beast TLS WebSocket client: it subscribes as the source's
//           protocol says, reads each frame, walks every field of it with simdjson On-Demand
//           (keys unescaped, numbers parsed, strings unescaped; in place, Beast's buffer has
//           the padding) and appends the frame plus "\n" to a file through a 1 MB stdio
//           buffer. Nothing else.
//   daemon  the real Daemon (src/app/daemon.cpp) with `sources: [that source]`: its WsFeed and
//           FeedProtocol, the parser, the pipeline (signals included) and the recording of
//           every frame (coinglass.record_path, written by its own thread), as `teleglas run`
//           does; OKX's stand-in streams once the daemon has its contract sizes (its first
//           frames would otherwise be refused, and cheaper), CoinGlass's serves REST snapshots
//           too. Only storage (SQLite) and Telegram are left out.
//   feed    (diagnostic, --clients) the daemon's WsFeed with the floor's work per frame:
//           floor -> feed is the cost of the asynchronous feed, feed -> daemon that of what the
//           daemon does with a frame beyond the floor's walk and append.
//
// Two measures per run, over the client's own span of data frames (the floor's first to last
// frame; the daemon's first to last look, every millisecond, at the frames it parsed less its
// REST lines):
//   frames/s              wall clock: what the check compares. On a small box the stand-in's
//                         thread (a TLS record and a write per frame) is often the slower side,
//                         and then both clients run at its pace.
//   frames per CPU-second the same frames over the CPU time of every thread of the client (the
//                         stand-in's excepted): how fast the client itself is, whatever paces it.
// Noise only ever slows a run down, and the box (2 cores here) is shared, so the runs are
// interleaved: every round runs each client of every source back to back on a fresh stand-in,
// starting with another client each time, and the best of the rounds is compared, the median
// shown beside it.
//
// The check: for every source, best daemon frames/s >= --min-ratio (0.8) x best floor
// frames/s, and with --min-cpu-ratio the same for frames per CPU-second; else the exit status
// is 1 (2 when a run failed, timed out or lost frames).
//
// The market: RECORDING, else ../shared/data/recordings/binance-2025-01-27.jsonl (or the same
// under /work/shared/data) when present, read where it is and never copied, else (or with
// --generate) a generated one-hour market. Its five busiest symbols (see load_market), passes
// repeated with times shifted on until every tape has --frames frames (150,000).
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "recorded_market.hpp"
#include "teleglas/app/daemon.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/config/sources.hpp"
#include "teleglas/net/feed_protocol.hpp"
#include "teleglas/net/tls_context.hpp"
#include "teleglas/net/tls_identity.hpp"
#include "teleglas/net/url.hpp"
#include "teleglas/net/venues.hpp"
#include "teleglas/net/ws_feed.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/coinglass_server.hpp"
#include "teleglas/simserver/venue_servers.hpp"

namespace {

using namespace teleglas;
using namespace teleglas::bench;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
namespace ondemand = simdjson::ondemand;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr std::uint64_t default_frames = 150'000;
constexpr int default_rounds = 3;
constexpr double default_min_ratio = 0.8;
constexpr std::size_t max_symbols = 5;
constexpr std::string_view bench_api_key = "bench-key";

double seconds_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double cpu_s(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

double process_cpu_s() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
}

// The calling thread's time in the kernel (system calls: reads, epoll, writes).
double thread_system_s() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return seconds_of(usage.ru_stime);
}

// ---- the market, as each source pushes it --------------------------------------------

struct Market {
  std::vector<std::string> lines;               // CoinGlass frames of one pass
  std::vector<std::vector<VenueEvent>> events;  // the events of each line
  TimeMs pass_ms = 0;
  std::vector<SymbolConfig> symbols;
  std::vector<VenueInstrument> instruments;  // what the venues list: every configured symbol
};

// Every configured symbol as a USDT perpetual the stand-ins list; OKX's contract values as
// the default instruments have them, 1 base unit for the others.
std::vector<VenueInstrument> instruments_for(const std::vector<SymbolConfig>& symbols) {
  std::vector<VenueInstrument> out;
  const std::vector<VenueInstrument> known = default_venue_instruments();
  for (const SymbolConfig& s : symbols) {
    if (!s.symbol.ends_with("USDT") || s.symbol.size() <= 4) continue;
    VenueInstrument instrument{s.symbol.substr(0, s.symbol.size() - 4), "USDT", 1};
    for (const VenueInstrument& k : known) {
      if (k.symbol() == s.symbol) instrument.okx_ct_val = k.okx_ct_val;
    }
    out.push_back(std::move(instrument));
  }
  return out;
}

// "futures_trades@Binance_BTCUSDT@10000" -> "BTCUSDT"; "" for other lines.
std::string_view trade_line_symbol(std::string_view line) {
  constexpr std::string_view prefix = R"({"channel":"futures_trades@)";
  if (!line.starts_with(prefix)) return {};
  const std::size_t under = line.find('_', prefix.size());
  const std::size_t at = line.find('@', prefix.size());
  if (under == std::string_view::npos || at == std::string_view::npos || under > at) return {};
  return line.substr(under + 1, at - under - 1);
}

// The market of a recording's busiest symbols. At most five: Bybit's subscribe requests carry
// ten topics (a liquidation and a trade topic a symbol), and its stand-in streams as soon as
// the first request took, so the topics of a second one would miss the first frames.
Market load_market(const std::vector<std::string>& recorded) {
  std::map<std::string, std::size_t, std::less<>> lines_per_symbol;
  for (const std::string& line : recorded) {
    if (const std::string_view symbol = trade_line_symbol(line); !symbol.empty()) {
      ++lines_per_symbol[std::string(symbol)];
    }
  }
  std::vector<std::pair<std::size_t, std::string>> busiest;
  for (const auto& [symbol, n] : lines_per_symbol) busiest.emplace_back(n, symbol);
  std::sort(busiest.begin(), busiest.end(), std::greater<>());
  std::set<std::string, std::less<>> kept;
  for (std::size_t i = 0; i < busiest.size() && i < max_symbols; ++i)
    kept.insert(busiest[i].second);

  Market m;
  for (const std::string& line : recorded) {
    const std::string_view symbol = trade_line_symbol(line);
    if (symbol.empty() || kept.contains(symbol)) m.lines.push_back(line);
  }
  m.pass_ms = pass_length_ms(m.lines);
  m.symbols = symbols_of(m.lines, AnalysisConfig{});
  if (m.symbols.empty()) m.symbols = Config{}.symbols;
  m.instruments = instruments_for(m.symbols);
  std::set<std::string, std::less<>> listed;
  for (const VenueInstrument& i : m.instruments) listed.insert(i.symbol());
  for (const std::string& line : m.lines) {
    std::vector<VenueEvent> events = coinglass_events(line);
    // Only what a daemon configured for these symbols subscribes to reaches it.
    std::erase_if(events, [&](const VenueEvent& e) { return !listed.contains(e.symbol); });
    m.events.push_back(std::move(events));
  }
  return m;
}

std::optional<Venue> venue_of(std::string_view source) {
  if (source == source_bybit) return Venue::bybit;
  if (source == source_binance) return Venue::binance;
  if (source == source_okx) return Venue::okx;
  return std::nullopt;
}

// At least `min_frames` frames of `source`, pass after pass of the market.
std::vector<std::string> tape_of(std::string_view source, const Market& m,
                                 std::uint64_t min_frames) {
  std::vector<std::string> tape;
  const std::optional<Venue> venue = venue_of(source);
  VenueFrameBuilder builder(m.instruments);
  for (TimeMs pass = 0; tape.size() < min_frames; ++pass) {
    const std::size_t before = tape.size();
    const TimeMs offset = pass * m.pass_ms;
    for (std::size_t i = 0; i < m.lines.size(); ++i) {
      if (!venue) {
        tape.push_back(shift_times(m.lines[i], offset));
        continue;
      }
      if (m.events[i].empty()) continue;
      std::vector<VenueEvent> events = m.events[i];
      for (VenueEvent& e : events) e.time += offset;
      for (std::string& frame : builder.frames(*venue, events)) tape.push_back(std::move(frame));
    }
    if (tape.size() == before) break;  // nothing of this source in the market
  }
  return tape;
}

// ---- the stand-in ----------------------------------------------------------------------

// One source's stand-in streaming `tape` once, on its own io_context and thread. A gated one
// streams only once open() is called; its REST side (OKX's instruments) is served by a second
// stand-in that runs at once. The daemon sizes OKX's contracts from that list, so its frames
// are only worth anything once the list is in, as with the real OKX, whose stream never
// starts within a millisecond of the connection.
class StandIn {
 public:
  StandIn(std::string_view source, std::vector<std::string> tape, const TlsIdentity& identity,
          const std::vector<VenueInstrument>& instruments, bool gated) {
    if (const std::optional<Venue> venue = venue_of(source)) {
      SimVenueOptions options;
      options.identity = identity;
      options.instruments = instruments;
      if (gated) {
        rest_ = std::make_unique<SimVenueServer>(rest_io_, *venue, options);
        rest_thread_ = std::thread([this] { rest_io_.run(); });
      }
      options.frames = std::move(tape);
      venue_ = std::make_unique<SimVenueServer>(io_, *venue, std::move(options));
      ws_url_ = venue_->ws_url();
      rest_url_ = (rest_ ? rest_ : venue_)->rest_url();
    } else {
      SimCoinglassOptions options;
      options.identity = identity;
      options.frames = std::move(tape);
      coinglass_ = std::make_unique<SimCoinglassServer>(io_, std::move(options));
      ws_url_ = coinglass_->ws_url();
      rest_url_ = coinglass_->rest_url();
    }
    if (!gated) open();
  }
  ~StandIn() { stop(); }
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;

  // Starts serving: connections made before wait in the listen backlog until now.
  void open() {
    if (opened_) return;
    opened_ = true;
    thread_ = std::thread([this] { io_.run(); });
    if (pthread_getcpuclockid(thread_.native_handle(), &cpu_clock_) != 0) {
      cpu_clock_ = CLOCK_THREAD_CPUTIME_ID;  // unknown: counts the caller's instead
    }
  }
  bool opened() const { return opened_; }

  void stop() {
    open();  // its io_context must run to close what it has
    if (thread_.joinable()) {
      net::post(io_, [this] {
        if (venue_) venue_->stop();
        if (coinglass_) coinglass_->stop();
      });
      thread_.join();
    }
    if (rest_thread_.joinable()) {
      net::post(rest_io_, [this] { rest_->stop(); });
      rest_thread_.join();
    }
  }
  // Ends every connection (a client stuck reading then fails): the watchdog of a run.
  void drop_connections() {
    net::post(io_, [this] {
      if (venue_) venue_->drop_connections();
      if (coinglass_) coinglass_->drop_connections();
    });
  }

  const std::string& ws_url() const { return ws_url_; }
  const std::string& rest_url() const { return rest_url_; }
  double thread_cpu_s() const { return cpu_s(cpu_clock_); }
  std::uint64_t frames_sent() const {
    return venue_ ? venue_->record().frames_sent : coinglass_->record().frames_sent;
  }

 private:
  net::io_context io_;
  net::io_context rest_io_;
  std::unique_ptr<SimVenueServer> venue_;
  std::unique_ptr<SimVenueServer> rest_;
  std::unique_ptr<SimCoinglassServer> coinglass_;
  std::string ws_url_, rest_url_;
  std::thread thread_;
  std::thread rest_thread_;
  bool opened_ = false;
  clockid_t cpu_clock_ = CLOCK_THREAD_CPUTIME_ID;
};

// The daemon's configuration for `source` alone, pointed at `stand_in`.
Config config_for(std::string_view source, const Market& m, const StandIn& stand_in,
                  const std::string& ca_file, const std::string& record_path) {
  Config c;
  c.sources = {std::string(source)};
  c.symbols = m.symbols;
  c.coinglass.ws_url = stand_in.ws_url();
  c.coinglass.rest_url = stand_in.rest_url();
  c.coinglass.ca_file = ca_file;
  // The stand-in streams every frame to every connection: one connection, as the floor.
  c.coinglass.channels_per_connection = 1'000'000;
  c.coinglass.record_path = record_path;
  for (ExchangeStreamConfig* venue : {static_cast<ExchangeStreamConfig*>(&c.bybit),
                                      static_cast<ExchangeStreamConfig*>(&c.binance),
                                      static_cast<ExchangeStreamConfig*>(&c.okx)}) {
    venue->ws_url = stand_in.ws_url();
    venue->ca_file = ca_file;
  }
  c.okx.rest_url = stand_in.rest_url();
  return c;
}

// ---- one run ---------------------------------------------------------------------------

struct RunResult {
  std::uint64_t frames = 0;       // data frames the client took in
  std::uint64_t span_frames = 0;  // frames counted between the span's two ends
  double span_s = 0;
  double thread_cpu_s = 0;     // the client's (io) thread over the span
  double thread_system_s = 0;  // ... of which in the kernel
  double process_cpu_s = 0;    // every thread but the stand-in's, over the span
  double stand_in_cpu_s = 0;   // the stand-in's thread, over the span
  std::uint64_t sent = 0;      // what the stand-in streamed
  bool complete = false;
  std::string error;
  std::string detail;  // what the daemon made of the frames

  double frames_per_s() const { return span_s > 0 ? static_cast<double>(span_frames) / span_s : 0; }
  double thread_ns_per_frame() const {
    return span_frames > 0 ? thread_cpu_s * 1e9 / static_cast<double>(span_frames) : 0;
  }
  // Share of the span each thread was on a CPU.
  double client_busy() const { return span_s > 0 ? thread_cpu_s / span_s : 0; }
  double stand_in_busy() const { return span_s > 0 ? stand_in_cpu_s / span_s : 0; }
  double process_ns_per_frame() const {
    return span_frames > 0 ? process_cpu_s * 1e9 / static_cast<double>(span_frames) : 0;
  }
};

// A point of a run: when, and what the clocks said.
struct Mark {
  steady::time_point at;
  std::uint64_t frames = 0;
  double thread_cpu = 0;
  double thread_system = 0;
  double process_cpu = 0;
  double stand_in_cpu = 0;
};

Mark mark(std::uint64_t frames, const StandIn& stand_in) {
  return {steady::now(),     frames,          cpu_s(CLOCK_THREAD_CPUTIME_ID),
          thread_system_s(), process_cpu_s(), stand_in.thread_cpu_s()};
}

void set_span(RunResult& r, const Mark& first, const Mark& last) {
  r.span_frames = last.frames - first.frames;
  r.span_s = seconds_between(first.at, last.at);
  r.thread_cpu_s = last.thread_cpu - first.thread_cpu;
  r.thread_system_s = last.thread_system - first.thread_system;
  r.stand_in_cpu_s = last.stand_in_cpu - first.stand_in_cpu;
  r.process_cpu_s = (last.process_cpu - first.process_cpu) - r.stand_in_cpu_s;
}

// Walks every value of a JSON value, as a reader using every field would.
struct Tally {
  std::uint64_t values = 0;
  std::uint64_t chars = 0;
  double sum = 0;
};

simdjson::error_code walk(ondemand::value value, Tally& tally) {
  ondemand::json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object object;
      if (auto e = value.get_object().get(object)) return e;
      for (auto member : object) {
        ondemand::field field;
        if (auto e = std::move(member).get(field)) return e;
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        tally.chars += key.size();
        if (auto e = walk(field.value(), tally)) return e;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      if (auto e = value.get_array().get(array)) return e;
      for (auto element : array) {
        ondemand::value v;
        if (auto e = std::move(element).get(v)) return e;
        if (auto e = walk(v, tally)) return e;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::number: {
      double d = 0;
      if (auto e = value.get_double().get(d)) return e;
      tally.sum += d;
      break;
    }
    case ondemand::json_type::string: {
      std::string_view s;
      if (auto e = value.get_string().get(s)) return e;
      tally.chars += s.size();
      break;
    }
    case ondemand::json_type::boolean: {
      bool b = false;
      if (auto e = value.get_bool().get(b)) return e;
      tally.values += b ? 1 : 0;
      break;
    }
    case ondemand::json_type::null:
      break;
  }
  ++tally.values;
  return simdjson::SUCCESS;
}

// What the floor does with each data frame: walk every field with simdjson On-Demand, in place
// when 64 bytes after the frame are readable, and append the frame plus "\n" to a file.
class FloorWork {
 public:
  explicit FloorWork(const std::string& out_path)
      : out_(std::fopen(out_path.c_str(), "wb")), out_buffer_(1 << 20) {
    if (out_) std::setvbuf(out_, out_buffer_.data(), _IOFBF, out_buffer_.size());
  }
  ~FloorWork() {
    if (out_) std::fclose(out_);
  }
  FloorWork(const FloorWork&) = delete;
  FloorWork& operator=(const FloorWork&) = delete;

  bool writable() const { return out_ != nullptr; }
  const Tally& tally() const { return tally_; }

  // `capacity`: bytes readable from text.data() on (0 = just the text).
  simdjson::error_code take(std::string_view text, std::size_t capacity) {
    ondemand::document doc;
    simdjson::error_code ec;
    if (capacity >= text.size() + simdjson::SIMDJSON_PADDING) {
      ec = parser_.iterate(text.data(), text.size(), capacity).get(doc);
    } else {
      padded_.assign(text);
      padded_.resize(text.size() + simdjson::SIMDJSON_PADDING, '\0');
      ec = parser_.iterate(padded_.data(), text.size(), padded_.size()).get(doc);
    }
    ondemand::value root;
    if (!ec) ec = doc.get_value().get(root);
    if (!ec) ec = walk(root, tally_);
    if (ec) return ec;
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fputc('\n', out_);
    return simdjson::SUCCESS;
  }

 private:
  FILE* out_;
  std::vector<char> out_buffer_;
  ondemand::parser parser_;
  std::string padded_;  // for a frame whose buffer has no room for simdjson's padding
  Tally tally_;
};

// The floor: connect, subscribe, then read -> walk -> append until `expected` data frames.
RunResult run_floor(const FeedProtocol& protocol, const StandIn& stand_in, std::uint64_t expected,
                    const std::string& out_path) {
  RunResult r;
  std::error_code setup_ec;
  const FeedConnectionPlan& plan = protocol.connections.at(0);
  const WsUrl url = make_ws_url(plan.url, protocol.api_key, setup_ec);
  if (setup_ec) {
    r.error = "bad url: " + setup_ec.message();
    return r;
  }
  ssl::context tls = make_client_tls_context(protocol.ca_file, setup_ec);
  if (setup_ec) {
    r.error = "tls: " + setup_ec.message();
    return r;
  }
  FloorWork work(out_path);
  if (!work.writable()) {
    r.error = "cannot write " + out_path;
    return r;
  }
  try {
    net::io_context io;
    tcp::resolver resolver(io);
    websocket::stream<beast::ssl_stream<tcp::socket>> ws(io, tls);
    net::connect(beast::get_lowest_layer(ws), resolver.resolve(url.host, url.port));
    set_tls_peer(ws.next_layer(), url.host, setup_ec);
    ws.next_layer().handshake(ssl::stream_base::client);
    ws.handshake(url.host_header, url.target);
    for (const std::string& message : plan.subscribe) ws.write(net::buffer(message));

    beast::flat_buffer buffer;
    Mark first;
    while (r.frames < expected) {
      buffer.clear();
      beast::error_code ec;
      ws.read(buffer, ec);
      if (ec) {
        r.error = "read: " + ec.message();
        break;
      }
      if (!ws.got_text()) continue;
      const auto data = buffer.cdata();
      const std::string_view text(static_cast<const char*>(data.data()), data.size());
      // Acknowledgements and pongs are no market data.
      if (protocol.classify && protocol.classify(text).kind != FeedFrameKind::data) continue;
      if (const simdjson::error_code parse_ec = work.take(text, buffer.capacity())) {
        r.error = std::string("simdjson: ") + simdjson::error_message(parse_ec);
        break;
      }
      ++r.frames;
      if (r.frames == 1) first = mark(r.frames, stand_in);
      if (r.frames == expected) set_span(r, first, mark(r.frames, stand_in));
    }
    beast::error_code ignored;
    if (r.error.empty()) ws.close(websocket::close_code::normal, ignored);
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.complete = r.error.empty() && r.frames == expected;
  if (work.tally().values == 0 && r.complete) r.error = "walked nothing";
  return r;
}

// A diagnostic between the two: the daemon's WsFeed with the floor's work per frame. Floor ->
// feed is the cost of the asynchronous feed machinery; feed -> daemon that of what the daemon
// does with a frame beyond the floor's walk and append.
class FeedFloorListener final : public FeedListener {
 public:
  FeedFloorListener(FloorWork& work, const StandIn& stand_in, std::uint64_t expected,
                    RunResult& result)
      : work_(work), stand_in_(stand_in), expected_(expected), r_(result) {}
  std::function<void()> on_done;

  void on_frame(std::string_view text, TimeMs time) override { on_padded_frame(text, time, 0); }
  void on_padded_frame(std::string_view text, TimeMs, std::size_t readable) override {
    if (r_.frames >= expected_) return;
    if (const simdjson::error_code ec = work_.take(text, readable)) {
      r_.error = std::string("simdjson: ") + simdjson::error_message(ec);
      on_done();
      return;
    }
    ++r_.frames;
    if (r_.frames == 1) first_ = mark(r_.frames, stand_in_);
    if (r_.frames == expected_) {
      set_span(r_, first_, mark(r_.frames, stand_in_));
      on_done();
    }
  }
  void on_state(std::size_t, ConnectionState) override {}
  void on_alarm(std::string_view what) override {
    std::fprintf(stderr, "  alarm: %.*s\n", static_cast<int>(what.size()), what.data());
  }
  void on_gap(const FeedGap&) override {}

 private:
  FloorWork& work_;
  const StandIn& stand_in_;
  std::uint64_t expected_;
  RunResult& r_;
  Mark first_;
};

RunResult run_feed(const FeedProtocol& protocol, const StandIn& stand_in, std::uint64_t expected,
                   const std::string& out_path, double timeout_s) {
  RunResult r;
  FloorWork work(out_path);
  net::io_context io;
  FeedFloorListener listener(work, stand_in, expected, r);
  WsFeedOptions options;
  options.log = [](FeedLogLevel level, std::string_view text) {
    if (level >= FeedLogLevel::warn) {
      std::fprintf(stderr, "  feed: %.*s\n", static_cast<int>(text.size()), text.data());
    }
  };
  try {
    WsFeed feed(io, protocol, listener, options);
    net::steady_timer deadline(
        io, std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(timeout_s)));
    listener.on_done = [&] {
      deadline.cancel();
      feed.stop();
    };
    deadline.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      r.error = "timed out";
      feed.stop();
    });
    feed.start();
    io.run();
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.complete = r.error.empty() && r.frames == expected;
  return r;
}

class CountingAlerts final : public AlertSink {
 public:
  void on_signal(const Signal&) override { ++signals; }
  void on_admin_notice(std::string_view text) override {
    std::fprintf(stderr, "  admin notice: %.*s\n", static_cast<int>(text.size()), text.data());
  }
  std::uint64_t signals = 0;
};

// The daemon: runs until it has processed `expected` data frames (or `timeout_s`).
RunResult run_daemon(const Config& config, StandIn& stand_in, std::uint64_t expected,
                     double timeout_s) {
  RunResult r;
  net::io_context io;
  CountingAlerts alerts;
  DaemonOptions options;
  options.warm_up = false;
  std::unique_ptr<Daemon> daemon;
  try {
    daemon = std::make_unique<Daemon>(io, config, std::string(bench_api_key), alerts, options);
  } catch (const std::exception& e) {
    r.error = e.what();
    return r;
  }

  net::steady_timer poll(io);
  net::steady_timer deadline(
      io, std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(timeout_s)));
  Mark first;
  bool started = false;
  // What the feed delivered: parsed frames less the REST lines (snapshots, instruments).
  const auto stream_frames = [&](const DaemonHealth& h) { return h.frames - h.rest_successes; };
  std::function<void()> look = [&] {
    poll.expires_after(std::chrono::milliseconds(1));
    poll.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      const DaemonHealth h = daemon->health();
      if (!stand_in.opened() && h.rest_successes > 0) stand_in.open();
      const std::uint64_t frames = stream_frames(h);
      if (frames > 0 && !started) {
        started = true;
        first = mark(frames, stand_in);
      }
      if (frames >= expected) {
        set_span(r, first, mark(frames, stand_in));
        r.complete = true;
        deadline.cancel();
        daemon->stop();
        return;
      }
      look();
    });
  };
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    r.error = "timed out";
    poll.cancel();
    daemon->stop();
  });
  daemon->start();
  look();
  io.run();

  const DaemonHealth h = daemon->health();
  r.frames = stream_frames(h);
  std::uint64_t unknown_contracts = 0;
  for (const auto& [reason, n] : h.rejected_by_reason) {
    if (reason == "unknown_contract") unknown_contracts = n;
  }
  std::ostringstream detail;
  detail << h.events << " events, " << h.rejected << " rejected, " << alerts.signals << " signals, "
         << h.recorded_frames << " recorded";
  r.detail = detail.str();
  if (unknown_contracts > 0 && r.error.empty()) {
    r.error = std::to_string(unknown_contracts) +
              " OKX events before its contract sizes arrived (the run did less work)";
  }
  daemon.reset();  // the recorder writes the rest and joins its writer
  if (r.frames != expected && r.error.empty()) r.error = "frame count mismatch";
  return r;
}

// ---- the report --------------------------------------------------------------------------

struct Series {
  std::vector<RunResult> runs;

  const RunResult* best() const {
    const RunResult* b = nullptr;
    for (const RunResult& r : runs) {
      if (r.complete && r.error.empty() && (!b || r.frames_per_s() > b->frames_per_s())) b = &r;
    }
    return b;
  }
  template <class F>
  double median(F value) const {
    std::vector<double> v;
    for (const RunResult& r : runs) {
      if (r.complete && r.error.empty()) v.push_back(value(r));
    }
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
  template <class F>
  double max(F value) const {
    double m = 0;
    for (const RunResult& r : runs) {
      if (r.complete && r.error.empty()) m = std::max(m, value(r));
    }
    return m;
  }
  bool all_good() const {
    return std::all_of(runs.begin(), runs.end(),
                       [](const RunResult& r) { return r.complete && r.error.empty(); });
  }
};

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "?" : one;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    if (comma != 0) out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

enum class Client : std::uint8_t { floor, feed, daemon };
constexpr std::array<std::string_view, 3> client_names = {"floor", "feed", "daemon"};

std::string_view name_of(Client c) {
  return client_names[static_cast<std::size_t>(c)];
}

std::string default_recording() {
  for (const char* path : {"../shared/data/recordings/binance-2025-01-27.jsonl",
                           "/work/shared/data/recordings/binance-2025-01-27.jsonl"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  bool generate = false;
  std::uint64_t min_frames = default_frames;
  int rounds = default_rounds;
  double min_ratio = default_min_ratio;
  double min_cpu_ratio = 0;  // 0: frames per CPU-second shown, not checked
  double timeout_s = 30;
  std::vector<Client> clients = {Client::floor, Client::daemon};
  std::vector<std::string> sources(source_names.begin(), source_names.end());
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--frames" && has_value) {
      min_frames = std::max<std::uint64_t>(100, std::strtoull(argv[++i], nullptr, 10));
    } else if (arg == "--rounds" && has_value) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--min-ratio" && has_value) {
      min_ratio = std::atof(argv[++i]);
    } else if (arg == "--min-cpu-ratio" && has_value) {
      min_cpu_ratio = std::atof(argv[++i]);
    } else if (arg == "--timeout" && has_value) {
      timeout_s = std::max(1.0, std::atof(argv[++i]));
    } else if (arg == "--sources" && has_value) {
      sources = split_list(argv[++i]);
    } else if (arg == "--clients" && has_value) {
      clients.clear();
      for (const std::string& name : split_list(argv[++i])) {
        const auto at = std::find(client_names.begin(), client_names.end(), name);
        if (at == client_names.end()) {
          std::fprintf(stderr, "unknown client %s\n", name.c_str());
          return 2;
        }
        clients.push_back(static_cast<Client>(at - client_names.begin()));
      }
    } else if (arg == "--generate") {
      generate = true;
    } else if (arg == "--help" || arg == "-h") {
      std::puts(
          "usage: fast_path_bench [RECORDING | --generate] [--frames N] [--rounds R] "
          "[--sources coinglass,bybit,binance,okx] [--clients floor,feed,daemon] "
          "[--min-ratio X] [--min-cpu-ratio X] [--timeout S]");
      return 0;
    } else {
      path = std::string(arg);
    }
  }
  for (const std::string& s : sources) {
    if (std::find(source_names.begin(), source_names.end(), s) == source_names.end()) {
      std::fprintf(stderr, "unknown source %s\n", s.c_str());
      return 2;
    }
  }
  if (path.empty() && !generate) path = default_recording();
  // Per-signal info lines would flood the report; problems still show.
  spdlog::set_level(spdlog::level::warn);

  std::vector<std::string> lines;
  if (path.empty()) {
    std::ostringstream s;
    generate_market(MarketGeneratorOptions{}, s);
    lines = stream_lines(s.str());
  } else {
    lines = stream_lines(read_file(path));
  }
  if (lines.empty()) {
    std::fprintf(stderr, "no WebSocket frames in %s\n", path.c_str());
    return 2;
  }
  const Market market = load_market(lines);

  const TlsIdentity identity = make_loopback_identity();
  const std::string tmp = (std::filesystem::temp_directory_path() /
                           ("teleglas-fast-path-" + std::to_string(::getpid())))
                              .string();
  std::filesystem::create_directories(tmp);
  const std::string ca_file = tmp + "/ca.pem";
  std::ofstream(ca_file) << identity.ca_cert_pem;

  std::vector<std::vector<std::string>> tapes;
  std::printf("market: %s, %zu lines a pass, %zu symbols\n",
              path.empty() ? "generated 1h market" : path.c_str(), market.lines.size(),
              market.symbols.size());
  for (const std::string& source : sources) {
    tapes.push_back(tape_of(source, market, min_frames));
    std::uint64_t bytes = 0;
    for (const std::string& f : tapes.back()) bytes += f.size();
    std::printf("  %-9s %8zu frames, %6.1f MB, %4.0f bytes a frame\n", source.c_str(),
                tapes.back().size(), static_cast<double>(bytes) / 1e6,
                tapes.back().empty() ? 0.0 : static_cast<double>(bytes) / tapes.back().size());
  }
  std::printf(
      "%d round(s); each runs, per source, every client back to back, each on a fresh "
      "stand-in and another one first each time; %u CPUs, load average %s\n\n",
      rounds, std::thread::hardware_concurrency(), load_average().c_str());

  // series[client][source]
  std::vector<std::vector<Series>> series(client_names.size(), std::vector<Series>(sources.size()));
  int run_number = 0;
  const auto run_one = [&](std::size_t s, Client client) {
    const std::string& source = sources[s];
    // Only the daemon waits for OKX's instruments; the others have no use for them.
    StandIn stand_in(source, tapes[s], identity, market.instruments,
                     /*gated=*/client == Client::daemon && source == source_okx);
    const std::string record_path = tmp + "/run-" + std::to_string(++run_number) + ".jsonl";
    const Config config = config_for(source, market, stand_in, ca_file, record_path);
    const std::uint64_t expected = tapes[s].size();
    const FeedProtocol protocol = feed_protocol(source, config, std::string(bench_api_key));
    RunResult r;
    if (protocol.connections.size() != 1) {
      r.error = "the protocol plans " + std::to_string(protocol.connections.size()) +
                " connections; the bench compares one";
    } else if (client == Client::floor) {
      // The watchdog: a stand-in that stops streaming must not hang the synchronous reader.
      std::atomic<bool> done = false;
      std::thread watchdog([&] {
        const auto until = steady::now() + std::chrono::duration<double>(timeout_s);
        while (!done && steady::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!done) stand_in.drop_connections();
      });
      r = run_floor(protocol, stand_in, expected, record_path);
      done = true;
      watchdog.join();
    } else if (client == Client::feed) {
      r = run_feed(protocol, stand_in, expected, record_path, timeout_s);
    } else {
      r = run_daemon(config, stand_in, expected, timeout_s);
    }
    stand_in.stop();
    r.sent = stand_in.frames_sent();
    if (r.error.empty() && r.sent != expected) r.error = "the stand-in sent a different count";
    std::filesystem::remove(record_path);
    std::printf(
        "  %-9s %-6s %9.0f frames/s  CPU a frame %5.0f ns (%2.0f%% kernel; all threads %5.0f); "
        "busy: client %3.0f%%, stand-in %3.0f%%%s%s%s\n",
        source.c_str(), std::string(name_of(client)).c_str(), r.frames_per_s(),
        r.thread_ns_per_frame(),
        r.thread_cpu_s > 0 ? 100 * r.thread_system_s / r.thread_cpu_s : 0.0,
        r.process_ns_per_frame(), 100 * r.client_busy(), 100 * r.stand_in_busy(),
        r.detail.empty() ? "" : ("  [" + r.detail + "]").c_str(),
        r.error.empty() ? "" : "  FAILED: ", r.error.c_str());
    std::fflush(stdout);
    series[static_cast<std::size_t>(client)][s].runs.push_back(std::move(r));
  };

  const steady::time_point started = steady::now();
  for (int round = 0; round < rounds; ++round) {
    std::printf("round %d\n", round + 1);
    for (std::size_t s = 0; s < sources.size(); ++s) {
      // Each round and source starts with another client than the last.
      const std::size_t shift = static_cast<std::size_t>(round) + s;
      for (std::size_t i = 0; i < clients.size(); ++i) {
        run_one(s, clients[(i + shift) % clients.size()]);
      }
    }
  }
  std::filesystem::remove_all(tmp);

  const auto fps = [](const RunResult& r) { return r.frames_per_s(); };
  const auto cpu_fps = [](const RunResult& r) {
    return r.process_cpu_s > 0 ? static_cast<double>(r.span_frames) / r.process_cpu_s : 0.0;
  };
  std::printf(
      "\nfast path, best of %d round(s) (median in brackets); %.0f s in all\n"
      "  frames/s: data frames over the client's span of them, wall clock\n"
      "  frames per CPU-second: the same frames over the CPU time of every thread of the "
      "client (the stand-in's excepted)\n",
      rounds, seconds_between(started, steady::now()));
  bool failed_run = false;
  bool below = false;
  const auto has = [&](Client c) {
    return std::find(clients.begin(), clients.end(), c) != clients.end();
  };
  for (std::size_t s = 0; s < sources.size(); ++s) {
    std::printf("  %s\n", sources[s].c_str());
    const Series& floor = series[static_cast<std::size_t>(Client::floor)][s];
    for (const Client c : clients) {
      const Series& one = series[static_cast<std::size_t>(c)][s];
      failed_run = failed_run || !one.all_good();
      const RunResult* best = one.best();
      std::printf("    %-6s %9.0f (%9.0f) frames/s  %9.0f (%9.0f) frames per CPU-second",
                  std::string(name_of(c)).c_str(), best ? best->frames_per_s() : 0.0,
                  one.median(fps), one.max(cpu_fps), one.median(cpu_fps));
      if (c != Client::floor && has(Client::floor)) {
        const double ratio =
            floor.best() && best ? best->frames_per_s() / floor.best()->frames_per_s() : 0;
        const double cpu_ratio = floor.max(cpu_fps) > 0 ? one.max(cpu_fps) / floor.max(cpu_fps) : 0;
        std::printf("  ratio %.2f (%.2f), per CPU %.2f (%.2f)", ratio,
                    floor.median(fps) > 0 ? one.median(fps) / floor.median(fps) : 0.0, cpu_ratio,
                    floor.median(cpu_fps) > 0 ? one.median(cpu_fps) / floor.median(cpu_fps) : 0.0);
        if (c == Client::daemon) {
          const bool met = ratio >= min_ratio && (min_cpu_ratio <= 0 || cpu_ratio >= min_cpu_ratio);
          std::printf("  %s", met ? "ok" : "BELOW");
          below = below || !met;
        }
      }
      std::printf("\n");
    }
  }
  if (has(Client::floor) && has(Client::daemon)) {
    std::printf("  check: daemon frames/s >= %.2f x floor", min_ratio);
    if (min_cpu_ratio > 0) std::printf(", frames per CPU-second >= %.2f x floor", min_cpu_ratio);
    std::printf(" for every source: %s\n", below ? "NOT MET" : "MET");
  } else {
    below = false;  // nothing compared
  }
  if (failed_run) {
    std::printf("  some runs failed (see above)\n");
    return 2;
  }
  return below ? 1 : 0;
}
