#include "teleglas/storage/sqlite_store.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "history_rows.hpp"
#include "sqlite.hpp"

namespace teleglas {
namespace {

// Version 1. AUTOINCREMENT makes sqlite_sequence remember the highest id ever inserted, also
// the explicit ones we insert, so max_alert_id() does not go back when a purge deletes it.
constexpr const char* schema_v1 = R"sql(
  CREATE TABLE outbox_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    type TEXT NOT NULL,
    symbol TEXT NOT NULL,
    text TEXT NOT NULL,
    headline TEXT NOT NULL,
    silent INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped')),
    resolved_ms INTEGER,
    reason TEXT
  );
  CREATE INDEX outbox_alerts_by_state ON outbox_alerts (state, created_ms);
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  PRAGMA user_version = 1;
)sql";

// Version 2: history. One row per signal, its outcome kept in the same row and updated in
// place; the key is the signal's (time, type, symbol, direction). Names are stored as the
// wire names ("STOP_HUNT", "LONG") so the file reads well in the sqlite3 shell.
constexpr const char* schema_v2 = R"sql(
  CREATE TABLE signals (
    time_ms INTEGER NOT NULL,
    type TEXT NOT NULL,
    symbol TEXT NOT NULL,
    direction TEXT NOT NULL,
    exchange TEXT NOT NULL,
    confidence INTEGER NOT NULL,
    entry REAL,
    stop REAL,
    target REAL,
    state TEXT NOT NULL CHECK (state IN ('open', 'win', 'loss', 'expired', 'untracked')),
    resolved_ms INTEGER NOT NULL,
    max_favourable REAL NOT NULL,
    max_adverse REAL NOT NULL,
    move_5m REAL,
    move_15m REAL,
    move_1h REAL,
    crossed_gap INTEGER NOT NULL,
    observed_until_ms INTEGER NOT NULL,
    last_price REAL NOT NULL,
    priority TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (time_ms, type, symbol, direction)
  );
  CREATE INDEX signals_open ON signals (time_ms, type, symbol, direction) WHERE state = 'open';
  CREATE TABLE gaps (
    from_ms INTEGER NOT NULL,
    to_ms INTEGER NOT NULL,
    source TEXT NOT NULL
  );
  CREATE INDEX gaps_by_time ON gaps (to_ms);
  CREATE TABLE market_events (
    time_ms INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('liquidation', 'trade')),
    side INTEGER NOT NULL CHECK (side IN (1, 2)),
    exchange TEXT NOT NULL,
    symbol TEXT NOT NULL,
    price REAL NOT NULL,
    volume_usd REAL NOT NULL
  );
  CREATE INDEX market_events_by_time ON market_events (time_ms);
  PRAGMA user_version = 2;
)sql";

// Version 3: the alert's chart, a PNG. NULL for a text alert, and once the alert is resolved:
// it is only needed while the alert may still be sent.
constexpr const char* schema_v3 = R"sql(
  ALTER TABLE outbox_alerts ADD COLUMN photo BLOB;
  PRAGMA user_version = 3;
)sql";
static_assert(SqliteStore::schema_version == 3, "add the migration from the previous version");

void create_parent_directory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw std::runtime_error("cannot create directory " + parent.string() + ": " + error.message());
  }
}

// The schema version of a file we may use: 0 for a new (empty) one. Only reads. A file of
// another application (version 0, yet tables in it) or of a newer teleglas throws.
int usable_version(sqlite::Database& db) {
  const int version = std::stoi(db.query_text("PRAGMA user_version"));
  if (version > SqliteStore::schema_version) {
    throw std::runtime_error("schema version " + std::to_string(version) +
                             " is newer than this teleglas (" +
                             std::to_string(SqliteStore::schema_version) + ")");
  }
  if (version == 0) {
    // Every version of ours sets user_version in the transaction that creates its tables.
    const std::string names = db.query_text(R"sql(
      SELECT group_concat(name, ', ') FROM (
        SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\'
        ORDER BY name LIMIT 5))sql");
    if (!names.empty()) {
      throw std::runtime_error("this file is not a teleglas database (it holds " + names +
                               "); it was left untouched");
    }
  }
  return version;
}

