// The outbox, the settings and the history in a PostgreSQL database that several daemons may
// share: history (signals, outcomes, gaps, market events) is common to all of them, while the
// alert outbox and the settings belong to one storage.instance, which one daemon at a time may
// use (a session advisory lock). Calls block on libpq; one thread at a time, like SqliteStore.
#pragma once

#include <memory>
#include <string>

#include "teleglas/storage/store.hpp"

namespace teleglas {

class PostgresStore final : public Store {
 public:
  // The version in the teleglas_schema table. 1: outbox, settings and history; 2: the alerts'
  // photos.
  static constexpr int schema_version = 2;

  // Connects to `url` (a libpq URL or key=value string; the password may also come from
  // PGPASSWORD or ~/.pgpass), creates or checks the schema, and takes the instance's lock.
  // An older schema is migrated, once, however many daemons open it at the same time.
  // `instance` empty = this host's name. Throws std::runtime_error naming the URL with its
  // password redacted: cannot connect, a schema newer than schema_version, tables of the same
  // names that are not ours, the instance in use by another live connection.
  static std::unique_ptr<PostgresStore> open(const std::string& url, const std::string& instance);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // A call that finds the connection lost fails (last_error() says so); the next call
  // reconnects once (PQreset), takes the instance's lock again and goes on.
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

  std::string_view backend() const override { return "postgres"; }
  std::string where() const override;
  // The storage.instance this store's outbox and settings belong to (the host name when the
  // configuration leaves it empty).
  const std::string& instance() const;

 private:
  struct Session;  // the libpq connection and what it needs to be rebuilt (src/storage)

  explicit PostgresStore(std::unique_ptr<Session> session);
  // Keeps "operation: message" (secrets removed) in last_error_, rolls back an open
  // transaction; returns false for `return fail(...)`.
  bool fail(std::string_view operation, std::string_view message);
  // Ready to run statements: reconnects once when the connection was lost. False (last_error_
  // set) when it cannot.
  bool connected(std::string_view operation);
  bool resolve(std::string_view operation, std::span<const std::uint64_t> ids, TimeMs at_ms,
               std::string_view state, std::string_view reason);
  // The rows of a prepared SELECT of outcomes (with `since` as $1 when given).
  std::optional<std::vector<Outcome>> read_outcomes(std::string_view operation,
                                                    const char* statement,
                                                    std::optional<TimeMs> since);

  std::unique_ptr<Session> session_;
  std::string last_error_;
};

}  // namespace teleglas
