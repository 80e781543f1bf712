#include "teleglas/storage/postgres_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "history_rows.hpp"
#include "postgres.hpp"
#include "postgres_url.hpp"
#include "teleglas/storage/open_store.hpp"

namespace teleglas {
namespace {

// Version 1: the SQLite schema (version 2 there) in PostgreSQL types, with the outbox and the
// settings keyed by instance, and outbox_sequence in the role of SQLite's sqlite_sequence: the
// largest alert id an instance ever saved, so a purge never lets an id be handed out twice.
// The key columns sort bytewise (COLLATE "C"), as SQLite does, whatever the database's locale.
constexpr const char* schema_v1 = R"sql(
  CREATE TABLE teleglas_schema (version INTEGER NOT NULL);
  INSERT INTO teleglas_schema (version) VALUES (1);
  CREATE TABLE signals (
    time_ms BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    symbol TEXT COLLATE "C" NOT NULL,
    direction TEXT COLLATE "C" NOT NULL,
    exchange TEXT NOT NULL,
    confidence INTEGER NOT NULL,
    entry DOUBLE PRECISION,
    stop DOUBLE PRECISION,
    target DOUBLE PRECISION,
    state TEXT NOT NULL CHECK (state IN ('open', 'win', 'loss', 'expired', 'untracked')),
    resolved_ms BIGINT NOT NULL,
    max_favourable DOUBLE PRECISION NOT NULL,
    max_adverse DOUBLE PRECISION NOT NULL,
    move_5m DOUBLE PRECISION,
    move_15m DOUBLE PRECISION,
    move_1h DOUBLE PRECISION,
    crossed_gap BOOLEAN NOT NULL,
    observed_until_ms BIGINT NOT NULL,
    last_price DOUBLE PRECISION NOT NULL,
    priority TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (time_ms, type, symbol, direction)
  );
  CREATE INDEX signals_open ON signals (time_ms, type, symbol, direction) WHERE state = 'open';
  CREATE TABLE gaps (
    from_ms BIGINT NOT NULL,
    to_ms BIGINT NOT NULL,
    source TEXT NOT NULL
  );
  CREATE INDEX gaps_by_time ON gaps (to_ms);
  CREATE TABLE market_events (
    time_ms BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('liquidation', 'trade')),
    side SMALLINT NOT NULL CHECK (side IN (1, 2)),
    exchange TEXT NOT NULL,
    symbol TEXT NOT NULL,
    price DOUBLE PRECISION NOT NULL,
    volume_usd DOUBLE PRECISION NOT NULL
  );
  CREATE INDEX market_events_by_time ON market_events (time_ms);
  CREATE TABLE outbox_alerts (
    instance TEXT NOT NULL,
    id BIGINT NOT NULL,
    chat_id BIGINT NOT NULL,
    priority INTEGER NOT NULL,
    type TEXT NOT NULL,
    symbol TEXT NOT NULL,
    text TEXT NOT NULL,
    headline TEXT NOT NULL,
    silent BOOLEAN NOT NULL,
    created_ms BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped')),
    resolved_ms BIGINT,
    reason TEXT,
    PRIMARY KEY (instance, id)
  );
  CREATE INDEX outbox_alerts_by_state ON outbox_alerts (instance, state, created_ms);
  CREATE TABLE outbox_sequence (instance TEXT PRIMARY KEY, max_id BIGINT NOT NULL);
  CREATE TABLE settings (
    instance TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (instance, key)
  );
)sql";
// Version 2: the alert's chart, a PNG, as in SQLite's version 3. NULL for a text alert, and
// once the alert is resolved: it is only needed while the alert may still be sent.
constexpr const char* schema_v2 = R"sql(
  ALTER TABLE outbox_alerts ADD COLUMN photo BYTEA;
  UPDATE teleglas_schema SET version = 2;
)sql";
static_assert(PostgresStore::schema_version == 2, "add the migration from the previous version");

// The tables of ours already there (NULL when none): in a database without teleglas_schema,
// they belong to something else.
constexpr const char* select_tables_named_like_ours = R"sql(
  SELECT string_agg(relname, ', ' ORDER BY relname) FROM pg_class
  WHERE relnamespace = current_schema()::regnamespace
    AND relname IN ('signals', 'gaps', 'market_events', 'outbox_alerts', 'outbox_sequence',
                    'settings'))sql";

