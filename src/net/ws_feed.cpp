// One coroutine per connection on the daemon's io_context, following Beast's awaitable WSS
// client: resolve -> TCP -> SNI/verification -> TLS -> WebSocket handshake, then subscribe and
// read. A second coroutine per connection keeps CoinGlass' text heartbeat, and outgoing
// frames go through a queue with one write in flight (Beast's chat-multi session).
#include "teleglas/net/ws_feed.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>

#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/backoff.hpp"
#include "teleglas/net/subscriptions.hpp"
#include "teleglas/net/tls_context.hpp"
#include "teleglas/net/url.hpp"

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
    sum.channels += c.channels;
    sum.frames += c.frames;
    sum.bytes += c.bytes;
    sum.pings += c.pings;
    sum.pongs += c.pongs;
    sum.notices += c.notices;
    sum.connects += c.connects;
    sum.reconnects += c.reconnects;
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
using WsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// Frames are read in pieces of this size so that one over max_frame_bytes can be thrown away
// as it streams in, without ever being buffered whole.
constexpr std::size_t read_chunk_bytes = 64 * 1024;
// Distinct alarms remembered for "once" semantics; past this, notices are only counted and
// logged, so a server spraying varied garbage cannot grow memory or flood the admin chat.
constexpr std::size_t max_distinct_alarms = 16;
// How much of a server notice an alarm quotes.
constexpr std::size_t alarm_quote_chars = 200;

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

// CoinGlass data is always a JSON object (or array); anything else it sends is a plain-text
// notice such as "liquidationOrders need upgrade plan". Parsing proper is the ingest layer's.
bool is_notice(std::string_view text) {
  const std::string_view body = trim(text);
  return body.empty() || (body.front() != '{' && body.front() != '[');
}

// One WebSocket connection attempt and, if it gets that far, its live session.
struct FeedSession {
  FeedSession(net::io_context& io, ssl::context& tls) : ws(io.get_executor(), tls), heartbeat(io) {}

  // Ends the connection at once: every pending operation completes with an error, which ends
  // the read loop, the heartbeat and the writer.
  void kill() {
    open = false;
    heartbeat.cancel();
    // The tcp_stream's close also cancels its handshake deadline, which would otherwise keep
    // the io_context busy for up to handshake_timeout_s after a stop().
    beast::get_lowest_layer(ws).close();
  }

  WsStream ws;
  net::steady_timer heartbeat;
  std::deque<std::string> outbox;  // deque: push_back keeps the front's buffer valid mid-write
  bool writing = false;
  bool open = false;  // the WebSocket handshake succeeded and nothing has ended it yet
  bool closing = false;
  bool awaiting_pong = false;
  steady_clock::time_point oldest_unanswered_ping{};
};

struct FeedConnection {
  FeedConnection(net::io_context& io, std::size_t index_, std::vector<std::string> channels_,
                 Backoff backoff_)
      : index(index_),
        channels(std::move(channels_)),
        subscribe(subscribe_message(channels)),
        backoff(std::move(backoff_)),
        backoff_timer(io),
        resolver(io) {
    stats.channels = channels.size();
  }

  std::size_t index;
  std::vector<std::string> channels;
  std::string subscribe;
  Backoff backoff;
  net::steady_timer backoff_timer;
  tcp::resolver resolver;
  FeedConnectionStats stats;
  bool gap_pending = false;  // an outage happened after frames had arrived
  std::shared_ptr<FeedSession> session;
};

}  // namespace

struct WsFeed::Impl : std::enable_shared_from_this<WsFeed::Impl> {
  Impl(net::io_context& io_, const CoinglassConfig& config_, std::string api_key_,
       FeedListener& listener_, WsFeedOptions options_, WsUrl url_, ssl::context tls_)
      : io(io_),
        config(config_),
        api_key(std::move(api_key_)),
        listener(&listener_),
        options(std::move(options_)),
        url(std::move(url_)),
        tls(std::move(tls_)),
        stop_timer(io_) {
    if (!options.wall_clock) options.wall_clock = system_now_ms;
    if (!options.random) options.random = default_random();
    if (!options.log) options.log = log_to_spdlog;
  }

  template <class... Args>
  void log(FeedLogLevel level, fmt::format_string<Args...> format, Args&&... args) {
    // Every line is scrubbed: an error message from a lower layer could quote the target.
    options.log(level, redact_secret(fmt::format(format, std::forward<Args>(args)...), api_key));
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
    if (listener) listener->on_alarm(redact_secret(what, api_key));
  }

  void begin_start(const std::shared_ptr<Impl>& self);
  void begin_stop();
  void kill_all();

