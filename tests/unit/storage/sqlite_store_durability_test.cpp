// What survives closing the store, and what survives the process being killed with SIGKILL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "storage_test_support.hpp"
#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas {
namespace {

using ::testing::ElementsAre;
using testing::ids;
using testing::large_photo;
using testing::RawConnection;
using testing::sample_alert;
using testing::TempDir;
using testing::with_photo;
using Counts = OutboxStore::Counts;

// An alert with a chart of its own (a different photo for each id).
StoredAlert charted_alert(std::uint64_t id) {
  return with_photo(sample_alert(id, 100), large_photo(50'000 + id));
}

TEST(SqliteStore, UnsentAlertsComeBackAfterReopeningOldestFirst) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  {
    const auto store = SqliteStore::open(path);
    ASSERT_TRUE(store->save_alert(sample_alert(1, 300)));
    ASSERT_TRUE(store->save_alert(sample_alert(2, 100)));
    ASSERT_TRUE(store->save_alert(sample_alert(3, 200)));
    ASSERT_TRUE(store->mark_sent(ids(3), 400));
  }
  const auto reopened = SqliteStore::open(path);
  EXPECT_THAT(reopened->unsent_alerts(), ElementsAre(sample_alert(2, 100), sample_alert(1, 300)));
}

TEST(SqliteStore, SettingsSurviveReopening) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  {
    const auto store = SqliteStore::open(path);
    ASSERT_TRUE(store->set_setting("telegram.update_offset", "815"));
  }
  EXPECT_EQ(SqliteStore::open(path)->setting("telegram.update_offset"), "815");
}

TEST(SqliteStore, MaxAlertIdSurvivesReopeningAndCountsResolvedAlerts) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  {
    const auto store = SqliteStore::open(path);
    for (std::uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(store->save_alert(sample_alert(id, 0)));
    ASSERT_TRUE(store->mark_sent(ids(3), 100));
    ASSERT_TRUE(store->mark_dropped(ids(2), 100, "muted"));
  }
  EXPECT_EQ(SqliteStore::open(path)->max_alert_id(), 3u);
}

// The child commits through the store, leaves a second connection's transaction open, tells the
// parent it is ready and waits to be killed. It never returns into the test framework.
[[noreturn]] void commit_then_wait_to_be_killed(const std::string& path, int ready_fd) {
  try {
    const auto store = SqliteStore::open(path);
    bool ok = true;
    for (std::uint64_t id = 1; id <= 5; ++id) ok = ok && store->save_alert(charted_alert(id));
    ok = ok && store->mark_sent(ids(1, 2), 200) && store->mark_dropped(ids(3), 200, "muted") &&
         store->set_setting("telegram.update_offset", "42");
    if (!ok) _exit(1);
    RawConnection uncommitted(path);
    uncommitted.execute(
        "BEGIN IMMEDIATE;"
        "UPDATE outbox_alerts SET state = 'sent', resolved_ms = 300 WHERE id = 4;"
        "INSERT INTO outbox_alerts (id, chat_id, priority, type, symbol, text, headline, silent,"
        " created_ms) VALUES (99, 1, 0, 'STOP_HUNT', 'BTCUSDT', '', '', 0, 300);"
        "INSERT INTO settings (key, value) VALUES ('uncommitted', 'yes');");
    if (write(ready_fd, "r", 1) != 1) _exit(1);
    for (;;) pause();
  } catch (...) {
  }
  _exit(1);
}

TEST(SqliteStore, KilledProcessLeavesExactlyTheCommittedState) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    close(ready[0]);
    commit_then_wait_to_be_killed(path, ready[1]);
  }
  close(ready[1]);
  char byte = 0;
  const ssize_t got = read(ready[0], &byte, 1);  // 0 (EOF) when the child failed and exited
  close(ready[0]);
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_EQ(got, 1) << "the child failed before committing";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  const auto store = SqliteStore::open(path);
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(charted_alert(4), charted_alert(5)));
  EXPECT_EQ(store->counts(), (Counts{.pending = 2, .sent = 2, .dropped = 1}));
  EXPECT_EQ(
      RawConnection(path).query_text(
          "SELECT group_concat(id) FROM (SELECT id FROM outbox_alerts WHERE photo IS NOT NULL "
          "ORDER BY id)"),
      "4,5");
  EXPECT_EQ(store->max_alert_id(), 5u);
  EXPECT_EQ(store->setting("telegram.update_offset"), "42");
  EXPECT_EQ(store->setting("uncommitted"), std::nullopt);
}

}  // namespace
}  // namespace teleglas