// Names of the prepared statements.
namespace statement {
constexpr const char* insert_signal = "insert_signal";
constexpr const char* update_outcome = "update_outcome";
constexpr const char* insert_gap = "insert_gap";
constexpr const char* select_signals_since = "select_signals_since";
constexpr const char* select_open = "select_open";
constexpr const char* select_json = "select_json";
constexpr const char* purge_events = "purge_events";
constexpr const char* purge_gaps = "purge_gaps";
constexpr const char* count_history = "count_history";
constexpr const char* insert_alert = "insert_alert";
constexpr const char* resolve_alerts = "resolve_alerts";
constexpr const char* forget_photos = "forget_photos";
constexpr const char* select_unsent = "select_unsent";
constexpr const char* select_max_id = "select_max_id";
constexpr const char* select_setting = "select_setting";
constexpr const char* upsert_setting = "upsert_setting";
constexpr const char* purge_resolved = "purge_resolved";
constexpr const char* count_by_state = "count_by_state";
}  // namespace statement

// Every statement a session prepares, by name. $1 is the instance in every outbox statement.
std::vector<std::pair<const char*, std::string>> prepared_statements() {
  return {
      {statement::insert_signal, R"sql(
        INSERT INTO signals (time_ms, type, symbol, direction, exchange, confidence, entry, stop,
          target, state, resolved_ms, max_favourable, max_adverse, move_5m, move_15m, move_1h,
          crossed_gap, observed_until_ms, last_price, priority, json)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
          $19, $20, $21)
        ON CONFLICT DO NOTHING)sql"},
      {statement::update_outcome, R"sql(
        UPDATE signals SET state = $5, resolved_ms = $6, max_favourable = $7, max_adverse = $8,
          move_5m = $9, move_15m = $10, move_1h = $11, crossed_gap = $12,
          observed_until_ms = $13, last_price = $14
        WHERE time_ms = $1 AND type = $2 AND symbol = $3 AND direction = $4)sql"},
      {statement::insert_gap, "INSERT INTO gaps (from_ms, to_ms, source) VALUES ($1, $2, $3)"},
      {statement::select_signals_since, storage::select_outcomes_where("time_ms >= $1")},
      {statement::select_open, storage::select_outcomes_where("state = 'open'")},
      {statement::select_json, R"sql(
        SELECT json FROM signals
        WHERE time_ms = $1 AND type = $2 AND symbol = $3 AND direction = $4)sql"},
      {statement::purge_events, "DELETE FROM market_events WHERE time_ms < $1"},
      {statement::purge_gaps, "DELETE FROM gaps WHERE to_ms < $1"},
      {statement::count_history, R"sql(
        SELECT (SELECT COUNT(*) FROM signals),
          (SELECT COUNT(*) FROM signals WHERE state = 'open'),
          (SELECT COUNT(*) FROM gaps), (SELECT COUNT(*) FROM market_events))sql"},
      // One statement, so one implicit transaction: the alert and the instance's largest id.
      {statement::insert_alert, R"sql(
        WITH saved AS (
          INSERT INTO outbox_alerts
            (instance, id, chat_id, priority, type, symbol, text, headline, silent, created_ms,
             photo)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULLIF($11::bytea, ''::bytea))
          ON CONFLICT DO NOTHING)
        INSERT INTO outbox_sequence (instance, max_id) VALUES ($1, $2)
        ON CONFLICT (instance) DO UPDATE
          SET max_id = GREATEST(outbox_sequence.max_id, excluded.max_id))sql"},
      // Only pending alerts move: an alert is resolved once, and its first resolution stands.
      // The photo goes with the resolution: a week of sent alerts must not keep a chart each.
      {statement::resolve_alerts, R"sql(
        UPDATE outbox_alerts
        SET state = $2, resolved_ms = $3, reason = NULLIF($4::text, ''), photo = NULL
        WHERE instance = $1 AND id = ANY ($5::bigint[]) AND state = 'pending')sql"},
      {statement::forget_photos, R"sql(
        UPDATE outbox_alerts SET photo = NULL
        WHERE instance = $1 AND id = ANY ($2::bigint[]) AND state = 'pending')sql"},
      {statement::select_unsent, R"sql(
        SELECT id, chat_id, priority, type, symbol, text, headline, silent, created_ms, photo
        FROM outbox_alerts WHERE instance = $1 AND state = 'pending'
        ORDER BY created_ms, id)sql"},
      {statement::select_max_id, "SELECT max_id FROM outbox_sequence WHERE instance = $1"},
      {statement::select_setting, "SELECT value FROM settings WHERE instance = $1 AND key = $2"},
      {statement::upsert_setting, R"sql(
        INSERT INTO settings (instance, key, value) VALUES ($1, $2, $3)
        ON CONFLICT (instance, key) DO UPDATE SET value = excluded.value)sql"},
      {statement::purge_resolved, R"sql(
        DELETE FROM outbox_alerts
        WHERE instance = $1 AND state IN ('sent', 'dropped') AND resolved_ms < $2)sql"},
      {statement::count_by_state,
       "SELECT state, COUNT(*) FROM outbox_alerts WHERE instance = $1 GROUP BY state"},
  };
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
    throw std::runtime_error("storage.instance is empty and the host name is unknown; set it");
  }
  return name;
}

