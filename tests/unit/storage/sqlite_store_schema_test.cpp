// The SQLite file itself: version-1 and version-2 files are migrated and keep their alerts,
// settings and history; a file that is not
// ours, or damaged, or out of reach is refused naming the path and left as it was; a full disk
// fails a write cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "storage_test_support.hpp"
#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using testing::every_byte_value;
using ::testing::HasSubstr;
using testing::open_error;
using testing::opening_outcome;
using testing::RawConnection;
using testing::sample_alert;
using testing::sample_event;
using testing::sample_signal;
using testing::TempDir;
using testing::with_photo;
using Counts = OutboxStore::Counts;
namespace fs = std::filesystem;

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A file as teleglas 0.1 (schema version 1: outbox and settings) left it.
void write_version_1_file(const std::string& path) {
  RawConnection db(path);
  db.execute(R"sql(
    PRAGMA journal_mode = WAL;
    BEGIN;
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
    INSERT INTO outbox_alerts (id, chat_id, priority, type, symbol, text, headline, silent,
      created_ms) VALUES (1, -1001234567890, 2, 'STOP_HUNT', 'BTCUSDT', '<b>Stop hunt</b> #1',
      '<b>BTCUSDT</b> stop hunt', 0, 100);
    INSERT INTO outbox_alerts (id, chat_id, priority, type, symbol, text, headline, silent,
      created_ms, state, resolved_ms) VALUES (2, -1001234567890, 2, 'STOP_HUNT', 'BTCUSDT',
      '<b>Stop hunt</b> #2', '<b>BTCUSDT</b> stop hunt', 0, 100, 'sent', 150);
    INSERT INTO settings (key, value) VALUES ('telegram.update_offset', '815');
    COMMIT;
  )sql");
}

TEST(SqliteStoreSchema, VersionOneFileIsMigratedAndKeepsItsAlertsAndSettings) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  write_version_1_file(path);
  const auto store = SqliteStore::open(path);
  EXPECT_EQ(RawConnection(path).query_text("PRAGMA user_version"),
            std::to_string(SqliteStore::schema_version));
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(sample_alert(1, 100)));
  EXPECT_EQ(store->counts(), (Counts{.pending = 1, .sent = 1, .dropped = 0}));
  EXPECT_EQ(store->max_alert_id(), 2u);
  EXPECT_EQ(store->setting("telegram.update_offset"), "815");
  HistoryBatch batch;
  batch.signals.push_back(sample_signal(1000));
  ASSERT_TRUE(store->write(batch)) << store->last_error();
  EXPECT_THAT(store->signals_since(0).value(), ElementsAre(opening_outcome(sample_signal(1000))));
}

// A file as teleglas 0.2 (schema version 2: history added) left it: the version-1 file's
// outbox and settings, and one signal of history.
void write_version_2_file(const std::string& path) {
  write_version_1_file(path);
  RawConnection db(path);
  db.execute(R"sql(
    BEGIN;
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
    INSERT INTO signals VALUES (1000, 'STOP_HUNT', 'BTCUSDT', 'LONG', 'Binance', 87, 95850.5,
      95650.25, 96250.75, 'open', 0, 0, 0, NULL, NULL, NULL, 0, 1000, 95850.5, 'URGENT',
      '{"type":"STOP_HUNT"}');
    COMMIT;
  )sql");
}

TEST(SqliteStoreSchema, VersionTwoFileIsMigratedAndKeepsItsAlertsSettingsAndHistory) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  write_version_2_file(path);
  const auto store = SqliteStore::open(path);
  EXPECT_EQ(RawConnection(path).query_text("PRAGMA user_version"), "3");
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(sample_alert(1, 100)));
  EXPECT_EQ(store->counts(), (Counts{.pending = 1, .sent = 1, .dropped = 0}));
  EXPECT_EQ(store->max_alert_id(), 2u);
  EXPECT_EQ(store->setting("telegram.update_offset"), "815");
  EXPECT_THAT(store->open_outcomes().value(), ElementsAre(opening_outcome(sample_signal(1000))));

  // The migrated outbox keeps photos, and still resolves its old alert.
  const StoredAlert charted = with_photo(sample_alert(3, 200), every_byte_value());
  ASSERT_TRUE(store->save_alert(charted)) << store->last_error();
  ASSERT_TRUE(store->mark_sent(testing::ids(1), 300)) << store->last_error();
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(charted));
}

TEST(SqliteStoreSchema, CurrentFileOpensAgainUnchanged) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  const StoredAlert charted = with_photo(sample_alert(1, 100), every_byte_value());
  {
    const auto store = SqliteStore::open(path);
    ASSERT_TRUE(store->save_alert(charted));
  }
  const std::string schema_sql = "SELECT group_concat(sql, ';') FROM sqlite_schema";
  const std::string schema = RawConnection(path).query_text(schema_sql);
  const auto reopened = SqliteStore::open(path);
  EXPECT_EQ(RawConnection(path).query_text("PRAGMA user_version"), "3");
  EXPECT_EQ(RawConnection(path).query_text(schema_sql), schema);
  EXPECT_THAT(reopened->unsent_alerts(), ElementsAre(charted));
}

TEST(SqliteStoreSchema, NewFileHasTheCurrentVersion) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  SqliteStore::open(path).reset();
  EXPECT_EQ(RawConnection(path).query_text("PRAGMA user_version"),
            std::to_string(SqliteStore::schema_version));
  EXPECT_EQ(RawConnection(path).query_text(
                "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE type = "
                "'table' AND name NOT LIKE 'sqlite%' ORDER BY name)"),
            "gaps,market_events,outbox_alerts,settings,signals");
}

