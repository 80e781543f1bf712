// Opening fails loudly, naming the path; a failed call on the data path returns false and says
// why in last_error().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "storage_test_support.hpp"
#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::ids;
using testing::open_error;
using testing::RawConnection;
using testing::sample_alert;
using testing::TempDir;
using Counts = OutboxStore::Counts;

TEST(SqliteStore, OpenCreatesMissingParentDirectories) {
  const TempDir dir;
  const std::string path = dir.file("data/nested/teleglas.db");
  const auto store = SqliteStore::open(path);
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST(SqliteStore, OpenedFileIsInWalMode) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  const auto store = SqliteStore::open(path);
  EXPECT_EQ(RawConnection(path).query_text("PRAGMA journal_mode"), "wal");
}

TEST(SqliteStore, OpeningADirectoryThrowsNamingThePath) {
  const TempDir dir;
  EXPECT_THAT(open_error(dir.path().string()),
              AllOf(HasSubstr("storage.path " + dir.path().string() + ": "),
                    HasSubstr("unable to open database file")));
}

TEST(SqliteStore, OpeningAFileThatIsNotADatabaseThrowsNamingThePath) {
  const TempDir dir;
  const std::string path = dir.file("notes.txt");
  std::ofstream(path) << std::string(4096, 'x');
  EXPECT_THAT(open_error(path),
              AllOf(HasSubstr("storage.path " + path + ": "), HasSubstr("file is not a database")));
}

TEST(SqliteStore, OpeningANewerSchemaThrowsNamingThePathAndVersion) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  RawConnection(path).execute("PRAGMA user_version = 99");
  EXPECT_EQ(open_error(path), "storage.path " + path +
                                  ": schema version 99 is newer than this teleglas (" +
                                  std::to_string(SqliteStore::schema_version) + ")");
}

TEST(SqliteStore, OpeningUnderAFileThrowsNamingThePath) {
  const TempDir dir;
  std::ofstream(dir.file("plain")) << "not a directory";
  const std::string path = dir.file("plain/teleglas.db");
  EXPECT_THAT(open_error(path), HasSubstr("storage.path " + path + ": "));
}

// In WAL mode a second connection's write transaction blocks writers but not readers; with no
// busy timeout the store's writes fail at once instead of after two seconds.
class LockedByAnotherConnection {
 public:
  explicit LockedByAnotherConnection(const std::string& path) : other_(path) {
    other_.execute("BEGIN IMMEDIATE");
  }

 private:
  RawConnection other_;  // closing it rolls the transaction back and frees the lock
};

TEST(SqliteStore, WriteFailsWithLastErrorWhileAnotherConnectionHoldsTheLock) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  const auto store = SqliteStore::open(path, std::chrono::milliseconds(0));
  {
    const LockedByAnotherConnection lock(path);
    EXPECT_FALSE(store->save_alert(sample_alert(1, 100)));
    EXPECT_EQ(store->last_error(), "save_alert: database is locked");
    EXPECT_FALSE(store->set_setting("telegram.update_offset", "1"));
    EXPECT_EQ(store->last_error(), "set_setting: database is locked");
  }
  EXPECT_TRUE(store->save_alert(sample_alert(1, 100))) << "the store recovers once the lock goes";
}

TEST(SqliteStore, FailedMarkSentChangesNothing) {
  const TempDir dir;
  const std::string path = dir.file("teleglas.db");
  const auto store = SqliteStore::open(path, std::chrono::milliseconds(0));
  ASSERT_TRUE(store->save_alert(sample_alert(1, 100)));
  ASSERT_TRUE(store->save_alert(sample_alert(2, 100)));
  {
    const LockedByAnotherConnection lock(path);
    EXPECT_FALSE(store->mark_sent(ids(1, 2), 200));
    EXPECT_THAT(store->last_error(), HasSubstr("mark_sent: database is locked"));
    EXPECT_EQ(store->counts(), (Counts{.pending = 2, .sent = 0, .dropped = 0}));
  }
  EXPECT_TRUE(store->mark_sent(ids(1, 2), 200));
  EXPECT_EQ(store->counts(), (Counts{.pending = 0, .sent = 2, .dropped = 0}));
}

}  // namespace
}  // namespace teleglas