bool is_ok(const pg::Result& result, ExecStatusType expected) {
  return PQresultStatus(result.get()) == expected;
}

std::uint64_t affected_rows(const pg::Result& result) {
  return static_cast<std::uint64_t>(std::strtoull(PQcmdTuples(result.get()), nullptr, 10));
}

// Signals and outcomes in key order, equal keys in batch order. Every daemon sharing the
// database then takes the row locks of a batch in the same order: two batches touching the
// same signals wait for each other instead of deadlocking.
template <typename T, typename Key>
std::vector<const T*> in_key_order(const std::vector<T>& items, Key key) {
  std::vector<const T*> sorted;
  sorted.reserve(items.size());
  for (const T& item : items) sorted.push_back(&item);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const T* a, const T* b) { return key(*a) < key(*b); });
  return sorted;
}

}  // namespace

struct PostgresStore::Session {
  std::string where;     // the URL, password redacted
  std::string instance;  // never empty
  std::vector<std::string> secrets;
  pg::ConnectionHandle conn;
  bool ready = false;       // the instance's lock is held and the statements are prepared
  bool lock_taken = false;  // start() failed because another connection holds the lock

  std::string scrubbed(std::string_view message) const {
    return storage::scrub_secrets(pg::one_line(message), secrets);
  }
  std::string error(const pg::Result& result) const {
    return scrubbed(pg::error_of(result.get(), conn.get()));
  }
  std::string connection_error() const { return scrubbed(pg::error_of(nullptr, conn.get())); }

  pg::Result exec(const char* sql) { return pg::Result(PQexec(conn.get(), sql)); }
  pg::Result exec(const char* sql, pg::Params&& params) {
    const char* const* values = params.values();
    return pg::Result(PQexecParams(conn.get(), sql, params.size(), nullptr, values,
                                   params.lengths(), params.formats(), 0));
  }
  pg::Result run(const char* name, pg::Params&& params) {
    const char* const* values = params.values();
    return pg::Result(PQexecPrepared(conn.get(), name, params.size(), values, params.lengths(),
                                     params.formats(), 0));
  }

  // What every new connection needs: exact doubles, the instance's lock, the schema (at open
  // only) and the prepared statements. "" when done, else what failed.
  std::string start(bool check_schema) {
    ready = false;
    lock_taken = false;
    // libpq prints the server's notices on stderr by default.
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    // Shortest exact text for doubles whatever the server's default, so they read back exactly.
    // DEALLOCATE ALL: a start that failed half-way on this connection may have prepared some.
    if (auto r = exec("SET extra_float_digits = 3; DEALLOCATE ALL"); !pg::succeeded(r.get())) {
      return error(r);
    }
    // Held as long as this connection lives; a daemon that dies releases it with its
    // connection.
    auto lock =
        exec("SELECT pg_try_advisory_lock(hashtextextended('teleglas instance ' || $1::text, 0))",
             pg::Params(instance));
    if (!is_ok(lock, PGRES_TUPLES_OK)) return error(lock);
    if (!pg::Row(lock.get(), 0).bool_at(0)) {
      lock_taken = true;
      return "another teleglas is using storage.instance " + instance + " on " + where +
             "; give each daemon its own storage.instance";
    }
    if (check_schema) {
      if (std::string e = migrate(); !e.empty()) return e;
    }
    for (const auto& [name, sql] : prepared_statements()) {
      const pg::Result prepared(PQprepare(conn.get(), name, sql.c_str(), 0, nullptr));
      if (!pg::succeeded(prepared.get())) return error(prepared);
    }
    ready = true;
    return "";
  }

