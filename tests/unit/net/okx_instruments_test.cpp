#include "teleglas/net/okx_instruments.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <stdexcept>

#include "../simserver/sim_test_support.hpp"
#include "teleglas/sim/venue_frames.hpp"
#include "teleglas/simserver/venue_servers.hpp"

namespace teleglas {
namespace {

using namespace std::chrono_literals;
using sim_test::run_until;
using sim_test::TempFile;

HttpsResponse http(unsigned status, std::string body) {
  HttpsResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(ClassifyOkxInstruments, AGoodAnswerIsTheWholeBodyVerbatim) {
  const std::string body =
      R"({"code":"0","msg":"","data":[{"instId":"BTC-USDT-SWAP","ctVal":"0.01"}]})";
  const HttpsResponse r = http(200, body);
  const RestOutcome o = classify_okx_instruments(r);
  EXPECT_EQ(o.failure, RestFailure::none);
  EXPECT_EQ(o.data, body);
}

TEST(ClassifyOkxInstruments, AnythingButTheEnvelopeWithAListIsABadBody) {
  EXPECT_EQ(classify_okx_instruments(http(200, "<html>oops</html>")).failure,
            RestFailure::bad_body);
  EXPECT_EQ(classify_okx_instruments(http(200, R"({"code":"0","msg":"","data":{}})")).failure,
            RestFailure::bad_body);
  EXPECT_EQ(classify_okx_instruments(http(200, R"({"code":"0","msg":""})")).failure,
            RestFailure::bad_body);
  const RestOutcome o = classify_okx_instruments(
      http(200, R"({"code":"50011","msg":"Too Many Requests","data":[]})"));
  EXPECT_EQ(o.failure, RestFailure::bad_body);
  EXPECT_EQ(o.detail, "code 50011: Too Many Requests");
  EXPECT_EQ(classify_okx_instruments(http(200, R"({"code":"0","data":[)")).failure,
            RestFailure::bad_body)
      << "truncated";
}

TEST(ClassifyOkxInstruments, StatusesAreReadLikeEveryRestAnswer) {
  EXPECT_EQ(classify_okx_instruments(http(429, "{}")).failure, RestFailure::rate_limited);
  EXPECT_EQ(classify_okx_instruments(http(500, "{}")).failure, RestFailure::http_status);
  HttpsResponse broken;
  broken.error = boost::asio::error::connection_refused;
  EXPECT_EQ(classify_okx_instruments(broken).failure, RestFailure::transport);
}

class OkxInstrumentsPollerTest : public ::testing::Test {
 protected:
  OkxInstrumentsPollerTest() : ca_file_(identity_.ca_cert_pem) {
    SimVenueOptions o;
    o.identity = identity_;
    server_.emplace(io_, Venue::okx, std::move(o));
  }

  OkxInstrumentsOptions options() const {
    OkxInstrumentsOptions o;
    o.rest_url = server_->rest_url();
    o.ca_file = ca_file_.path();
    o.request_timeout_s = 5;
    o.backoff.initial_s = 0.05;
    o.backoff.max_s = 0.2;
    o.backoff.jitter = 0;
    return o;
  }

  OkxInstrumentsHooks hooks() {
    OkxInstrumentsHooks h;
    h.wall_clock = [] { return TimeMs{1'790'000'000'000}; };
    h.on_instruments = [this](std::string_view body, TimeMs time) {
      bodies_.emplace_back(body);
      times_.push_back(time);
    };
    return h;
  }

  static inline const TlsIdentity identity_ = make_loopback_identity();
  boost::asio::io_context io_;
  TempFile ca_file_;
  std::optional<SimVenueServer> server_;
  std::vector<std::string> bodies_;
  std::vector<TimeMs> times_;
};

TEST_F(OkxInstrumentsPollerTest, HandsOnTheListVerbatimWithItsWallTime) {
  OkxInstrumentsPoller poller(io_.get_executor(), options(), hooks());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return !bodies_.empty(); }));
  EXPECT_EQ(bodies_[0], okx_instruments_body(default_venue_instruments()));
  EXPECT_EQ(times_[0], 1'790'000'000'000);
  EXPECT_EQ(poller.stats().requests, 1u);
  EXPECT_EQ(poller.stats().successes, 1u);
  EXPECT_EQ(server_->record().rest_targets,
            std::vector<std::string>{std::string(okx_instruments_target)});
}

