#include "teleglas/storage/writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace teleglas {
namespace {

using namespace std::chrono_literals;

// A store in memory whose failures the test switches: writes failing while the "server" is
// away (unreachable: every call fails) or only for batches it refuses (reachable).
class ScriptedStore final : public Store {
 public:
  struct Shared {
    std::mutex mutex;
    std::vector<HistoryBatch> batches;  // as written, in order
    std::atomic<bool> writes_fail{false};
    std::atomic<bool> reachable{true};
    std::atomic<int> write_calls{0};
    std::atomic<std::thread::id> last_thread{};
  };
  explicit ScriptedStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  bool write(const HistoryBatch& batch) override {
    ++shared_->write_calls;
    shared_->last_thread = std::this_thread::get_id();
    if (shared_->writes_fail || !shared_->reachable) {
      error_ = shared_->reachable ? "constraint failed" : "server closed the connection";
      return false;
    }
    const std::lock_guard lock(shared_->mutex);
    shared_->batches.push_back(batch);
    return true;
  }
  std::optional<std::vector<Outcome>> signals_since(TimeMs) override {
    if (!shared_->reachable) return std::nullopt;
    return std::vector<Outcome>{};
  }
  std::optional<std::vector<Outcome>> open_outcomes() override { return std::vector<Outcome>{}; }
  std::optional<std::string> signal_json(TimeMs, SignalType, std::string_view, Direction) override {
    return std::nullopt;
  }
  std::size_t purge_history_before(TimeMs) override { return 0; }
  HistoryCounts history_counts() override { return {}; }

  bool save_alert(const StoredAlert&) override { return shared_->reachable; }
  bool mark_sent(std::span<const std::uint64_t>, TimeMs) override { return true; }
  bool forget_photos(std::span<const std::uint64_t>) override { return true; }
  bool mark_dropped(std::span<const std::uint64_t>, TimeMs, std::string_view) override {
    return true;
  }
  std::vector<StoredAlert> unsent_alerts() override { return {}; }
  std::uint64_t max_alert_id() override { return 41; }
  std::optional<std::string> setting(std::string_view) override { return std::nullopt; }
  bool set_setting(std::string_view, std::string_view) override { return true; }
  std::size_t purge_resolved_before(TimeMs) override { return 0; }
  Counts counts() override { return {}; }
  const std::string& last_error() const override { return error_; }
  std::string_view backend() const override { return "scripted"; }
  std::string where() const override { return "memory"; }

 private:
  std::shared_ptr<Shared> shared_;
  std::string error_;
};

SignalRecord signal_record(TimeMs time) {
  SignalRecord r;
  r.signal.time = time;
  r.signal.symbol = "BTCUSDT";
  r.json = "{}";
  return r;
}

Outcome outcome_at(TimeMs time) {
  Outcome o;
  o.signal_time = time;
  o.symbol = "BTCUSDT";
  return o;
}

StoredEvent event_at(TimeMs time) {
  return StoredEvent{time, EventKind::liquidation, Side::sell, "Binance", "BTCUSDT", 100, 5000};
}

StorageWriterOptions fast_options() {
  StorageWriterOptions o;
  o.batch_delay = 20ms;
  o.retry_initial = 5ms;
  o.retry_max = 20ms;
  return o;
}

struct Written {
  std::vector<TimeMs> signals, outcomes, events;
  std::size_t gaps = 0, batches = 0;
};

Written written(ScriptedStore::Shared& shared) {
  const std::lock_guard lock(shared.mutex);
  Written w;
  for (const HistoryBatch& b : shared.batches) {
    ++w.batches;
    for (const auto& s : b.signals) w.signals.push_back(s.signal.time);
    for (const auto& o : b.outcomes) w.outcomes.push_back(o.signal_time);
    for (const auto& e : b.events) w.events.push_back(e.time);
    w.gaps += b.gaps.size();
  }
  return w;
}

TEST(StorageWriter, WritesEverythingInOrderOnItsOwnThread) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), fast_options());
  for (TimeMs t = 1; t <= 5; ++t) {
    writer.save_signal(signal_record(t));
    writer.save_outcome(outcome_at(t));
    const StoredEvent e = event_at(t);
    EXPECT_EQ(writer.save_events(std::span(&e, 1)), 1u);
  }
  writer.save_gap({10, 20, "coinglass/0"});
  ASSERT_TRUE(writer.flush(5s));
  const Written w = written(*shared);
  EXPECT_EQ(w.signals, (std::vector<TimeMs>{1, 2, 3, 4, 5}));
  EXPECT_EQ(w.outcomes, (std::vector<TimeMs>{1, 2, 3, 4, 5}));
  EXPECT_EQ(w.events, (std::vector<TimeMs>{1, 2, 3, 4, 5}));
  EXPECT_EQ(w.gaps, 1u);
  EXPECT_NE(shared->last_thread.load(), std::this_thread::get_id());
  const StorageWriterStats s = writer.stats();
  EXPECT_TRUE(s.available);
  EXPECT_EQ(s.signals_written, 5u);
  EXPECT_EQ(s.outcomes_written, 5u);
  EXPECT_EQ(s.events_written, 5u);
  EXPECT_EQ(s.gaps_written, 1u);
  EXPECT_EQ(s.events_dropped, 0u);
}

