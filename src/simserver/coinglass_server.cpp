#include "teleglas/simserver/coinglass_server.hpp"

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
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <utility>

#include "teleglas/core/types.hpp"
#include "teleglas/net/tls_context.hpp"

namespace teleglas {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using WsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto handshake_timeout = std::chrono::seconds(10);
constexpr auto keep_alive_timeout = std::chrono::seconds(30);
// Streaming stops queueing at this depth until the client catches up: a looping demo
// recording at pace 0 must not grow the queue without bound.
constexpr std::size_t queue_high_water = 64;
constexpr std::string_view ws_path = "/ws-api";
constexpr std::string_view funding_path = "/api/futures/funding-rate/exchange-list";
constexpr std::string_view open_interest_path = "/api/futures/open-interest/exchange-list";
constexpr std::string_view server_name = "teleglas-sim-coinglass";

std::optional<TimeMs> time_value(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<TimeMs>(v.get_uint64());
  if (v.is_double()) return static_cast<TimeMs>(v.get_double());
  return std::nullopt;
}

// The event time that paces a frame: "time" of the first data element, else the top level's.
std::optional<TimeMs> event_time(std::string_view frame) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(frame, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::object& o = v.get_object();
  if (const auto* data = o.if_contains("data"); data != nullptr && data->is_array() &&
                                                !data->get_array().empty() &&
                                                data->get_array().front().is_object()) {
    if (const auto* t = data->get_array().front().get_object().if_contains("time")) {
      if (auto ms = time_value(*t)) return ms;
    }
  }
  if (const auto* t = o.if_contains("time")) return time_value(*t);
  return std::nullopt;
}

bool is_subscribe(std::string_view message) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(message, ec);
  if (ec || !v.is_object()) return false;
  const auto* method = v.get_object().if_contains("method");
  return method != nullptr && method->is_string() && method->get_string() == "subscribe";
}

std::string envelope(std::string_view data) {
  return R"({"code":"0","msg":"success","data":)" + std::string(data) + "}";
}

std::string error_envelope(unsigned status, std::string_view msg) {
  return R"({"code":")" + std::to_string(status) + R"(","msg":")" + std::string(msg) + R"("})";
}

Response json_response(const Request& req, unsigned status, std::string body) {
  Response res;
  res.version(req.version());
  res.result(status);
  res.set(http::field::server, server_name);
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  return res;
}

class Connection;

// The server proper; SimCoinglassServer::Impl is this, shared with the coroutines it spawns.
class SimServer : public std::enable_shared_from_this<SimServer> {
 public:
  SimServer(net::io_context& io, SimCoinglassOptions options, std::uint16_t port)
      : io_(io),
        options_(std::move(options)),
        tls_(make_server_tls_context(options_.identity)),
        acceptor_(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)),
        faults_(options_.faults) {
    port_ = acceptor_.local_endpoint().port();
    frame_times_.reserve(options_.frames.size());
    for (const std::string& frame : options_.frames) frame_times_.push_back(event_time(frame));
  }

  void start() { net::co_spawn(io_, accept_loop(shared_from_this()), net::detached); }

  std::uint16_t port() const { return port_; }
  const SimCoinglassOptions& options() const { return options_; }
  const std::vector<std::optional<TimeMs>>& frame_times() const { return frame_times_; }
  net::ssl::context& tls() { return tls_; }

  template <class F>
  void update(F&& f) {
    std::lock_guard lock(mutex_);
    f(record_);
  }
  SimCoinglassRecord record() const {
    std::lock_guard lock(mutex_);
    return record_;
  }
  SimCoinglassFaults faults() const {
    std::lock_guard lock(mutex_);
    return faults_;
  }
  void set_faults(const SimCoinglassFaults& faults) {
    std::lock_guard lock(mutex_);
    faults_ = faults;
  }

  void forget(std::uint64_t id) { connections_.erase(id); }

  // Where the next connection starts streaming (options.resume); io thread only.
  std::size_t resume_point() const { return resume_point_; }
  void streamed(std::size_t frame) { resume_point_ = (frame + 1) % options_.frames.size(); }

  // On the io thread (dispatch): the sessions are not thread-safe.
  void drop_connections() {
    net::dispatch(io_, [self = shared_from_this()] { self->abort_all(); });
  }
  void stop() {
    net::dispatch(io_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
      self->abort_all();
    });
  }

 private:
  static net::awaitable<void> accept_loop(std::shared_ptr<SimServer> self);
  void abort_all();

  net::io_context& io_;
  const SimCoinglassOptions options_;
  std::vector<std::optional<TimeMs>> frame_times_;
  net::ssl::context tls_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections_;  // io thread only
  std::uint64_t next_id_ = 0;
  std::size_t resume_point_ = 0;

  mutable std::mutex mutex_;  // guards what tests read or change from their thread
  SimCoinglassRecord record_;
  SimCoinglassFaults faults_;
};

