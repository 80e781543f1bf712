// TEMPORARY: opens the outbox half of the Store in SQLite until SqliteStore implements the
// whole Store (its history tables are being written on the storage branch). Until then the
// history is not kept: its reads and writes fail with a message that says so, and /stats
// answers that no history is available. Replace this file with the real open_store.
#include "teleglas/storage/open_store.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas {

namespace {

class SqliteOutboxStore final : public Store {
 public:
  SqliteOutboxStore(std::unique_ptr<SqliteStore> sqlite, std::string path)
      : sqlite_(std::move(sqlite)), path_(std::move(path)) {}

  bool save_alert(const StoredAlert& alert) override { return outbox().save_alert(alert); }
  bool mark_sent(std::span<const std::uint64_t> ids, TimeMs at_ms) override {
    return outbox().mark_sent(ids, at_ms);
  }
  bool mark_dropped(std::span<const std::uint64_t> ids, TimeMs at_ms,
                    std::string_view reason) override {
    return outbox().mark_dropped(ids, at_ms, reason);
  }
  std::vector<StoredAlert> unsent_alerts() override { return outbox().unsent_alerts(); }
  std::uint64_t max_alert_id() override { return outbox().max_alert_id(); }
  std::optional<std::string> setting(std::string_view key) override {
    return outbox().setting(key);
  }
  bool set_setting(std::string_view key, std::string_view value) override {
    return outbox().set_setting(key, value);
  }
  std::size_t purge_resolved_before(TimeMs cutoff_ms) override {
    return outbox().purge_resolved_before(cutoff_ms);
  }
  Counts counts() override { return outbox().counts(); }
  const std::string& last_error() const override {
    return history_failed_ ? history_error_ : sqlite_->last_error();
  }

  bool write(const HistoryBatch&) override { return history_unavailable(); }
  std::optional<std::vector<Outcome>> signals_since(TimeMs) override {
    history_unavailable();
    return std::nullopt;
  }
  std::optional<std::vector<Outcome>> open_outcomes() override {
    history_unavailable();
    return std::nullopt;
  }
  std::optional<std::string> signal_json(TimeMs, SignalType, std::string_view, Direction) override {
    history_unavailable();
    return std::nullopt;
  }
  std::size_t purge_history_before(TimeMs) override { return 0; }
  HistoryCounts history_counts() override { return {}; }

  std::string_view backend() const override { return "sqlite"; }
  std::string where() const override { return path_; }

 private:
  // last_error() then speaks of the outbox call that ran last.
  SqliteStore& outbox() {
    history_failed_ = false;
    return *sqlite_;
  }
  bool history_unavailable() {
    history_failed_ = true;
    return false;
  }

  std::unique_ptr<SqliteStore> sqlite_;
  std::string path_;
  bool history_failed_ = false;
  const std::string history_error_ = "history: not kept by this build's SQLite store yet";
};

}  // namespace

std::unique_ptr<Store> open_store(const StorageConfig& storage) {
  if (storage.backend != "sqlite") {
    throw std::runtime_error("storage.backend " + storage.backend +
                             " is not available in this build; use sqlite");
  }
  return std::make_unique<SqliteOutboxStore>(SqliteStore::open(storage.path), storage.path);
}

}  // namespace teleglas