TEST(StorageWriter, MarketEventsAloneAreGatheredIntoFewBatches) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  StorageWriterOptions options = fast_options();
  options.batch_delay = 200ms;
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), options);
  for (TimeMs t = 0; t < 2'000; ++t) {
    const StoredEvent e = event_at(t);
    writer.save_events(std::span(&e, 1));
  }
  ASSERT_TRUE(writer.flush(5s));
  const Written w = written(*shared);
  EXPECT_EQ(w.events.size(), 2'000u);
  EXPECT_LE(w.batches, 3u) << "one per batch delay, not one per event";
}

TEST(StorageWriter, AFullEventQueueDropsEventsAndCountsThemButNeverSignals) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  shared->reachable = false;  // nothing leaves the queue
  StorageWriterOptions options = fast_options();
  options.max_queued_events = 100;
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), options);
  std::vector<StoredEvent> events;
  for (TimeMs t = 0; t < 150; ++t) events.push_back(event_at(t));
  EXPECT_EQ(writer.save_events(events), 100u);
  for (TimeMs t = 0; t < 500; ++t) writer.save_signal(signal_record(t));
  EXPECT_FALSE(writer.flush(100ms)) << "the store is away: nothing can be written";
  StorageWriterStats s = writer.stats();
  EXPECT_FALSE(s.available);
  EXPECT_EQ(s.last_error, "server closed the connection");
  EXPECT_EQ(s.events_dropped, 50u);
  EXPECT_EQ(s.queued_events, 100u);
  EXPECT_EQ(s.queued_records, 500u);

  shared->reachable = true;  // back
  ASSERT_TRUE(writer.flush(5s));
  const Written w = written(*shared);
  EXPECT_EQ(w.signals.size(), 500u);
  EXPECT_EQ(w.signals.front(), 0);
  EXPECT_EQ(w.signals.back(), 499);
  EXPECT_EQ(w.events.size(), 100u);
  s = writer.stats();
  EXPECT_TRUE(s.available);
  EXPECT_EQ(s.records_lost, 0u);
}

TEST(StorageWriter, TellsOnceWhenTheStoreGoesAwayAndOnceWhenItIsBack) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  std::mutex mutex;
  std::vector<std::string> told;
  StorageWriterOptions options = fast_options();
  options.on_state = [&](const std::string& reason) {
    const std::lock_guard lock(mutex);
    told.push_back(reason);
  };
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), options);
  shared->reachable = false;
  writer.save_signal(signal_record(1));
  EXPECT_FALSE(writer.flush(200ms));
  EXPECT_GE(shared->write_calls.load(), 3) << "retried, backing off";
  writer.save_outcome(outcome_at(1));
  shared->reachable = true;
  ASSERT_TRUE(writer.flush(5s));
  const Written w = written(*shared);
  EXPECT_EQ(w.signals, std::vector<TimeMs>{1});
  EXPECT_EQ(w.outcomes, std::vector<TimeMs>{1}) << "the outcome follows its signal";
  const std::lock_guard lock(mutex);
  EXPECT_EQ(told, (std::vector<std::string>{"server closed the connection", ""}));
}

TEST(StorageWriter, ABatchTheStoreKeepsRefusingWhileAnsweringIsGivenUpAndCounted) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  shared->writes_fail = true;
  StorageWriterOptions options = fast_options();
  options.max_attempts_when_reachable = 3;
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), options);
  writer.save_signal(signal_record(1));
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(writer.stats().records_lost, 1u);
  EXPECT_EQ(shared->write_calls.load(), 3);
  shared->writes_fail = false;
  writer.save_signal(signal_record(2));
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(written(*shared).signals, std::vector<TimeMs>{2});
}