void migrate(sqlite::Database& db) {
  // IMMEDIATE: two processes opening a new file at once must not both create the schema.
  db.execute("BEGIN IMMEDIATE");
  const int version = usable_version(db);
  if (version < 1) db.execute(schema_v1);
  if (version < 2) db.execute(schema_v2);
  if (version < 3) db.execute(schema_v3);
  db.execute("COMMIT");
}  // on a throw, closing the connection rolls the transaction back

sqlite::Database open_database(const std::string& path, std::chrono::milliseconds busy_timeout) {
  if (path.empty()) throw std::runtime_error("the path is empty");
  if (path != ":memory:") create_parent_directory(path);
  sqlite::Database db(path);
  sqlite3_busy_timeout(db.handle(), static_cast<int>(busy_timeout.count()));
  // The first statement that reads the file: this is where "file is not a database" shows.
  // Checked before anything writes (switching to WAL rewrites the header): a file that is not
  // ours leaves open() exactly as it came.
  usable_version(db);
  const std::string journal_mode = db.query_text("PRAGMA journal_mode = WAL");
  if (journal_mode != "wal" && !(path == ":memory:" && journal_mode == "memory")) {
    throw std::runtime_error("cannot use WAL journal mode (got '" + journal_mode + "')");
  }
  // NORMAL in WAL mode: a commit is in the OS once it returns, so it survives a killed
  // process; only a power loss can lose the last commits, never corrupt the file.
  db.execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
  migrate(db);
  return db;
}

}  // namespace

struct SqliteStore::Connection {
  Connection(const std::string& path, std::chrono::milliseconds busy_timeout)
      : db(open_database(path, busy_timeout)) {}

  sqlite::Database db;
  sqlite::Statement begin{db, "BEGIN IMMEDIATE"};
  sqlite::Statement commit{db, "COMMIT"};
  sqlite::Statement rollback{db, "ROLLBACK"};
  sqlite::Statement insert_alert{db, R"sql(
    INSERT OR IGNORE INTO outbox_alerts
      (id, chat_id, priority, type, symbol, text, headline, silent, created_ms, state, photo)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', NULLIF(?10, X'')))sql"};
  sqlite::Statement forget_photo{db, R"sql(
    UPDATE outbox_alerts SET photo = NULL WHERE id = ?1 AND state = 'pending')sql"};
  // Only pending alerts move: an alert is resolved once, and its first resolution stands. The
  // photo goes with the resolution: a week of sent alerts must not keep a chart each.
  sqlite::Statement resolve_alert{db, R"sql(
    UPDATE outbox_alerts SET state = ?2, resolved_ms = ?3, reason = NULLIF(?4, ''), photo = NULL
    WHERE id = ?1 AND state = 'pending')sql"};
  sqlite::Statement select_unsent{db, R"sql(
    SELECT id, chat_id, priority, type, symbol, text, headline, silent, created_ms, photo
    FROM outbox_alerts WHERE state = 'pending' ORDER BY created_ms, id)sql"};
  sqlite::Statement select_max_id{db,
                                  "SELECT seq FROM sqlite_sequence WHERE name = 'outbox_alerts'"};
  sqlite::Statement select_setting{db, "SELECT value FROM settings WHERE key = ?1"};
  sqlite::Statement upsert_setting{db, R"sql(
    INSERT INTO settings (key, value) VALUES (?1, ?2)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value)sql"};
  sqlite::Statement purge_resolved{db, R"sql(
    DELETE FROM outbox_alerts WHERE state IN ('sent', 'dropped') AND resolved_ms < ?1)sql"};
  sqlite::Statement count_by_state{db, "SELECT state, COUNT(*) FROM outbox_alerts GROUP BY state"};

  // ON CONFLICT DO NOTHING and not INSERT OR IGNORE: only a duplicate key is skipped, a NOT
  // NULL or CHECK violation still fails the batch.
  sqlite::Statement insert_signal{db, R"sql(
    INSERT INTO signals (time_ms, type, symbol, direction, exchange, confidence, entry, stop,
      target, state, resolved_ms, max_favourable, max_adverse, move_5m, move_15m, move_1h,
      crossed_gap, observed_until_ms, last_price, priority, json)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
      ?19, ?20, ?21)
    ON CONFLICT DO NOTHING)sql"};
  sqlite::Statement update_outcome{db, R"sql(
    UPDATE signals SET state = ?5, resolved_ms = ?6, max_favourable = ?7, max_adverse = ?8,
      move_5m = ?9, move_15m = ?10, move_1h = ?11, crossed_gap = ?12, observed_until_ms = ?13,
      last_price = ?14
    WHERE time_ms = ?1 AND type = ?2 AND symbol = ?3 AND direction = ?4)sql"};
  sqlite::Statement insert_gap{db, "INSERT INTO gaps (from_ms, to_ms, source) VALUES (?1, ?2, ?3)"};
  sqlite::Statement insert_event{db, R"sql(
    INSERT INTO market_events (time_ms, kind, side, exchange, symbol, price, volume_usd)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))sql"};
  sqlite::Statement select_signals_since{db, storage::select_outcomes_where("time_ms >= ?1")};
  sqlite::Statement select_open{db, storage::select_outcomes_where("state = 'open'")};
  sqlite::Statement select_json{db, R"sql(
    SELECT json FROM signals
    WHERE time_ms = ?1 AND type = ?2 AND symbol = ?3 AND direction = ?4)sql"};
  sqlite::Statement purge_events{db, "DELETE FROM market_events WHERE time_ms < ?1"};
  sqlite::Statement purge_gaps{db, "DELETE FROM gaps WHERE to_ms < ?1"};
  sqlite::Statement count_history{db, R"sql(
    SELECT (SELECT COUNT(*) FROM signals), (SELECT COUNT(*) FROM signals WHERE state = 'open'),
      (SELECT COUNT(*) FROM gaps), (SELECT COUNT(*) FROM market_events))sql"};
};

