#include "teleglas/net/https_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <stdexcept>

#include "teleglas/net/tls_context.hpp"

namespace teleglas {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;

HttpsEndpoint parse_https_url(std::string_view text, std::error_code& ec) {
  ec.clear();
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    ec = parsed.error();
    return {};
  }
  const boost::urls::url_view url = *parsed;
  if (url.scheme_id() != boost::urls::scheme::https) {
    ec = std::make_error_code(std::errc::protocol_not_supported);
    return {};
  }
  if (!url.has_authority() || url.encoded_host().empty() || url.has_userinfo() || url.has_query() ||
      url.has_fragment()) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  HttpsEndpoint out;
  out.host = url.host_address();
  out.port = url.has_port() ? std::string(url.port()) : "443";
  const bool ipv6 = url.host_type() == boost::urls::host_type::ipv6;
  out.host_header = ipv6 ? "[" + out.host + "]" : out.host;
  if (url.has_port()) out.host_header += ":" + out.port;
  out.base_path = std::string(url.encoded_path());
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  return out;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  std::int64_t seconds = 0;
  const auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || err != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

namespace detail {

struct HttpsClientState {
  HttpsClientState(net::any_io_executor ex, HttpsEndpoint ep, HttpsClientOptions opts,
                   net::ssl::context ctx)
      : executor(std::move(ex)),
        endpoint(std::move(ep)),
        options(std::move(opts)),
        tls(std::move(ctx)),
        resolver(executor) {}

  net::any_io_executor executor;
  HttpsEndpoint endpoint;
  HttpsClientOptions options;
  net::ssl::context tls;
  tcp::resolver resolver;
  // Null while disconnected. A new stream per connection: an SSL object cannot be reused once
  // its session failed or ended.
  std::unique_ptr<Stream> stream;
  beast::flat_buffer buffer;
  bool busy = false;
  bool cancelled = false;  // close() during the request in flight: no retry, no reconnect
  std::uint64_t connections = 0;
  std::uint64_t requests = 0;

