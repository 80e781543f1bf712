#include "teleglas/net/rest_poller.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>

#include "../simserver/sim_test_support.hpp"
#include "teleglas/simserver/coinglass_server.hpp"

namespace teleglas {
namespace {

HttpsResponse http(unsigned status, std::string body) {
  HttpsResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(ClassifyCoinglassResponse, SuccessKeepsTheDataExactlyAsSent) {
  const std::string data = R"([ {"exchange":"Binance", "funding_rate":0.007343,"x":1.50E-3} ])";
  const HttpsResponse r = http(200, R"({ "code" : "0", "msg":"success", "data" : )" + data + " }");
  const RestOutcome o = classify_coinglass_response(r);
  EXPECT_EQ(o.failure, RestFailure::none);
  EXPECT_EQ(o.data, data);
}

TEST(ClassifyCoinglassResponse, FindsTheTopLevelDataWhateverComesBefore) {
  const HttpsResponse r = http(
      200, R"({"meta":{"data":[1],"s":"\"data\":{}"},"code":"0","data":{"a":"]}"},"msg":"ok"})");
  const RestOutcome o = classify_coinglass_response(r);
  EXPECT_EQ(o.failure, RestFailure::none);
  EXPECT_EQ(o.data, R"({"a":"]}"})");
}

TEST(ClassifyCoinglassResponse, ScalarDataIsVerbatimToo) {
  EXPECT_EQ(classify_coinglass_response(http(200, R"({"code":"0","data":12.50})")).data, "12.50");
  EXPECT_EQ(classify_coinglass_response(http(200, R"({"data":"x","code":"0"})")).data, R"("x")");
}

TEST(ClassifyCoinglassResponse, CodeMustBeTheStringZero) {
  EXPECT_EQ(classify_coinglass_response(http(200, R"({"code":0,"data":[]})")).failure,
            RestFailure::bad_body);
  const RestOutcome o =
      classify_coinglass_response(http(200, R"({"code":"40001","msg":"bad symbol","data":[]})"));
  EXPECT_EQ(o.failure, RestFailure::bad_body);
  EXPECT_EQ(o.detail, "code 40001: bad symbol");
}

TEST(ClassifyCoinglassResponse, AKeyRejectedInsideAn200EnvelopeIsAnAuthFailure) {
  EXPECT_EQ(
      classify_coinglass_response(http(200, R"({"code":"401","msg":"API key missing"})")).failure,
      RestFailure::auth);
}

TEST(ClassifyCoinglassResponse, BodiesThatAreNotAnEnvelopeAreBad) {
  EXPECT_EQ(classify_coinglass_response(http(200, "<html>")).failure, RestFailure::bad_body);
  EXPECT_EQ(classify_coinglass_response(http(200, "[]")).failure, RestFailure::bad_body);
  EXPECT_EQ(classify_coinglass_response(http(200, R"({"code":"0"})")).failure,
            RestFailure::bad_body);
}

TEST(ClassifyCoinglassResponse, HttpStatusesMapToTheirKinds) {
  EXPECT_EQ(classify_coinglass_response(http(429, "")).failure, RestFailure::rate_limited);
  EXPECT_EQ(classify_coinglass_response(http(401, "")).failure, RestFailure::auth);
  EXPECT_EQ(classify_coinglass_response(http(403, "")).failure, RestFailure::auth);
  const RestOutcome o = classify_coinglass_response(http(500, R"({"code":"0","data":[]})"));
  EXPECT_EQ(o.failure, RestFailure::http_status);
  EXPECT_EQ(o.detail, "HTTP 500");
}

TEST(ClassifyCoinglassResponse, TransportErrorsComeFirst) {
  HttpsResponse r;
  r.error = make_error_code(boost::system::errc::connection_refused);
  EXPECT_EQ(classify_coinglass_response(r).failure, RestFailure::transport);
}

TEST(RestRecordingLine, WrapsTheDataWithChannelAndReceiveTime) {
  EXPECT_EQ(rest_recording_line(rest_funding_channel, 1725416318379, R"([{"a":1.50}])"),
            R"({"channel":"funding_rates","time":1725416318379,"data":[{"a":1.50}]})");
  EXPECT_EQ(rest_recording_line(rest_open_interest_channel, 5, "[]"),
            R"({"channel":"open_interest","time":5,"data":[]})");
}

