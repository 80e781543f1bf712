// TEMPORARY test support, until SqliteStore implements the whole Store (its history tables
// are being written on the storage branch): a Store whose outbox and settings are a real
// SqliteStore and whose history lives in memory, so that the StorageWriter can take it.
// Replace its uses with SqliteStore::open once SqliteStore is a Store.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "teleglas/storage/sqlite_store.hpp"
#include "teleglas/storage/store.hpp"

namespace teleglas::testing {

class OutboxOnlyStore final : public Store {
 public:
  explicit OutboxOnlyStore(std::unique_ptr<SqliteStore> outbox) : outbox_(std::move(outbox)) {}
  static std::unique_ptr<OutboxOnlyStore> open(
      const std::string& path,
      std::chrono::milliseconds busy_timeout = SqliteStore::default_busy_timeout) {
    return std::make_unique<OutboxOnlyStore>(SqliteStore::open(path, busy_timeout));
  }

  // ---- OutboxStore: the SQLite file ----
  bool save_alert(const StoredAlert& alert) override { return outbox_->save_alert(alert); }
  bool mark_sent(std::span<const std::uint64_t> ids, TimeMs at_ms) override {
    return outbox_->mark_sent(ids, at_ms);
  }
  bool mark_dropped(std::span<const std::uint64_t> ids, TimeMs at_ms,
                    std::string_view reason) override {
    return outbox_->mark_dropped(ids, at_ms, reason);
  }
  std::vector<StoredAlert> unsent_alerts() override { return outbox_->unsent_alerts(); }
  std::uint64_t max_alert_id() override { return outbox_->max_alert_id(); }
  std::optional<std::string> setting(std::string_view key) override {
    return outbox_->setting(key);
  }
  bool set_setting(std::string_view key, std::string_view value) override {
    return outbox_->set_setting(key, value);
  }
  std::size_t purge_resolved_before(TimeMs cutoff_ms) override {
    return outbox_->purge_resolved_before(cutoff_ms);
  }
  Counts counts() override { return outbox_->counts(); }
  const std::string& last_error() const override { return outbox_->last_error(); }

  // ---- HistoryStore: in memory ----
  bool write(const HistoryBatch& batch) override {
    for (const SignalRecord& record : batch.signals) {
      if (find(key_of(record.signal)) != rows_.end()) continue;  // the first one stays
      rows_.push_back({row_of(record.signal), record.json});
    }
    for (const Outcome& outcome : batch.outcomes) {
      if (const auto row = find(key_of(outcome)); row != rows_.end()) row->outcome = outcome;
    }
    gaps_.insert(gaps_.end(), batch.gaps.begin(), batch.gaps.end());
    events_.insert(events_.end(), batch.events.begin(), batch.events.end());
    return true;
  }
  std::optional<std::vector<Outcome>> signals_since(TimeMs since) override {
    return outcomes_where([since](const Outcome& o) { return o.signal_time >= since; });
  }
  std::optional<std::vector<Outcome>> open_outcomes() override {
    return outcomes_where([](const Outcome& o) { return o.state == OutcomeState::open; });
  }
  std::optional<std::string> signal_json(TimeMs time, SignalType type, std::string_view symbol,
                                         Direction direction) override {
    const auto row = find(Key{time, type, std::string(symbol), direction});
    if (row == rows_.end()) return std::nullopt;
    return row->json;
  }
  std::size_t purge_history_before(TimeMs cutoff_ms) override {
    const std::size_t gaps =
        std::erase_if(gaps_, [&](const StoredGap& g) { return g.to < cutoff_ms; });
    return gaps + std::erase_if(events_, [&](const StoredEvent& e) { return e.time < cutoff_ms; });
  }
  HistoryCounts history_counts() override {
    HistoryCounts counts;
    counts.signals = rows_.size();
    counts.open_outcomes = open_outcomes()->size();
    counts.gaps = gaps_.size();
    counts.events = events_.size();
    return counts;
  }

  std::string_view backend() const override { return "sqlite"; }
  std::string where() const override { return "(outbox in SQLite, history in memory)"; }

 private:
  using Key = std::tuple<TimeMs, SignalType, std::string, Direction>;
  struct Row {
    Outcome outcome;
    std::string json;
  };

  static Key key_of(const Signal& s) { return {s.time, s.type, s.symbol, s.direction}; }
  static Key key_of(const Outcome& o) { return {o.signal_time, o.type, o.symbol, o.direction}; }

  // A signal as history first keeps it: open when it has a setup to follow, else untracked.
  static Outcome row_of(const Signal& s) {
    Outcome o;
    o.signal_time = s.time;
    o.type = s.type;
    o.symbol = s.symbol;
    o.direction = s.direction;
    o.exchange = s.exchange;
    o.confidence = s.confidence;
    if (s.setup) {
      o.entry = s.setup->entry;
      o.stop = s.setup->stop;
      o.target = s.setup->target;
    }
    o.state = s.setup ? OutcomeState::open : OutcomeState::untracked;
    return o;
  }

  std::vector<Row>::iterator find(const Key& key) {
    return std::find_if(rows_.begin(), rows_.end(),
                        [&](const Row& row) { return key_of(row.outcome) == key; });
  }

  template <typename Keep>
  std::vector<Outcome> outcomes_where(Keep keep) const {
    std::vector<Outcome> out;
    for (const Row& row : rows_) {
      if (keep(row.outcome)) out.push_back(row.outcome);
    }
    std::sort(out.begin(), out.end(),
              [](const Outcome& a, const Outcome& b) { return key_of(a) < key_of(b); });
    return out;
  }

  std::unique_ptr<SqliteStore> outbox_;
  std::vector<Row> rows_;
  std::vector<StoredGap> gaps_;
  std::vector<StoredEvent> events_;
};

}  // namespace teleglas::testing
