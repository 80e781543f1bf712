// A small scriptable TLS WebSocket server on 127.0.0.1 for the feed's venue tests: it records
// what each session asked for and sent (upgrade target, text frames, control pings and pongs),
// answers text frames through a script, and lets the test push frames, ping, stop reading or
// drop sessions. Single-threaded: everything runs on the test's io_context.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "teleglas/net/tls_context.hpp"
#include "teleglas/net/tls_identity.hpp"

namespace teleglas::testing {

class WsTestServer {
 public:
  struct Session {
    std::string target;                 // the upgrade's request target
    std::vector<std::string> messages;  // text frames received, in order
    int control_pings = 0;              // WebSocket pings received
    int control_pongs = 0;              // WebSocket pongs received (answers to ping())
    bool open = false;
  };

  // Replies to a text frame `message` of session `index` (may be empty).
  using Script = std::function<std::vector<std::string>(std::size_t index, const std::string&)>;

  WsTestServer(boost::asio::io_context& io, const TlsIdentity& identity)
      : state_(std::make_shared<State>(io, identity)) {
    boost::asio::co_spawn(io, accept_loop(state_), boost::asio::detached);
  }
  ~WsTestServer() { stop(); }

  std::string url(std::string_view path) const {
    return "wss://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port()) +
           std::string(path);
  }

  void set_script(Script script) { state_->script = std::move(script); }
  // Refuse upgrades with this HTTP status (0 = accept).
  void set_upgrade_status(int status) { state_->upgrade_status = status; }
  // New sessions read nothing after the upgrade: no text is seen, no ping answered.
  void set_deaf(bool deaf) { state_->deaf = deaf; }

  const std::vector<Session>& sessions() const { return state_->records; }
  std::size_t open_sessions() const {
    std::size_t n = 0;
    for (const auto& s : state_->records) n += s.open ? 1 : 0;
    return n;
  }

  void send(std::size_t index, std::string text) {
    if (auto c = connection(index)) c->push({std::move(text), false});
  }
  void send_to_all(const std::string& text) {
    for (std::size_t i = 0; i < state_->connections.size(); ++i) send(i, text);
  }
  // A WebSocket ping control frame, as Binance sends every few minutes.
  void ping(std::size_t index) {
    if (auto c = connection(index)) c->push({"", true});
  }
  // Closes every open session abruptly (no close frame), as when a server dies.
  void drop_all() {
    for (auto& weak : state_->connections) {
      if (auto c = weak.lock()) c->abort();
    }
  }
  void stop() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    drop_all();
  }

 private:
  using tcp = boost::asio::ip::tcp;
  using WsStream =
      boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;
  static constexpr auto nothrow = boost::asio::as_tuple(boost::asio::use_awaitable);

  struct Outgoing {
    std::string text;
    bool ping = false;
  };
  struct State;

  struct Connection : std::enable_shared_from_this<Connection> {
    Connection(std::shared_ptr<State> state_, tcp::socket socket, std::size_t index_)
        : state(std::move(state_)), ws(std::move(socket), state->tls), index(index_) {}

    void abort() {
      closed = true;
      if (hold != nullptr) hold->cancel();
      record().open = false;
      boost::beast::get_lowest_layer(ws).close();
    }
    Session& record() { return state->records[index]; }

    void push(Outgoing out) {
      if (closed) return;
      queue.push_back(std::move(out));
      if (writing) return;
      writing = true;
      boost::asio::co_spawn(ws.get_executor(), write_loop(shared_from_this()),
                            boost::asio::detached);
    }

    static boost::asio::awaitable<void> write_loop(std::shared_ptr<Connection> self) {
      while (!self->queue.empty() && !self->closed) {
        Outgoing& out = self->queue.front();
        boost::system::error_code ec;
        if (out.ping) {
          std::tie(ec) = co_await self->ws.async_ping({}, nothrow);
        } else {
          std::size_t n = 0;
          std::tie(ec, n) = co_await self->ws.async_write(boost::asio::buffer(out.text), nothrow);
        }
        if (ec) break;
        self->queue.pop_front();
      }
      self->writing = false;
    }

    static boost::asio::awaitable<void> run(std::shared_ptr<Connection> self) {
      namespace beast = boost::beast;
      namespace http = beast::http;
      auto [tls_ec] = co_await self->ws.next_layer().async_handshake(
          boost::asio::ssl::stream_base::server, nothrow);
      if (tls_ec) co_return;
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      auto [read_ec, read] =
          co_await http::async_read(self->ws.next_layer(), buffer, request, nothrow);
      if (read_ec) co_return;
      self->record().target = std::string(request.target());
      if (self->state->upgrade_status != 0) {
        http::response<http::string_body> refusal{
            http::int_to_status(static_cast<unsigned>(self->state->upgrade_status)), 11};
        refusal.prepare_payload();
        co_await http::async_write(self->ws.next_layer(), refusal, nothrow);
        self->abort();
        co_return;
      }
      self->ws.control_callback(
          [weak = self->weak_from_this()](beast::websocket::frame_type kind, beast::string_view) {
            auto c = weak.lock();
            if (!c) return;
            if (kind == beast::websocket::frame_type::ping) ++c->record().control_pings;
            if (kind == beast::websocket::frame_type::pong) ++c->record().control_pongs;
          });
      auto [accept_ec] = co_await self->ws.async_accept(request, nothrow);
      if (accept_ec) co_return;
      self->ws.text(true);
      self->record().open = true;
      if (self->state->deaf) {
        // Hold the session open without reading: nothing it is sent gets an answer.
        boost::asio::steady_timer hold(self->ws.get_executor(), std::chrono::hours(1));
        self->hold = &hold;
        co_await hold.async_wait(nothrow);
        self->hold = nullptr;
        co_return;
      }
      for (;;) {
        beast::flat_buffer message;
        auto [ec, n] = co_await self->ws.async_read(message, nothrow);
        if (ec) break;
        std::string text = beast::buffers_to_string(message.cdata());
        self->record().messages.push_back(text);
        if (self->state->script) {
          for (auto& reply : self->state->script(self->index, text))
            self->push({std::move(reply), false});
        }
      }
      self->record().open = false;
    }

    std::shared_ptr<State> state;
    WsStream ws;
    std::size_t index;
    std::deque<Outgoing> queue;
    bool writing = false;
    bool closed = false;
    boost::asio::steady_timer* hold = nullptr;
  };

  struct State {
    State(boost::asio::io_context& io, const TlsIdentity& identity)
        : tls(make_server_tls_context(identity)),
          acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {}
    boost::asio::ssl::context tls;
    tcp::acceptor acceptor;
    Script script;
    int upgrade_status = 0;
    bool deaf = false;
    std::vector<Session> records;
    std::vector<std::weak_ptr<Connection>> connections;
  };

  static boost::asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(nothrow);
      if (!state->acceptor.is_open()) co_return;
      if (ec) continue;
      state->records.emplace_back();
      auto c = std::make_shared<Connection>(state, std::move(socket), state->records.size() - 1);
      state->connections.push_back(c);
      boost::asio::co_spawn(state->acceptor.get_executor(), Connection::run(c),
                            boost::asio::detached);
    }
  }

  std::shared_ptr<Connection> connection(std::size_t index) const {
    return index < state_->connections.size() ? state_->connections[index].lock() : nullptr;
  }

  std::shared_ptr<State> state_;
};

}  // namespace teleglas::testing
