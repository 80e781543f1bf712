// Polls OKX's perpetual-swap instrument list, `GET {rest_url}/api/v5/public/instruments?
// instType=SWAP` — the ctVal that turns OKX's contract sizes into base units — at start and then
// once a day, and hands each good answer on verbatim, with the wall time it arrived, for the
// parser to read. A failed request is retried on a backoff schedule instead of waiting a day.
//
// A good answer is HTTP 200 with OKX's envelope {"code":"0","msg":"","data":[...]}. Anything
// else — an error status, a body that is not that envelope (an HTML error page, a truncated
// body, "code":"50011") — is a failure: counted, logged, retried, never delivered, so the
// consumer keeps the last good list instead of replacing it with garbage.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "teleglas/core/types.hpp"
#include "teleglas/net/backoff.hpp"
#include "teleglas/net/https_client.hpp"
#include "teleglas/net/rest_poller.hpp"

namespace teleglas {

inline constexpr std::string_view okx_instruments_target =
    "/api/v5/public/instruments?instType=SWAP";

// Success (RestOutcome::data = the whole body) only for HTTP 200 with a JSON object whose
// "code" is the string "0" and whose "data" is an array. OKX's envelope has CoinGlass's shape,
// so the statuses and the envelope read as classify_coinglass_response reads them.
RestOutcome classify_okx_instruments(const HttpsResponse& response);

struct OkxInstrumentsOptions {
  std::string rest_url = "https://www.okx.com";
  std::string ca_file;             // extra PEM CA to trust (tests); empty = system store only
  double period_s = 24 * 60 * 60;  // between successful polls
  double request_timeout_s = 10;
  std::size_t max_body_bytes = 4 * 1024 * 1024;  // a larger answer is a failure
  // After a failure, the next try waits this schedule instead of the period (never longer than
  // the period); a success resets it.
  BackoffPolicy backoff = [] {
    BackoffPolicy policy;
    policy.initial_s = 2;
    policy.max_s = 300;
    return policy;
  }();
};

struct OkxInstrumentsHooks {
  std::function<TimeMs()> wall_clock;  // the time handed on with each body; null = system clock
  std::function<void(std::string_view body, TimeMs time)> on_instruments;
  Backoff::RandomSource random;  // backoff jitter; null = none
};

struct OkxInstrumentsStats {
  std::uint64_t requests = 0;
  std::uint64_t successes = 0;
  std::uint64_t transport_errors = 0;  // connect, TLS, timeout, an answer beyond max_body_bytes
  std::uint64_t rate_limited = 0;
  std::uint64_t http_errors = 0;
  std::uint64_t bad_bodies = 0;
  std::uint64_t callback_errors = 0;  // on_instruments threw (the poller goes on)
  std::uint64_t failures() const {
    return transport_errors + rate_limited + http_errors + bad_bodies;
  }
};

namespace detail {
struct OkxInstrumentsState;
}

class OkxInstrumentsPoller {
 public:
  // Throws std::invalid_argument for a bad rest_url or CA file (startup).
  OkxInstrumentsPoller(const boost::asio::any_io_executor& executor, OkxInstrumentsOptions options,
                       OkxInstrumentsHooks hooks);
  ~OkxInstrumentsPoller();  // stops
  OkxInstrumentsPoller(const OkxInstrumentsPoller&) = delete;
  OkxInstrumentsPoller& operator=(const OkxInstrumentsPoller&) = delete;

  // Polls at once, then every period. Runs on the executor's thread; nothing it does throws
  // into the io_context.
  void start();
  // Cancels the wait and a request in flight; no callback runs afterwards.
  void stop();

  OkxInstrumentsStats stats() const;

 private:
  std::shared_ptr<detail::OkxInstrumentsState> state_;
};

}  // namespace teleglas
