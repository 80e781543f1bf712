#include "teleglas/storage/writer.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace teleglas {

namespace {

using Clock = std::chrono::steady_clock;

std::size_t records_of(const HistoryBatch& b) {
  return b.signals.size() + b.outcomes.size() + b.gaps.size();
}

template <typename T>
void prepend(std::vector<T>& to, std::vector<T>& first) {
  first.insert(first.end(), std::make_move_iterator(to.begin()), std::make_move_iterator(to.end()));
  to = std::move(first);
}

}  // namespace

StorageWriter::StorageWriter(Opener open, StorageWriterOptions options)
    : open_(std::move(open)), options_(std::move(options)) {
  try {
    store_ = open_();
    where_ = std::string(store_->backend()) + " " + store_->where();
    stats_.available = true;
  } catch (const std::exception& e) {
    stats_.last_error = e.what();
    where_ = e.what();
    backoff_ = options_.retry_initial;
    retry_at_ = Clock::now() + backoff_;
  }
  thread_ = std::thread([this] { run(); });
}

StorageWriter::StorageWriter(std::unique_ptr<Store> store, StorageWriterOptions options)
    : options_(std::move(options)), store_(std::move(store)) {
  where_ = std::string(store_->backend()) + " " + store_->where();
  stats_.available = true;
  thread_ = std::thread([this] { run(); });
}

StorageWriter::~StorageWriter() {
  stop();
}

void StorageWriter::save_signal(SignalRecord record) {
  {
    const std::lock_guard lock(mutex_);
    queued_.signals.push_back(std::move(record));
    ++submitted_;
  }
  wake_.notify_one();
}

void StorageWriter::save_outcome(const Outcome& outcome) {
  {
    const std::lock_guard lock(mutex_);
    queued_.outcomes.push_back(outcome);
    ++submitted_;
  }
  wake_.notify_one();
}

void StorageWriter::save_gap(StoredGap gap) {
  {
    const std::lock_guard lock(mutex_);
    queued_.gaps.push_back(std::move(gap));
    ++submitted_;
  }
  wake_.notify_one();
}

std::size_t StorageWriter::save_events(std::span<const StoredEvent> events) {
  std::vector<StoredEvent> copy(events.begin(), events.end());
  return take_events(copy);
}

std::size_t StorageWriter::take_events(std::vector<StoredEvent>& events) {
  const std::size_t offered = events.size();
  if (offered == 0) return 0;
  bool first = false;
  std::size_t taken = 0;
  {
    const std::lock_guard lock(mutex_);
    const std::size_t room = options_.max_queued_events > queued_.events.size()
                                 ? options_.max_queued_events - queued_.events.size()
                                 : 0;
    taken = std::min(room, offered);
    first = queued_.events.empty();
    if (first && taken == offered) {
      queued_.events.swap(events);  // O(1); the caller refills the queue's old vector
    } else {
      queued_.events.insert(queued_.events.end(), std::make_move_iterator(events.begin()),
                            std::make_move_iterator(events.begin() + taken));
    }
    stats_.events_dropped += offered - taken;
    submitted_ += taken;
  }
  events.clear();
  // Events alone wait for company (batch_delay); the first one sets the clock going.
  if (first && taken > 0) wake_.notify_one();
  return taken;
}

void StorageWriter::submit(Job job) {
  {
    std::unique_lock lock(mutex_);
    if (!thread_.joinable()) {  // stopped: nothing will run it later
      lock.unlock();
      job(nullptr);
      return;
    }
    jobs_.push_back(std::move(job));
    ++submitted_;
  }
  wake_.notify_one();
}

bool StorageWriter::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = submitted_;
  flushing_ = true;  // events need not wait for company
  wake_.notify_one();
  return progress_.wait_for(lock, timeout, [&] { return finished_ >= target; });
}

void StorageWriter::stop(std::chrono::milliseconds drain_timeout) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    drain_deadline_ = Clock::now() + drain_timeout;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::deque<Job> left;
  {
    const std::lock_guard lock(mutex_);
    left.swap(jobs_);
  }
  for (Job& job : left) job(nullptr);  // a caller may be waiting on its answer
}

StorageWriterStats StorageWriter::stats() const {
  const std::lock_guard lock(mutex_);
  StorageWriterStats s = stats_;
  s.queued_events = queued_.events.size();
  s.queued_records = records_of(queued_);
  s.queued_jobs = jobs_.size();
  return s;
}

std::string StorageWriter::describe() const {
  const std::lock_guard lock(mutex_);
  return where_;
}

void StorageWriter::set_available(bool available, const std::string& reason) {
  if (stats_.available == available) return;
  stats_.available = available;
  if (options_.on_state) options_.on_state(available ? std::string() : reason);
}

