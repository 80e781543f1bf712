#include "ws_server.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <utility>

#include "accept_loop.hpp"
#include "teleglas/net/tls_context.hpp"

namespace teleglas::sim_ws {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using WsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

constexpr auto handshake_timeout = std::chrono::seconds(10);
constexpr auto keep_alive_timeout = std::chrono::seconds(30);
// Streaming stops queueing at this depth until the client catches up: a looping demo
// recording at pace 0 must not grow the queue without bound.
constexpr std::size_t queue_high_water = 64;

Clock::duration from_ms(std::int64_t ms) {
  return std::chrono::milliseconds(ms);
}

class Connection;

class ServerImpl : public Server, public std::enable_shared_from_this<ServerImpl> {
 public:
  ServerImpl(net::io_context& io, const TlsIdentity& identity, std::uint16_t port,
             StreamOptions stream, SessionRules rules, std::shared_ptr<Protocol> protocol)
      : io_(io),
        stream_(std::move(stream)),
        rules_(std::move(rules)),
        protocol_(std::move(protocol)),
        tls_(make_server_tls_context(identity)),
        acceptor_(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)) {
    port_ = acceptor_.local_endpoint().port();
    frames_.reserve(stream_.frames.size());
    for (const std::string& frame : stream_.frames) frames_.push_back(protocol_->describe(frame));
  }

  void begin() { net::co_spawn(io_, accept_loop(shared_from_this()), net::detached); }

  std::uint16_t port() const override { return port_; }
  ServerRecord record() const override {
    std::lock_guard lock(mutex_);
    return record_;
  }
  // On the io thread (dispatch): the sessions are not thread-safe.
  void drop_connections() override {
    net::dispatch(io_, [self = shared_from_this()] { self->abort_all(); });
  }
  void stop() override {
    net::dispatch(io_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
      self->abort_all();
    });
  }

  const StreamOptions& stream() const { return stream_; }
  const std::vector<FrameInfo>& frames() const { return frames_; }
  const SessionRules& rules() const { return rules_; }
  Protocol& protocol() { return *protocol_; }
  net::ssl::context& tls() { return tls_; }

  template <class F>
  void update(F&& f) {
    std::lock_guard lock(mutex_);
    f(record_);
  }

  void forget(std::uint64_t id) { connections_.erase(id); }

  // Where the next session starts streaming (stream.resume); io thread only.
  std::size_t resume_point() const { return resume_point_; }
  void reached(std::size_t frame) { resume_point_ = (frame + 1) % stream_.frames.size(); }

 private:
  static net::awaitable<void> accept_loop(std::shared_ptr<ServerImpl> self);
  void abort_all();

  net::io_context& io_;
  const StreamOptions stream_;
  const SessionRules rules_;
  std::shared_ptr<Protocol> protocol_;
  std::vector<FrameInfo> frames_;
  net::ssl::context tls_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections_;  // io thread only
  std::uint64_t next_id_ = 0;
  std::uint64_t next_session_ = 0;
  std::size_t resume_point_ = 0;

  mutable std::mutex mutex_;  // guards what tests read from their thread
  ServerRecord record_;

  friend class Connection;
};

