// One coroutine per connection on the daemon's io_context, following Beast's awaitable WSS
// client: resolve -> TCP -> SNI/verification -> TLS -> WebSocket handshake, then subscribe and
// read. Each session has a second coroutine for the venue's heartbeat, and outgoing frames go
// through a queue with one write in flight (Beast's chat-multi session). The venue's
// differences are data (FeedProtocol); everything here serves every venue alike.
#include "teleglas/net/ws_feed.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/backoff.hpp"
#include "teleglas/net/tls_context.hpp"
#include "teleglas/net/url.hpp"
#include "teleglas/net/venues.hpp"
#include "teleglas/net/ws_frame.hpp"

namespace teleglas {

std::string_view to_string(ConnectionState s) {
  switch (s) {
    case ConnectionState::connecting:
      return "connecting";
    case ConnectionState::subscribing:
      return "subscribing";
    case ConnectionState::live:
      return "live";
    case ConnectionState::backing_off:
      return "backing_off";
    case ConnectionState::stopped:
      return "stopped";
  }
  return "unknown";
}

FeedConnectionStats FeedStats::total() const {
  FeedConnectionStats sum;
  for (const auto& c : connections) {
    sum.source = c.source;
    sum.channels += c.channels;
    sum.frames += c.frames;
    sum.bytes += c.bytes;
    sum.pings += c.pings;
    sum.pongs += c.pongs;
    sum.notices += c.notices;
    sum.refusals += c.refusals;
    sum.control_frames += c.control_frames;
    sum.connects += c.connects;
    sum.reconnects += c.reconnects;
    sum.rotations += c.rotations;
    sum.duplicates_dropped += c.duplicates_dropped;
    sum.heartbeat_timeouts += c.heartbeat_timeouts;
    sum.dropped_binary += c.dropped_binary;
    sum.dropped_oversize += c.dropped_oversize;
    sum.upgrade_refusals += c.upgrade_refusals;
    sum.errors += c.errors;
    sum.last_frame_time = std::max(sum.last_frame_time, c.last_frame_time);
  }
  return sum;
}

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using steady_clock = std::chrono::steady_clock;
// The io_context's own executor, not the type-erased any_io_executor, for the stream and the
// coroutines: every step of a read (WebSocket, TLS, socket, resuming the coroutine) then goes
// without the erased copies and property queries, a tenth of the feed's time per frame.
using Executor = net::io_context::executor_type;
template <class T>
using Task = net::awaitable<T, Executor>;
using TlsStream = beast::ssl_stream<beast::basic_stream<tcp, Executor>>;

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable_t<Executor>{});

// Frames are read in pieces of this size so that one over max_frame_bytes can be thrown away
// as it streams in, without ever being buffered whole.
constexpr std::size_t read_chunk_bytes = 64 * 1024;
// Distinct alarms remembered for "once" semantics; past this, notices are only counted and
// logged, so a server spraying varied garbage cannot grow memory or flood the admin chat.
constexpr std::size_t max_distinct_alarms = 16;
// How much of a server notice an alarm quotes.
constexpr std::size_t alarm_quote_chars = 200;
// Frames remembered during a rotation's overlap: several seconds of the busiest stream.
constexpr std::size_t max_overlap_frames = 1 << 16;
// Whole frames taken from the TLS buffer in a row before the read loop lets other work on the
// io_context have its turn (a fraction of a millisecond of parsing).
constexpr int max_frames_per_turn = 128;

steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<steady_clock::duration>(std::chrono::duration<double>(s));
}

std::function<double()> default_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

void log_to_spdlog(FeedLogLevel level, std::string_view text) {
  switch (level) {
    case FeedLogLevel::debug:
      spdlog::debug("{}", text);
      break;
    case FeedLogLevel::info:
      spdlog::info("{}", text);
      break;
    case FeedLogLevel::warn:
      spdlog::warn("{}", text);
      break;
    case FeedLogLevel::error:
      spdlog::error("{}", text);
      break;
  }
}

// The duplicate rule of a rotation's overlap (ws_feed.hpp): each text remembered with the
// session that delivered it; the other session's copy is dropped and settles the pair.
class OverlapFilter {
 public:
  bool active() const { return active_; }
  void begin() { active_ = true; }
  void end() {
    active_ = false;
    seen_.clear();
    order_.clear();
  }

  // True when `text` is a copy of what the other session delivered during the overlap.
  bool duplicate(std::string_view text, std::uint64_t session) {
    const std::size_t hash = std::hash<std::string_view>{}(text);
    if (const auto found = seen_.find(hash); found != seen_.end()) {
      if (found->second.session != session) {
        seen_.erase(found);
        return true;
      }
      return false;  // the same session repeating itself is the venue's business
    }
    ++sequence_;
    seen_.emplace(hash, Entry{session, sequence_});
    order_.emplace_back(hash, sequence_);
    if (order_.size() > max_overlap_frames) {
      const auto [old_hash, old_sequence] = order_.front();
      order_.pop_front();
      // Only if that very entry is still there (not matched, not re-entered since).
      if (const auto it = seen_.find(old_hash);
          it != seen_.end() && it->second.sequence == old_sequence) {
        seen_.erase(it);
      }
    }
    return false;
  }

 private:
  struct Entry {
    std::uint64_t session;
    std::uint64_t sequence;
  };
  bool active_ = false;
  std::uint64_t sequence_ = 0;
  std::unordered_map<std::size_t, Entry> seen_;
  std::deque<std::pair<std::size_t, std::uint64_t>> order_;
};