TEST(SqliteStoreSchema, FileOfAnotherApplicationIsRefusedAndLeftUntouched) {
  const TempDir dir;
  const std::string path = dir.file("other.db");
  RawConnection(path).execute(
      "CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('Ada')");
  const std::string before = contents(path);
  EXPECT_EQ(open_error(path), "storage.path " + path +
                                  ": this file is not a teleglas database (it holds customers); "
                                  "it was left untouched");
  EXPECT_EQ(contents(path), before);
  EXPECT_FALSE(fs::exists(path + "-wal"));
  EXPECT_EQ(RawConnection(path).query_text("PRAGMA journal_mode"), "delete");
}

TEST(SqliteStoreSchema, EmptyFileBecomesATeleglasDatabase) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  std::ofstream{path};
  EXPECT_EQ(open_error(path), "");
}

TEST(SqliteStoreSchema, DamagedFileIsRefusedNamingThePath) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  {
    const auto store = SqliteStore::open(path);
    HistoryBatch batch;
    for (TimeMs t = 0; t < 2000; ++t) batch.events.push_back(sample_event(t));
    ASSERT_TRUE(store->write(batch));
  }
  // Garbage over the schema's page, after the 100-byte file header.
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    const std::string garbage(3000, '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  EXPECT_THAT(open_error(path), AllOf(HasSubstr("storage.path " + path + ": "),
                                      AnyOf(HasSubstr("malformed"), HasSubstr("not a database"))));
}

// Runs `body` in a child process and returns what it wrote to the pipe (its report), so that
// limits and privileges it takes on never reach the test process.
template <typename Body>
std::string in_child(Body body) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t child = fork();
  if (child == -1) throw std::runtime_error("fork failed");
  if (child == 0) {
    close(pipe_fds[0]);
    std::string report;
    try {
      report = body();
    } catch (const std::exception& e) {
      report = std::string("exception: ") + e.what();
    }
    const ssize_t written = write(pipe_fds[1], report.data(), report.size());
    _exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::string report;
  char buffer[512];
  ssize_t got = 0;
  while ((got = read(pipe_fds[0], buffer, sizeof buffer)) > 0) report.append(buffer, got);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status)) report += " [the child did not exit normally]";
  return report;
}

TEST(SqliteStoreSchema, FullDiskFailsTheWriteAndTheFileStillOpens) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  {
    const auto store = SqliteStore::open(path);
    HistoryBatch batch;
    batch.signals.push_back(sample_signal(500));
    ASSERT_TRUE(store->write(batch));
  }
  const std::string report = in_child([&] {
    const auto store = SqliteStore::open(path);
    // No file of this process may grow past 256 KiB: a disk that is full. SIGXFSZ would kill
    // the process; ignored, the write fails with EFBIG.
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{.rlim_cur = 256 * 1024, .rlim_max = RLIM_INFINITY};
    setrlimit(RLIMIT_FSIZE, &limit);
    HistoryBatch batch;
    batch.signals.push_back(sample_signal(1000));
    for (TimeMs t = 0; t < 100'000; ++t) batch.events.push_back(sample_event(t));
    if (store->write(batch)) return std::string("the write succeeded");
    return store->last_error();
  });
  // What SQLite says of EFBIG; on a full disk (ENOSPC) it is "database or disk is full (No
  // space left on device)".
  EXPECT_THAT(report,
              AllOf(::testing::StartsWith("write"), HasSubstr("disk I/O error (File too large)")));

  const auto store = SqliteStore::open(path);
  EXPECT_EQ(
      store->history_counts(),
      (HistoryStore::HistoryCounts{.signals = 1, .open_outcomes = 1, .gaps = 0, .events = 0}));
  HistoryBatch batch;
  batch.events.push_back(sample_event(1));
  EXPECT_TRUE(store->write(batch)) << store->last_error();
}

// Root ignores file permissions: the child gives up root for nobody before trying. Empty when
// the child cannot be kept from writing `dir` (then there is nothing to test).
template <typename Body>
std::string without_write_access(const std::string& dir, Body body) {
  return in_child([&]() -> std::string {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return "";
    if (access(dir.c_str(), W_OK) == 0) return "";
    return body();
  });
}

TEST(SqliteStoreSchema, UnwritableDirectoryIsRefusedNamingThePath) {
  const TempDir dir;
  const fs::path locked = dir / "locked";
  fs::create_directory(locked);
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_exec);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  const std::string path = (locked / "teleglas.db").string();
  const std::string report =
      without_write_access(locked.string(), [&] { return open_error(path); });
  if (report.empty()) GTEST_SKIP() << "this process can write anywhere: nothing is unwritable";
  EXPECT_THAT(report, AllOf(HasSubstr("storage.path " + path + ": "),
                            HasSubstr("unable to open database file")));
}

TEST(SqliteStoreSchema, UnwritableFileIsRefusedNamingThePath) {
  const TempDir dir;
  const fs::path locked = dir / "locked";
  fs::create_directory(locked);
  const std::string path = (locked / "teleglas.db").string();
  SqliteStore::open(path).reset();
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_exec);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  fs::permissions(path, fs::perms::owner_read | fs::perms::others_read);
  const std::string report =
      without_write_access(locked.string(), [&] { return open_error(path); });
  if (report.empty()) GTEST_SKIP() << "this process can write anywhere: nothing is unwritable";
  EXPECT_THAT(report, HasSubstr("storage.path " + path + ": "));
  EXPECT_THAT(report,
              AnyOf(HasSubstr("readonly"), HasSubstr("read-only"), HasSubstr("unable to open")));
}

}  // namespace
}  // namespace teleglas