TEST(OpenInterestBases, StripsTheQuoteAssetAndDropsDuplicates) {
  std::vector<SymbolConfig> symbols(5);
  symbols[0].symbol = "BTCUSDT";
  symbols[1].symbol = "ETHUSDT";
  symbols[2].symbol = "BTCUSD";
  symbols[3].symbol = "SOLUSDC";
  symbols[4].symbol = "USDT";
  EXPECT_EQ(open_interest_bases(symbols), (std::vector<std::string>{"BTC", "ETH", "SOL", "USDT"}));
}

TEST(RestPollerOptions, ComeFromTheCoinglassConfig) {
  CoinglassConfig config;
  config.rest_url = "https://127.0.0.1:8443";
  config.ca_file = "/tmp/ca.pem";
  config.funding_poll_s = 30;
  config.oi_poll_s = 90;
  config.reconnect_initial_s = 2;
  config.reconnect_max_s = 120;
  const RestPollerOptions o = rest_poller_options(config, {"BTC"});
  EXPECT_EQ(o.rest_url, config.rest_url);
  EXPECT_EQ(o.ca_file, config.ca_file);
  EXPECT_EQ(o.funding_poll_s, 30);
  EXPECT_EQ(o.oi_poll_s, 90);
  EXPECT_EQ(o.oi_bases, std::vector<std::string>{"BTC"});
  EXPECT_EQ(o.backoff.initial_s, 2);
  EXPECT_EQ(o.backoff.max_s, 120);
}

// Against the simulated CoinGlass: real HTTPS on 127.0.0.1, short periods.

namespace net = boost::asio;
using namespace std::chrono_literals;
using sim_test::run_until;
using sim_test::TempFile;

constexpr TimeMs receive_time = 1725416318379;
const std::string api_key = "test-key-5f2c";
const std::string funding_data =
    R"([{"symbol":"BTC","stablecoin_margin_list":[{"exchange":"Binance","funding_rate":0.007343,"funding_rate_interval":8}]}])";

std::string open_interest_data(const std::string& base) {
  return R"([{"exchange":"All","symbol":")" + base +
         R"(","open_interest_usd":57234567890.12,"open_interest_change_percent_1h":-0.50}])";
}

std::size_t count_prefix(const std::vector<std::string>& lines, std::string_view prefix) {
  return static_cast<std::size_t>(std::count_if(
      lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); }));
}

class RestPollerSimTest : public ::testing::Test {
 protected:
  RestPollerSimTest() : ca_file_(identity_.ca_cert_pem), server_(io_, server_options()) {}

  static SimCoinglassOptions server_options() {
    SimCoinglassOptions o;
    o.identity = identity_;
    o.funding_data = funding_data;
    o.open_interest_data = open_interest_data;
    return o;
  }

  RestPollerOptions poller_options(std::vector<std::string> bases = {}) const {
    RestPollerOptions o;
    o.rest_url = server_.rest_url();
    o.ca_file = ca_file_.path();
    o.funding_poll_s = 0.05;
    o.oi_poll_s = 0.05;
    o.oi_bases = std::move(bases);
    o.request_timeout_s = 2;
    o.backoff.initial_s = 0.02;
    o.backoff.max_s = 0.05;
    return o;
  }

  RestPoller make_poller(RestPollerOptions options) {
    RestPollerHooks hooks;
    hooks.wall_clock = [] { return receive_time; };
    hooks.on_line = [this](std::string_view line) { lines_.emplace_back(line); };
    hooks.on_alarm = [this](std::string_view what) { alarms_.emplace_back(what); };
    return RestPoller(io_.get_executor(), std::move(options), api_key, std::move(hooks));
  }

  void set_rest_status(int status, int retry_after_s = 0) {
    SimCoinglassFaults faults;
    faults.rest_status = status;
    faults.rest_retry_after_s = retry_after_s;
    server_.set_faults(faults);
  }

  std::size_t requests_seen() const { return server_.record().rest_targets.size(); }

  static inline const TlsIdentity identity_ = make_loopback_identity();
  net::io_context io_;
  TempFile ca_file_;
  SimCoinglassServer server_;
  std::vector<std::string> lines_;
  std::vector<std::string> alarms_;
};

