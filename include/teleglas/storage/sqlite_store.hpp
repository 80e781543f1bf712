// The outbox, the settings and the history of signals, outcomes, gaps and market events in one
// SQLite file (WAL, synchronous=NORMAL): a committed call survives the process being killed;
// only a power loss can take the last few back.
// Single-threaded: one SqliteStore per thread (the daemon's io thread), never shared.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "teleglas/storage/store.hpp"

namespace teleglas {

class SqliteStore final : public Store {
 public:
  // PRAGMA user_version. 1: outbox and settings; 2: history (signals, gaps, market events);
  // 3: the alerts' photos.
  static constexpr int schema_version = 3;
  static constexpr std::chrono::milliseconds default_busy_timeout{2000};

  // Opens or creates the database at `path` (":memory:" for a private in-memory one), creating
  // missing parent directories and the schema. Throws std::runtime_error naming the path and
  // the reason: unable to open, not a database, a schema newer than schema_version, a
  // database of another application (which is left untouched).
  // `busy_timeout` is how long a write waits for another connection's lock before failing.
  static std::unique_ptr<SqliteStore> open(
      const std::string& path, std::chrono::milliseconds busy_timeout = default_busy_timeout);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  bool save_alert(const StoredAlert& alert) override;
  bool mark_sent(std::span<const std::uint64_t> ids, TimeMs at_ms) override;
  bool forget_photos(std::span<const std::uint64_t> ids) override;
  bool mark_dropped(std::span<const std::uint64_t> ids, TimeMs at_ms,
                    std::string_view reason) override;
  std::vector<StoredAlert> unsent_alerts() override;
  std::uint64_t max_alert_id() override;
  std::optional<std::string> setting(std::string_view key) override;
  bool set_setting(std::string_view key, std::string_view value) override;
  std::size_t purge_resolved_before(TimeMs cutoff_ms) override;
  Counts counts() override;
  const std::string& last_error() const override { return last_error_; }

  bool write(const HistoryBatch& batch) override;
  std::optional<std::vector<Outcome>> signals_since(TimeMs since) override;
  std::optional<std::vector<Outcome>> open_outcomes() override;
  std::optional<std::string> signal_json(TimeMs time, SignalType type, std::string_view symbol,
                                         Direction direction) override;
  std::size_t purge_history_before(TimeMs cutoff_ms) override;
  HistoryCounts history_counts() override;

  std::string_view backend() const override { return "sqlite"; }
  std::string where() const override { return path_; }

 private:
  struct Connection;  // the sqlite3 handle and its prepared statements (src/storage)

  SqliteStore(std::unique_ptr<Connection> connection, std::string path);
  // Keeps "operation: sqlite's message" in last_error_; returns false for `return fail(...)`.
  bool fail(std::string_view operation);
  bool fail(std::string_view operation, std::string_view message);
  bool resolve(std::string_view operation, std::span<const std::uint64_t> ids, TimeMs at_ms,
               std::string_view state, std::string_view reason);

  std::unique_ptr<Connection> connection_;
  std::string path_;
  std::string last_error_;
};

}  // namespace teleglas
