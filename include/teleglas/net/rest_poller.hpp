// Polls CoinGlass REST (funding rates, open interest per base asset) on one keep-alive HTTPS
// connection and hands each successful answer on as a recording line,
// {"channel":"funding_rates"|"open_interest","time":MS,"data":<data verbatim>}, which the
// frame parser and `teleglas replay` read like any WebSocket frame.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"
#include "teleglas/core/types.hpp"
#include "teleglas/net/backoff.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {

// The same names the frame parser reads (ingest/parser.hpp); net cannot include ingest.
inline constexpr std::string_view rest_funding_channel = "funding_rates";
inline constexpr std::string_view rest_open_interest_channel = "open_interest";
inline constexpr std::string_view funding_rates_path = "/api/futures/funding-rate/exchange-list";
inline constexpr std::string_view open_interest_path = "/api/futures/open-interest/exchange-list";

enum class RestFailure : std::uint8_t {
  none,
  transport,     // DNS, connect, TLS (e.g. untrusted certificate), timeout
  rate_limited,  // HTTP 429
  auth,          // HTTP 401 / 403: the API key is missing, wrong or lacks the plan
  http_status,   // any other status but 200
  bad_body,      // not a JSON envelope, or "code" is not "0"
};
std::string_view to_string(RestFailure f);

struct RestOutcome {
  RestFailure failure = RestFailure::none;
  std::string_view data;  // on success: the envelope's `data`, verbatim (a view into the body)
  std::string detail;     // on failure: what went wrong, for the log (no secrets in it)
};

// Success only on HTTP 200 with a JSON object whose "code" is the string "0" and that has
// a `data` member.
RestOutcome classify_coinglass_response(const HttpsResponse& response);

// {"channel":"<channel>","time":<time>,"data":<data>}, `data` copied as is.
std::string rest_recording_line(std::string_view channel, TimeMs time, std::string_view data);

// The base assets of the configured symbols (BTCUSDT -> BTC), in order, without duplicates:
// open interest is requested per base asset.
std::vector<std::string> open_interest_bases(const std::vector<SymbolConfig>& symbols);

struct RestPollerOptions {
  std::string rest_url = "https://open-api-v4.coinglass.com";
  std::string ca_file;
  double funding_poll_s = 60;
  double oi_poll_s = 60;
  std::vector<std::string> oi_bases;  // one open-interest request per base asset and period
  double request_timeout_s = 10;
  // After a failure an endpoint retries on this schedule instead of its period; the
  // maximum is raised to the period when shorter. Reset by a success.
  BackoffPolicy backoff;
};

RestPollerOptions rest_poller_options(const CoinglassConfig& config,
                                      std::vector<std::string> oi_bases);

struct RestPollerHooks {
  std::function<TimeMs()> wall_clock;                   // "time" of each line (receive time)
  std::function<void(std::string_view line)> on_line;   // one per successful answer
  std::function<void(std::string_view what)> on_alarm;  // the operator must act (bad API key)
  Backoff::RandomSource random;                         // backoff jitter; null = none
};

struct RestPollerStats {
  std::uint64_t requests = 0;
  std::uint64_t successes = 0;
  std::uint64_t transport_errors = 0;
  std::uint64_t rate_limited = 0;
  std::uint64_t auth_errors = 0;
  std::uint64_t http_errors = 0;
  std::uint64_t bad_bodies = 0;
  std::uint64_t alarms = 0;
  std::uint64_t failures() const {
    return transport_errors + rate_limited + auth_errors + http_errors + bad_bodies;
  }
};

namespace detail {
struct RestPollerState;
}

class RestPoller {
 public:
  // Throws std::invalid_argument for a bad rest_url or CA file (startup). The API key goes
  // into the CG-API-KEY header only, never into a log line or an alarm.
  RestPoller(boost::asio::any_io_executor executor, RestPollerOptions options, std::string api_key,
             RestPollerHooks hooks);
  ~RestPoller();  // stops
  RestPoller(const RestPoller&) = delete;
  RestPoller& operator=(const RestPoller&) = delete;

  // Polls every endpoint at once, then each on its own period. Requests run one at a time
  // on the executor's thread.
  void start();
  // Cancels the wait and any request in flight; no callback runs afterwards.
  void stop();

  RestPollerStats stats() const;
  std::uint64_t connections_opened() const;

 private:
  std::shared_ptr<detail::RestPollerState> state_;
};

}  // namespace teleglas
