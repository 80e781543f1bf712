// The only thread that touches the store. Everything else hands it work and goes on: the
// io_context never waits on disk or on a database server.
//
// - History (signals, outcomes, gaps, market events) is batched: whatever is queued when the
//   thread gets to it is written in one transaction. Signals, outcomes and gaps are never
//   dropped: a failed batch is written again (backing off) until the store takes it. Market
//   events wait in a bounded queue (storage.max_queued_events); beyond it they are dropped
//   and counted.
// - Jobs (the alert outbox, settings, reads) run in the order submitted, before the history
//   batch of the same turn, each getting the store or nullptr while none is open. A job's
//   own completion is its business (the app posts it back to its io_context).
// - A store that cannot be opened is tried again with backoff; so is a failing batch (a
//   PostgreSQL server away, a full disk) — the store itself reconnects on its next call.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "teleglas/storage/store.hpp"

namespace teleglas {

struct StorageWriterOptions {
  std::size_t max_queued_events = 100'000;
  // Market events alone wait this long to gather a bigger batch; anything else goes at once.
  std::chrono::milliseconds batch_delay{200};
  std::chrono::milliseconds retry_initial{500};
  std::chrono::milliseconds retry_max{30'000};
  // A batch that keeps failing while the store answers otherwise is given up after this many
  // attempts (a bug, not an outage): logged through on_problem and counted as lost.
  int max_attempts_when_reachable = 5;
  // Told (on the writer thread) when the store becomes unavailable, with the reason, and when
  // it is back (empty reason). Called once per change, not per failed attempt, with the
  // writer's lock held: it must not call the writer.
  std::function<void(const std::string& reason)> on_state;
};

struct StorageWriterStats {
  bool available = false;
  std::string last_error;  // the last failure, empty before any
  std::uint64_t batches = 0, failed_batches = 0;
  std::uint64_t signals_written = 0, outcomes_written = 0, gaps_written = 0;
  std::uint64_t events_written = 0, events_dropped = 0;
  std::uint64_t records_lost = 0;  // signals/outcomes/gaps of a batch given up (see above)
  std::uint64_t jobs = 0;
  std::size_t queued_events = 0;
  std::size_t queued_records = 0;  // signals, outcomes, gaps waiting
  std::size_t queued_jobs = 0;
};

class StorageWriter {
 public:
  using Opener = std::function<std::unique_ptr<Store>()>;  // throws with the reason
  using Job = std::function<void(Store*)>;

  // Tries to open the store once on the calling thread (startup); when that fails the writer
  // thread keeps trying. `open` must stay callable for the writer's life.
  explicit StorageWriter(Opener open, StorageWriterOptions options = {});
  // An open store (tests, replay); `reopen` may be empty.
  StorageWriter(std::unique_ptr<Store> store, StorageWriterOptions options = {});
  // Stops after writing what it can within `drain_timeout` of stop().
  ~StorageWriter();
  StorageWriter(const StorageWriter&) = delete;
  StorageWriter& operator=(const StorageWriter&) = delete;

  void save_signal(SignalRecord record);
  void save_outcome(const Outcome& outcome);
  void save_gap(StoredGap gap);
  // Returns how many of them were queued (the rest were dropped: the queue is full).
  std::size_t save_events(std::span<const StoredEvent> events);
  // The same, taking the events (moved from; `events` is left empty): no copy on the hot path.
  std::size_t take_events(std::vector<StoredEvent>& events);
  void submit(Job job);

  // Blocks until everything submitted before the call has been written or given up, or the
  // timeout passes (false). Never call it from a job.
  bool flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));
  // Blocks the caller for a job's result (startup reads, tests). Never from a job.
  template <typename Fn>
  auto call(Fn fn) -> decltype(fn(static_cast<Store*>(nullptr)));

  // Writes what is queued (waiting up to `drain_timeout`; a store that is away gets one
  // last attempt, not the whole timeout) and joins the thread. What could not be written is
  // counted in records_lost / events_dropped.
  void stop(std::chrono::milliseconds drain_timeout = std::chrono::milliseconds(5'000));

  StorageWriterStats stats() const;
  // The open store's description (backend and where), or the opener's last error.
  std::string describe() const;

 private:
  void run();
  void try_open();
  void write_history(std::unique_lock<std::mutex>& lock);
  void set_available(bool available, const std::string& reason);

  Opener open_;
  StorageWriterOptions options_;
  std::unique_ptr<Store> store_;  // only the writer thread uses it once started

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable progress_;
  HistoryBatch queued_;  // signals, outcomes, gaps, events waiting
  std::deque<Job> jobs_;
  std::uint64_t submitted_ = 0;  // work items ever queued (a batch entry or a job)
  std::uint64_t finished_ = 0;   // ... written, run or given up
  std::uint64_t in_batch_ = 0;   // items of the batch being written
  bool stopping_ = false;
  bool flushing_ = false;
  bool final_attempt_done_ = false;  // stopping: the last write was tried
  std::chrono::steady_clock::time_point drain_deadline_{};
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  int attempts_ = 0;
  StorageWriterStats stats_;
  std::string where_;
  std::thread thread_;
};

template <typename Fn>
auto StorageWriter::call(Fn fn) -> decltype(fn(static_cast<Store*>(nullptr))) {
  using Result = decltype(fn(static_cast<Store*>(nullptr)));
  std::promise<Result> promise;
  auto future = promise.get_future();
  submit([&](Store* store) {
    if constexpr (std::is_void_v<Result>) {
      fn(store);
      promise.set_value();
    } else {
      promise.set_value(fn(store));
    }
  });
  return future.get();
}

}  // namespace teleglas