TEST_F(OkxInstrumentsPollerTest, PollsAgainEveryPeriod) {
  OkxInstrumentsOptions o = options();
  o.period_s = 0.15;
  OkxInstrumentsPoller poller(io_.get_executor(), o, hooks());
  const auto started = std::chrono::steady_clock::now();
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return bodies_.size() >= 3; }));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 280ms);
  EXPECT_EQ(poller.stats().failures(), 0u);
  EXPECT_EQ(server_->record().rest_connections, 1) << "one keep-alive connection";
}

TEST_F(OkxInstrumentsPollerTest, RetriesAServerErrorOnTheBackoffScheduleNotTheDay) {
  SimVenueFaults faults;
  faults.rest_status = 500;
  server_->set_faults(faults);
  OkxInstrumentsPoller poller(io_.get_executor(), options(), hooks());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().http_errors >= 2; }));
  EXPECT_TRUE(bodies_.empty());
  server_->set_faults({});
  ASSERT_TRUE(run_until(
      io_, [&] { return !bodies_.empty(); }, 2s));
  EXPECT_EQ(poller.stats().successes, 1u);
  EXPECT_GE(poller.stats().failures(), 2u);
}

TEST_F(OkxInstrumentsPollerTest, AGarbageBodyIsAFailureAndIsNotHandedOn) {
  SimVenueFaults faults;
  faults.rest_body = "<html>502 Bad Gateway</html>";
  server_->set_faults(faults);
  OkxInstrumentsPoller poller(io_.get_executor(), options(), hooks());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().bad_bodies >= 2; }));
  EXPECT_TRUE(bodies_.empty());
  EXPECT_EQ(poller.stats().successes, 0u);
}

TEST_F(OkxInstrumentsPollerTest, WaitsTheRetryAfterOfARateLimit) {
  SimVenueFaults faults;
  faults.rest_status = 429;
  faults.rest_retry_after_s = 1;
  server_->set_faults(faults);
  OkxInstrumentsPoller poller(io_.get_executor(), options(), hooks());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().rate_limited == 1; }));
  const auto limited = std::chrono::steady_clock::now();
  server_->set_faults({});
  ASSERT_TRUE(run_until(
      io_, [&] { return !bodies_.empty(); }, 3s));
  EXPECT_GE(std::chrono::steady_clock::now() - limited, 900ms) << "not the 50 ms backoff";
}

TEST_F(OkxInstrumentsPollerTest, AnUntrustedCertificateIsATransportFailure) {
  OkxInstrumentsOptions o = options();
  o.ca_file.clear();
  OkxInstrumentsPoller poller(io_.get_executor(), o, hooks());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().transport_errors >= 2; }));
  EXPECT_TRUE(bodies_.empty());
}

TEST_F(OkxInstrumentsPollerTest, AnAnswerLargerThanTheBoundIsRefused) {
  OkxInstrumentsOptions o = options();
  o.max_body_bytes = 64;
  OkxInstrumentsPoller poller(io_.get_executor(), o, hooks());
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().failures() >= 1; }));
  EXPECT_TRUE(bodies_.empty());
  EXPECT_EQ(poller.stats().transport_errors, poller.stats().failures());
}

TEST_F(OkxInstrumentsPollerTest, AThrowingConsumerNeitherStopsThePollerNorTheIoContext) {
  OkxInstrumentsOptions o = options();
  o.period_s = 0.05;
  OkxInstrumentsHooks h = hooks();
  h.on_instruments = [](std::string_view, TimeMs) { throw std::runtime_error("bad list"); };
  OkxInstrumentsPoller poller(io_.get_executor(), o, h);
  poller.start();
  ASSERT_TRUE(run_until(io_, [&] { return poller.stats().callback_errors >= 2; }));
  EXPECT_GE(poller.stats().successes, 2u);
}

TEST_F(OkxInstrumentsPollerTest, NothingIsHandedOnAfterStop) {
  OkxInstrumentsPoller poller(io_.get_executor(), options(), hooks());
  poller.start();
  poller.stop();
  run_until(
      io_, [] { return false; }, 300ms);
  EXPECT_TRUE(bodies_.empty());
  poller.start();  // a stopped poller stays stopped
  run_until(
      io_, [] { return false; }, 200ms);
  EXPECT_TRUE(bodies_.empty());
}

TEST_F(OkxInstrumentsPollerTest, ABadUrlOrCaFileIsAStartupError) {
  OkxInstrumentsOptions o = options();
  o.rest_url = "http://www.okx.com";
  EXPECT_THROW(OkxInstrumentsPoller(io_.get_executor(), o, hooks()), std::invalid_argument);
  o = options();
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(OkxInstrumentsPoller(io_.get_executor(), o, hooks()), std::invalid_argument);
}

}  // namespace
}  // namespace teleglas