TEST(StorageWriter, OpensLaterWhenTheStoreCannotBeOpenedAtStart) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  std::atomic<int> attempts{0};
  StorageWriter writer(
      [&]() -> std::unique_ptr<Store> {
        if (++attempts < 3) throw std::runtime_error("postgres postgresql://u:***@127.0.0.1:1/x: refused");
        return std::make_unique<ScriptedStore>(shared);
      },
      fast_options());
  EXPECT_FALSE(writer.stats().available);
  EXPECT_EQ(writer.describe(), "postgres postgresql://u:***@127.0.0.1:1/x: refused");
  // Jobs do not wait for the store: they run with what there is.
  writer.save_signal(signal_record(7));
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(attempts.load(), 3);
  EXPECT_TRUE(writer.stats().available);
  EXPECT_EQ(writer.describe(), "scripted memory");
  EXPECT_EQ(written(*shared).signals, std::vector<TimeMs>{7});
}

TEST(StorageWriter, JobsRunInOrderAndGetNoStoreWhileThereIsNone) {
  std::atomic<bool> fail{true};
  auto shared = std::make_shared<ScriptedStore::Shared>();
  StorageWriterOptions options = fast_options();
  options.retry_initial = 10s;  // the second attempt is far away
  options.retry_max = 10s;
  StorageWriter writer(
      [&]() -> std::unique_ptr<Store> {
        if (fail) throw std::runtime_error("cannot open data/x.db: disk I/O error");
        return std::make_unique<ScriptedStore>(shared);
      },
      options);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) {
    writer.submit([&order, i](Store* store) {
      EXPECT_EQ(store, nullptr);
      order.push_back(i);
    });
  }
  EXPECT_FALSE(writer.call([](Store* store) { return store != nullptr; }));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(StorageWriter, CallReturnsTheJobsResult) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), fast_options());
  EXPECT_EQ(writer.call([](Store* store) { return store->max_alert_id(); }), 41u);
}

TEST(StorageWriter, StopWritesWhatIsQueuedAndLaterJobsRunWithoutAStore) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  StorageWriterOptions options = fast_options();
  options.batch_delay = 10s;  // events would wait long; stopping writes them now
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), options);
  const StoredEvent e = event_at(3);
  writer.save_events(std::span(&e, 1));
  writer.stop();
  EXPECT_EQ(written(*shared).events, std::vector<TimeMs>{3});
  bool ran = false;
  writer.submit([&](Store* store) {
    ran = true;
    EXPECT_EQ(store, nullptr);
  });
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST(StorageWriter, StoppingWithTheStoreAwayTriesOnceAndCountsWhatIsLost) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  shared->reachable = false;
  StorageWriterOptions options = fast_options();
  options.retry_initial = 10s;  // the next regular attempt is far away
  options.retry_max = 10s;
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), options);
  writer.save_signal(signal_record(1));
  writer.save_outcome(outcome_at(1));
  EXPECT_FALSE(writer.flush(100ms));
  const int before = shared->write_calls.load();
  const auto started = std::chrono::steady_clock::now();
  writer.stop(std::chrono::milliseconds(5'000));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "not the whole drain timeout";
  EXPECT_EQ(shared->write_calls.load(), before + 1) << "one last attempt";
  EXPECT_EQ(writer.stats().records_lost, 2u);
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST(StorageWriter, TakenEventsAreMovedInAndTheCapStillHolds) {
  auto shared = std::make_shared<ScriptedStore::Shared>();
  shared->reachable = false;
  StorageWriterOptions options = fast_options();
  options.max_queued_events = 100;
  StorageWriter writer(std::make_unique<ScriptedStore>(shared), options);
  std::vector<StoredEvent> batch;
  for (TimeMs t = 0; t < 60; ++t) batch.push_back(event_at(t));
  EXPECT_EQ(writer.take_events(batch), 60u);
  EXPECT_TRUE(batch.empty());
  for (TimeMs t = 60; t < 120; ++t) batch.push_back(event_at(t));
  EXPECT_EQ(writer.take_events(batch), 40u);
  EXPECT_TRUE(batch.empty());
  EXPECT_EQ(writer.stats().events_dropped, 20u);
  shared->reachable = true;
  ASSERT_TRUE(writer.flush(5s));
  const Written w = written(*shared);
  ASSERT_EQ(w.events.size(), 100u);
  EXPECT_EQ(w.events.front(), 0);
  EXPECT_EQ(w.events.back(), 99);
}

}  // namespace
}  // namespace teleglas