  // Creates the schema in a new database, checks the version of an existing one and brings an
  // older one up to date. On an error the transaction stays open: open() then closes the
  // connection, which rolls it back.
  std::string migrate() {
    if (auto r = exec("BEGIN"); !pg::succeeded(r.get())) return error(r);
    // Daemons starting together: the first creates or migrates the schema, the others wait
    // and find it done (each statement after the lock sees what the first committed).
    if (auto r = exec("SELECT pg_advisory_xact_lock(hashtextextended('teleglas schema', 0))");
        !pg::succeeded(r.get())) {
      return error(r);
    }
    auto exists = exec("SELECT to_regclass('teleglas_schema') IS NOT NULL");
    if (!is_ok(exists, PGRES_TUPLES_OK)) return error(exists);
    std::int64_t found = 0;
    if (pg::Row(exists.get(), 0).bool_at(0)) {
      auto version = exec("SELECT COALESCE(MAX(version), 0) FROM teleglas_schema");
      if (!is_ok(version, PGRES_TUPLES_OK)) return error(version);
      found = pg::Row(version.get(), 0).int64_at(0);
      if (found > PostgresStore::schema_version) {
        return "schema version " + std::to_string(found) + " is newer than this teleglas (" +
               std::to_string(PostgresStore::schema_version) + ")";
      }
    } else {
      auto foreign = exec(select_tables_named_like_ours);
      if (!is_ok(foreign, PGRES_TUPLES_OK)) return error(foreign);
      if (!pg::Row(foreign.get(), 0).is_null(0)) {
        return "this database is not a teleglas database (it already holds tables named " +
               pg::Row(foreign.get(), 0).text_at(0) + "); give teleglas a database of its own";
      }
      if (auto r = exec(schema_v1); !pg::succeeded(r.get())) return error(r);
      found = 1;
    }
    if (found < 2) {
      if (auto r = exec(schema_v2); !pg::succeeded(r.get())) return error(r);
    }
    if (auto r = exec("COMMIT"); !pg::succeeded(r.get())) return error(r);
    return "";
  }

  // COPY is the fastest way in for many rows. "" when done, else what failed.
  std::string copy_events(const std::vector<StoredEvent>& events) {
    auto started = exec(
        "COPY market_events (time_ms, kind, side, exchange, symbol, price, volume_usd) "
        "FROM STDIN");
    if (!is_ok(started, PGRES_COPY_IN)) return error(started);
    constexpr std::size_t flush_at = 256 * 1024;
    std::string buffer;
    buffer.reserve(flush_at + 256);
    bool sent = true;
    const auto flush = [&] {
      sent = sent && (buffer.empty() || PQputCopyData(conn.get(), buffer.data(),
                                                      static_cast<int>(buffer.size())) == 1);
      buffer.clear();
    };
    for (const StoredEvent& e : events) {
      pg::append_text(buffer, e.time);
      buffer += '\t';
      buffer += storage::event_kind_name(e.kind);
      buffer += '\t';
      pg::append_text(buffer, static_cast<std::int64_t>(e.side));
      buffer += '\t';
      pg::append_copy_field(buffer, e.exchange);
      buffer += '\t';
      pg::append_copy_field(buffer, e.symbol);
      buffer += '\t';
      pg::append_text(buffer, e.price);
      buffer += '\t';
      pg::append_text(buffer, e.volume_usd);
      buffer += '\n';
      if (buffer.size() >= flush_at) flush();
      if (!sent) break;
    }
    flush();
    const std::string send_error = sent ? "" : connection_error();
    // Ended either way (aborted when sending failed); every result must be read before the
    // connection takes another command.
    PQputCopyEnd(conn.get(), sent ? nullptr : "teleglas could not send the rows");
    std::string copy_error;
    while (pg::Result r = pg::Result(PQgetResult(conn.get()))) {
      if (!pg::succeeded(r.get()) && copy_error.empty()) copy_error = error(r);
    }
    return sent ? copy_error : send_error;
  }
};