// The TLS stream under the WebSocket stream, keeping what it decrypts in a buffer of its own.
// Two things come of it:
// - Frames already here in full can be taken straight from the buffer (take_text_frame),
//   with no trip through the io_context per frame. A busy stream's TLS records arrive dozens
//   at a time, and each trip (a posted completion, an epoll_wait, the layers of the WebSocket
//   and TLS read operations) cost more than parsing the frame.
// - The WebSocket stream is never handed a byte past the end of the frame it is reading (nor,
//   before the upgrade, past the end of the HTTP response), so its own buffer is empty whenever
//   a message ends and whatever follows is here, frame-aligned.
// Only whole, unfragmented, unmasked text frames of plain ASCII within the size limit are taken
// this way; everything else (control frames, binary, fragments, oversize or non-ASCII text,
// frames not all here) is read by the WebSocket stream, whose rules then apply as ever.
template <class Next>
class BufferedTls {
 public:
  using executor_type = typename Next::executor_type;
  using next_layer_type = Next;

  template <class... Args>
  explicit BufferedTls(Args&&... args)
      : next_(std::forward<Args>(args)...), buffer_(initial_bytes + slack_bytes) {}

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  // The WebSocket upgrade succeeded: from the next byte on, everything is frames.
  void start_frames() {
    framed_ = true;
    frame_left_ = 0;
  }

  struct TakenFrame {
    std::string_view text;
    std::size_t readable;  // bytes readable from text.data() on: at least text.size() + 64
  };