// One TLS connection: REST requests with keep-alive, or, after an upgrade, a WebSocket session
// with one write in flight and a queue behind it (Beast's chat-multi example). Data, pings and
// the closing handshake all go through that queue, so they never overlap.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerImpl> server, tcp::socket socket, std::uint64_t id)
      : server_(std::move(server)),
        id_(id),
        ws_(std::move(socket), server_->tls()),
        queue_changed_(ws_.get_executor()),
        pace_timer_(ws_.get_executor()),
        resubscribed_(ws_.get_executor()),
        stalled_(ws_.get_executor()),
        ping_timer_(ws_.get_executor()),
        idle_timer_(ws_.get_executor()),
        age_timer_(ws_.get_executor()) {}
  ~Connection() { server_->forget(id_); }

  static net::awaitable<void> run(std::shared_ptr<Connection> self) { co_await self->serve(); }

  // Abrupt close: no WebSocket close frame, no TLS close_notify, as when a server dies.
  void abort() {
    closed_ = true;
    for (net::steady_timer* t : {&queue_changed_, &pace_timer_, &resubscribed_, &stalled_,
                                 &ping_timer_, &idle_timer_, &age_timer_}) {
      t->cancel();
    }
    beast::get_lowest_layer(ws_).close();
  }

 private:
  struct Outgoing {
    enum class Kind : std::uint8_t { text, binary, ping, close } kind = Kind::text;
    std::string data;
    websocket::close_reason close;
  };

  net::awaitable<void> serve();
  net::awaitable<void> run_websocket(Request req);
  net::awaitable<void> write_http(Response res);
  void on_text(std::string message);
  void send(std::string data, bool text);
  void enqueue(Outgoing out);
  void close_with(const CloseFrame& frame);
  void start_streaming();
  bool ending() const { return closed_ || closing_; }
  net::awaitable<void> wait_queue_at_most(std::size_t size);
  net::awaitable<void> wait_until(net::steady_timer& timer, Clock::time_point at);
  static net::awaitable<void> write_loop(std::shared_ptr<Connection> self);
  static net::awaitable<void> stream_frames(std::shared_ptr<Connection> self);
  static net::awaitable<void> ping_loop(std::shared_ptr<Connection> self);
  static net::awaitable<void> idle_watch(std::shared_ptr<Connection> self);
  static net::awaitable<void> age_watch(std::shared_ptr<Connection> self);

  std::shared_ptr<ServerImpl> server_;
  std::uint64_t id_;
  WsStream ws_;
  StreamFaults faults_;  // as they were at the upgrade
  std::unique_ptr<Session> session_;
  std::deque<Outgoing> queue_;
  net::steady_timer queue_changed_;  // cancelled whenever the queue shrinks or we close
  net::steady_timer pace_timer_;
  net::steady_timer resubscribed_;  // cancelled when the session subscribes to more
  net::steady_timer stalled_;       // the read loop's wait under stall_reads
  net::steady_timer ping_timer_;
  net::steady_timer idle_timer_;
  net::steady_timer age_timer_;
  Clock::time_point upgraded_at_;
  Clock::time_point last_push_;  // the last data frame written to the client
  std::optional<Clock::time_point> unanswered_ping_since_;
  bool closed_ = false;
  bool closing_ = false;  // a close frame is queued: nothing more is sent
  bool subscribed_ = false;
  bool streaming_ = false;
};

net::awaitable<void> ServerImpl::accept_loop(std::shared_ptr<ServerImpl> self) {
  co_await accept_connections(self->acceptor_, [&self](tcp::socket socket) {
    const std::uint64_t id = self->next_id_++;
    auto connection = std::make_shared<Connection>(self, std::move(socket), id);
    self->connections_[id] = connection;
    net::co_spawn(self->io_, Connection::run(std::move(connection)), net::detached);
  });
}

void ServerImpl::abort_all() {
  // Copy first: an abort may complete operations that end sessions and erase entries.
  std::vector<std::shared_ptr<Connection>> open;
  for (auto& [id, weak] : connections_) {
    if (auto c = weak.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open) c->abort();
}

net::awaitable<void> Connection::serve() {
  auto& tcp_layer = beast::get_lowest_layer(ws_);
  tcp_layer.expires_after(handshake_timeout);
  auto [handshake_ec] = co_await ws_.next_layer().async_handshake(
      net::ssl::stream_base::server, net::as_tuple(net::use_awaitable));
  if (handshake_ec) {
    if (!closed_) server_->update([](ServerRecord& r) { ++r.tls_handshakes_failed; });
    co_return;
  }
  beast::flat_buffer buffer;
  bool counted_rest = false;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024);
    tcp_layer.expires_after(keep_alive_timeout);
    auto [read_ec, read] = co_await http::async_read(ws_.next_layer(), buffer, parser,
                                                     net::as_tuple(net::use_awaitable));
    if (read_ec) co_return;  // the client went away, idled out, or sent garbage
    Request req = parser.release();
    if (websocket::is_upgrade(req)) {
      co_await run_websocket(std::move(req));
      co_return;
    }
    if (!counted_rest) {
      counted_rest = true;
      server_->update([](ServerRecord& r) { ++r.rest_connections; });
    }
    Protocol& protocol = server_->protocol();
    server_->update([&](ServerRecord& r) {
      r.rest_targets.emplace_back(req.target());
      if (!protocol.recorded_header().empty()) {
        r.rest_header_values.emplace_back(req[protocol.recorded_header()]);
      }
    });
    Response res = protocol.rest(req);
    const bool keep_alive = res.keep_alive();
    co_await write_http(std::move(res));
    if (!keep_alive || closed_) break;
  }
  if (closed_) co_return;
  tcp_layer.expires_after(handshake_timeout);
  co_await ws_.next_layer().async_shutdown(net::as_tuple(net::use_awaitable));
}