TEST_F(RestPollerSimTest, EmitsFundingAndOpenInterestLinesWithTheDataVerbatim) {
  RestPoller poller = make_poller(poller_options({"BTC", "ETH"}));
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return lines_.size() >= 3; }));
  poller.stop();
  EXPECT_EQ(lines_[0], rest_recording_line("funding_rates", receive_time, funding_data));
  EXPECT_EQ(lines_[1],
            rest_recording_line("open_interest", receive_time, open_interest_data("BTC")));
  EXPECT_EQ(lines_[2],
            rest_recording_line("open_interest", receive_time, open_interest_data("ETH")));
  const SimCoinglassRecord record = server_.record();
  ASSERT_GE(record.rest_targets.size(), 3u);
  EXPECT_EQ(record.rest_targets[0], "/api/futures/funding-rate/exchange-list");
  EXPECT_EQ(record.rest_targets[1], "/api/futures/open-interest/exchange-list?symbol=BTC");
  EXPECT_EQ(record.rest_targets[2], "/api/futures/open-interest/exchange-list?symbol=ETH");
  for (const std::string& key : record.rest_api_keys) EXPECT_EQ(key, api_key);
  EXPECT_EQ(poller.stats().successes, 3u);
  EXPECT_EQ(poller.stats().failures(), 0u);
}

TEST_F(RestPollerSimTest, PollsAgainEveryPeriodOnOneKeepAliveConnection) {
  RestPoller poller = make_poller(poller_options({"BTC"}));
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return lines_.size() >= 6; }));
  poller.stop();
  EXPECT_GE(count_prefix(lines_, R"({"channel":"funding_rates")"), 3u);
  EXPECT_GE(count_prefix(lines_, R"({"channel":"open_interest")"), 3u);
  EXPECT_EQ(poller.connections_opened(), 1u);
  EXPECT_EQ(server_.record().rest_connections, 1);
}

TEST_F(RestPollerSimTest, RateLimitWithRetryAfterHoldsEveryEndpointBack) {
  set_rest_status(429, 1);
  RestPoller poller = make_poller(poller_options({"BTC"}));
  poller.start();
  // Without Retry-After the 0.02 s backoff would have sent many requests by now.
  run_until(
      io_, [] { return false; }, 400ms);
  EXPECT_EQ(requests_seen(), 1u);
  EXPECT_EQ(poller.stats().rate_limited, 1u);
  set_rest_status(200);
  ASSERT_TRUE(run_until(
      io_, [&] { return lines_.size() >= 2; }, 3s));
  poller.stop();
  EXPECT_TRUE(alarms_.empty());
}

TEST_F(RestPollerSimTest, ServerErrorsAreRetriedWithBackoffUntilTheyStop) {
  set_rest_status(500);
  RestPoller poller = make_poller(poller_options());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().http_errors >= 3; }));
  EXPECT_TRUE(lines_.empty());
  set_rest_status(200);
  ASSERT_TRUE(run_until(io_, [&] { return !lines_.empty(); }));
  poller.stop();
  EXPECT_GE(poller.stats().http_errors, 3u);
  EXPECT_EQ(poller.stats().successes, lines_.size());
}

TEST_F(RestPollerSimTest, ARejectedKeyRaisesOneAlarmWithoutTheKey) {
  set_rest_status(401);
  RestPoller poller = make_poller(poller_options({"BTC"}));
  poller.start();
  // The poller's own count: the server records a request before its answer reaches the poller.
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().auth_errors >= 4; }));
  poller.stop();
  ASSERT_EQ(alarms_.size(), 1u);
  EXPECT_EQ(alarms_[0], "CoinGlass REST rejected the API key (HTTP 401)");
  EXPECT_EQ(alarms_[0].find(api_key), std::string::npos);
  EXPECT_GE(poller.stats().auth_errors, 4u);
  EXPECT_EQ(poller.stats().alarms, 1u);
}

TEST_F(RestPollerSimTest, AnUntrustedCertificateFailsAndIsRetriedWithoutCrashing) {
  RestPollerOptions options = poller_options();
  options.ca_file.clear();
  RestPoller poller = make_poller(options);
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return server_.record().tls_handshakes_failed >= 3; }));
  poller.stop();
  EXPECT_TRUE(lines_.empty());
  EXPECT_GE(poller.stats().transport_errors, 3u);
  EXPECT_TRUE(server_.record().rest_targets.empty());
}

TEST_F(RestPollerSimTest, StopEndsPollingAndCallbacks) {
  RestPoller poller = make_poller(poller_options());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return !lines_.empty(); }));
  poller.stop();
  const std::size_t seen = requests_seen();
  const std::size_t emitted = lines_.size();
  run_until(
      io_, [] { return false; }, 150ms);
  EXPECT_LE(requests_seen(), seen + 1) << "at most the request already in flight";
  EXPECT_EQ(lines_.size(), emitted);
}

}  // namespace
}  // namespace teleglas