// One TLS connection: REST requests with keep-alive, or, after an upgrade, a WebSocket session
// with one write in flight and a queue behind it (Beast's chat-multi example).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<SimServer> server, tcp::socket socket, std::uint64_t id)
      : server_(std::move(server)),
        id_(id),
        ws_(std::move(socket), server_->tls()),
        queue_changed_(ws_.get_executor()),
        pace_timer_(ws_.get_executor()) {}
  ~Connection() { server_->forget(id_); }

  static net::awaitable<void> run(std::shared_ptr<Connection> self) { co_await self->serve(); }

  // Abrupt close: no WebSocket close frame, no TLS close_notify, as when a server dies.
  void abort() {
    closed_ = true;
    queue_changed_.cancel();
    pace_timer_.cancel();
    beast::get_lowest_layer(ws_).close();
  }

 private:
  struct Outgoing {
    std::string data;
    bool text = true;
  };

  net::awaitable<void> serve();
  net::awaitable<void> run_websocket(Request req);
  net::awaitable<void> write_http(Response res);
  Response rest_response(const Request& req);
  void on_text(std::string message);
  void send(std::string data, bool text);
  net::awaitable<void> wait_queue_at_most(std::size_t size);
  static net::awaitable<void> write_loop(std::shared_ptr<Connection> self);
  static net::awaitable<void> stream_frames(std::shared_ptr<Connection> self);

  std::shared_ptr<SimServer> server_;
  std::uint64_t id_;
  WsStream ws_;
  SimCoinglassFaults faults_;  // as they were at the upgrade
  std::deque<Outgoing> queue_;
  net::steady_timer queue_changed_;  // cancelled whenever the queue shrinks or we close
  net::steady_timer pace_timer_;
  bool closed_ = false;
  bool streaming_ = false;
};

net::awaitable<void> SimServer::accept_loop(std::shared_ptr<SimServer> self) {
  for (;;) {
    auto [ec, socket] = co_await self->acceptor_.async_accept(net::as_tuple(net::use_awaitable));
    if (!self->acceptor_.is_open()) co_return;
    if (ec) {
      // E.g. out of descriptors: wait a little instead of spinning.
      net::steady_timer pause(self->io_, std::chrono::milliseconds(50));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    const std::uint64_t id = self->next_id_++;
    auto connection = std::make_shared<Connection>(self, std::move(socket), id);
    self->connections_[id] = connection;
    net::co_spawn(self->io_, Connection::run(std::move(connection)), net::detached);
  }
}

void SimServer::abort_all() {
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
    if (!closed_) server_->update([](SimCoinglassRecord& r) { ++r.tls_handshakes_failed; });
    co_return;
  }
  beast::flat_buffer buffer;
  bool counted_rest = false;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);
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
      server_->update([](SimCoinglassRecord& r) { ++r.rest_connections; });
    }
    Response res = rest_response(req);
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

Response Connection::rest_response(const Request& req) {
  const std::string target(req.target());
  server_->update([&](SimCoinglassRecord& r) {
    r.rest_targets.push_back(target);
    r.rest_api_keys.emplace_back(req["CG-API-KEY"]);
  });
  const SimCoinglassFaults faults = server_->faults();
  if (faults.rest_status == 401) {
    return json_response(req, 401, error_envelope(401, "API key missing"));
  }
  if (faults.rest_status == 429) {
    Response res = json_response(req, 429, error_envelope(429, "Too Many Requests"));
    if (faults.rest_retry_after_s > 0) {
      res.set(http::field::retry_after, std::to_string(faults.rest_retry_after_s));
    }
    return res;
  }
  if (faults.rest_status != 200) {
    const auto status = static_cast<unsigned>(faults.rest_status);
    return json_response(
        req, status, error_envelope(status, http::obsolete_reason(http::int_to_status(status))));
  }
  auto url = boost::urls::parse_origin_form(target);
  const std::string path = url ? std::string(url->path()) : std::string();
  const SimCoinglassOptions& options = server_->options();
  if (path == funding_path) return json_response(req, 200, envelope(options.funding_data));
  if (path == open_interest_path) {
    std::string base;
    if (auto it = url->params().find("symbol"); it != url->params().end() && (*it).has_value) {
      base = (*it).value;
    }
    const std::string data = options.open_interest_data ? options.open_interest_data(base) : "[]";
    return json_response(req, 200, envelope(data));
  }
  return json_response(req, 404, error_envelope(404, "not found"));
}