  static net::awaitable<void> run_connection(std::shared_ptr<Impl> self, FeedConnection& c);
  static net::awaitable<void> run_session(std::shared_ptr<Impl> self, FeedConnection& c,
                                          std::shared_ptr<FeedSession> s);
  static net::awaitable<void> read_loop(std::shared_ptr<Impl> self, FeedConnection& c,
                                        std::shared_ptr<FeedSession> s);
  static net::awaitable<void> keep_heartbeat(std::shared_ptr<Impl> self, FeedConnection& c,
                                             std::shared_ptr<FeedSession> s);
  static net::awaitable<void> write_queued(std::shared_ptr<Impl> self, FeedConnection& c,
                                           std::shared_ptr<FeedSession> s);
  static net::awaitable<void> close_gracefully(std::shared_ptr<FeedSession> s);

  void send(const std::shared_ptr<Impl>& self, FeedConnection& c,
            const std::shared_ptr<FeedSession>& s, std::string text);
  void on_text(FeedConnection& c, FeedSession& s, std::string_view text);
  void on_upgrade_refused(FeedConnection& c, const websocket::response_type& response);

  net::io_context& io;
  CoinglassConfig config;
  std::string api_key;
  FeedListener* listener;  // null once the feed is destroyed
  WsFeedOptions options;
  WsUrl url;
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
  log(FeedLogLevel::info, "feed: {} connection(s) to {}", connections.size(), url.redacted);
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
    c->resolver.cancel();
    auto& s = c->session;
    if (!s) continue;
    if (s->open) {
      net::co_spawn(io, close_gracefully(s), net::detached);
    } else {
      s->kill();  // mid-handshake: nothing to close gracefully
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
    c->resolver.cancel();
    if (c->session) c->session->kill();
  }
}

net::awaitable<void> WsFeed::Impl::run_connection(std::shared_ptr<Impl> self, FeedConnection& c) {
  bool first_attempt = true;
  while (!self->stopping) {
    if (!first_attempt) ++c.stats.reconnects;
    first_attempt = false;
    self->set_state(c, ConnectionState::connecting);
    c.session = std::make_shared<FeedSession>(self->io, self->tls);
    co_await run_session(self, c, c.session);
    c.session.reset();
    if (self->stopping) break;

    ++c.stats.errors;
    if (c.stats.last_frame_time > 0) c.gap_pending = true;
    self->set_state(c, ConnectionState::backing_off);
    // The steady clock: how long a connection stayed healthy must not jump with the wall clock.
    const TimeMs delay = c.backoff.next_delay_ms(steady_now_ms());
    self->log(FeedLogLevel::info, "feed[{}]: reconnecting in {}", c.index, format_duration(delay));
    c.backoff_timer.expires_after(std::chrono::milliseconds(delay));
    co_await c.backoff_timer.async_wait(use_nothrow);
  }
  self->set_state(c, ConnectionState::stopped);
  self->log(FeedLogLevel::info, "feed[{}]: stopped", c.index);
  // The last one out releases the safety timer, so a daemon's io_context can return at once.
  if (--self->running == 0) self->stop_timer.cancel();
}

net::awaitable<void> WsFeed::Impl::run_session(std::shared_ptr<Impl> self, FeedConnection& c,
                                               std::shared_ptr<FeedSession> s) {
  const WsUrl& url = self->url;
  auto& tcp_layer = beast::get_lowest_layer(s->ws);
  auto fail = [&](std::string_view step, const std::string& why) {
    if (self->stopping) return;
    self->log(FeedLogLevel::warn, "feed[{}]: {} {}: {}", c.index, step, url.redacted, why);
  };

  auto [resolve_ec, endpoints] = co_await c.resolver.async_resolve(url.host, url.port, use_nothrow);
  if (resolve_ec || self->stopping) {
    fail("resolving", resolve_ec.message());
    co_return;
  }

  tcp_layer.expires_after(seconds(self->options.handshake_timeout_s));
  auto [connect_ec, endpoint] = co_await tcp_layer.async_connect(endpoints, use_nothrow);
  if (connect_ec || self->stopping) {
    fail("connecting to", connect_ec.message());
    co_return;
  }

  std::error_code peer_ec;
  set_tls_peer(s->ws.next_layer(), url.host, peer_ec);
  if (peer_ec) {
    fail("setting up TLS for", peer_ec.message());
    co_return;
  }
  auto [tls_ec] =
      co_await s->ws.next_layer().async_handshake(ssl::stream_base::client, use_nothrow);
  if (tls_ec || self->stopping) {
    fail("TLS handshake with", tls_ec.message());
    co_return;
  }

  // From here the websocket stream owns the timeouts, as in Beast's examples.
  tcp_layer.expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = seconds(self->options.handshake_timeout_s);
  timeouts.idle_timeout = websocket::stream_base::none();  // liveness is the text heartbeat's job
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

  websocket::response_type response;
  auto [upgrade_ec] =
      co_await s->ws.async_handshake(response, url.host_header, url.target, use_nothrow);
  if (upgrade_ec == websocket::error::upgrade_declined) {
    if (!self->stopping) self->on_upgrade_refused(c, response);
    co_return;
  }
  if (upgrade_ec || self->stopping) {
    fail("WebSocket handshake with", upgrade_ec.message());
    co_return;
  }

  s->open = true;
  // Now the same setting bounds the close handshake (stop() and a dead heartbeat).
  timeouts.handshake_timeout = seconds(self->options.close_timeout_s);
  s->ws.set_option(timeouts);
  s->ws.text(true);

  self->set_state(c, ConnectionState::subscribing);
  // Nothing else writes yet, so the subscribe needs no queue.
  auto [subscribe_ec, written] = co_await s->ws.async_write(net::buffer(c.subscribe), use_nothrow);
  if (subscribe_ec || self->stopping || !s->open) {
    s->kill();
    fail("subscribing on", subscribe_ec.message());
    co_return;
  }
  ++c.stats.connects;
  c.backoff.on_healthy(steady_now_ms());
  self->set_state(c, ConnectionState::live);
  self->log(FeedLogLevel::info, "feed[{}]: live, {} channel(s)", c.index, c.channels.size());

  if (self->config.ping_interval_s > 0) {
    net::co_spawn(self->io, keep_heartbeat(self, c, s), net::detached);
  }
  co_await read_loop(self, c, s);
  s->kill();
}

