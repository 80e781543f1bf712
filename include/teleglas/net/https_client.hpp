// An HTTPS/1.1 client for REST APIs (CoinGlass, Telegram): one keep-alive connection, reused
// across requests and re-established after a failure, certificate and hostname verified,
// a deadline per request. Errors come back as values; nothing on the request path throws.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace teleglas {

// Where an https:// base URL points. `base_path` ("" or "/prefix", no trailing slash) is
// prepended to every request target.
struct HttpsEndpoint {
  std::string host;         // for DNS and certificate checks; IPv6 without brackets
  std::string port;         // explicit, else "443"
  std::string host_header;  // "host[:port]", IPv6 in brackets
  std::string base_path;
};

// Parses `https://host[:port][/path]`. Sets `ec` for anything else (http://, no host, a
// query or fragment, which a base URL has no use for).
HttpsEndpoint parse_https_url(std::string_view url, std::error_code& ec);

// Retry-After in delta-seconds (RFC 9110 §10.2.3). HTTP dates are not supported: nullopt,
// and the caller falls back to its own backoff.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

namespace detail {
struct HttpsClientState;
}

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpsResponse {
  // A transport failure (DNS, connect, TLS, timeout); when set, nothing below is meaningful.
  boost::system::error_code error;
  unsigned status = 0;  // HTTP status code
  std::string body;
  std::optional<std::chrono::seconds> retry_after;
  bool ok() const { return !error && status >= 200 && status < 300; }
};

struct HttpsClientOptions {
  std::string ca_file;  // extra PEM CA to trust besides the system store; empty = none
  std::chrono::milliseconds timeout{10'000};  // whole request: resolve, connect, TLS, write, read
  std::size_t body_limit = 16 * 1024 * 1024;
  std::string user_agent = "teleglas";
};

class HttpsClient {
 public:
  // Throws std::invalid_argument for a malformed base URL or an unusable CA file: these are
  // configuration errors, reported at startup.
  HttpsClient(boost::asio::any_io_executor executor, std::string_view base_url,
              HttpsClientOptions options = {});
  ~HttpsClient();  // closes the connection; a request in flight completes with an error
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // One request at a time: a second concurrent call completes at once with
  // std::errc::operation_in_progress. `target` is appended to the base path. A GET that fails
  // on a reused keep-alive connection (the server closed it meanwhile) is retried once on a
  // fresh connection.
  boost::asio::awaitable<HttpsResponse> request(std::string method, std::string target,
                                                HttpHeaders headers = {}, std::string body = {},
                                                std::string content_type = {});
  boost::asio::awaitable<HttpsResponse> get(std::string target, HttpHeaders headers = {});

  // Drops the connection (the next request reconnects) and aborts a request in flight.
  void close();

  const HttpsEndpoint& endpoint() const;
  std::uint64_t connections_opened() const;  // TLS sessions established so far
  std::uint64_t requests_sent() const;

 private:
  std::shared_ptr<detail::HttpsClientState> state_;
};

}  // namespace teleglas