namespace {

// The rows of a select_outcomes_where statement; nullopt with `error` set on failure.
template <typename... Args>
std::optional<std::vector<Outcome>> read_outcomes(sqlite::Database& db, sqlite::Statement& select,
                                                  std::string& error, const Args&... args) {
  std::vector<Outcome> outcomes;
  bool unknown_name = false;
  const int rc = select.query(
      [&](const sqlite::Statement& row) {
        if (auto outcome = storage::outcome_from_row(row)) {
          outcomes.push_back(std::move(*outcome));
        } else {
          unknown_name = true;
        }
      },
      args...);
  if (rc != SQLITE_DONE) {
    error = db.error_message();
    return std::nullopt;
  }
  if (unknown_name) {
    error = "a stored signal has a type, direction or state this teleglas does not know";
    return std::nullopt;
  }
  return outcomes;
}

}  // namespace

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path,
                                               std::chrono::milliseconds busy_timeout) {
  try {
    return std::unique_ptr<SqliteStore>(
        new SqliteStore(std::make_unique<Connection>(path, busy_timeout), path));
  } catch (const std::exception& e) {
    throw std::runtime_error("storage.path " + path + ": " + e.what());
  }
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> connection, std::string path)
    : connection_(std::move(connection)), path_(std::move(path)) {}

SqliteStore::~SqliteStore() = default;

bool SqliteStore::fail(std::string_view operation) {
  return fail(operation, connection_->db.error_message());
}

bool SqliteStore::fail(std::string_view operation, std::string_view message) {
  last_error_ = std::string(operation) + ": " + std::string(message);
  // After the message: a successful ROLLBACK would replace it with "not an error".
  if (connection_->db.in_transaction()) connection_->rollback.execute();
  return false;
}

bool SqliteStore::save_alert(const StoredAlert& alert) {
  const int rc = connection_->insert_alert.execute(
      static_cast<std::int64_t>(alert.id), alert.chat_id, alert.priority, alert.type, alert.symbol,
      alert.text, alert.headline, alert.silent, alert.created_ms, sqlite::Blob{alert.photo});
  return rc == SQLITE_DONE || fail("save_alert");
}

