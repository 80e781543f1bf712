// A WSS client for the stand-in tests and a fixture for the venues': a real Beast client on
// loopback that sends, answers, heartbeats or stops reading as a test says, and keeps what it saw.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim_test_support.hpp"
#include "teleglas/net/tls_context.hpp"
#include "teleglas/simserver/venue_servers.hpp"

namespace teleglas::sim_test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

struct Received {
  std::string data;
  bool text = true;
  std::chrono::steady_clock::time_point at;
};

// Connects, upgrades on `target`, sends `to_send`, then reads until `enough` says so, the
// connection ends or `read_limit` passes. Everything it saw is left in the members.
struct WsTestClient {
  using Ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  std::uint16_t port = 0;
  std::string target;
  std::string peer_name = "127.0.0.1";  // the name the certificate is checked against
  net::ssl::context* tls = nullptr;
  std::vector<std::string> to_send;
  std::function<bool(const WsTestClient&)> enough = [](const WsTestClient&) { return false; };
  // Called with each text received; what it returns is sent.
  std::function<std::vector<std::string>(const std::string&)> respond;
  std::optional<std::chrono::milliseconds> read_limit;  // then the read times out
  std::chrono::milliseconds pause_before_reading{0};    // no read (so no pong) this long
  int ping_frames = 0;    // WebSocket ping frames sent after `to_send`
  std::string heartbeat;  // sent every heartbeat_every while connected
  std::chrono::milliseconds heartbeat_every{0};

  boost::system::error_code tls_error;
  boost::system::error_code upgrade_error;
  unsigned upgrade_status = 0;
  boost::system::error_code read_error;
  websocket::close_reason close;  // the server's close frame, when read_error is `closed`
  std::vector<Received> received;
  int pongs = 0;  // pong frames from the server
  int server_pings = 0;
  std::chrono::steady_clock::time_point upgraded_at;
  std::chrono::steady_clock::time_point ended_at;
  bool done = false;

  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const Received& r : received) {
      if (r.text) out.push_back(r.data);
    }
    return out;
  }

  net::awaitable<void> run() {
    auto executor = co_await net::this_coro::executor;
    ws_ = std::make_unique<Ws>(executor, *tls);
    auto& tcp = beast::get_lowest_layer(*ws_);
    tcp.expires_after(5s);
    const net::ip::tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
    std::tie(tls_error) = co_await tcp.async_connect(server, net::as_tuple(net::use_awaitable));
    std::error_code peer_ec;
    set_tls_peer(ws_->next_layer(), peer_name, peer_ec);
    if (!tls_error) {
      std::tie(tls_error) = co_await ws_->next_layer().async_handshake(
          net::ssl::stream_base::client, net::as_tuple(net::use_awaitable));
    }
    if (tls_error) co_return finish();
    tcp.expires_never();
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_->read_message_max(8 * 1024 * 1024);
    ws_->control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) ++pongs;
      if (kind == websocket::frame_type::ping) ++server_pings;
    });
    websocket::response_type response;
    std::tie(upgrade_error) = co_await ws_->async_handshake(
        response, "127.0.0.1:" + std::to_string(port), target, net::as_tuple(net::use_awaitable));
    upgrade_status = response.result_int();
    if (upgrade_error) co_return finish();
    upgraded_at = std::chrono::steady_clock::now();
    for (const std::string& message : to_send) send(message);
    for (int i = 0; i < ping_frames; ++i) {
      co_await ws_->async_ping({}, net::as_tuple(net::use_awaitable));
    }
    if (heartbeat_every.count() > 0) {
      heartbeat_timer_.emplace(executor);
      net::co_spawn(executor, heartbeats(), net::detached);
    }
    if (pause_before_reading.count() > 0) {
      net::steady_timer pause(executor, pause_before_reading);
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
    }
    if (read_limit) tcp.expires_after(*read_limit);
    beast::flat_buffer buffer;
    while (!enough(*this)) {
      std::tie(read_error, std::ignore) =
          co_await ws_->async_read(buffer, net::as_tuple(net::use_awaitable));
      if (read_error) break;
      received.push_back({beast::buffers_to_string(buffer.data()), ws_->got_text(),
                          std::chrono::steady_clock::now()});
      buffer.consume(buffer.size());
      if (respond && received.back().text) {
        for (std::string& message : respond(received.back().data)) send(std::move(message));
      }
    }
    if (read_error == websocket::error::closed) close = ws_->reason();
    finish();
  }

 private:
  void finish() {
    ended_at = std::chrono::steady_clock::now();
    done = true;
    if (heartbeat_timer_) heartbeat_timer_->cancel();
    if (ws_) beast::get_lowest_layer(*ws_).close();  // ends the writer
  }

  // One write in flight, the rest queued: answers and heartbeats may overlap.
  void send(std::string message) {
    outbox_.push_back(std::move(message));
    if (outbox_.size() == 1) net::co_spawn(ws_->get_executor(), write_all(), net::detached);
  }
  net::awaitable<void> write_all() {
    while (!outbox_.empty() && !done) {
      auto [ec, n] = co_await ws_->async_write(net::buffer(outbox_.front()),
                                               net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      outbox_.pop_front();
    }
  }
  net::awaitable<void> heartbeats() {
    while (!done) {
      heartbeat_timer_->expires_after(heartbeat_every);
      co_await heartbeat_timer_->async_wait(net::as_tuple(net::use_awaitable));
      if (done) co_return;
      send(heartbeat);
    }
  }

  // The client must outlive its run: keep it until the test ends, not just until `done`.
  std::unique_ptr<Ws> ws_;
  std::optional<net::steady_timer> heartbeat_timer_;
  std::deque<std::string> outbox_;
};

inline bool has_texts(const WsTestClient& c, std::size_t n) {
  return c.texts().size() >= n;
}

inline boost::json::value json(const std::string& text) {
  return boost::json::parse(text);
}

// A running venue stand-in on loopback and a client context that trusts it.
class VenueServerTest : public ::testing::Test {
 protected:
  VenueServerTest() : ca_file_(identity_.ca_cert_pem) {
    std::error_code ec;
    tls_.emplace(make_client_tls_context(ca_file_.path(), ec));
    EXPECT_FALSE(ec) << ec.message();
  }

  SimVenueOptions options() const {
    SimVenueOptions o;
    o.identity = identity_;
    return o;
  }

  void start(Venue venue, SimVenueOptions o) { server_.emplace(io_, venue, std::move(o)); }

  WsTestClient client(std::string target, std::vector<std::string> to_send,
                      std::function<bool(const WsTestClient&)> enough) {
    WsTestClient c;
    c.port = server_->port();
    c.target = std::move(target);
    c.tls = &*tls_;
    c.to_send = std::move(to_send);
    c.enough = std::move(enough);
    return c;
  }

  void run(WsTestClient& c, std::chrono::milliseconds limit = 5s) {
    net::co_spawn(io_, c.run(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    ASSERT_TRUE(run_until(
        io_, [&] { return c.done; }, limit));
  }

  // Lets the server finish what it was doing (counting a cut, closing a socket).
  bool settle(const std::function<bool()>& done) { return run_until(io_, done, 2s); }

  static inline const TlsIdentity identity_ = make_loopback_identity();
  net::io_context io_;
  TempFile ca_file_;
  std::optional<net::ssl::context> tls_;
  std::optional<SimVenueServer> server_;
};

}  // namespace teleglas::sim_test