net::awaitable<void> WsFeed::Impl::read_loop(std::shared_ptr<Impl> self, FeedConnection& c,
                                             std::shared_ptr<FeedSession> s) {
  const auto frame_max = static_cast<std::size_t>(std::max(self->config.max_frame_bytes, 1));
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    std::size_t message_bytes = 0;
    bool discard = false;
    do {
      auto [ec, n] = co_await s->ws.async_read_some(buffer, read_chunk_bytes, use_nothrow);
      if (ec) {
        // A session we ended ourselves (stop(), dead heartbeat) was logged where it ended.
        if (self->stopping || !s->open) co_return;
        if (ec == websocket::error::closed) {
          const auto& reason = s->ws.reason();
          self->log(FeedLogLevel::warn, "feed[{}]: server closed the connection ({} {})", c.index,
                    static_cast<int>(reason.code),
                    std::string_view(reason.reason.data(), reason.reason.size()));
        } else {
          self->log(FeedLogLevel::warn, "feed[{}]: connection lost: {}", c.index, ec.message());
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
      self->log(FeedLogLevel::debug, "feed[{}]: dropped a binary frame of {} bytes", c.index,
                message_bytes);
    } else if (discard) {
      ++c.stats.dropped_oversize;
      self->log(FeedLogLevel::warn, "feed[{}]: dropped a {} byte frame (max_frame_bytes {})",
                c.index, message_bytes, frame_max);
    } else {
      const auto data = buffer.cdata();
      self->on_text(c, *s, std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    if (self->stopping && !s->open) co_return;
  }
}

void WsFeed::Impl::on_text(FeedConnection& c, FeedSession& s, std::string_view text) {
  if (trim(text) == "pong") {
    ++c.stats.pongs;
    s.awaiting_pong = false;
    return;
  }
  const TimeMs now = options.wall_clock();
  ++c.stats.frames;
  c.stats.bytes += text.size();
  if (is_notice(text)) {
    ++c.stats.notices;
    // Reconnecting sooner will not change the server's mind about our plan.
    c.backoff.to_max();
    const std::string quote(text.substr(0, alarm_quote_chars));
    log(FeedLogLevel::warn, "feed[{}]: server notice: {}", c.index, quote);
    alarm_once("notice:" + quote, "CoinGlass notice: " + quote);
  } else {
    if (c.gap_pending) {
      c.gap_pending = false;
      const FeedGap gap{c.index, c.stats.last_frame_time, now};
      log(FeedLogLevel::warn, "feed[{}]: gap of {} in the data", c.index,
          format_duration(gap.length_ms()));
      if (listener) listener->on_gap(gap);
    }
    c.stats.last_frame_time = now;
  }
  if (listener) listener->on_frame(text, now);
}

void WsFeed::Impl::on_upgrade_refused(FeedConnection& c, const websocket::response_type& response) {
  ++c.stats.upgrade_refusals;
  const int status = response.result_int();
  log(FeedLogLevel::error, "feed[{}]: {} refused the WebSocket upgrade: HTTP {} {}", c.index,
      url.redacted, status, std::string_view(response.reason().data(), response.reason().size()));
  if (status == 401 || status == 403) {
    c.backoff.to_max();
    alarm_once(fmt::format("upgrade:{}", status),
               fmt::format("CoinGlass refused the feed connection with HTTP {}: check "
                           "COINGLASS_API_KEY and the plan",
                           status));
  } else if (status == 429) {
    c.backoff.to_max();
  }
}

net::awaitable<void> WsFeed::Impl::keep_heartbeat(std::shared_ptr<Impl> self, FeedConnection& c,
                                                  std::shared_ptr<FeedSession> s) {
  const auto interval = seconds(self->config.ping_interval_s);
  const auto pong_timeout = seconds(std::max(self->config.pong_timeout_s, 0.0));
  auto next_ping = steady_clock::now() + interval;
  while (s->open && !self->stopping) {
    auto wake = next_ping;
    if (s->awaiting_pong) wake = std::min(wake, s->oldest_unanswered_ping + pong_timeout);
    s->heartbeat.expires_at(wake);
    auto [ec] = co_await s->heartbeat.async_wait(use_nothrow);
    if (ec || !s->open || self->stopping) co_return;

    const auto now = steady_clock::now();
    // Only a missing pong proves the connection dead; a quiet market sends no data for a while.
    if (s->awaiting_pong && now >= s->oldest_unanswered_ping + pong_timeout) {
      ++c.stats.heartbeat_timeouts;
      self->log(FeedLogLevel::warn, "feed[{}]: no pong within {}, reconnecting", c.index,
                format_duration(seconds_ms(self->config.pong_timeout_s)));
      s->kill();  // a peer that stopped answering gets no close handshake
      co_return;
    }
    if (now >= next_ping) {
      if (!s->awaiting_pong) {
        s->awaiting_pong = true;
        s->oldest_unanswered_ping = now;
      }
      ++c.stats.pings;
      self->send(self, c, s, "ping");
      next_ping = std::max(next_ping + interval, now);
    }
  }
}

void WsFeed::Impl::send(const std::shared_ptr<Impl>& self, FeedConnection& c,
                        const std::shared_ptr<FeedSession>& s, std::string text) {
  s->outbox.push_back(std::move(text));
  if (s->writing) return;
  s->writing = true;
  net::co_spawn(io, write_queued(self, c, s), net::detached);
}

net::awaitable<void> WsFeed::Impl::write_queued(std::shared_ptr<Impl> self, FeedConnection& c,
                                                std::shared_ptr<FeedSession> s) {
  while (!s->outbox.empty() && s->open && !s->closing) {
    auto [ec, n] = co_await s->ws.async_write(net::buffer(s->outbox.front()), use_nothrow);
    if (ec) {
      if (s->open && !self->stopping) {
        self->log(FeedLogLevel::warn, "feed[{}]: write failed: {}", c.index, ec.message());
      }
      s->kill();
      break;
    }
    s->outbox.pop_front();
  }
  s->outbox.clear();
  s->writing = false;
}

net::awaitable<void> WsFeed::Impl::close_gracefully(std::shared_ptr<FeedSession> s) {
  if (s->closing) co_return;
  s->closing = true;
  // Bounded by the stream's handshake timeout, set to close_timeout_s once the session opened.
  auto [ec] = co_await s->ws.async_close(websocket::close_code::normal, use_nothrow);
  (void)ec;  // whatever happened, the connection is over
  s->kill();
}

WsFeed::WsFeed(boost::asio::io_context& io, const CoinglassConfig& config,
               const std::vector<SymbolConfig>& symbols, std::string api_key,
               FeedListener& listener, WsFeedOptions options) {
  std::error_code ec;
  WsUrl url = make_ws_url(config.ws_url, api_key, ec);
  if (ec) {
    throw std::invalid_argument(redact_secret(
        "coinglass.ws_url: " + redact_url(config.ws_url) + ": " + ec.message(), api_key));
  }
  // The key travels in the URL, so the feed refuses to send it in clear text.
  if (!url.secure) {
    throw std::invalid_argument(redact_secret(
        "coinglass.ws_url: " + redact_url(config.ws_url) + ": must be wss://", api_key));
  }
  ssl::context tls = make_client_tls_context(config.ca_file, ec);
  if (ec) throw std::runtime_error("coinglass.ca_file: " + config.ca_file + ": " + ec.message());

  BackoffPolicy policy;
  policy.initial_s = config.reconnect_initial_s;
  policy.max_s = config.reconnect_max_s;
  policy.healthy_reset_s = options.healthy_reset_s;
  impl_ = std::make_shared<Impl>(io, config, std::move(api_key), listener, std::move(options),
                                 std::move(url), std::move(tls));
  const auto groups =
      group_channels(feed_channels(config, symbols), config.channels_per_connection);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    impl_->connections.push_back(
        std::make_unique<FeedConnection>(io, i, groups[i], Backoff(policy, impl_->options.random)));
  }
}

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

const std::string& WsFeed::redacted_url() const {
  return impl_->url.redacted;
}

}  // namespace teleglas
