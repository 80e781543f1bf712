#include "teleglas/net/health_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>
#include <future>
#include <stdexcept>

#include "../simserver/sim_test_support.hpp"

namespace teleglas {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Response = http::response<http::string_body>;
using namespace std::chrono_literals;

// Runs `task` on `io`, the server's own context, until it finishes (at most 5 s).
template <class T>
T run(net::io_context& io, net::awaitable<T> task) {
  std::future<T> result = net::co_spawn(io, std::move(task), net::use_future);
  const auto ready = [&] { return result.wait_for(0s) == std::future_status::ready; };
  if (!sim_test::run_until(io, ready)) throw std::runtime_error("the client timed out");
  return result.get();
}

net::awaitable<void> connect(beast::tcp_stream& stream, std::uint16_t port) {
  co_await stream.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), port),
                                net::use_awaitable);
}

net::awaitable<Response> exchange(beast::tcp_stream& stream, http::verb verb, std::string target) {
  http::request<http::empty_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  co_await http::async_write(stream, request, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(verb == http::verb::head);  // a HEAD response has headers only
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  co_return parser.release();
}

net::awaitable<Response> fetch(std::uint16_t port, http::verb verb, std::string target) {
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await connect(stream, port);
  co_return co_await exchange(stream, verb, std::move(target));
}

// Sends `text` as it is (requests no HTTP client would write) and returns every byte the server
// writes until it closes the connection.
net::awaitable<std::string> send_raw(std::uint16_t port, std::string text) {
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await connect(stream, port);
  co_await net::async_write(stream, net::buffer(text), net::use_awaitable);
  std::string received;
  auto [ec, read] = co_await net::async_read(stream, net::dynamic_buffer(received),
                                             net::as_tuple(net::use_awaitable));
  if (ec != net::error::eof) throw boost::system::system_error(ec);
  co_return received;
}

// Waits until the server closes the connection; returns how the read ended.
net::awaitable<boost::system::error_code> closed_by_server(beast::tcp_stream& stream) {
  char byte = 0;
  auto [ec, read] =
      co_await stream.async_read_some(net::buffer(&byte, 1), net::as_tuple(net::use_awaitable));
  co_return ec;
}

Response get(net::io_context& io, std::uint16_t port, std::string target,
             http::verb verb = http::verb::get) {
  return run(io, fetch(port, verb, std::move(target)));
}

HealthServerOptions on_any_port(std::vector<HealthEndpoint> endpoints) {
  HealthServerOptions options;
  options.listen = "127.0.0.1:0";
  options.endpoints = std::move(endpoints);
  // Far beyond any test's length: a connection that closes did so for the reason under test.
  options.io_timeout = 60s;
  return options;
}

HealthEndpoint fixed(std::string path, std::string body) {
  return {std::move(path), "text/plain", [body = std::move(body)] { return body; }};
}

// What the constructor throws for `listen`; empty when it does not.
std::string listen_error(const std::string& listen) {
  net::io_context io;
  HealthServerOptions options;
  options.listen = listen;
  try {
    HealthServer server(io, options);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

TEST(HealthServer, ServesEachEndpointWithItsContentTypeAndTheCallbacksCurrentValue) {
  net::io_context io;
  int calls = 0;
  HealthServer server(
      io, on_any_port({{"/health", "application/json",
                        [&] { return R"({"calls":)" + std::to_string(++calls) + "}"; }},
                       {"/metrics", "text/plain; version=0.0.4", [] { return "up 1\n"; }}}));
  server.start();

  const Response first = get(io, server.port(), "/health");
  const Response second = get(io, server.port(), "/health");
  const Response metrics = get(io, server.port(), "/metrics");

  EXPECT_EQ(first.result(), http::status::ok);
  EXPECT_EQ(first[http::field::content_type], "application/json");
  EXPECT_EQ(first[http::field::cache_control], "no-store");
  EXPECT_EQ(first.body(), R"({"calls":1})");
  EXPECT_EQ(second.body(), R"({"calls":2})");
  EXPECT_EQ(metrics.result(), http::status::ok);
  EXPECT_EQ(metrics[http::field::content_type], "text/plain; version=0.0.4");
  EXPECT_EQ(metrics.body(), "up 1\n");
  EXPECT_EQ(server.requests(), 3u);
}

TEST(HealthServer, RootListsTheEndpointPaths) {
  net::io_context io;
  HealthServer server(io, on_any_port({fixed("/health", "{}"), fixed("/metrics", "")}));
  server.start();

  const Response root = get(io, server.port(), "/");

  EXPECT_EQ(root.result(), http::status::ok);
  EXPECT_EQ(root[http::field::content_type], "text/plain");
  EXPECT_EQ(root.body(), "/health\n/metrics\n");
}

TEST(HealthServer, AnswersAnUnknownPathWith404) {
  net::io_context io;
  HealthServer server(io, on_any_port({fixed("/health", "{}")}));
  server.start();

  EXPECT_EQ(get(io, server.port(), "/healthz").result(), http::status::not_found);
}

TEST(HealthServer, AnswersOtherMethodsWith405AndAllowsGetAndHead) {
  net::io_context io;
  int calls = 0;
  HealthServer server(io, on_any_port({{"/health", "application/json", [&] {
                                          ++calls;
                                          return std::string("{}");
                                        }}}));
  server.start();

  const Response post = get(io, server.port(), "/health", http::verb::post);

  EXPECT_EQ(post.result(), http::status::method_not_allowed);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");
  EXPECT_EQ(calls, 0);
}

TEST(HealthServer, AnswersHeadWithTheHeadersOfGetAndNoBody) {
  net::io_context io;
  HealthServer server(io, on_any_port({fixed("/health", R"({"status":"ok"})")}));
  server.start();

  const std::string head = run(io, send_raw(server.port(),
                                            "HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                            "Connection: close\r\n\r\n"));

  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: 15\r\n"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;  // the headers and nothing after them
}

TEST(HealthServer, KeepsTheConnectionAliveBetweenRequests) {
  net::io_context io;
  HealthServer server(io, on_any_port({fixed("/health", "{}")}));
  server.start();
  beast::tcp_stream client(io);
  run(io, connect(client, server.port()));

  const Response first = run(io, exchange(client, http::verb::get, "/health"));
  const Response second = run(io, exchange(client, http::verb::get, "/health"));

  EXPECT_TRUE(first.keep_alive());
  EXPECT_EQ(second.result(), http::status::ok);
  EXPECT_EQ(second.body(), "{}");
  EXPECT_EQ(server.requests(), 2u);
}

TEST(HealthServer, AnswersAMalformedRequestWith400AndCloses) {
  net::io_context io;
  HealthServer server(io, on_any_port({fixed("/health", "{}")}));
  server.start();

  // send_raw returns only once the server has closed the connection.
  const std::string response = run(io, send_raw(server.port(), "GET /health HTTP/9\r\n\r\n"));

  EXPECT_EQ(response.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << response;
}

TEST(HealthServer, BindsAFreePortForPortZeroAndItsUrlNamesIt) {
  net::io_context io;
  HealthServer server(io, on_any_port({fixed("/health", "{}")}));
  server.start();

  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(get(io, server.port(), "/health").result(), http::status::ok);
}

TEST(HealthServer, TakesLocalhostAsTheIpv4Loopback) {
  net::io_context io;
  HealthServerOptions options = on_any_port({});
  options.listen = "localhost:0";
  HealthServer server(io, options);

  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()));
}

TEST(HealthServer, ServesOnTheIpv6LoopbackWithABracketedUrl) {
  net::io_context io;
  HealthServerOptions options = on_any_port({});
  options.listen = "[::1]:0";
  std::optional<HealthServer> server;
  try {
    server.emplace(io, options);
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }

  EXPECT_EQ(server->url(), "http://[::1]:" + std::to_string(server->port()));
}

TEST(HealthServer, RefusesANonLoopbackAddressBeforeBinding) {
  for (const std::string listen : {"0.0.0.0:0", "8.8.8.8:0", "[::]:0", "[::ffff:127.0.0.1]:0"}) {
    const std::string error = listen_error(listen);
    EXPECT_EQ(error.rfind("http.listen " + listen + ": ", 0), 0u) << error;
    EXPECT_NE(error.find("not a loopback address"), std::string::npos) << error;
  }
}

TEST(HealthServer, RefusesAPortAlreadyInUseNamingHttpListen) {
  net::io_context io;
  tcp::acceptor taken(io, {net::ip::address_v4::loopback(), 0});
  const std::string listen = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());

  const std::string error = listen_error(listen);

  EXPECT_EQ(error.rfind("http.listen " + listen + ": ", 0), 0u) << error;
}

TEST(HealthServer, RefusesAMalformedListenAddress) {
  for (const std::string listen : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                                   "127.0.0.1:80x", "::1:8080", "[::1:8080", "example.com:8080"}) {
    const std::string error = listen_error(listen);
    EXPECT_EQ(error.rfind("http.listen " + listen + ": ", 0), 0u)
        << "'" << listen << "': " << error;
  }
}

TEST(HealthServer, AnswersACallbackThatThrowsWith500AndKeepsServing) {
  net::io_context io;
  HealthServer server(
      io, on_any_port({{"/broken", "application/json",
                        []() -> std::string { throw std::runtime_error("no snapshot"); }},
                       fixed("/health", "{}")}));
  server.start();

  const Response broken = get(io, server.port(), "/broken");
  const Response health = get(io, server.port(), "/health");

  EXPECT_EQ(broken.result(), http::status::internal_server_error);
  EXPECT_EQ(health.result(), http::status::ok);
  EXPECT_EQ(health.body(), "{}");
}

TEST(HealthServer, StopEndsAcceptingAndClosesIdleKeepAliveConnectionsPromptly) {
  net::io_context io;
  HealthServer server(io, on_any_port({fixed("/health", "{}")}));
  server.start();
  const std::uint16_t port = server.port();
  beast::tcp_stream idle(io);
  run(io, connect(idle, port));
  ASSERT_TRUE(run(io, exchange(idle, http::verb::get, "/health")).keep_alive());
  ASSERT_FALSE(io.stopped());

  server.stop();
  server.stop();
  // run_for returns as soon as nothing is left to do: the accept loop and the session ended.
  const auto started = std::chrono::steady_clock::now();
  io.run_for(2s);

  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  idle.socket().non_blocking(true);
  char byte = 0;
  boost::system::error_code read_ec;
  idle.socket().read_some(net::buffer(&byte, 1), read_ec);
  EXPECT_EQ(read_ec, net::error::eof);
  tcp::socket late(io);
  boost::system::error_code connect_ec;
  late.connect({net::ip::address_v4::loopback(), port}, connect_ec);
  EXPECT_EQ(connect_ec, net::error::connection_refused);
}

TEST(HealthServer, ClosesAConnectionThatSendsNothingAfterTheIoTimeout) {
  net::io_context io;
  HealthServerOptions options = on_any_port({fixed("/health", "{}")});
  options.io_timeout = 200ms;
  HealthServer server(io, options);
  server.start();
  beast::tcp_stream silent(io);
  run(io, connect(silent, server.port()));

  const auto started = std::chrono::steady_clock::now();
  const boost::system::error_code ec = run(io, closed_by_server(silent));
  const auto waited = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(ec, net::error::eof);
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 2s);
}

TEST(HealthServer, ClosesConnectionsBeyondMaxConnectionsAtOnce) {
  net::io_context io;
  HealthServerOptions options = on_any_port({fixed("/health", "{}")});
  options.max_connections = 2;
  HealthServer server(io, options);
  server.start();
  beast::tcp_stream first(io);
  beast::tcp_stream second(io);
  beast::tcp_stream extra(io);
  run(io, connect(first, server.port()));
  run(io, connect(second, server.port()));
  run(io, connect(extra, server.port()));

  const auto started = std::chrono::steady_clock::now();
  const boost::system::error_code extra_ec = run(io, closed_by_server(extra));

  EXPECT_EQ(extra_ec, net::error::eof);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // not after the io_timeout
  EXPECT_EQ(run(io, exchange(first, http::verb::get, "/health")).result(), http::status::ok);
  EXPECT_EQ(run(io, exchange(second, http::verb::get, "/health")).result(), http::status::ok);
}

}  // namespace
}  // namespace teleglas