std::unique_ptr<PostgresStore> PostgresStore::open(const std::string& url,
                                                   const std::string& instance) {
  auto session = std::make_unique<Session>();
  session->where = redact_postgres_url(url);
  session->secrets = storage::postgres_url_secrets(url);
  session->instance = instance.empty() ? host_name() : instance;
  // Defaults first, then the URL (expanded: its own settings win), then what must hold.
  const char* const keywords[] = {"fallback_application_name", "connect_timeout", "dbname",
                                  "client_encoding", nullptr};
  const char* const values[] = {"teleglas", "10", url.c_str(), "UTF8", nullptr};
  session->conn.reset(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (!session->conn) throw std::runtime_error("postgres " + session->where + ": out of memory");
  if (PQstatus(session->conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("postgres " + session->where + ": " + session->connection_error());
  }
  if (const std::string error = session->start(/*check_schema=*/true); !error.empty()) {
    throw std::runtime_error(session->lock_taken ? error
                                                 : "postgres " + session->where + ": " + error);
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(session)));
}

PostgresStore::PostgresStore(std::unique_ptr<Session> session) : session_(std::move(session)) {}

PostgresStore::~PostgresStore() = default;

std::string PostgresStore::where() const {
  return session_->where;
}

const std::string& PostgresStore::instance() const {
  return session_->instance;
}

bool PostgresStore::fail(std::string_view operation, std::string_view message) {
  last_error_ = std::string(operation) + ": " + std::string(message);
  PGconn* conn = session_->conn.get();
  if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
    session_->exec("ROLLBACK");
  }
  return false;
}

bool PostgresStore::connected(std::string_view operation) {
  Session& s = *session_;
  if (PQstatus(s.conn.get()) == CONNECTION_OK && s.ready) return true;
  if (PQstatus(s.conn.get()) != CONNECTION_OK) {
    s.ready = false;
    PQreset(s.conn.get());
    if (PQstatus(s.conn.get()) != CONNECTION_OK) {
      return fail(operation, "connection lost, reconnecting failed: " + s.connection_error());
    }
  }
  // A new connection: the lock went with the old one, and another daemon may have taken it.
  const std::string error = s.start(/*check_schema=*/false);
  return error.empty() || fail(operation, error);
}

bool PostgresStore::save_alert(const StoredAlert& alert) {
  if (!connected("save_alert")) return false;
  Session& s = *session_;
  const auto r =
      s.run(statement::insert_alert,
            pg::Params(s.instance, static_cast<std::int64_t>(alert.id), alert.chat_id,
                       alert.priority, alert.type, alert.symbol, alert.text, alert.headline,
                       alert.silent, alert.created_ms, pg::Bytes{alert.photo}));
  return pg::succeeded(r.get()) || fail("save_alert", s.error(r));
}

bool PostgresStore::mark_sent(std::span<const std::uint64_t> ids, TimeMs at_ms) {
  return resolve("mark_sent", ids, at_ms, "sent", "");
}

bool PostgresStore::mark_dropped(std::span<const std::uint64_t> ids, TimeMs at_ms,
                                 std::string_view reason) {
  return resolve("mark_dropped", ids, at_ms, "dropped", reason);
}

namespace {

// The ids as a PostgreSQL array literal, for one statement over all of them: all or none.
std::string id_array(std::span<const std::uint64_t> ids) {
  std::string array = "{";
  for (const std::uint64_t id : ids) {
    if (array.size() > 1) array += ',';
    pg::append_text(array, static_cast<std::int64_t>(id));
  }
  array += '}';
  return array;
}

}  // namespace

bool PostgresStore::resolve(std::string_view operation, std::span<const std::uint64_t> ids,
                            TimeMs at_ms, std::string_view state, std::string_view reason) {
  if (ids.empty()) return true;
  if (!connected(operation)) return false;
  const std::string array = id_array(ids);
  Session& s = *session_;
  const auto r = s.run(statement::resolve_alerts,
                       pg::Params(s.instance, state, at_ms, reason, pg::Literal{array.c_str()}));
  return pg::succeeded(r.get()) || fail(operation, s.error(r));
}

bool PostgresStore::forget_photos(std::span<const std::uint64_t> ids) {
  if (ids.empty()) return true;
  if (!connected("forget_photos")) return false;
  const std::string array = id_array(ids);
  Session& s = *session_;
  const auto r =
      s.run(statement::forget_photos, pg::Params(s.instance, pg::Literal{array.c_str()}));
  return pg::succeeded(r.get()) || fail("forget_photos", s.error(r));
}

