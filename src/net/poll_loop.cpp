#include "teleglas/net/poll_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "teleglas/core/text.hpp"
#include "teleglas/net/url.hpp"

namespace teleglas::detail {

namespace net = boost::asio;

PollClock::duration from_seconds(double s) {
  return std::chrono::duration_cast<PollClock::duration>(std::chrono::duration<double>(s));
}

PollLoop::PollLoop(const net::any_io_executor& executor, std::string_view base_url,
                   HttpsClientOptions client_options, HttpHeaders headers)
    : client_(executor, base_url, std::move(client_options)),
      headers_(std::move(headers)),
      timer_(executor) {}

void PollLoop::start(std::shared_ptr<void> owner, Handler handle, std::string what) {
  if (started_ || stopped_) return;
  started_ = true;
  const auto now = PollClock::now();
  for (PollJob& job : jobs_) job.due = now;
  net::co_spawn(timer_.get_executor(), run(std::move(owner), std::move(handle)),
                [what = std::move(what)](const std::exception_ptr& e) {
                  // Nothing on the request path throws; if something ever does, it ends the
                  // poller, not the daemon.
                  if (!e) return;
                  try {
                    std::rethrow_exception(e);
                  } catch (const std::exception& ex) {
                    spdlog::error("{} poller stopped: {}", what, ex.what());
                  } catch (...) {
                    spdlog::error("{} poller stopped", what);
                  }
                });
}

void PollLoop::stop() {
  stopped_ = true;
  timer_.cancel();
  client_.close();
}

net::awaitable<void> PollLoop::run(std::shared_ptr<void> owner, Handler handle) {
  while (!stopped_ && !jobs_.empty()) {
    auto next = std::min_element(jobs_.begin(), jobs_.end(),
                                 [](const PollJob& a, const PollJob& b) { return a.due < b.due; });
    if (next->due > PollClock::now()) {
      timer_.expires_at(next->due);
      co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
      continue;  // woken early by stop() or not: look again
    }
    PollJob& job = *next;
    const auto started = PollClock::now();
    ++requests_;
    HttpHeaders headers = headers_;  // the client takes its own
    const HttpsResponse response = co_await client_.get(job.target, std::move(headers));
    if (stopped_) co_return;
    handle(job, response, started);
  }
}

void job_succeeded(PollJob& job, PollClock::time_point started) {
  if (job.backoff.attempts() > 0) spdlog::info("{}: recovered", job.name);
  job.backoff.reset();
  job.due = started + job.period;
}

PollClock::duration job_failed(PollJob& job, const RestOutcome& outcome,
                               const HttpsResponse& response, TimeMs wall_now,
                               std::string_view secret) {
  PollClock::duration delay{};
  if (outcome.failure == RestFailure::rate_limited && response.retry_after &&
      response.retry_after->count() > 0) {
    delay = *response.retry_after;
  } else {
    delay = std::chrono::milliseconds(job.backoff.next_delay_ms(wall_now));
  }
  job.due = PollClock::now() + delay;
  spdlog::warn(
      "{} failed ({}): {}; next try in {}", job.name, to_string(outcome.failure),
      redact_secret(outcome.detail, secret),
      format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()));
  return delay;
}

}  // namespace teleglas::detail