net::awaitable<void> Connection::write_http(Response res) {
  res.prepare_payload();
  auto [ec, written] =
      co_await http::async_write(ws_.next_layer(), res, net::as_tuple(net::use_awaitable));
  if (ec) closed_ = true;
}

net::awaitable<void> Connection::run_websocket(Request req) {
  Protocol& protocol = server_->protocol();
  const std::string target(req.target());
  auto url = boost::urls::parse_origin_form(target);
  if (!url || !protocol.is_ws_path(url->path())) {
    Response res = protocol.refuse(req, 404);
    res.keep_alive(false);
    co_await write_http(std::move(res));
    co_return;
  }
  faults_ = protocol.stream_faults();
  server_->update([&](ServerRecord& r) { r.ws_targets.push_back(target); });
  if (faults_.upgrade_status != 0) {
    Response res = protocol.refuse(req, static_cast<unsigned>(faults_.upgrade_status));
    res.keep_alive(false);
    co_await write_http(std::move(res));
    co_return;
  }

  const SessionRules& rules = server_->rules();
  beast::get_lowest_layer(ws_).expires_never();
  if (rules.beast_timeouts) {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  } else {
    // The rules time the session; Beast only bounds the opening and closing handshakes.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
  }
  ws_.set_option(websocket::stream_base::decorator(
      [name = std::string(protocol.server_name())](websocket::response_type& res) {
        res.set(http::field::server, name);
      }));
  session_ = protocol.open_session(target, server_->next_session_++);
  auto [accept_ec] = co_await ws_.async_accept(req, net::as_tuple(net::use_awaitable));
  if (accept_ec) co_return;
  server_->update([](ServerRecord& r) { ++r.ws_connections; });
  upgraded_at_ = last_push_ = Clock::now();
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong) {
      unanswered_ping_since_.reset();
      server_->update([](ServerRecord& r) { ++r.pong_frames_received; });
    } else if (kind == websocket::frame_type::ping) {
      server_->update([](ServerRecord& r) { ++r.ping_frames_received; });
    }
  });
  const auto spawn = [&](net::awaitable<void> (*loop)(std::shared_ptr<Connection>)) {
    net::co_spawn(ws_.get_executor(), loop(shared_from_this()), net::detached);
  };
  if (rules.ping_interval_ms > 0) spawn(&Connection::ping_loop);
  if (rules.idle_timeout_ms > 0) spawn(&Connection::idle_watch);
  if (rules.max_age_ms > 0) spawn(&Connection::age_watch);
  if (session_->streams_at_upgrade()) {
    subscribed_ = true;
    start_streaming();
  }

  beast::flat_buffer buffer;
  for (;;) {
    if (faults_.stall_reads && streaming_) {
      // Until the connection ends: no read, so no automatic pong either.
      co_await wait_until(stalled_, Clock::time_point::max());
      break;
    }
    auto [read_ec, read] = co_await ws_.async_read(buffer, net::as_tuple(net::use_awaitable));
    if (read_ec) break;
    if (ws_.got_text()) on_text(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
  abort();  // stops the streamer and the watches, drops what is queued
}

void Connection::on_text(std::string message) {
  server_->update([&](ServerRecord& r) { r.ws_messages.push_back(message); });
  Replies replies = session_->on_text(message);
  server_->update([&](ServerRecord& r) {
    if (replies.heartbeat) ++r.pings;
    if (replies.heartbeat_answered) ++r.pongs_sent;
    r.subscribe_requests += replies.subscribe_requests;
    r.subscribe_errors += replies.subscribe_errors;
  });
  for (std::string& text : replies.texts) send(std::move(text), true);
  if (replies.subscribed) {
    subscribed_ = true;
    if (!streaming_) {
      start_streaming();
    } else {
      resubscribed_.cancel();
    }
  }
}

void Connection::start_streaming() {
  streaming_ = true;
  net::co_spawn(ws_.get_executor(), stream_frames(shared_from_this()), net::detached);
}

void Connection::send(std::string data, bool text) {
  enqueue({text ? Outgoing::Kind::text : Outgoing::Kind::binary, std::move(data), {}});
}

void Connection::enqueue(Outgoing out) {
  if (ending()) return;
  if (out.kind == Outgoing::Kind::close) closing_ = true;
  queue_.push_back(std::move(out));
  if (queue_.size() == 1) {
    net::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), net::detached);
  }
}