bool SqliteStore::mark_sent(std::span<const std::uint64_t> ids, TimeMs at_ms) {
  return resolve("mark_sent", ids, at_ms, "sent", "");
}

bool SqliteStore::forget_photos(std::span<const std::uint64_t> ids) {
  if (ids.empty()) return true;
  Connection& c = *connection_;
  if (c.begin.execute() != SQLITE_DONE) return fail("forget_photos");
  for (const std::uint64_t id : ids) {
    if (c.forget_photo.execute(static_cast<std::int64_t>(id)) != SQLITE_DONE) {
      return fail("forget_photos");
    }
  }
  return c.commit.execute() == SQLITE_DONE || fail("forget_photos");
}

bool SqliteStore::mark_dropped(std::span<const std::uint64_t> ids, TimeMs at_ms,
                               std::string_view reason) {
  return resolve("mark_dropped", ids, at_ms, "dropped", reason);
}

bool SqliteStore::resolve(std::string_view operation, std::span<const std::uint64_t> ids,
                          TimeMs at_ms, std::string_view state, std::string_view reason) {
  if (ids.empty()) return true;
  Connection& c = *connection_;
  if (c.begin.execute() != SQLITE_DONE) return fail(operation);
  for (const std::uint64_t id : ids) {
    if (c.resolve_alert.execute(static_cast<std::int64_t>(id), state, at_ms, reason) !=
        SQLITE_DONE) {
      return fail(operation);
    }
  }
  return c.commit.execute() == SQLITE_DONE || fail(operation);
}

std::vector<StoredAlert> SqliteStore::unsent_alerts() {
  std::vector<StoredAlert> alerts;
  const int rc = connection_->select_unsent.query([&](const sqlite::Statement& row) {
    alerts.push_back(StoredAlert{.id = static_cast<std::uint64_t>(row.int64_at(0)),
                                 .chat_id = row.int64_at(1),
                                 .priority = static_cast<int>(row.int64_at(2)),
                                 .type = row.text_at(3),
                                 .symbol = row.text_at(4),
                                 .text = row.text_at(5),
                                 .headline = row.text_at(6),
                                 .silent = row.int64_at(7) != 0,
                                 .created_ms = row.int64_at(8),
                                 .photo = row.blob_at(9)});
  });
  if (rc != SQLITE_DONE) {
    fail("unsent_alerts");
    return {};
  }
  return alerts;
}

std::uint64_t SqliteStore::max_alert_id() {
  std::uint64_t max_id = 0;
  const int rc = connection_->select_max_id.query(
      [&](const sqlite::Statement& row) { max_id = static_cast<std::uint64_t>(row.int64_at(0)); });
  if (rc != SQLITE_DONE) {
    fail("max_alert_id");
    return 0;
  }
  return max_id;
}

std::optional<std::string> SqliteStore::setting(std::string_view key) {
  std::optional<std::string> value;
  const int rc = connection_->select_setting.query(
      [&](const sqlite::Statement& row) { value = row.text_at(0); }, key);
  if (rc != SQLITE_DONE) {
    fail("setting");
    return std::nullopt;
  }
  return value;
}

bool SqliteStore::set_setting(std::string_view key, std::string_view value) {
  return connection_->upsert_setting.execute(key, value) == SQLITE_DONE || fail("set_setting");
}

std::size_t SqliteStore::purge_resolved_before(TimeMs cutoff_ms) {
  if (connection_->purge_resolved.execute(cutoff_ms) != SQLITE_DONE) {
    fail("purge_resolved_before");
    return 0;
  }
  return static_cast<std::size_t>(connection_->db.changes());
}

