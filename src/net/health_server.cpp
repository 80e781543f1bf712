#include "teleglas/net/health_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <map>
#include <stdexcept>
#include <string_view>

namespace teleglas {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

namespace detail {

struct HealthServerState {
  HealthServerState(net::io_context& context, HealthServerOptions opts)
      : io(context), options(std::move(opts)), acceptor(context) {}

  net::io_context& io;
  const HealthServerOptions options;
  tcp::acceptor acceptor;
  tcp::endpoint bound;
  // The open connections, so that stop() can close them; each session erases its own entry.
  std::map<std::uint64_t, std::weak_ptr<beast::tcp_stream>> connections;
  std::uint64_t next_id = 0;
  std::uint64_t requests = 0;
  bool started = false;
  bool stopped = false;
};

}  // namespace detail

namespace {

using State = detail::HealthServerState;

// A health request is a request line and a few headers; anything much bigger is not one.
constexpr std::size_t header_limit = 8192;
constexpr std::size_t body_limit = 8192;
constexpr std::string_view server_name = "teleglas";

[[noreturn]] void listen_error(std::string_view listen, std::string_view reason) {
  throw std::runtime_error("http.listen " + std::string(listen) + ": " + std::string(reason));
}

// HOST:PORT to a loopback endpoint. Everything else is refused here, before any socket exists.
tcp::endpoint loopback_endpoint(std::string_view listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) listen_error(listen, "expected HOST:PORT");
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find_first_of("[]:") != std::string_view::npos) {
    listen_error(listen, "expected HOST:PORT, an IPv6 host in brackets");
  }
  std::uint16_t port = 0;
  const char* port_end = port_text.data() + port_text.size();
  const auto [end, err] = std::from_chars(port_text.data(), port_end, port);
  if (port_text.empty() || err != std::errc() || end != port_end) {
    listen_error(listen, "the port must be 0..65535");
  }
  // "localhost" without a DNS lookup: /etc/hosts could map it anywhere, and startup must not
  // wait on a resolver.
  boost::system::error_code ec;
  const net::ip::address address = host == "localhost"
                                       ? net::ip::address(net::ip::address_v4::loopback())
                                       : net::ip::make_address(std::string(host), ec);
  if (ec) listen_error(listen, "'" + std::string(host) + "' is not an IP address or localhost");
  if (!address.is_loopback()) {
    listen_error(listen,
                 "not a loopback address (127.0.0.0/8, ::1 or localhost); the health "
                 "endpoint must not be reachable from other hosts");
  }
  return {address, port};
}

