// When the REST pollers' shared schedule runs a job next (job_succeeded, job_failed): the
// pollers' own tests run it against real servers; these pin its choices down without a wait.
#include "teleglas/net/poll_loop.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace teleglas::detail {
namespace {

using namespace std::chrono_literals;

PollJob job_with_backoff(double initial_s, double max_s) {
  BackoffPolicy policy;
  policy.initial_s = initial_s;
  policy.max_s = max_s;
  return PollJob{.name = "test poll",
                 .channel = {},
                 .target = "/x",
                 .period = 60s,
                 .backoff = Backoff(policy, nullptr),
                 .due = PollClock::now()};
}

RestOutcome failed(RestFailure failure) {
  RestOutcome outcome;
  outcome.failure = failure;
  outcome.detail = "what went wrong";
  return outcome;
}

HttpsResponse answer(unsigned status, std::optional<std::chrono::seconds> retry_after = {}) {
  HttpsResponse response;
  response.status = status;
  response.retry_after = retry_after;
  return response;
}

TEST(PollSchedule, ARateLimitWaitsItsRetryAfterWithoutTakingABackoffStep) {
  PollJob job = job_with_backoff(2, 300);
  const auto before = PollClock::now();
  EXPECT_EQ(job_failed(job, failed(RestFailure::rate_limited), answer(429, 7s), 0), 7s);
  EXPECT_GE(job.due, before + 7s);
  EXPECT_LE(job.due, PollClock::now() + 7s);
  EXPECT_EQ(job.backoff.attempts(), 0);
  // The next failure starts the schedule from its first step.
  EXPECT_EQ(job_failed(job, failed(RestFailure::http_status), answer(500), 0), 2s);
}

TEST(PollSchedule, ARateLimitWithoutAUsableRetryAfterTakesTheBackoffStep) {
  PollJob job = job_with_backoff(2, 300);
  EXPECT_EQ(job_failed(job, failed(RestFailure::rate_limited), answer(429), 0), 2s);
  EXPECT_EQ(job_failed(job, failed(RestFailure::rate_limited), answer(429, 0s), 0), 4s);
  EXPECT_EQ(job.backoff.attempts(), 2);
}

TEST(PollSchedule, OnlyARateLimitHonoursRetryAfter) {
  PollJob job = job_with_backoff(2, 300);
  EXPECT_EQ(job_failed(job, failed(RestFailure::http_status), answer(503, 30s), 0), 2s);
}

TEST(PollSchedule, FailuresBackOffUpToTheMaximum) {
  PollJob job = job_with_backoff(2, 5);
  EXPECT_EQ(job_failed(job, failed(RestFailure::transport), answer(0), 0), 2s);
  EXPECT_EQ(job_failed(job, failed(RestFailure::transport), answer(0), 0), 4s);
  EXPECT_EQ(job_failed(job, failed(RestFailure::transport), answer(0), 0), 5s);
  EXPECT_EQ(job_failed(job, failed(RestFailure::transport), answer(0), 0), 5s);
}

TEST(PollSchedule, ASuccessStartsTheScheduleOverAPeriodAfterTheRequestWentOut) {
  PollJob job = job_with_backoff(2, 300);
  job_failed(job, failed(RestFailure::transport), answer(0), 0);
  job_failed(job, failed(RestFailure::transport), answer(0), 0);
  const auto started = PollClock::now() - 3s;
  job_succeeded(job, started);
  EXPECT_EQ(job.due, started + 60s);
  EXPECT_EQ(job.backoff.attempts(), 0);
  EXPECT_EQ(job_failed(job, failed(RestFailure::transport), answer(0), 0), 2s);
}

}  // namespace
}  // namespace teleglas::detail
