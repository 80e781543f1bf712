#include "teleglas/net/https_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <stdexcept>

#include "../simserver/sim_test_support.hpp"
#include "teleglas/net/tls_context.hpp"
#include "teleglas/simserver/coinglass_server.hpp"

namespace teleglas {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

TEST(ParseHttpsUrl, DefaultsThePortTo443AndKeepsTheBasePath) {
  std::error_code ec;
  const HttpsEndpoint ep = parse_https_url("https://open-api-v4.coinglass.com/v4/", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(ep.host, "open-api-v4.coinglass.com");
  EXPECT_EQ(ep.port, "443");
  EXPECT_EQ(ep.host_header, "open-api-v4.coinglass.com");
  EXPECT_EQ(ep.base_path, "/v4");
}

TEST(ParseHttpsUrl, TakesAnExplicitPortAndBracketsIpv6OnlyInTheHostHeader) {
  std::error_code ec;
  const HttpsEndpoint ep = parse_https_url("https://[::1]:8443", ec);
  ASSERT_FALSE(ec);
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, "8443");
  EXPECT_EQ(ep.host_header, "[::1]:8443");
  EXPECT_EQ(ep.base_path, "");
}

TEST(ParseHttpsUrl, RejectsOtherSchemesAndUrlsWithAQuery) {
  std::error_code ec;
  parse_https_url("http://127.0.0.1:80", ec);
  EXPECT_TRUE(ec);
  parse_https_url("https://127.0.0.1/?key=1", ec);
  EXPECT_TRUE(ec);
  parse_https_url("not a url", ec);
  EXPECT_TRUE(ec);
}

TEST(ParseRetryAfter, ReadsDeltaSecondsOnly) {
  EXPECT_EQ(parse_retry_after("120"), std::chrono::seconds(120));
  EXPECT_EQ(parse_retry_after(" 5 "), std::chrono::seconds(5));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1"), std::nullopt);
  EXPECT_EQ(parse_retry_after(""), std::nullopt);
}

TEST(TlsContext, AMissingCaFileIsAnError) {
  std::error_code ec;
  make_client_tls_context("/nonexistent/teleglas-ca.pem", ec);
  EXPECT_TRUE(ec);
  make_client_tls_context("", ec);
  EXPECT_FALSE(ec) << ec.message();
}

struct SslPtr {
  SSL* ssl;
  ~SslPtr() { SSL_free(ssl); }
};

TEST(TlsContext, SetsSniAndHostnameCheckForANameButNoSniForAnIp) {
  std::error_code ec;
  net::ssl::context ctx = make_client_tls_context("", ec);
  ASSERT_FALSE(ec);

  SslPtr named{SSL_new(ctx.native_handle())};
  set_tls_peer(named.ssl, "open-api-v4.coinglass.com", ec);
  EXPECT_FALSE(ec);
  EXPECT_STREQ(SSL_get_servername(named.ssl, TLSEXT_NAMETYPE_host_name),
               "open-api-v4.coinglass.com");
  EXPECT_STREQ(X509_VERIFY_PARAM_get0_host(SSL_get0_param(named.ssl), 0),
               "open-api-v4.coinglass.com");

  SslPtr ip{SSL_new(ctx.native_handle())};
  set_tls_peer(ip.ssl, "[::1]", ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(SSL_get_servername(ip.ssl, TLSEXT_NAMETYPE_host_name), nullptr);
  EXPECT_EQ(X509_VERIFY_PARAM_get0_host(SSL_get0_param(ip.ssl), 0), nullptr);
}

TEST(HttpsClient, RejectsABadBaseUrlOrCaFileAtConstruction) {
  net::io_context io;
  EXPECT_THROW(HttpsClient(io.get_executor(), "http://127.0.0.1:1"), std::invalid_argument);
  HttpsClientOptions options;
  options.ca_file = "/nonexistent/teleglas-ca.pem";
  EXPECT_THROW(HttpsClient(io.get_executor(), "https://127.0.0.1:1", options),
               std::invalid_argument);
}

TEST(HttpsClient, GivesUpWithATimeoutWhenTheServerNeverAnswers) {
  net::io_context io;
  // Accepts the TCP connection and then says nothing: the TLS handshake hangs.
  net::ip::tcp::acceptor silent(io, {net::ip::make_address("127.0.0.1"), 0});
  net::ip::tcp::socket accepted(io);
  silent.async_accept(accepted, [](boost::system::error_code) {});

  HttpsClientOptions options;
  options.timeout = 200ms;
  HttpsClient client(io.get_executor(),
                     "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
                     options);
  std::optional<HttpsResponse> response;
  const auto started = std::chrono::steady_clock::now();
  net::co_spawn(io, client.get("/"), [&](std::exception_ptr e, HttpsResponse r) {
    if (e) std::rethrow_exception(e);
    response = std::move(r);
  });
  while (!response && std::chrono::steady_clock::now() - started < 5s) io.run_for(10ms);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error, boost::beast::error::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(client.connections_opened(), 0u);
}

TEST(HttpsClient, FailsFastWhenNothingListens) {
  net::io_context io;
  std::uint16_t port = 0;
  {
    // Find a free port, then close it again.
    net::ip::tcp::acceptor probe(io, {net::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  HttpsClient client(io.get_executor(), "https://127.0.0.1:" + std::to_string(port));
  std::optional<HttpsResponse> response;
  net::co_spawn(io, client.get("/"), [&](std::exception_ptr e, HttpsResponse r) {
    if (e) std::rethrow_exception(e);
    response = std::move(r);
  });
  io.run_for(2s);
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->error);
  EXPECT_FALSE(response->ok());
}

// Against the simulated CoinGlass: real TLS on 127.0.0.1.

using sim_test::run_until;
using sim_test::TempFile;

const std::string funding_target = "/api/futures/funding-rate/exchange-list";

class HttpsClientSimTest : public ::testing::Test {
 protected:
  HttpsClientSimTest() : ca_file_(identity_.ca_cert_pem), server_(io_, server_options()) {}

  static SimCoinglassOptions server_options() {
    SimCoinglassOptions o;
    o.identity = identity_;
    o.funding_data = R"([{"symbol":"BTC"}])";
    return o;
  }

  HttpsClientOptions trusting() const {
    HttpsClientOptions o;
    o.ca_file = ca_file_.path();
    o.timeout = 5s;
    return o;
  }

  HttpsResponse get(HttpsClient& client, std::string target, HttpHeaders headers = {}) {
    std::optional<HttpsResponse> out;
    net::co_spawn(io_, client.get(std::move(target), std::move(headers)),
                  [&](std::exception_ptr e, HttpsResponse r) {
                    if (e) std::rethrow_exception(e);
                    out = std::move(r);
                  });
    EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
    return out.value_or(HttpsResponse{});
  }

  static inline const TlsIdentity identity_ = make_loopback_identity();
  net::io_context io_;
  TempFile ca_file_;
  SimCoinglassServer server_;
};

TEST_F(HttpsClientSimTest, GetsOverVerifiedTlsWithExtraHeaders) {
  HttpsClient client(io_.get_executor(), server_.rest_url(), trusting());
  const HttpsResponse r = get(client, funding_target, {{"CG-API-KEY", "k1"}});
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.body, R"({"code":"0","msg":"success","data":[{"symbol":"BTC"}]})");
  EXPECT_EQ(server_.record().rest_api_keys, std::vector<std::string>{"k1"});
}

TEST_F(HttpsClientSimTest, VerifiesAndSendsSniForAHostName) {
  HttpsClient client(io_.get_executor(), "https://localhost:" + std::to_string(server_.port()),
                     trusting());
  const HttpsResponse r = get(client, funding_target);
  ASSERT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.status, 200u);
}

TEST_F(HttpsClientSimTest, ReusesOneKeepAliveConnection) {
  HttpsClient client(io_.get_executor(), server_.rest_url(), trusting());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get(client, funding_target).status, 200u);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(client.requests_sent(), 3u);
  EXPECT_EQ(server_.record().rest_connections, 1);
}

TEST_F(HttpsClientSimTest, ReconnectsWhenTheServerDroppedTheIdleConnection) {
  HttpsClient client(io_.get_executor(), server_.rest_url(), trusting());
  EXPECT_EQ(get(client, funding_target).status, 200u);
  server_.drop_connections();
  run_until(
      io_, [] { return false; }, 50ms);
  const HttpsResponse r = get(client, funding_target);
  EXPECT_FALSE(r.error) << r.error.message();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(HttpsClientSimTest, AnUntrustedServerIsAnErrorNotACrash) {
  HttpsClientOptions options = trusting();
  options.ca_file.clear();  // system store only: the loopback CA is unknown
  HttpsClient client(io_.get_executor(), server_.rest_url(), options);
  const HttpsResponse r = get(client, funding_target);
  EXPECT_TRUE(r.error);
  EXPECT_EQ(r.status, 0u);
  EXPECT_EQ(client.connections_opened(), 0u);
  ASSERT_TRUE(run_until(io_, [&] { return server_.record().tls_handshakes_failed == 1; }));
  EXPECT_TRUE(server_.record().rest_targets.empty());
}

TEST_F(HttpsClientSimTest, ASecondConcurrentRequestIsRefusedNotInterleaved) {
  HttpsClient client(io_.get_executor(), server_.rest_url(), trusting());
  std::optional<HttpsResponse> first, second;
  net::co_spawn(io_, client.get(funding_target),
                [&](std::exception_ptr, HttpsResponse r) { first = std::move(r); });
  net::co_spawn(io_, client.get(funding_target),
                [&](std::exception_ptr, HttpsResponse r) { second = std::move(r); });
  ASSERT_TRUE(run_until(io_, [&] { return first && second; }));
  EXPECT_EQ(first->status, 200u);
  EXPECT_EQ(second->error, boost::system::errc::operation_in_progress);
}

TEST_F(HttpsClientSimTest, CloseAbortsARequestInFlight) {
  HttpsClient client(io_.get_executor(), server_.rest_url(), trusting());
  std::optional<HttpsResponse> response;
  net::co_spawn(io_, client.get(funding_target),
                [&](std::exception_ptr, HttpsResponse r) { response = std::move(r); });
  io_.poll();  // the request starts connecting
  client.close();
  ASSERT_TRUE(run_until(io_, [&] { return response.has_value(); }));
  EXPECT_TRUE(response->error);
}

}  // namespace
}  // namespace teleglas