void StorageWriter::try_open() {
  std::unique_ptr<Store> store;
  std::string error;
  try {
    store = open_();
  } catch (const std::exception& e) {
    error = e.what();
  }
  const std::lock_guard lock(mutex_);
  if (store) {
    store_ = std::move(store);
    where_ = std::string(store_->backend()) + " " + store_->where();
    backoff_ = std::chrono::milliseconds(0);
    retry_at_ = {};
    set_available(true, {});
    return;
  }
  stats_.last_error = error;
  where_ = error;
  backoff_ = std::min(options_.retry_max, std::max(options_.retry_initial, backoff_ * 2));
  retry_at_ = Clock::now() + backoff_;
  set_available(false, error);
}

void StorageWriter::run() {
  std::unique_lock lock(mutex_);
  Clock::time_point events_due{};  // when a batch of events alone is worth writing
  for (;;) {
    const auto now = Clock::now();
    const bool history = !queued_.empty();
    if (stopping_) {
      if ((jobs_.empty() && !history) || now >= drain_deadline_) break;
      // No store, or the last attempt failed: waiting cannot help the exit.
      if (jobs_.empty() && (!store_ || (final_attempt_done_ && attempts_ > 0))) break;
    }
    if (!store_ && open_ && now >= retry_at_) {
      lock.unlock();
      try_open();
      lock.lock();
      continue;
    }
    if (!jobs_.empty()) {
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job(store_.get());
      lock.lock();
      ++finished_;
      ++stats_.jobs;
      progress_.notify_all();
      continue;
    }
    Clock::time_point until = now + std::chrono::hours(1);
    if (history && store_) {
      const bool events_only = records_of(queued_) == 0;
      if (events_only && events_due == Clock::time_point{}) events_due = now + options_.batch_delay;
      const bool last_chance = stopping_ && !final_attempt_done_;
      const bool due = (now >= retry_at_ || last_chance) &&
                       (!events_only || stopping_ || flushing_ || now >= events_due);
      if (due) {
        events_due = {};
        flushing_ = false;
        if (stopping_) final_attempt_done_ = true;
        write_history(lock);
        continue;
      }
      until = std::max(retry_at_, events_only ? events_due : now);
    } else if (!store_ && open_) {
      until = retry_at_;
    }
    if (stopping_) until = std::min(until, drain_deadline_);
    wake_.wait_until(lock, until);
  }
  // What could not be written by the end is lost with the process: counted, for the caller
  // to say so.
  stats_.records_lost += records_of(queued_);
  stats_.events_dropped += queued_.events.size();
  finished_ += queued_.size();
  queued_.clear();
  progress_.notify_all();
}

void StorageWriter::write_history(std::unique_lock<std::mutex>& lock) {
  HistoryBatch batch;
  std::swap(batch, queued_);
  lock.unlock();
  const bool ok = store_->write(batch);
  const std::size_t written_events = batch.events.size();
  std::string error;
  bool reachable = false;
  if (!ok) {
    error = store_->last_error();
    // Does the store answer otherwise? Then this batch itself is the problem.
    reachable = attempts_ + 1 >= options_.max_attempts_when_reachable &&
                store_->signals_since(std::numeric_limits<TimeMs>::max()).has_value();
  }
  lock.lock();
  ++stats_.batches;
  if (ok) {
    // Hand the written vector's capacity back: the stream refills it without reallocating.
    batch.events.clear();
    if (queued_.events.empty() && queued_.events.capacity() < batch.events.capacity()) {
      queued_.events.swap(batch.events);
    }
    stats_.signals_written += batch.signals.size();
    stats_.outcomes_written += batch.outcomes.size();
    stats_.gaps_written += batch.gaps.size();
    stats_.events_written += written_events;
    finished_ += batch.size() + written_events;
    attempts_ = 0;
    backoff_ = std::chrono::milliseconds(0);
    retry_at_ = {};
    set_available(true, {});
    progress_.notify_all();
    return;
  }
  ++stats_.failed_batches;
  ++attempts_;
  stats_.last_error = error;
  set_available(false, error);
  if (reachable) {
    stats_.records_lost += records_of(batch);
    stats_.events_dropped += batch.events.size();
    finished_ += batch.size();
    attempts_ = 0;
    progress_.notify_all();
    return;
  }
  // Again later, before anything queued since, so the order of outcome updates holds.
  prepend(queued_.signals, batch.signals);
  prepend(queued_.outcomes, batch.outcomes);
  prepend(queued_.gaps, batch.gaps);
  prepend(queued_.events, batch.events);
  if (queued_.events.size() > options_.max_queued_events) {
    const std::size_t over = queued_.events.size() - options_.max_queued_events;
    queued_.events.erase(queued_.events.begin(), queued_.events.begin() + over);  // the oldest
    stats_.events_dropped += over;
    finished_ += over;
    progress_.notify_all();
  }
  backoff_ = std::min(options_.retry_max, std::max(options_.retry_initial, backoff_ * 2));
  retry_at_ = Clock::now() + backoff_;
}

}  // namespace teleglas
