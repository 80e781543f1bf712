#include "teleglas/storage/sqlite_store.hpp"

#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>

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
static_assert(SqliteStore::schema_version == 1, "add the migration from the previous version");

void create_parent_directory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw std::runtime_error("cannot create directory " + parent.string() + ": " + error.message());
  }
}

void migrate(sqlite::Database& db) {
  // IMMEDIATE: two processes opening a new file at once must not both create the schema.
  db.execute("BEGIN IMMEDIATE");
  const int version = std::stoi(db.query_text("PRAGMA user_version"));
  if (version > SqliteStore::schema_version) {
    throw std::runtime_error("schema version " + std::to_string(version) +
                             " is newer than this teleglas (" +
                             std::to_string(SqliteStore::schema_version) + ")");
  }
  if (version == 0) db.execute(schema_v1);
  db.execute("COMMIT");
}  // on a throw, closing the connection rolls the transaction back

sqlite::Database open_database(const std::string& path, std::chrono::milliseconds busy_timeout) {
  if (path.empty()) throw std::runtime_error("the path is empty");
  if (path != ":memory:") create_parent_directory(path);
  sqlite::Database db(path);
  sqlite3_busy_timeout(db.handle(), static_cast<int>(busy_timeout.count()));
  // The first statement that reads the file: this is where "file is not a database" shows.
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
      (id, chat_id, priority, type, symbol, text, headline, silent, created_ms, state)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending'))sql"};
  // Only pending alerts move: an alert is resolved once, and its first resolution stands.
  sqlite::Statement resolve_alert{db, R"sql(
    UPDATE outbox_alerts SET state = ?2, resolved_ms = ?3, reason = NULLIF(?4, '')
    WHERE id = ?1 AND state = 'pending')sql"};
  sqlite::Statement select_unsent{db, R"sql(
    SELECT id, chat_id, priority, type, symbol, text, headline, silent, created_ms
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
};

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path,
                                               std::chrono::milliseconds busy_timeout) {
  try {
    return std::unique_ptr<SqliteStore>(
        new SqliteStore(std::make_unique<Connection>(path, busy_timeout)));
  } catch (const std::exception& e) {
    throw std::runtime_error("storage.path " + path + ": " + e.what());
  }
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> connection)
    : connection_(std::move(connection)) {}

SqliteStore::~SqliteStore() = default;

bool SqliteStore::fail(std::string_view operation) {
  last_error_ = std::string(operation) + ": " + connection_->db.error_message();
  // After the message: a successful ROLLBACK would replace it with "not an error".
  if (connection_->db.in_transaction()) connection_->rollback.execute();
  return false;
}

bool SqliteStore::save_alert(const StoredAlert& alert) {
  const int rc = connection_->insert_alert.execute(
      static_cast<std::int64_t>(alert.id), alert.chat_id, alert.priority, alert.type, alert.symbol,
      alert.text, alert.headline, alert.silent, alert.created_ms);
  return rc == SQLITE_DONE || fail("save_alert");
}

bool SqliteStore::mark_sent(std::span<const std::uint64_t> ids, TimeMs at_ms) {
  return resolve("mark_sent", ids, at_ms, "sent", "");
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
                                 .created_ms = row.int64_at(8)});
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

}  // namespace teleglas