OutboxStore::Counts SqliteStore::counts() {
  Counts counts;
  const int rc = connection_->count_by_state.query([&](const sqlite::Statement& row) {
    const std::string state = row.text_at(0);
    const auto count = static_cast<std::uint64_t>(row.int64_at(1));
    if (state == "pending") counts.pending = count;
    if (state == "sent") counts.sent = count;
    if (state == "dropped") counts.dropped = count;
  });
  if (rc != SQLITE_DONE) {
    fail("counts");
    return {};
  }
  return counts;
}

bool SqliteStore::write(const HistoryBatch& batch) {
  if (batch.empty()) return true;
  Connection& c = *connection_;
  if (c.begin.execute() != SQLITE_DONE) return fail("write");
  const auto insert_signal = [&](const auto&... values) {
    return c.insert_signal.execute(values...);
  };
  for (const SignalRecord& record : batch.signals) {
    if (storage::bind_signal_row(record, insert_signal) != SQLITE_DONE) {
      return fail("write (signals)");
    }
  }
  const auto update_outcome = [&](const auto&... values) {
    return c.update_outcome.execute(values...);
  };
  for (const Outcome& outcome : batch.outcomes) {
    if (storage::bind_outcome_update(outcome, update_outcome) != SQLITE_DONE) {
      return fail("write (outcomes)");
    }
  }
  for (const StoredGap& gap : batch.gaps) {
    if (c.insert_gap.execute(gap.from, gap.to, gap.source) != SQLITE_DONE) {
      return fail("write (gaps)");
    }
  }
  for (const StoredEvent& e : batch.events) {
    if (c.insert_event.execute(e.time, storage::event_kind_name(e.kind), static_cast<int>(e.side),
                               e.exchange, e.symbol, e.price, e.volume_usd) != SQLITE_DONE) {
      return fail("write (events)");
    }
  }
  return c.commit.execute() == SQLITE_DONE || fail("write (commit)");
}

std::optional<std::vector<Outcome>> SqliteStore::signals_since(TimeMs since) {
  std::string error;
  auto outcomes = read_outcomes(connection_->db, connection_->select_signals_since, error, since);
  if (!outcomes) fail("signals_since", error);
  return outcomes;
}

std::optional<std::vector<Outcome>> SqliteStore::open_outcomes() {
  std::string error;
  auto outcomes = read_outcomes(connection_->db, connection_->select_open, error);
  if (!outcomes) fail("open_outcomes", error);
  return outcomes;
}

std::optional<std::string> SqliteStore::signal_json(TimeMs time, SignalType type,
                                                    std::string_view symbol, Direction direction) {
  std::optional<std::string> json;
  const int rc =
      connection_->select_json.query([&](const sqlite::Statement& row) { json = row.text_at(0); },
                                     time, to_string(type), symbol, to_string(direction));
  if (rc != SQLITE_DONE) {
    fail("signal_json");
    return std::nullopt;
  }
  return json;
}

std::size_t SqliteStore::purge_history_before(TimeMs cutoff_ms) {
  Connection& c = *connection_;
  if (c.begin.execute() != SQLITE_DONE) {
    fail("purge_history_before");
    return 0;
  }
  std::int64_t purged = 0;
  for (sqlite::Statement* purge : {&c.purge_events, &c.purge_gaps}) {
    if (purge->execute(cutoff_ms) != SQLITE_DONE) {
      fail("purge_history_before");
      return 0;
    }
    purged += c.db.changes();
  }
  if (c.commit.execute() != SQLITE_DONE) {
    fail("purge_history_before");
    return 0;
  }
  return static_cast<std::size_t>(purged);
}

HistoryStore::HistoryCounts SqliteStore::history_counts() {
  HistoryCounts counts;
  const int rc = connection_->count_history.query([&](const sqlite::Statement& row) {
    counts = HistoryCounts{.signals = static_cast<std::uint64_t>(row.int64_at(0)),
                           .open_outcomes = static_cast<std::uint64_t>(row.int64_at(1)),
                           .gaps = static_cast<std::uint64_t>(row.int64_at(2)),
                           .events = static_cast<std::uint64_t>(row.int64_at(3))};
  });
  if (rc != SQLITE_DONE) {
    fail("history_counts");
    return {};
  }
  return counts;
}

}  // namespace teleglas