  void close_socket() {
    resolver.cancel();
    if (!stream) return;
    boost::system::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
  }
};

}  // namespace detail

namespace {

net::ssl::context client_context(const std::string& ca_file) {
  std::error_code ec;
  net::ssl::context ctx = make_client_tls_context(ca_file, ec);
  if (ec) throw std::invalid_argument("TLS CA file '" + ca_file + "': " + ec.message());
  return ctx;
}

HttpsEndpoint endpoint_of(std::string_view url) {
  std::error_code ec;
  HttpsEndpoint ep = parse_https_url(url, ec);
  // The URL carries no secret (keys travel in headers), so it may appear in the message.
  if (ec) throw std::invalid_argument("not an https:// base URL: '" + std::string(url) + "'");
  return ep;
}

// Failures that mean "the server closed the idle keep-alive connection before our request".
bool stale_connection(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::broken_pipe ||
         ec == net::ssl::error::stream_truncated;
}

using State = detail::HttpsClientState;

// Resolve, connect, TLS handshake, all before `deadline`. Leaves state.stream connected or null.
net::awaitable<boost::system::error_code> open_connection(std::shared_ptr<State> state,
                                                          Clock::time_point deadline) {
  state->stream.reset();
  state->buffer.clear();
  const HttpsEndpoint& ep = state->endpoint;

  // The resolver has no deadline of its own; a timer cancels it. The timer's handler may run
  // after this coroutine is gone, hence the weak pointer.
  net::steady_timer guard(state->executor);
  guard.expires_at(deadline);
  guard.async_wait([weak = std::weak_ptr<State>(state)](boost::system::error_code ec) {
    if (ec) return;
    if (auto s = weak.lock()) s->resolver.cancel();
  });
  auto [resolve_ec, endpoints] =
      co_await state->resolver.async_resolve(ep.host, ep.port, net::as_tuple(net::use_awaitable));
  guard.cancel();
  if (resolve_ec) {
    if (resolve_ec == net::error::operation_aborted && Clock::now() >= deadline) {
      co_return beast::error::timeout;
    }
    co_return resolve_ec;
  }

  state->stream = std::make_unique<Stream>(state->executor, state->tls);
  Stream& stream = *state->stream;
  std::error_code peer_ec;
  set_tls_peer(stream, ep.host, peer_ec);
  if (peer_ec) {
    state->stream.reset();
    co_return boost::system::error_code(peer_ec);
  }
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [connect_ec, connected] = co_await beast::get_lowest_layer(stream).async_connect(
      endpoints, net::as_tuple(net::use_awaitable));
  if (!connect_ec) {
    std::tie(connect_ec) = co_await stream.async_handshake(net::ssl::stream_base::client,
                                                           net::as_tuple(net::use_awaitable));
  }
  if (connect_ec) {
    state->stream.reset();
    co_return connect_ec;
  }
  ++state->connections;
  co_return boost::system::error_code{};
}

// One exchange on the connected stream.
net::awaitable<boost::system::error_code> exchange(std::shared_ptr<State> state,
                                                   http::request<http::string_body>& request,
                                                   HttpsResponse& out, Clock::time_point deadline) {
  Stream& stream = *state->stream;
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [write_ec, written] =
      co_await http::async_write(stream, request, net::as_tuple(net::use_awaitable));
  if (write_ec) co_return write_ec;
  ++state->requests;
  http::response_parser<http::string_body> parser;
  parser.body_limit(state->options.body_limit);
  auto [read_ec, read] =
      co_await http::async_read(stream, state->buffer, parser, net::as_tuple(net::use_awaitable));
  if (read_ec) co_return read_ec;
  auto response = parser.release();
  out.status = response.result_int();
  if (auto it = response.find(http::field::retry_after); it != response.end()) {
    out.retry_after = parse_retry_after(it->value());
  }
  out.body = std::move(response.body());
  // The server chose to close: no close_notify exchange, it would only delay the next
  // request's reconnect.
  beast::get_lowest_layer(stream).expires_never();
  if (!response.keep_alive()) state->stream.reset();
  co_return boost::system::error_code{};
}

}  // namespace

HttpsClient::HttpsClient(net::any_io_executor executor, std::string_view base_url,
                         HttpsClientOptions options)
    : state_(std::make_shared<detail::HttpsClientState>(
          std::move(executor), endpoint_of(base_url), options, client_context(options.ca_file))) {}

HttpsClient::~HttpsClient() {
  close();
}

void HttpsClient::close() {
  if (state_->busy) {
    // The request in flight owns the stream; it sees the error and drops it.
    state_->cancelled = true;
    state_->close_socket();
  } else {
    state_->resolver.cancel();
    state_->stream.reset();
  }
}

net::awaitable<HttpsResponse> HttpsClient::get(std::string target, HttpHeaders headers) {
  return request("GET", std::move(target), std::move(headers));
}

net::awaitable<HttpsResponse> HttpsClient::request(std::string method, std::string target,
                                                   HttpHeaders headers, std::string body,
                                                   std::string content_type) {
  // Only `state` from here on: it outlives *this if the client is destroyed mid-request.
  std::shared_ptr<detail::HttpsClientState> state = state_;
  HttpsResponse out;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    out.error = make_error_code(boost::system::errc::invalid_argument);
    co_return out;
  }
  if (state->busy) {
    out.error = make_error_code(boost::system::errc::operation_in_progress);
    co_return out;
  }
  state->busy = true;
  state->cancelled = false;
  struct BusyGuard {
    detail::HttpsClientState& s;
    ~BusyGuard() { s.busy = false; }
  } busy_guard{*state};

  http::request<http::string_body> req{verb, state->endpoint.base_path + target, 11};
  req.set(http::field::host, state->endpoint.host_header);
  req.set(http::field::user_agent, state->options.user_agent);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || verb == http::verb::post) {
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.body() = std::move(body);
  }
  req.keep_alive(true);
  req.prepare_payload();

  const auto deadline = Clock::now() + state->options.timeout;
  // A keep-alive connection may have been closed by the server while idle; an idempotent GET
  // is safely retried once on a fresh one.
  for (int attempt = 0;; ++attempt) {
    const bool reused = state->stream != nullptr;
    boost::system::error_code ec;
    if (!reused) ec = co_await open_connection(state, deadline);
    if (!ec && state->cancelled) ec = net::error::operation_aborted;
    if (!ec) ec = co_await exchange(state, req, out, deadline);
    if (!ec) break;
    state->stream.reset();
    if (reused && attempt == 0 && verb == http::verb::get && stale_connection(ec) &&
        !state->cancelled) {
      continue;
    }
    out = HttpsResponse{};
    out.error = ec;
    break;
  }
  co_return out;
}

const HttpsEndpoint& HttpsClient::endpoint() const {
  return state_->endpoint;
}

std::uint64_t HttpsClient::connections_opened() const {
  return state_->connections;
}

std::uint64_t HttpsClient::requests_sent() const {
  return state_->requests;
}

}  // namespace teleglas