  // The payload of the whole text frame at the front, taken; nullopt when the front is not
  // such a frame, or the WebSocket stream is in the middle of one. Valid until the next call
  // to anything of this stream.
  std::optional<TakenFrame> take_text_frame(std::size_t max_payload) {
    if (!framed_ || frame_left_ != 0) return std::nullopt;
    std::optional<WsFrameHeader> header = front_header();
    if (!header || header->frame_bytes() > buffered()) {
      pull();  // more records may wait in TLS, decrypted as they are read
      header = front_header();
      if (!header || header->frame_bytes() > buffered()) return std::nullopt;
    }
    if (!header->fin || header->reserved_bits || header->masked ||
        header->opcode != static_cast<std::uint8_t>(WsOpcode::text) ||
        header->payload_bytes > max_payload) {
      return std::nullopt;
    }
    const std::string_view payload(buffer_.data() + begin_ + header->header_bytes,
                                   static_cast<std::size_t>(header->payload_bytes));
    // Other text goes to the WebSocket stream, whose UTF-8 check decides about it.
    if (!is_ascii(payload)) return std::nullopt;
    begin_ += static_cast<std::size_t>(header->frame_bytes());
    return TakenFrame{payload,
                      static_cast<std::size_t>(buffer_.data() + buffer_.size() - payload.data())};
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return net::async_compose<Handler, void(error_code, std::size_t)>(
        ReadOp<MutableBuffers>{this, buffers}, handler, next_);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return next_.async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  // Room for a whole TLS record (16 KB of plaintext at most) before reading one.
  static constexpr std::size_t record_room = 17 * 1024;
  static constexpr std::size_t initial_bytes = 64 * 1024;
  // Never used for data: whatever is taken is followed by readable bytes.
  static constexpr std::size_t slack_bytes = 64;

  template <class MutableBuffers>
  struct ReadOp {
    BufferedTls* stream;
    MutableBuffers buffers;
    enum class Step : std::uint8_t { start, posted, reading } step = Step::start;

    template <class Self>
    void operator()(Self& self, error_code ec = {}, std::size_t bytes = 0) {
      BufferedTls& s = *stream;
      if (step == Step::start && (net::buffer_size(buffers) == 0 || s.ready_bytes() > 0)) {
        // Never complete inside the initiating call.
        step = Step::posted;
        net::post(std::move(self));
        return;
      }
      if (step == Step::reading) {
        if (ec) {
          self.complete(ec, 0);
          return;
        }
        s.commit(bytes);
        s.pull();
      }
      if (net::buffer_size(buffers) == 0) {
        self.complete({}, 0);
        return;
      }
      if (const std::size_t n = s.hand_out(buffers)) {
        self.complete({}, n);
        return;
      }
      // Nothing decrypted yet, or not a whole frame header: read the next record.
      step = Step::reading;
      s.next_.async_read_some(s.free_space(), std::move(self));
    }
  };

  std::size_t buffered() const { return end_ - begin_; }
  std::string_view front() const { return {buffer_.data() + begin_, buffered()}; }
  std::optional<WsFrameHeader> front_header() const { return parse_ws_frame_header(front()); }
  std::size_t capacity() const { return buffer_.size() - slack_bytes; }

  // How much may be handed to the WebSocket stream now: up to the end of the frame it reads
  // (0 while the next frame's header is not all here), or of the HTTP response.
  std::size_t ready_bytes() const {
    const std::size_t have = buffered();
    if (have == 0) return 0;
    if (!framed_) {
      if (response_done_) return have;
      int matched = response_matched_;
      const std::size_t end = find_http_header_end(front(), matched);
      return end == std::string_view::npos ? have : end;
    }
    if (frame_left_ > 0)
      return static_cast<std::size_t>(std::min<std::uint64_t>(have, frame_left_));
    const std::optional<WsFrameHeader> header = front_header();
    if (!header) return 0;
    return static_cast<std::size_t>(std::min<std::uint64_t>(have, header->frame_bytes()));
  }

  template <class MutableBuffers>
  std::size_t hand_out(const MutableBuffers& buffers) {
    const std::size_t ready = ready_bytes();
    if (ready == 0) return 0;
    if (framed_ && frame_left_ == 0) frame_left_ = front_header()->frame_bytes();
    const std::size_t n = net::buffer_copy(buffers, net::buffer(buffer_.data() + begin_, ready));
    if (framed_) {
      frame_left_ -= n;
    } else if (!response_done_ &&
               find_http_header_end(std::string_view(buffer_.data() + begin_, n),
                                    response_matched_) != std::string_view::npos) {
      response_done_ = true;
    }
    begin_ += n;
    return n;
  }

  // Moves what is buffered to the front; true when there is room for a record after it.
  bool make_room() {
    if (begin_ == end_) begin_ = end_ = 0;
    if (capacity() - end_ >= record_room) return true;
    if (begin_ == 0) return false;
    std::memmove(buffer_.data(), buffer_.data() + begin_, buffered());
    end_ -= begin_;
    begin_ = 0;
    buffer_[end_] = 0;  // as commit() does
    return capacity() - end_ >= record_room;
  }

  net::mutable_buffer free_space() {
    if (!make_room()) buffer_.resize(end_ + record_room + slack_bytes);
    return net::buffer(buffer_.data() + end_, capacity() - end_);
  }

  // Decrypts the records TLS already holds, without reading the socket: SSL_read on the
  // stream's own SSL object, whose input is fed only by the stream's reads. It stops at the
  // first record not all there (or any error, which the stream's next read then reports).
  void pull() {
    SSL* ssl = next_.native_handle();
    while (make_room()) {
      const int n = SSL_read(ssl, buffer_.data() + end_, static_cast<int>(capacity() - end_));
      if (n <= 0) {
        ERR_clear_error();
        return;
      }
      commit(static_cast<std::size_t>(n));
    }
  }

  // Decrypted bytes arrived. The byte after them is zeroed: a parser reading past the last
  // frame taken (see TakenFrame) finds no stale closing bracket of an earlier frame there.
  void commit(std::size_t n) {
    end_ += n;
    buffer_[end_] = 0;
  }

  Next next_;
  std::vector<char> buffer_;  // decrypted, [begin_, end_) not yet handed out or taken
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool framed_ = false;           // after the upgrade
  std::uint64_t frame_left_ = 0;  // bytes of the frame being handed out; 0 at a frame's start
  bool response_done_ = false;    // the HTTP response's header was handed out
  int response_matched_ = 0;
};

// The WebSocket close handshake ends with the TLS one, as for the stream underneath.
template <class Next, class Handler>
void async_teardown(beast::role_type role, BufferedTls<Next>& stream, Handler&& handler) {
  using beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

template <class Next>
void teardown(beast::role_type role, BufferedTls<Next>& stream, error_code& ec) {
  using beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

using WsStream = websocket::stream<BufferedTls<TlsStream>>;

struct OutgoingFrame {
  std::string text;
  bool control_ping = false;  // a WebSocket ping control frame instead of a text frame
};

// One WebSocket connection attempt and, if it gets that far, its live session.
struct FeedSession {
  FeedSession(net::io_context& io, ssl::context& tls, std::uint64_t id_)
      : ws(io.get_executor(), tls), heartbeat(io), resolver(io), id(id_) {}

  // Ends the connection at once: every pending operation completes with an error, which ends
  // the read loop, the heartbeat and the writer.
  void kill() {
    open = false;
    heartbeat.cancel();
    resolver.cancel();
    // The tcp_stream's close also cancels its handshake deadline, which would otherwise keep
    // the io_context busy for up to handshake_timeout_s after a stop().
    beast::get_lowest_layer(ws).close();
  }

  WsStream ws;
  net::steady_timer heartbeat;
  tcp::resolver resolver;
  std::uint64_t id;                  // which session of its connection, for the overlap rule
  std::deque<OutgoingFrame> outbox;  // deque: push_back keeps the front's buffer valid mid-write
  bool writing = false;
  bool open = false;  // the WebSocket handshake succeeded and nothing has ended it yet
  bool closing = false;
  bool ended = false;  // its read loop is over (or it never opened)
  bool awaiting_pong = false;
  steady_clock::time_point oldest_unanswered_ping{};
  steady_clock::time_point last_received{};  // any frame, control frames included
  steady_clock::time_point rotate_at = steady_clock::time_point::max();
};

using SessionPtr = std::shared_ptr<FeedSession>;

// One planned connection: its URL and subscriptions, and the sessions that serve it over time
// (two at once only during a rotation).
struct FeedConnection {
  FeedConnection(net::io_context& io, std::string_view source, std::size_t index_,
                 FeedConnectionPlan plan_, WsUrl url_, Backoff backoff_)
      : index(index_),
        tag(fmt::format("feed[{} {}]", source, index_)),
        plan(std::move(plan_)),
        url(std::move(url_)),
        backoff(std::move(backoff_)),
        backoff_timer(io),
        wake(io) {
    stats.source = source;
    stats.channels = plan.streams;
  }

  std::size_t index;
  std::string tag;  // "feed[bybit 0]", the prefix of its log lines
  FeedConnectionPlan plan;
  WsUrl url;
  Backoff backoff;
  net::steady_timer backoff_timer;
  // supervise() waits here for a session's end, a rotation deadline or the end of an overlap.
  net::steady_timer wake;
  FeedConnectionStats stats;
  bool gap_pending = false;          // an outage happened after frames had arrived
  SessionPtr current;                // the session whose end ends the stream
  std::vector<SessionPtr> sessions;  // every session not yet ended
  std::uint64_t next_session_id = 0;
  OverlapFilter overlap;
};

}  // namespace

struct WsFeed::Impl : std::enable_shared_from_this<WsFeed::Impl> {
  Impl(net::io_context& io_, FeedProtocol protocol_, FeedListener& listener_,
       WsFeedOptions options_, std::string redacted_url_, ssl::context tls_)
      : io(io_),
        protocol(std::move(protocol_)),
        listener(&listener_),
        options(std::move(options_)),
        redacted_url(std::move(redacted_url_)),
        tls(std::move(tls_)),
        stop_timer(io_) {
    if (!options.wall_clock) options.wall_clock = system_now_ms;
    if (!options.random) options.random = default_random();
    if (!options.log) options.log = log_to_spdlog;
  }

  template <class... Args>
  void log(FeedLogLevel level, fmt::format_string<Args...> format, Args&&... args) {
    // Every line is scrubbed: an error message from a lower layer could quote the target.
    options.log(level,
                redact_secret(fmt::format(format, std::forward<Args>(args)...), protocol.api_key));
  }

  void set_state(FeedConnection& c, ConnectionState state) {
    if (c.stats.state == state) return;
    c.stats.state = state;
    if (listener) listener->on_state(c.index, state);
  }

  // Raises an alarm the first time `key` is seen; later ones are only logged.
  void alarm_once(const std::string& key, const std::string& what) {
    if (alarms_raised.count(key) != 0 || alarms_raised.size() >= max_distinct_alarms) return;
    alarms_raised.insert(key);
    if (listener) listener->on_alarm(redact_secret(what, protocol.api_key));
  }

  SessionPtr new_session(FeedConnection& c) {
    auto s = std::make_shared<FeedSession>(io, tls, c.next_session_id++);
    c.sessions.push_back(s);
    return s;
  }

  // The session is over: it leaves its connection, and whoever waits on the connection wakes.
  void finish_session(FeedConnection& c, const SessionPtr& s) {
    s->kill();
    s->ended = true;
    std::erase(c.sessions, s);
    if (c.sessions.size() <= 1) c.overlap.end();
    c.wake.cancel();
  }

  void begin_start(const std::shared_ptr<Impl>& self);
  void begin_stop();
  void kill_all();

  static Task<void> run_connection(std::shared_ptr<Impl> self, FeedConnection& c);
  static Task<bool> open_session(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s,
                                 bool successor);
  static Task<bool> connect_and_subscribe(std::shared_ptr<Impl> self, FeedConnection& c,
                                          SessionPtr s, bool successor);
  static Task<void> serve(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s);
  static Task<void> supervise(std::shared_ptr<Impl> self, FeedConnection& c);
  static Task<void> rotate(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr old);
  static Task<void> wait_for(FeedConnection& c, steady_clock::time_point until);
  static Task<void> read_loop(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s);
  static Task<void> keep_heartbeat(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s);
  static Task<void> write_queued(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s);
  static Task<void> close_gracefully(SessionPtr s);

  void send(const std::shared_ptr<Impl>& self, FeedConnection& c, const SessionPtr& s,
            OutgoingFrame frame);
  void on_text(FeedConnection& c, FeedSession& s, std::string_view text, std::size_t readable = 0);
  void on_control_frame(FeedConnection& c, FeedSession& s, websocket::frame_type kind);
  void on_upgrade_refused(FeedConnection& c, const websocket::response_type& response);
  void retry_rotation_later(FeedConnection& c, FeedSession& old);

  net::io_context& io;
  FeedProtocol protocol;
  FeedListener* listener;  // null once the feed is destroyed
  WsFeedOptions options;
  std::string redacted_url;
  ssl::context tls;
  net::steady_timer stop_timer;
  std::vector<std::unique_ptr<FeedConnection>> connections;
  std::set<std::string> alarms_raised;
  std::size_t running = 0;  // run_connection coroutines not yet finished
  bool started = false;
  bool stopping = false;
};

void WsFeed::Impl::begin_start(const std::shared_ptr<Impl>& self) {
  if (started || stopping) return;
  started = true;
  log(FeedLogLevel::info, "feed[{}]: {} connection(s) to {}", protocol.source, connections.size(),
      redacted_url);
  for (const auto& warning : protocol.warnings) {
    log(FeedLogLevel::warn, "feed[{}]: {}", protocol.source, warning);
  }
  for (auto& c : connections) {
    ++running;
    net::co_spawn(io, run_connection(self, *c), net::detached);
  }
}

void WsFeed::Impl::begin_stop() {
  if (stopping) return;
  stopping = true;
  for (auto& c : connections) {
    c->backoff_timer.cancel();
    c->wake.cancel();
    for (const auto& s : c->sessions) {
      if (s->open) {
        net::co_spawn(io, close_gracefully(s), net::detached);
      } else {
        s->kill();  // mid-handshake: nothing to close gracefully
      }
    }
  }
  if (running == 0) return;
  // Beast bounds the close handshake itself; this only catches a TLS teardown that hangs.
  stop_timer.expires_after(seconds(options.close_timeout_s) * 2);
  stop_timer.async_wait([weak = weak_from_this()](const error_code& ec) {
    if (auto self = weak.lock(); self && !ec) self->kill_all();
  });
}

void WsFeed::Impl::kill_all() {
  for (auto& c : connections) {
    c->backoff_timer.cancel();
    c->wake.cancel();
    for (const auto& s : c->sessions) s->kill();
  }
}

Task<void> WsFeed::Impl::run_connection(std::shared_ptr<Impl> self, FeedConnection& c) {
  bool first_attempt = true;
  while (!self->stopping) {
    if (!first_attempt) ++c.stats.reconnects;
    first_attempt = false;
    self->set_state(c, ConnectionState::connecting);
    SessionPtr s = self->new_session(c);
    c.current = s;
    if (co_await open_session(self, c, s, /*successor=*/false)) {
      net::co_spawn(self->io, serve(self, c, s), net::detached);
      co_await supervise(self, c);
    }
    c.current.reset();
    if (self->stopping) break;

    ++c.stats.errors;
    if (c.stats.last_frame_time > 0) c.gap_pending = true;
    self->set_state(c, ConnectionState::backing_off);
    // The steady clock: how long a connection stayed healthy must not jump with the wall clock.
    const TimeMs delay = c.backoff.next_delay_ms(steady_now_ms());
    self->log(FeedLogLevel::info, "{}: reconnecting in {}", c.tag, format_duration(delay));
    c.backoff_timer.expires_after(std::chrono::milliseconds(delay));
    co_await c.backoff_timer.async_wait(use_nothrow);
  }
  self->set_state(c, ConnectionState::stopped);
  self->log(FeedLogLevel::info, "{}: stopped", c.tag);
  // The last one out releases the safety timer, so a daemon's io_context can return at once.
  if (--self->running == 0) self->stop_timer.cancel();
}

Task<bool> WsFeed::Impl::open_session(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s,
                                      bool successor) {
  const bool opened = co_await connect_and_subscribe(self, c, s, successor);
  if (!opened) self->finish_session(c, s);
  co_return opened;
}

Task<bool> WsFeed::Impl::connect_and_subscribe(std::shared_ptr<Impl> self, FeedConnection& c,
                                               SessionPtr s, bool successor) {
  const WsUrl& url = c.url;
  auto& tcp_layer = beast::get_lowest_layer(s->ws);
  auto fail = [&](std::string_view step, const std::string& why) {
    if (self->stopping) return;
    self->log(FeedLogLevel::warn, "{}: {} {}: {}", c.tag, step, url.redacted, why);
  };

  auto [resolve_ec, endpoints] =
      co_await s->resolver.async_resolve(url.host, url.port, use_nothrow);
  if (resolve_ec || self->stopping) {
    fail("resolving", resolve_ec.message());
    co_return false;
  }

  tcp_layer.expires_after(seconds(self->options.handshake_timeout_s));
  auto [connect_ec, endpoint] = co_await tcp_layer.async_connect(endpoints, use_nothrow);
  if (connect_ec || self->stopping) {
    fail("connecting to", connect_ec.message());
    co_return false;
  }

  std::error_code peer_ec;
  TlsStream& tls = s->ws.next_layer().next_layer();
  set_tls_peer(tls, url.host, peer_ec);
  if (peer_ec) {
    fail("setting up TLS for", peer_ec.message());
    co_return false;
  }
  auto [tls_ec] = co_await tls.async_handshake(ssl::stream_base::client, use_nothrow);
  if (tls_ec || self->stopping) {
    fail("TLS handshake with", tls_ec.message());
    co_return false;
  }

  // From here the websocket stream owns the timeouts, as in Beast's examples.
  tcp_layer.expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = seconds(self->options.handshake_timeout_s);
  timeouts.idle_timeout = websocket::stream_base::none();  // liveness is the heartbeat's job
  timeouts.keep_alive_pings = false;
  s->ws.set_option(timeouts);
  s->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(beast::http::field::user_agent, "teleglas");
  }));
  // No limit in Beast: a frame over its limit fails the read and, once Beast has torn the
  // stream down, costs a reconnect. read_loop instead drains frames over max_frame_bytes piece
  // by piece without buffering them, so memory stays bounded and the connection stays up; a
  // frame that never ends starves the heartbeat, and the missing pong ends the connection.
  s->ws.read_message_max(0);
  // Pings and pongs of the peer arrive here during reads (Beast answers pings itself). The
  // session outlives its reads, and the feed its sessions' coroutines.
  s->ws.control_callback([feed = self.get(), connection = &c, session = s.get()](
                             websocket::frame_type kind, beast::string_view) {
    feed->on_control_frame(*connection, *session, kind);
  });

  websocket::response_type response;
  auto [upgrade_ec] =
      co_await s->ws.async_handshake(response, url.host_header, url.target, use_nothrow);
  if (upgrade_ec == websocket::error::upgrade_declined) {
    if (!self->stopping) self->on_upgrade_refused(c, response);
    co_return false;
  }
  if (upgrade_ec || self->stopping) {
    fail("WebSocket handshake with", upgrade_ec.message());
    co_return false;
  }

  s->open = true;
  s->ws.next_layer().start_frames();
  // Now the same setting bounds the close handshake (stop(), a dead heartbeat, rotation).
  timeouts.handshake_timeout = seconds(self->options.close_timeout_s);
  s->ws.set_option(timeouts);
  s->ws.text(true);

  if (!successor) self->set_state(c, ConnectionState::subscribing);
  // Nothing else writes yet, so the subscriptions need no queue.
  for (const std::string& message : c.plan.subscribe) {
    auto [subscribe_ec, written] = co_await s->ws.async_write(net::buffer(message), use_nothrow);
    if (subscribe_ec || self->stopping || !s->open) {
      fail("subscribing on", subscribe_ec.message());
      co_return false;
    }
  }
  ++c.stats.connects;
  c.backoff.on_healthy(steady_now_ms());
  const auto now = steady_clock::now();
  s->last_received = now;
  if (self->protocol.max_connection_age_s > 0) {
    s->rotate_at = now + seconds(self->protocol.max_connection_age_s);
  }
  if (successor) {
    self->log(FeedLogLevel::info, "{}: successor live, {} stream(s)", c.tag, c.plan.streams);
  } else {
    self->set_state(c, ConnectionState::live);
    self->log(FeedLogLevel::info, "{}: live, {} stream(s)", c.tag, c.plan.streams);
  }
  co_return true;
}