void Connection::close_with(const CloseFrame& frame) {
  if (frame.code == 0) {
    abort();
    return;
  }
  enqueue({Outgoing::Kind::close,
           {},
           websocket::close_reason(static_cast<websocket::close_code>(frame.code), frame.reason)});
}

net::awaitable<void> Connection::write_loop(std::shared_ptr<Connection> self) {
  while (!self->queue_.empty() && !self->closed_) {
    const Outgoing& out = self->queue_.front();
    boost::system::error_code ec;
    switch (out.kind) {
      case Outgoing::Kind::text:
      case Outgoing::Kind::binary:
        self->ws_.text(out.kind == Outgoing::Kind::text);
        std::tie(ec, std::ignore) = co_await self->ws_.async_write(
            net::buffer(out.data), net::as_tuple(net::use_awaitable));
        if (!ec) self->last_push_ = Clock::now();
        break;
      case Outgoing::Kind::ping:
        std::tie(ec) = co_await self->ws_.async_ping(websocket::ping_data{},
                                                     net::as_tuple(net::use_awaitable));
        break;
      case Outgoing::Kind::close:
        // Completes when the client answers the close (or the handshake timeout passes).
        co_await self->ws_.async_close(out.close, net::as_tuple(net::use_awaitable));
        ec = net::error::operation_aborted;  // either way, the session is over
        break;
    }
    if (ec) {
      self->abort();
      self->queue_.clear();
      co_return;
    }
    self->queue_.pop_front();
    self->queue_changed_.cancel();
  }
}

net::awaitable<void> Connection::wait_queue_at_most(std::size_t size) {
  while (!closed_ && queue_.size() > size) {
    co_await wait_until(queue_changed_, Clock::time_point::max());
  }
}

net::awaitable<void> Connection::wait_until(net::steady_timer& timer, Clock::time_point at) {
  timer.expires_at(at);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

net::awaitable<void> Connection::stream_frames(std::shared_ptr<Connection> self) {
  const StreamOptions& options = self->server_->stream();
  const std::vector<FrameInfo>& frames = self->server_->frames();
  const StreamFaults& faults = self->faults_;
  if (faults.oversize_frame_bytes > 0) {
    self->send(std::string(faults.oversize_frame_bytes, 'x'), true);
  }

  std::uint64_t sent = 0;
  const auto drop_due = [&] {
    return faults.drop_after_frames >= 0 &&
           sent >= static_cast<std::uint64_t>(faults.drop_after_frames);
  };
  std::size_t first = options.resume ? self->server_->resume_point() : 0;
  do {
    // Pacing restarts with each pass: a looped recording's times jump back.
    std::optional<TimeMs> first_time;
    Clock::time_point first_sent;
    std::uint64_t sent_this_pass = 0;
    for (std::size_t i = std::exchange(first, 0);
         i < options.frames.size() && !self->ending() && !drop_due(); ++i) {
      if (options.pace > 0 && frames[i].time) {
        if (!first_time) {
          first_time = frames[i].time;
          first_sent = Clock::now();
        } else {
          const auto at =
              first_sent +
              std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(
                  static_cast<double>(*frames[i].time - *first_time) / options.pace));
          if (at > Clock::now()) {
            co_await self->wait_until(self->pace_timer_, at);
            if (self->ending()) co_return;
          }
        }
      }
      // The market goes on whether this session listens or not: a skipped frame is passed too.
      self->server_->reached(i);
      if (!self->session_->wants(frames[i].key)) continue;
      const std::uint64_t number = sent + 1;
      if (faults.garbage_every > 0 &&
          number % static_cast<std::uint64_t>(faults.garbage_every) == 0) {
        self->send("<html>502 Bad Gateway</html>", true);
      }
      if (faults.binary_every > 0 &&
          number % static_cast<std::uint64_t>(faults.binary_every) == 0) {
        self->send(std::string("\x00\x01\x02\xff", 4), false);
      }
      self->send(options.frames[i], true);
      ++sent;
      ++sent_this_pass;
      self->server_->update([](ServerRecord& r) { ++r.frames_sent; });
      co_await self->wait_queue_at_most(queue_high_water);
    }
    if (options.loop && sent_this_pass == 0 && !self->ending()) {
      // Nothing here for this session: wait for it to subscribe to more instead of spinning.
      co_await self->wait_until(self->resubscribed_, Clock::time_point::max());
    }
  } while (options.loop && !options.frames.empty() && !self->ending() && !drop_due());

  if (drop_due() && !self->ending()) {
    // Let the client have all N frames, then vanish.
    co_await self->wait_queue_at_most(0);
    self->abort();
  }
}

