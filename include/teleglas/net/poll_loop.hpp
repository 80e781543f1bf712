// What the REST pollers (CoinGlass's snapshots, OKX's instruments) share: one verified HTTPS
// client with a deadline and a bounded answer, endpoints ("jobs") each polled on its own period
// and retried on its own backoff schedule after a failure, one request at a time, and start /
// stop. Each poller keeps what it makes of an answer.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/net/backoff.hpp"
#include "teleglas/net/https_client.hpp"
#include "teleglas/net/rest_poller.hpp"

namespace teleglas::detail {

using PollClock = std::chrono::steady_clock;

PollClock::duration from_seconds(double s);

// One endpoint polled on its own period, with its own failure schedule.
struct PollJob {
  std::string name;          // in the log: "CoinGlass REST funding rates", "OKX instruments"
  std::string_view channel;  // what its answers are filed under, if the poller names them
  std::string target;
  PollClock::duration period{};
  Backoff backoff;
  PollClock::time_point due{};  // the next request goes out then
};

class PollLoop {
 public:
  // What the poller makes of the answer to a job's request that went out at `started`; it
  // decides when the job runs next (job_succeeded, job_failed).
  using Handler = std::function<void(PollJob& job, const HttpsResponse& response,
                                     PollClock::time_point started)>;

  // Every request is a GET with `headers`. Throws std::invalid_argument for a bad base URL or
  // CA file (startup).
  PollLoop(const boost::asio::any_io_executor& executor, std::string_view base_url,
           HttpsClientOptions client_options, HttpHeaders headers);

  // Polls every job at once, then each when it is due, until stop(). `owner` is kept alive
  // while the loop runs; `what` names the poller in the log should the loop ever end on an
  // exception. Does nothing after a first start or a stop.
  void start(std::shared_ptr<void> owner, Handler handle, std::string what);
  // Cancels the wait and a request in flight; no handler runs afterwards.
  void stop();

  std::vector<PollJob>& jobs() { return jobs_; }
  std::uint64_t requests() const { return requests_; }  // sent, answered or not
  std::uint64_t connections_opened() const { return client_.connections_opened(); }

 private:
  boost::asio::awaitable<void> run(std::shared_ptr<void> owner, Handler handle);

  HttpsClient client_;
  const HttpHeaders headers_;
  boost::asio::steady_timer timer_;
  std::vector<PollJob> jobs_;
  std::uint64_t requests_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

// A good answer to the request of `job` that went out at `started`: the failure schedule
// starts over and the next request goes out a period after this one did.
void job_succeeded(PollJob& job, PollClock::time_point started);

// A failed answer: the next request waits a 429's positive Retry-After, else the job's next
// backoff delay, from now; logged with `secret` masked. Returns the wait.
PollClock::duration job_failed(PollJob& job, const RestOutcome& outcome,
                               const HttpsResponse& response, TimeMs wall_now,
                               std::string_view secret = {});

}  // namespace teleglas::detail