Response make_response(http::status status, std::string_view content_type, std::string body) {
  Response res{status, 11};
  res.set(http::field::server, server_name);
  res.set(http::field::content_type, content_type);
  // Every answer is a live value: no browser or proxy may show a stale one.
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

Response serve_endpoint(const HealthEndpoint& endpoint) {
  // The callbacks read the daemon's state; a bug there must cost one response, not the daemon.
  std::string failure;
  try {
    return make_response(http::status::ok, endpoint.content_type, endpoint.body());
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  spdlog::error("health endpoint {} failed: {}", endpoint.path, failure);
  return make_response(http::status::internal_server_error, "text/plain", "internal error\n");
}

Response respond(const HealthServerOptions& options, const Request& req) {
  const bool head = req.method() == http::verb::head;
  Response res;
  if (req.method() != http::verb::get && !head) {
    res = make_response(http::status::method_not_allowed, "text/plain", "method not allowed\n");
    res.set(http::field::allow, "GET, HEAD");
  } else {
    const std::string_view target = req.target();
    const std::string_view path = target.substr(0, target.find('?'));
    const auto endpoint = std::find_if(options.endpoints.begin(), options.endpoints.end(),
                                       [&](const HealthEndpoint& e) { return e.path == path; });
    if (endpoint != options.endpoints.end()) {
      res = serve_endpoint(*endpoint);
    } else if (path == "/") {
      std::string listing;
      for (const HealthEndpoint& e : options.endpoints) listing += e.path + "\n";
      res = make_response(http::status::ok, "text/plain", std::move(listing));
    } else {
      res = make_response(http::status::not_found, "text/plain", "not found\n");
    }
  }
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  if (head) res.body().clear();  // Content-Length stays that of the GET, as RFC 9110 asks
  return res;
}

// A request the parser rejects is the client's mistake and gets a 400; a client that leaves,
// resets or idles out mid-request gets nothing.
bool malformed(const boost::system::error_code& ec) {
  return ec.category() == make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

net::awaitable<void> serve(std::shared_ptr<State> state, std::shared_ptr<beast::tcp_stream> stream,
                           std::uint64_t id) {
  struct Forget {
    State& state;
    std::uint64_t id;
    ~Forget() { state.connections.erase(id); }
  } forget{*state, id};

  const auto timeout = state->options.io_timeout;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(body_limit);
    // One deadline for the whole request, not per read: a client trickling bytes cannot hold
    // a connection open longer than this.
    stream->expires_after(timeout);
    auto [read_ec, read] =
        co_await http::async_read(*stream, buffer, parser, net::as_tuple(net::use_awaitable));
    if (state->stopped) co_return;
    Response res;
    if (!read_ec) {
      res = respond(state->options, parser.get());
    } else if (malformed(read_ec)) {
      res = make_response(http::status::bad_request, "text/plain", "bad request\n");
      res.keep_alive(false);
      res.prepare_payload();
    } else {
      co_return;
    }
    ++state->requests;
    stream->expires_after(timeout);
    auto [write_ec, written] =
        co_await http::async_write(*stream, res, net::as_tuple(net::use_awaitable));
    if (write_ec || state->stopped) co_return;
    if (!res.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  for (;;) {
    auto [ec, socket] = co_await state->acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (state->stopped) co_return;
    if (ec) {
      // E.g. out of descriptors: pause instead of spinning on the daemon's only thread.
      net::steady_timer pause(state->io, std::chrono::milliseconds(100));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    if (state->connections.size() >= state->options.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    // Registered here, not in the session, so that the limit holds before the session runs.
    const std::uint64_t id = state->next_id++;
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    state->connections.emplace(id, stream);
    net::co_spawn(state->io, serve(state, std::move(stream), id), net::detached);
  }
}

}  // namespace

HealthServer::HealthServer(net::io_context& io, HealthServerOptions options)
    : state_(std::make_shared<detail::HealthServerState>(io, std::move(options))) {
  const std::string& listen = state_->options.listen;
  const tcp::endpoint endpoint = loopback_endpoint(listen);
  tcp::acceptor& acceptor = state_->acceptor;
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  // A restarted daemon must not wait out TIME_WAIT; on Linux this still refuses a port that
  // another socket listens on.
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) state_->bound = acceptor.local_endpoint(ec);
  if (ec) listen_error(listen, ec.message());
}

HealthServer::~HealthServer() {
  stop();
}

void HealthServer::start() {
  if (state_->started || state_->stopped) return;
  state_->started = true;
  net::co_spawn(state_->io, accept_loop(state_), net::detached);
  spdlog::info("health endpoint listening on {}", url());
}

void HealthServer::stop() {
  State& state = *state_;
  if (state.stopped) return;
  state.stopped = true;
  boost::system::error_code ignored;
  state.acceptor.close(ignored);
  // Closing completes the sessions' pending reads and writes later, through the io_context,
  // so the map is not changed while we walk it.
  for (auto& [id, weak] : state.connections) {
    if (auto stream = weak.lock()) stream->close();
  }
}

std::uint16_t HealthServer::port() const {
  return state_->bound.port();
}

std::string HealthServer::url() const {
  const net::ip::address address = state_->bound.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return "http://" + host + ":" + std::to_string(port());
}

std::uint64_t HealthServer::requests() const {
  return state_->requests;
}

}  // namespace teleglas