net::awaitable<void> Connection::ping_loop(std::shared_ptr<Connection> self) {
  const SessionRules& rules = self->server_->rules();
  const auto interval = from_ms(rules.ping_interval_ms);
  auto next_ping = Clock::now() + interval;
  while (!self->ending()) {
    auto wake = next_ping;
    if (rules.pong_timeout_ms > 0 && self->unanswered_ping_since_) {
      wake = std::min(wake, *self->unanswered_ping_since_ + from_ms(rules.pong_timeout_ms));
    }
    co_await self->wait_until(self->ping_timer_, wake);
    if (self->ending()) co_return;
    const auto now = Clock::now();
    if (rules.pong_timeout_ms > 0 && self->unanswered_ping_since_ &&
        now >= *self->unanswered_ping_since_ + from_ms(rules.pong_timeout_ms)) {
      self->server_->update([](ServerRecord& r) { ++r.pong_timeout_cuts; });
      self->abort();
      co_return;
    }
    if (now >= next_ping) {
      if (!self->unanswered_ping_since_) self->unanswered_ping_since_ = now;
      self->enqueue({Outgoing::Kind::ping, {}, {}});
      self->server_->update([](ServerRecord& r) { ++r.ping_frames_sent; });
      next_ping = now + interval;
    }
  }
}

net::awaitable<void> Connection::idle_watch(std::shared_ptr<Connection> self) {
  const SessionRules& rules = self->server_->rules();
  const auto idle = from_ms(rules.idle_timeout_ms);
  const auto deadline = [&] {
    const bool pushes_count = self->subscribed_ || !rules.idle_requires_subscription;
    return (pushes_count ? self->last_push_ : self->upgraded_at_) + idle;
  };
  while (!self->ending()) {
    co_await self->wait_until(self->idle_timer_, deadline());
    if (self->ending()) co_return;
    if (Clock::now() >= deadline()) {
      self->server_->update([](ServerRecord& r) { ++r.idle_cuts; });
      self->close_with(rules.idle_close);
      co_return;
    }
  }
}

net::awaitable<void> Connection::age_watch(std::shared_ptr<Connection> self) {
  const SessionRules& rules = self->server_->rules();
  co_await self->wait_until(self->age_timer_, self->upgraded_at_ + from_ms(rules.max_age_ms));
  if (self->ending()) co_return;
  self->server_->update([](ServerRecord& r) { ++r.max_age_cuts; });
  self->close_with(rules.max_age_close);
}

}  // namespace

Response json_response(const Request& req, unsigned status, std::string body,
                       std::string_view server_name) {
  Response res;
  res.version(req.version());
  res.result(status);
  res.set(http::field::server, server_name);
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

std::string local_wss_url(std::uint16_t port, std::string_view path) {
  return "wss://127.0.0.1:" + std::to_string(port) + std::string(path);
}

std::string local_https_url(std::uint16_t port) {
  return "https://127.0.0.1:" + std::to_string(port);
}

std::shared_ptr<Server> Server::start(boost::asio::io_context& io, const TlsIdentity& identity,
                                      std::uint16_t port, StreamOptions stream, SessionRules rules,
                                      std::shared_ptr<Protocol> protocol) {
  auto server = std::make_shared<ServerImpl>(io, identity, port, std::move(stream),
                                             std::move(rules), std::move(protocol));
  server->begin();
  return server;
}

}  // namespace teleglas::sim_ws