net::awaitable<void> Connection::run_websocket(Request req) {
  const std::string target(req.target());
  auto url = boost::urls::parse_origin_form(target);
  if (!url || url->path() != ws_path) {
    Response res = json_response(req, 404, error_envelope(404, "not found"));
    res.keep_alive(false);
    co_await write_http(std::move(res));
    co_return;
  }
  faults_ = server_->faults();
  server_->update([&](SimCoinglassRecord& r) { r.ws_targets.push_back(target); });
  if (faults_.upgrade_status != 0) {
    const auto status = static_cast<unsigned>(faults_.upgrade_status);
    Response res = json_response(
        req, status, error_envelope(status, http::obsolete_reason(http::int_to_status(status))));
    res.keep_alive(false);
    co_await write_http(std::move(res));
    co_return;
  }

  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, server_name); }));
  auto [accept_ec] = co_await ws_.async_accept(req, net::as_tuple(net::use_awaitable));
  if (accept_ec) co_return;
  server_->update([](SimCoinglassRecord& r) { ++r.ws_connections; });

  beast::flat_buffer buffer;
  for (;;) {
    auto [read_ec, read] = co_await ws_.async_read(buffer, net::as_tuple(net::use_awaitable));
    if (read_ec) break;
    if (ws_.got_text()) on_text(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
  abort();  // stops the streamer, drops what is queued
}

void Connection::on_text(std::string message) {
  server_->update([&](SimCoinglassRecord& r) { r.ws_messages.push_back(message); });
  if (message == "ping") {
    server_->update([&](SimCoinglassRecord& r) {
      ++r.pings;
      if (!faults_.ignore_pings) ++r.pongs_sent;
    });
    if (!faults_.ignore_pings) send("pong", true);
    return;
  }
  if (!is_subscribe(message)) return;
  if (!faults_.plan_notice.empty()) send(faults_.plan_notice, true);
  if (!streaming_) {
    streaming_ = true;
    net::co_spawn(ws_.get_executor(), stream_frames(shared_from_this()), net::detached);
  }
}

void Connection::send(std::string data, bool text) {
  if (closed_) return;
  queue_.push_back({std::move(data), text});
  if (queue_.size() == 1) {
    net::co_spawn(ws_.get_executor(), write_loop(shared_from_this()), net::detached);
  }
}

net::awaitable<void> Connection::write_loop(std::shared_ptr<Connection> self) {
  while (!self->queue_.empty() && !self->closed_) {
    const Outgoing& out = self->queue_.front();
    self->ws_.text(out.text);
    auto [ec, written] =
        co_await self->ws_.async_write(net::buffer(out.data), net::as_tuple(net::use_awaitable));
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
    queue_changed_.expires_at(Clock::time_point::max());
    co_await queue_changed_.async_wait(net::as_tuple(net::use_awaitable));
  }
}

net::awaitable<void> Connection::stream_frames(std::shared_ptr<Connection> self) {
  const SimCoinglassOptions& options = self->server_->options();
  const auto& times = self->server_->frame_times();
  const SimCoinglassFaults& faults = self->faults_;
  if (faults.oversize_frame_bytes > 0)
    self->send(std::string(faults.oversize_frame_bytes, 'x'), true);

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
    for (std::size_t i = std::exchange(first, 0);
         i < options.frames.size() && !self->closed_ && !drop_due(); ++i) {
      if (options.pace > 0 && times[i]) {
        if (!first_time) {
          first_time = times[i];
          first_sent = Clock::now();
        } else {
          const auto at =
              first_sent +
              std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(
                  static_cast<double>(*times[i] - *first_time) / options.pace));
          if (at > Clock::now()) {
            self->pace_timer_.expires_at(at);
            co_await self->pace_timer_.async_wait(net::as_tuple(net::use_awaitable));
            if (self->closed_) co_return;
          }
        }
      }
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
      self->server_->streamed(i);
      ++sent;
      self->server_->update([](SimCoinglassRecord& r) { ++r.frames_sent; });
      co_await self->wait_queue_at_most(queue_high_water);
    }
  } while (options.loop && !options.frames.empty() && !self->closed_ && !drop_due());

  if (drop_due() && !self->closed_) {
    // Let the client have all N frames, then vanish.
    co_await self->wait_queue_at_most(0);
    self->abort();
  }
}

}  // namespace

struct SimCoinglassServer::Impl : SimServer {
  using SimServer::SimServer;
};

SimCoinglassServer::SimCoinglassServer(boost::asio::io_context& io, SimCoinglassOptions options,
                                       std::uint16_t port)
    : impl_(std::make_shared<Impl>(io, std::move(options), port)) {
  impl_->start();
}

SimCoinglassServer::~SimCoinglassServer() {
  impl_->stop();
}

std::uint16_t SimCoinglassServer::port() const {
  return impl_->port();
}

std::string SimCoinglassServer::ws_url() const {
  return "wss://127.0.0.1:" + std::to_string(port()) + "/ws-api";
}

std::string SimCoinglassServer::rest_url() const {
  return "https://127.0.0.1:" + std::to_string(port());
}

SimCoinglassRecord SimCoinglassServer::record() const {
  return impl_->record();
}

void SimCoinglassServer::set_faults(const SimCoinglassFaults& faults) {
  impl_->set_faults(faults);
}

void SimCoinglassServer::drop_connections() {
  impl_->drop_connections();
}

void SimCoinglassServer::stop() {
  impl_->stop();
}

}  // namespace teleglas
