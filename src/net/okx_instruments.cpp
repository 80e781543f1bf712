#include "teleglas/net/okx_instruments.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <exception>
#include <functional>

#include "teleglas/core/clock.hpp"
#include "teleglas/net/poll_loop.hpp"

namespace teleglas {

namespace net = boost::asio;

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
        loop(executor, options.rest_url,
             HttpsClientOptions{
                 .ca_file = options.ca_file,
                 .timeout = std::chrono::milliseconds(seconds_ms(options.request_timeout_s)),
                 .body_limit = options.max_body_bytes},
             HttpHeaders{{"Accept", "application/json"}}) {
    loop.jobs().push_back(PollJob{.name = "OKX instruments",
                                  .channel = {},
                                  .target = std::string(okx_instruments_target),
                                  .period = from_seconds(options.period_s),
                                  .backoff = Backoff(policy(options), hooks.random),
                                  .due = PollClock::now()});
  }

  // Retries start sooner than the period and never wait longer than it.
  static BackoffPolicy policy(const OkxInstrumentsOptions& o) {
    BackoffPolicy p = o.backoff;
    p.initial_s = std::min(p.initial_s, o.period_s);
    p.max_s = std::max(p.initial_s, std::min(p.max_s, o.period_s));
    return p;
  }

  OkxInstrumentsOptions options;
  OkxInstrumentsHooks hooks;
  PollLoop loop;
  OkxInstrumentsStats stats;
};

}  // namespace detail

namespace {

using State = detail::OkxInstrumentsState;
using detail::PollJob;

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

void handle(State& s, PollJob& job, const HttpsResponse& response,
            detail::PollClock::time_point started) {
  const RestOutcome outcome = classify_okx_instruments(response);
  if (outcome.failure == RestFailure::none) {
    ++s.stats.successes;
    // A success counts the period from when the request went out, a failure from now.
    detail::job_succeeded(job, started);
    deliver(s, outcome.data);
    return;
  }
  count_failure(s.stats, outcome.failure);
  detail::job_failed(job, outcome, response, s.hooks.wall_clock());
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
  state_->loop.start(state_, std::bind_front(handle, std::ref(*state_)), "OKX instruments");
}

void OkxInstrumentsPoller::stop() {
  state_->loop.stop();
}

OkxInstrumentsStats OkxInstrumentsPoller::stats() const {
  OkxInstrumentsStats out = state_->stats;
  out.requests = state_->loop.requests();
  return out;
}

}  // namespace teleglas