Task<void> WsFeed::Impl::serve(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s) {
  if (self->protocol.heartbeat.interval_s > 0) {
    net::co_spawn(self->io, keep_heartbeat(self, c, s), net::detached);
  }
  co_await read_loop(self, c, s);
  self->finish_session(c, s);
}

Task<void> WsFeed::Impl::wait_for(FeedConnection& c, steady_clock::time_point until) {
  c.wake.expires_at(until);
  co_await c.wake.async_wait(use_nothrow);
}

// Watches the connection's current session until the stream ends (the session ended with no
// successor to take over, or stop()), rotating it when it ages. Returns once no session of the
// connection is left.
Task<void> WsFeed::Impl::supervise(std::shared_ptr<Impl> self, FeedConnection& c) {
  while (!self->stopping) {
    const SessionPtr current = c.current;
    if (current->ended) break;
    if (steady_clock::now() >= current->rotate_at) {
      co_await rotate(self, c, current);
      continue;
    }
    co_await wait_for(c, current->rotate_at);
  }
  // A predecessor still closing, or every session closing at stop().
  while (!c.sessions.empty()) co_await wait_for(c, steady_clock::time_point::max());
}

Task<void> WsFeed::Impl::rotate(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr old) {
  self->log(FeedLogLevel::info, "{}: connection reached {} of age, opening its successor", c.tag,
            format_duration(seconds_ms(self->protocol.max_connection_age_s)));
  c.overlap.begin();
  SessionPtr next = self->new_session(c);
  if (!co_await open_session(self, c, next, /*successor=*/true)) {
    if (self->stopping || old->ended) co_return;  // supervise() sees the end of the stream
    ++c.stats.errors;
    self->retry_rotation_later(c, *old);
    co_return;
  }
  ++c.stats.rotations;
  c.current = next;
  // The old one died while its successor was connecting: whatever happened in between was
  // missed, and the next frame bounds the gap.
  if (old->ended && c.stats.last_frame_time > 0) c.gap_pending = true;
  net::co_spawn(self->io, serve(self, c, next), net::detached);
  if (old->ended) co_return;

  const auto overlap_end = steady_clock::now() + seconds(self->options.rotation_overlap_s);
  while (!self->stopping && !old->ended && !next->ended && steady_clock::now() < overlap_end) {
    co_await wait_for(c, overlap_end);
  }
  if (self->stopping || old->ended) co_return;
  if (next->ended) {
    // The successor died within the overlap: the old connection still serves, and tries again.
    c.current = old;
    ++c.stats.errors;
    self->retry_rotation_later(c, *old);
    co_return;
  }
  self->log(FeedLogLevel::info, "{}: successor took over, closing the old connection", c.tag);
  // Its frames still count until it is gone; the overlap filter ends with it.
  net::co_spawn(self->io, close_gracefully(old), net::detached);
}

