#include "teleglas/net/okx_instruments.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <exception>

#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"

namespace teleglas {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

RestOutcome classify_okx_instruments(const HttpsResponse& response) {
  RestOutcome out = classify_coinglass_response(response);
  if (out.failure != RestFailure::none) return out;
  boost::system::error_code ec;
  const boost::json::value envelope = boost::json::parse(response.body, ec);
  const boost::json::value* data =
      envelope.is_object() ? envelope.get_object().if_contains("data") : nullptr;
  if (data == nullptr || !data->is_array()) {
    out.failure = RestFailure::bad_body;
    out.detail = "envelope whose data is not a list";
    out.data = {};
    return out;
  }
  out.data = response.body;
  return out;
}

namespace detail {

struct OkxInstrumentsState {
  OkxInstrumentsState(const net::any_io_executor& executor, OkxInstrumentsOptions opts,
                      OkxInstrumentsHooks h)
      : options(std::move(opts)),
        hooks(std::move(h)),
        client(executor, options.rest_url,
               HttpsClientOptions{
                   .ca_file = options.ca_file,
                   .timeout = std::chrono::milliseconds(seconds_ms(options.request_timeout_s)),
                   .body_limit = options.max_body_bytes}),
        timer(executor),
        backoff(policy(options), hooks.random) {}

  // Retries start sooner than the period and never wait longer than it.
  static BackoffPolicy policy(const OkxInstrumentsOptions& o) {
    BackoffPolicy p = o.backoff;
    p.initial_s = std::min(p.initial_s, o.period_s);
    p.max_s = std::max(p.initial_s, std::min(p.max_s, o.period_s));
    return p;
  }

  OkxInstrumentsOptions options;
  OkxInstrumentsHooks hooks;
  HttpsClient client;
  net::steady_timer timer;
  Backoff backoff;
  OkxInstrumentsStats stats;
  bool started = false;
  bool stopped = false;
};

}  // namespace detail

namespace {

using State = detail::OkxInstrumentsState;

void count_failure(OkxInstrumentsStats& stats, RestFailure f) {
  switch (f) {
    case RestFailure::none:
      break;
    case RestFailure::transport:
      ++stats.transport_errors;
      break;
    case RestFailure::rate_limited:
      ++stats.rate_limited;
      break;
    case RestFailure::auth:  // a public endpoint: a refusal is just an error status
    case RestFailure::http_status:
      ++stats.http_errors;
      break;
    case RestFailure::bad_body:
      ++stats.bad_bodies;
      break;
  }
}

void deliver(State& s, std::string_view body) {
  if (!s.hooks.on_instruments) return;
  try {
    s.hooks.on_instruments(body, s.hooks.wall_clock());
  } catch (const std::exception& e) {
    ++s.stats.callback_errors;
    spdlog::error("OKX instruments: handling the list failed: {}", e.what());
  } catch (...) {
    ++s.stats.callback_errors;
    spdlog::error("OKX instruments: handling the list failed");
  }
}

struct NextPoll {
  bool success = false;
  Clock::duration wait{};
};

NextPoll handle(State& s, const HttpsResponse& response) {
  const RestOutcome outcome = classify_okx_instruments(response);
  if (outcome.failure == RestFailure::none) {
    ++s.stats.successes;
    if (s.backoff.attempts() > 0) spdlog::info("OKX instruments: recovered");
    s.backoff.reset();
    deliver(s, outcome.data);
    return {true, std::chrono::milliseconds(seconds_ms(s.options.period_s))};
  }
  count_failure(s.stats, outcome.failure);
  Clock::duration delay = std::chrono::milliseconds(s.backoff.next_delay_ms(s.hooks.wall_clock()));
  if (outcome.failure == RestFailure::rate_limited && response.retry_after &&
      response.retry_after->count() > 0) {
    delay = *response.retry_after;
  }
  spdlog::warn(
      "OKX instruments failed ({}): {}; next try in {}", to_string(outcome.failure), outcome.detail,
      format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()));
  return {false, delay};
}

net::awaitable<void> run_poller(std::shared_ptr<State> s) {
  while (!s->stopped) {
    const auto started = Clock::now();
    ++s->stats.requests;
    HttpHeaders headers{{"Accept", "application/json"}};
    const HttpsResponse response =
        co_await s->client.get(std::string(okx_instruments_target), std::move(headers));
    if (s->stopped) co_return;
    // A success counts the period from when the request went out, a failure from now.
    const NextPoll next = handle(*s, response);
    s->timer.expires_at((next.success ? started : Clock::now()) + next.wait);
    co_await s->timer.async_wait(net::as_tuple(net::use_awaitable));
  }
}

}  // namespace

OkxInstrumentsPoller::OkxInstrumentsPoller(const net::any_io_executor& executor,
                                           OkxInstrumentsOptions options,
                                           OkxInstrumentsHooks hooks) {
  if (!hooks.wall_clock) hooks.wall_clock = system_now_ms;
  state_ = std::make_shared<State>(executor, std::move(options), std::move(hooks));
}

OkxInstrumentsPoller::~OkxInstrumentsPoller() {
  stop();
}

void OkxInstrumentsPoller::start() {
  if (state_->started || state_->stopped) return;
  state_->started = true;
  net::co_spawn(state_->timer.get_executor(), run_poller(state_), [](const std::exception_ptr& e) {
    // Nothing on the request path throws; if something ever does, it ends the poller, not the
    // daemon.
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("OKX instruments poller stopped: {}", ex.what());
    } catch (...) {
      spdlog::error("OKX instruments poller stopped");
    }
  });
}

void OkxInstrumentsPoller::stop() {
  state_->stopped = true;
  state_->timer.cancel();
  state_->client.close();
}

OkxInstrumentsStats OkxInstrumentsPoller::stats() const {
  return state_->stats;
}

}  // namespace teleglas