std::vector<StoredAlert> PostgresStore::unsent_alerts() {
  if (!connected("unsent_alerts")) return {};
  Session& s = *session_;
  const auto r = s.run(statement::select_unsent, pg::Params(s.instance));
  if (!is_ok(r, PGRES_TUPLES_OK)) {
    fail("unsent_alerts", s.error(r));
    return {};
  }
  std::vector<StoredAlert> alerts;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    const pg::Row row(r.get(), i);
    alerts.push_back(StoredAlert{.id = static_cast<std::uint64_t>(row.int64_at(0)),
                                 .chat_id = row.int64_at(1),
                                 .priority = static_cast<int>(row.int64_at(2)),
                                 .type = row.text_at(3),
                                 .symbol = row.text_at(4),
                                 .text = row.text_at(5),
                                 .headline = row.text_at(6),
                                 .silent = row.bool_at(7),
                                 .created_ms = row.int64_at(8),
                                 .photo = row.bytes_at(9)});
  }
  return alerts;
}

std::uint64_t PostgresStore::max_alert_id() {
  if (!connected("max_alert_id")) return 0;
  Session& s = *session_;
  const auto r = s.run(statement::select_max_id, pg::Params(s.instance));
  if (!is_ok(r, PGRES_TUPLES_OK)) {
    fail("max_alert_id", s.error(r));
    return 0;
  }
  return PQntuples(r.get()) == 0 ? 0 : static_cast<std::uint64_t>(pg::Row(r.get(), 0).int64_at(0));
}

std::optional<std::string> PostgresStore::setting(std::string_view key) {
  if (!connected("setting")) return std::nullopt;
  Session& s = *session_;
  const auto r = s.run(statement::select_setting, pg::Params(s.instance, key));
  if (!is_ok(r, PGRES_TUPLES_OK)) {
    fail("setting", s.error(r));
    return std::nullopt;
  }
  if (PQntuples(r.get()) == 0) return std::nullopt;
  return pg::Row(r.get(), 0).text_at(0);
}

bool PostgresStore::set_setting(std::string_view key, std::string_view value) {
  if (!connected("set_setting")) return false;
  Session& s = *session_;
  const auto r = s.run(statement::upsert_setting, pg::Params(s.instance, key, value));
  return pg::succeeded(r.get()) || fail("set_setting", s.error(r));
}

std::size_t PostgresStore::purge_resolved_before(TimeMs cutoff_ms) {
  if (!connected("purge_resolved_before")) return 0;
  Session& s = *session_;
  const auto r = s.run(statement::purge_resolved, pg::Params(s.instance, cutoff_ms));
  if (!pg::succeeded(r.get())) {
    fail("purge_resolved_before", s.error(r));
    return 0;
  }
  return static_cast<std::size_t>(affected_rows(r));
}

OutboxStore::Counts PostgresStore::counts() {
  if (!connected("counts")) return {};
  Session& s = *session_;
  const auto r = s.run(statement::count_by_state, pg::Params(s.instance));
  if (!is_ok(r, PGRES_TUPLES_OK)) {
    fail("counts", s.error(r));
    return {};
  }
  Counts counts;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    const pg::Row row(r.get(), i);
    const std::string state = row.text_at(0);
    const auto count = static_cast<std::uint64_t>(row.int64_at(1));
    if (state == "pending") counts.pending = count;
    if (state == "sent") counts.sent = count;
    if (state == "dropped") counts.dropped = count;
  }
  return counts;
}

bool PostgresStore::write(const HistoryBatch& batch) {
  if (batch.empty()) return true;
  if (!connected("write")) return false;
  Session& s = *session_;
  if (auto r = s.exec("BEGIN"); !pg::succeeded(r.get())) return fail("write", s.error(r));
  const auto insert_signal = [&](const auto&... values) {
    return s.run(statement::insert_signal, pg::Params(values...));
  };
  const auto signal_key = [](const SignalRecord& r) {
    return std::tie(r.signal.time, r.signal.type, r.signal.symbol, r.signal.direction);
  };
  for (const SignalRecord* record : in_key_order(batch.signals, signal_key)) {
    if (auto r = storage::bind_signal_row(*record, insert_signal); !pg::succeeded(r.get())) {
      return fail("write (signals)", s.error(r));
    }
  }
  const auto update_outcome = [&](const auto&... values) {
    return s.run(statement::update_outcome, pg::Params(values...));
  };
  const auto outcome_key = [](const Outcome& o) {
    return std::tie(o.signal_time, o.type, o.symbol, o.direction);
  };
  for (const Outcome* outcome : in_key_order(batch.outcomes, outcome_key)) {
    if (auto r = storage::bind_outcome_update(*outcome, update_outcome); !pg::succeeded(r.get())) {
      return fail("write (outcomes)", s.error(r));
    }
  }
  for (const StoredGap& gap : batch.gaps) {
    if (auto r = s.run(statement::insert_gap, pg::Params(gap.from, gap.to, gap.source));
        !pg::succeeded(r.get())) {
      return fail("write (gaps)", s.error(r));
    }
  }
  if (!batch.events.empty()) {
    if (std::string error = s.copy_events(batch.events); !error.empty()) {
      return fail("write (events)", error);
    }
  }
  if (auto r = s.exec("COMMIT"); !pg::succeeded(r.get())) return fail("write (commit)", s.error(r));
  return true;
}