void WsFeed::Impl::retry_rotation_later(FeedConnection& c, FeedSession& old) {
  const TimeMs delay = c.backoff.next_delay_ms(steady_now_ms());
  old.rotate_at = steady_clock::now() + std::chrono::milliseconds(delay);
  log(FeedLogLevel::warn, "{}: successor failed, the old connection serves on; next try in {}",
      c.tag, format_duration(delay));
}

Task<void> WsFeed::Impl::read_loop(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s) {
  const auto frame_max = static_cast<std::size_t>(std::max(self->protocol.max_frame_bytes, 1));
  BufferedTls<TlsStream>& tls = s->ws.next_layer();
  beast::flat_buffer buffer;
  for (;;) {
    // Whole text frames TLS already decrypted, straight from its buffer (see BufferedTls). While
    // a close is under way everything goes through the WebSocket stream, which is reading too.
    for (int taken = 0; taken < max_frames_per_turn && s->open && !s->closing; ++taken) {
      const auto frame = tls.take_text_frame(frame_max);
      if (!frame) break;
      self->on_text(c, *s, frame->text, frame->readable);
    }
    if (self->stopping && !s->open) co_return;

    buffer.clear();
    std::size_t message_bytes = 0;
    bool discard = false;
    do {
      auto [ec, n] = co_await s->ws.async_read_some(buffer, read_chunk_bytes, use_nothrow);
      if (ec) {
        // A session we ended ourselves (stop(), dead heartbeat, rotation) was logged where it
        // ended.
        if (self->stopping || !s->open || s->closing) co_return;
        if (ec == websocket::error::closed) {
          const auto& reason = s->ws.reason();
          self->log(FeedLogLevel::warn, "{}: server closed the connection ({} {})", c.tag,
                    static_cast<int>(reason.code),
                    std::string_view(reason.reason.data(), reason.reason.size()));
        } else {
          self->log(FeedLogLevel::warn, "{}: connection lost: {}", c.tag, ec.message());
        }
        co_return;
      }
      message_bytes += n;
      // Binary frames and oversize text are thrown away as they stream in.
      if (s->ws.got_binary() || message_bytes > frame_max) {
        discard = true;
        buffer.clear();
      }
    } while (!s->ws.is_message_done());

    if (s->ws.got_binary()) {
      ++c.stats.dropped_binary;
      self->log(FeedLogLevel::debug, "{}: dropped a binary frame of {} bytes", c.tag,
                message_bytes);
    } else if (discard) {
      ++c.stats.dropped_oversize;
      self->log(FeedLogLevel::warn, "{}: dropped a {} byte frame (max_frame_bytes {})", c.tag,
                message_bytes, frame_max);
    } else {
      const auto data = buffer.cdata();
      self->on_text(c, *s, std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    if (self->stopping && !s->open) co_return;
  }
}

// `readable`: bytes readable from text.data() on, when the buffer goes on after the frame.
void WsFeed::Impl::on_text(FeedConnection& c, FeedSession& s, std::string_view text,
                           std::size_t readable) {
  const HeartbeatPlan& heartbeat = protocol.heartbeat;
  if (heartbeat.only_when_idle) s.last_received = steady_clock::now();
  if (heartbeat.any_frame_answers) s.awaiting_pong = false;
  const FeedFrameClass frame = protocol.classify ? protocol.classify(text) : FeedFrameClass{};
  switch (frame.kind) {
    case FeedFrameKind::pong:
      ++c.stats.pongs;
      s.awaiting_pong = false;
      return;
    case FeedFrameKind::control:
      ++c.stats.control_frames;
      if (!frame.message.empty()) {
        log(FeedLogLevel::info, "{}: {} says: {}", c.tag, protocol.venue,
            std::string_view(frame.message).substr(0, alarm_quote_chars));
      }
      return;
    case FeedFrameKind::data:
      // Counted before the frame is: a duplicate of a rotation's overlap never arrived for us.
      if (c.overlap.active() && c.overlap.duplicate(text, s.id)) {
        ++c.stats.duplicates_dropped;
        return;
      }
      break;
    case FeedFrameKind::notice:
    case FeedFrameKind::refusal:
      break;
  }
  const TimeMs now = options.wall_clock();
  ++c.stats.frames;
  c.stats.bytes += text.size();
  if (frame.kind == FeedFrameKind::notice) {
    ++c.stats.notices;
    // Reconnecting sooner will not change the server's mind about our plan.
    c.backoff.to_max();
    const std::string quote = frame.message.substr(0, alarm_quote_chars);
    log(FeedLogLevel::warn, "{}: server notice: {}", c.tag, quote);
    alarm_once("notice:" + quote, protocol.venue + " notice: " + quote);
  } else if (frame.kind == FeedFrameKind::refusal) {
    // The rest of the connection's subscriptions stand: nothing to reconnect for.
    ++c.stats.refusals;
    const std::string quote = frame.message.substr(0, alarm_quote_chars);
    log(FeedLogLevel::error, "{}: {} refused the subscription: {}", c.tag, protocol.venue, quote);
    alarm_once("refusal:" + quote, protocol.venue + " refused the subscription: " + quote);
  } else {
    if (c.gap_pending) {
      c.gap_pending = false;
      const FeedGap gap{c.index, c.stats.last_frame_time, now, protocol.source};
      log(FeedLogLevel::warn, "{}: gap of {} in the data", c.tag, format_duration(gap.length_ms()));
      if (listener) listener->on_gap(gap);
    }
    c.stats.last_frame_time = now;
  }
  if (!listener) return;
  if (readable > 0) {
    listener->on_padded_frame(text, now, readable);
  } else {
    listener->on_frame(text, now);
  }
}

void WsFeed::Impl::on_control_frame(FeedConnection& c, FeedSession& s, websocket::frame_type kind) {
  if (kind == websocket::frame_type::close) return;
  s.last_received = steady_clock::now();
  if (kind == websocket::frame_type::pong) {
    ++c.stats.pongs;
    s.awaiting_pong = false;
  } else if (protocol.heartbeat.any_frame_answers) {
    s.awaiting_pong = false;  // the peer's own ping proves it there
  }
}

void WsFeed::Impl::on_upgrade_refused(FeedConnection& c, const websocket::response_type& response) {
  ++c.stats.upgrade_refusals;
  const int status = response.result_int();
  log(FeedLogLevel::error, "{}: {} refused the WebSocket upgrade: HTTP {} {}", c.tag,
      c.url.redacted, status, std::string_view(response.reason().data(), response.reason().size()));
  // 451: a region the venue does not serve (Binance).
  if (status == 401 || status == 403 || status == 451) {
    c.backoff.to_max();
    alarm_once(fmt::format("upgrade:{}", status),
               fmt::format("{} refused the feed connection with HTTP {}{}", protocol.venue, status,
                           protocol.auth_hint));
  } else if (status == 429 || status == 418) {  // 418: Binance's ban after ignoring a 429
    c.backoff.to_max();
  }
}

Task<void> WsFeed::Impl::keep_heartbeat(std::shared_ptr<Impl> self, FeedConnection& c,
                                        SessionPtr s) {
  const HeartbeatPlan& plan = self->protocol.heartbeat;
  const auto interval = seconds(plan.interval_s);
  const auto pong_timeout = seconds(std::max(plan.pong_timeout_s, 0.0));
  auto next_ping = steady_clock::now() + interval;
  while (s->open && !self->stopping) {
    // Idle style: a ping is due only after `interval` without any frame.
    auto wake = plan.only_when_idle ? s->last_received + interval : next_ping;
    if (s->awaiting_pong) {
      const auto deadline = s->oldest_unanswered_ping + pong_timeout;
      wake = plan.only_when_idle ? deadline : std::min(wake, deadline);
    }
    s->heartbeat.expires_at(wake);
    auto [ec] = co_await s->heartbeat.async_wait(use_nothrow);
    if (ec || !s->open || self->stopping) co_return;

    const auto now = steady_clock::now();
    // Only a missing answer proves the connection dead; a quiet market sends no data for a while.
    if (s->awaiting_pong && now >= s->oldest_unanswered_ping + pong_timeout) {
      ++c.stats.heartbeat_timeouts;
      self->log(FeedLogLevel::warn, "{}: no pong within {}, reconnecting", c.tag,
                format_duration(seconds_ms(plan.pong_timeout_s)));
      s->kill();  // a peer that stopped answering gets no close handshake
      co_return;
    }
    const bool due = plan.only_when_idle ? !s->awaiting_pong && now >= s->last_received + interval
                                         : now >= next_ping;
    if (!due) continue;
    if (!s->awaiting_pong) {
      s->awaiting_pong = true;
      s->oldest_unanswered_ping = now;
    }
    ++c.stats.pings;
    self->send(self, c, s, {plan.ping_text, plan.style == PingStyle::control});
    next_ping = std::max(next_ping + interval, now);
  }
}

void WsFeed::Impl::send(const std::shared_ptr<Impl>& self, FeedConnection& c, const SessionPtr& s,
                        OutgoingFrame frame) {
  s->outbox.push_back(std::move(frame));
  if (s->writing) return;
  s->writing = true;
  net::co_spawn(io, write_queued(self, c, s), net::detached);
}

Task<void> WsFeed::Impl::write_queued(std::shared_ptr<Impl> self, FeedConnection& c, SessionPtr s) {
  while (!s->outbox.empty() && s->open && !s->closing) {
    const OutgoingFrame& frame = s->outbox.front();
    error_code ec;
    if (frame.control_ping) {
      std::tie(ec) = co_await s->ws.async_ping({}, use_nothrow);
    } else {
      std::size_t written = 0;
      std::tie(ec, written) = co_await s->ws.async_write(net::buffer(frame.text), use_nothrow);
    }
    if (ec) {
      if (s->open && !self->stopping) {
        self->log(FeedLogLevel::warn, "{}: write failed: {}", c.tag, ec.message());
      }
      s->kill();
      break;
    }
    s->outbox.pop_front();
  }
  s->outbox.clear();
  s->writing = false;
}

Task<void> WsFeed::Impl::close_gracefully(SessionPtr s) {
  if (s->closing) co_return;
  s->closing = true;
  // Bounded by the stream's handshake timeout, set to close_timeout_s once the session opened.
  auto [ec] = co_await s->ws.async_close(websocket::close_code::normal, use_nothrow);
  (void)ec;  // whatever happened, the connection is over
  s->kill();
}

WsFeed::WsFeed(boost::asio::io_context& io, FeedProtocol protocol, FeedListener& listener,
               WsFeedOptions options) {
  const std::string key_name = std::string(protocol.source) + ".ws_url";
  // The key travels in the URL, so the feed refuses to send it in clear text; no venue gets a
  // plain connection either.
  auto parse = [&](const std::string& text) {
    std::error_code ec;
    WsUrl url = make_ws_url(text, protocol.api_key, ec);
    if (ec) {
      throw std::invalid_argument(redact_secret(
          key_name + ": " + redact_url(text) + ": " + ec.message(), protocol.api_key));
    }
    if (!url.secure) {
      throw std::invalid_argument(
          redact_secret(key_name + ": " + redact_url(text) + ": must be wss://", protocol.api_key));
    }
    return url;
  };
  std::string redacted = parse(protocol.ws_url).redacted;
  std::vector<WsUrl> urls;
  for (const auto& plan : protocol.connections) urls.push_back(parse(plan.url));

  std::error_code ec;
  ssl::context tls = make_client_tls_context(protocol.ca_file, ec);
  if (ec) {
    throw std::runtime_error(std::string(protocol.source) + ".ca_file: " + protocol.ca_file + ": " +
                             ec.message());
  }

  BackoffPolicy policy;
  policy.initial_s = protocol.reconnect_initial_s;
  policy.max_s = protocol.reconnect_max_s;
  policy.healthy_reset_s = options.healthy_reset_s;
  std::vector<FeedConnectionPlan> plans = std::move(protocol.connections);
  impl_ = std::make_shared<Impl>(io, std::move(protocol), listener, std::move(options),
                                 std::move(redacted), std::move(tls));
  for (std::size_t i = 0; i < plans.size(); ++i) {
    impl_->connections.push_back(std::make_unique<FeedConnection>(
        io, impl_->protocol.source, i, std::move(plans[i]), std::move(urls[i]),
        Backoff(policy, impl_->options.random)));
  }
}

WsFeed::WsFeed(boost::asio::io_context& io, const CoinglassConfig& config,
               const std::vector<SymbolConfig>& symbols, std::string api_key,
               FeedListener& listener, WsFeedOptions options)
    : WsFeed(io, coinglass_protocol(config, symbols, std::move(api_key)), listener,
             std::move(options)) {}

WsFeed::~WsFeed() {
  impl_->listener = nullptr;
  impl_->stopping = true;
  impl_->stop_timer.cancel();
  impl_->kill_all();
}

void WsFeed::start() {
  net::dispatch(impl_->io, [impl = impl_] { impl->begin_start(impl); });
}

void WsFeed::stop() {
  net::dispatch(impl_->io, [impl = impl_] { impl->begin_stop(); });
}

FeedStats WsFeed::stats() const {
  FeedStats out;
  out.connections.reserve(impl_->connections.size());
  for (const auto& c : impl_->connections) out.connections.push_back(c->stats);
  return out;
}

std::size_t WsFeed::connection_count() const {
  return impl_->connections.size();
}

std::string_view WsFeed::source() const {
  return impl_->protocol.source;
}

const std::string& WsFeed::redacted_url() const {
  return impl_->redacted_url;
}

}  // namespace teleglas