std::optional<std::vector<Outcome>> PostgresStore::read_outcomes(std::string_view operation,
                                                                 const char* statement,
                                                                 std::optional<TimeMs> since) {
  if (!connected(operation)) return std::nullopt;
  Session& s = *session_;
  const auto r = since ? s.run(statement, pg::Params(*since)) : s.run(statement, pg::Params());
  if (!is_ok(r, PGRES_TUPLES_OK)) {
    fail(operation, s.error(r));
    return std::nullopt;
  }
  std::vector<Outcome> outcomes;
  outcomes.reserve(static_cast<std::size_t>(PQntuples(r.get())));
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    auto outcome = storage::outcome_from_row(pg::Row(r.get(), i));
    if (!outcome) {
      fail(operation, "a stored signal has a type, direction or state this teleglas does not know");
      return std::nullopt;
    }
    outcomes.push_back(std::move(*outcome));
  }
  return outcomes;
}

std::optional<std::vector<Outcome>> PostgresStore::signals_since(TimeMs since) {
  return read_outcomes("signals_since", statement::select_signals_since, since);
}

std::optional<std::vector<Outcome>> PostgresStore::open_outcomes() {
  return read_outcomes("open_outcomes", statement::select_open, std::nullopt);
}

std::optional<std::string> PostgresStore::signal_json(TimeMs time, SignalType type,
                                                      std::string_view symbol,
                                                      Direction direction) {
  if (!connected("signal_json")) return std::nullopt;
  Session& s = *session_;
  const auto r = s.run(statement::select_json,
                       pg::Params(time, to_string(type), symbol, to_string(direction)));
  if (!is_ok(r, PGRES_TUPLES_OK)) {
    fail("signal_json", s.error(r));
    return std::nullopt;
  }
  if (PQntuples(r.get()) == 0) return std::nullopt;
  return pg::Row(r.get(), 0).text_at(0);
}

std::size_t PostgresStore::purge_history_before(TimeMs cutoff_ms) {
  if (!connected("purge_history_before")) return 0;
  Session& s = *session_;
  if (auto r = s.exec("BEGIN"); !pg::succeeded(r.get())) {
    fail("purge_history_before", s.error(r));
    return 0;
  }
  std::uint64_t purged = 0;
  for (const char* purge : {statement::purge_events, statement::purge_gaps}) {
    const auto r = s.run(purge, pg::Params(cutoff_ms));
    if (!pg::succeeded(r.get())) {
      fail("purge_history_before", s.error(r));
      return 0;
    }
    purged += affected_rows(r);
  }
  if (auto r = s.exec("COMMIT"); !pg::succeeded(r.get())) {
    fail("purge_history_before", s.error(r));
    return 0;
  }
  return static_cast<std::size_t>(purged);
}

HistoryStore::HistoryCounts PostgresStore::history_counts() {
  if (!connected("history_counts")) return {};
  Session& s = *session_;
  const auto r = s.run(statement::count_history, pg::Params());
  if (!is_ok(r, PGRES_TUPLES_OK)) {
    fail("history_counts", s.error(r));
    return {};
  }
  const pg::Row row(r.get(), 0);
  return HistoryCounts{.signals = static_cast<std::uint64_t>(row.int64_at(0)),
                       .open_outcomes = static_cast<std::uint64_t>(row.int64_at(1)),
                       .gaps = static_cast<std::uint64_t>(row.int64_at(2)),
                       .events = static_cast<std::uint64_t>(row.int64_at(3))};
}

}  // namespace teleglas
