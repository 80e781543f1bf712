// The outbox and the settings as the daemon uses them through one open store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "storage_test_support.hpp"
#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas {
namespace {

using testing::every_byte_value;
using testing::ids;
using testing::RawConnection;
using testing::sample_alert;
using testing::TempDir;
using testing::with_photo;
using Counts = OutboxStore::Counts;

class OpenStore {
 public:
  OpenStore() : store_(SqliteStore::open(path_)) {}
  SqliteStore* operator->() { return store_.get(); }
  const std::string& path() const { return path_; }

 private:
  TempDir dir_;
  std::string path_ = dir_.file("teleglas.db");
  std::unique_ptr<SqliteStore> store_;
};

TEST(SqliteStore, SavedAlertComesBackWithEveryField) {
  OpenStore store;
  const StoredAlert alert{.id = 7,
                          .chat_id = -1001987654321,
                          .priority = 3,
                          .type = "LIQUIDATION_CASCADE",
                          .symbol = "ETHUSDT",
                          .text =
                              "<b>🚨 Cascade</b> ETHUSDT\nlongs −$4.2M in 30 s &amp; rising "
                              "<a href=\"https://t.me/x?a=1&b=2\">chart</a> — Ωμέγα 中文",
                          .headline = "<b>ETHUSDT</b> cascade <i>−$4.2M</i>",
                          .silent = true,
                          .created_ms = 1725416318379,
                          .photo = every_byte_value()};
  ASSERT_TRUE(store->save_alert(alert)) << store->last_error();
  EXPECT_THAT(store->unsent_alerts(), ::testing::ElementsAre(alert));
}

TEST(SqliteStore, SentAndDroppedAlertsLeaveUnsentAlerts) {
  OpenStore store;
  for (std::uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(store->save_alert(sample_alert(id, 100)));
  ASSERT_TRUE(store->mark_sent(ids(1), 200));
  ASSERT_TRUE(store->mark_dropped(ids(3), 300, "older than 10 minutes"));
  EXPECT_THAT(store->unsent_alerts(), ::testing::ElementsAre(sample_alert(2, 100)));
  EXPECT_EQ(store->counts(), (Counts{.pending = 1, .sent = 1, .dropped = 1}));
}

TEST(SqliteStore, MarkSentResolvesSeveralIdsInOneCall) {
  OpenStore store;
  for (std::uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(store->save_alert(sample_alert(id, 100)));
  ASSERT_TRUE(store->mark_sent(ids(1, 3), 200));
  EXPECT_THAT(store->unsent_alerts(), ::testing::ElementsAre(sample_alert(2, 100)));
  EXPECT_EQ(store->counts(), (Counts{.pending = 1, .sent = 2, .dropped = 0}));
}

TEST(SqliteStore, UnknownIdsAreIgnored) {
  OpenStore store;
  ASSERT_TRUE(store->save_alert(sample_alert(1, 100)));
  EXPECT_TRUE(store->mark_sent(ids(1, 99), 200));
  EXPECT_TRUE(store->mark_dropped(ids(98, 99), 200, "muted"));
  EXPECT_EQ(store->counts(), (Counts{.pending = 0, .sent = 1, .dropped = 0}));
  EXPECT_EQ(store->last_error(), "");
}

TEST(SqliteStore, AnAlertIsResolvedOnlyOnce) {
  OpenStore store;
  ASSERT_TRUE(store->save_alert(sample_alert(1, 100)));
  ASSERT_TRUE(store->mark_dropped(ids(1), 200, "rejected by Telegram"));
  ASSERT_TRUE(store->mark_sent(ids(1), 300));
  EXPECT_EQ(store->counts(), (Counts{.pending = 0, .sent = 0, .dropped = 1}));
}

TEST(SqliteStore, SavingAnExistingIdKeepsTheFirst) {
  OpenStore store;
  ASSERT_TRUE(store->save_alert(sample_alert(1, 100)));
  StoredAlert second = sample_alert(1, 500);
  second.text = "a different message";
  EXPECT_TRUE(store->save_alert(second));
  EXPECT_THAT(store->unsent_alerts(), ::testing::ElementsAre(sample_alert(1, 100)));
}

TEST(SqliteStore, UnsentAlertsAreOldestFirstThenById) {
  OpenStore store;
  ASSERT_TRUE(store->save_alert(sample_alert(4, 300)));
  ASSERT_TRUE(store->save_alert(sample_alert(3, 100)));
  ASSERT_TRUE(store->save_alert(sample_alert(2, 300)));
  ASSERT_TRUE(store->save_alert(sample_alert(1, 200)));
  EXPECT_THAT(store->unsent_alerts(),
              ::testing::ElementsAre(sample_alert(3, 100), sample_alert(1, 200),
                                     sample_alert(2, 300), sample_alert(4, 300)));
}

TEST(SqliteStore, MaxAlertIdIsZeroWhenEmpty) {
  OpenStore store;
  EXPECT_EQ(store->max_alert_id(), 0u);
  EXPECT_EQ(store->last_error(), "");
}

TEST(SqliteStore, MaxAlertIdCountsSentDroppedAndPurgedAlerts) {
  OpenStore store;
  ASSERT_TRUE(store->save_alert(sample_alert(5, 100)));
  ASSERT_TRUE(store->save_alert(sample_alert(9, 100)));
  ASSERT_TRUE(store->save_alert(sample_alert(7, 100)));
  ASSERT_TRUE(store->mark_sent(ids(5, 9), 200));
  ASSERT_TRUE(store->mark_dropped(ids(7), 200, "muted"));
  EXPECT_EQ(store->max_alert_id(), 9u);
  ASSERT_EQ(store->purge_resolved_before(1000), 3u);
  EXPECT_EQ(store->max_alert_id(), 9u);  // a purge must not let an id be handed out twice
}

TEST(SqliteStore, PurgeDeletesOnlyResolvedAlertsOlderThanTheCutoff) {
  OpenStore store;
  for (std::uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(store->save_alert(sample_alert(id, 0)));
  ASSERT_TRUE(store->mark_sent(ids(1), 100));
  ASSERT_TRUE(store->mark_dropped(ids(2), 200, "too old"));
  ASSERT_TRUE(store->mark_sent(ids(3), 300));
  // Alert 4 stays pending though it was created long before the cutoff.
  EXPECT_EQ(store->purge_resolved_before(300), 2u);
  EXPECT_EQ(store->counts(), (Counts{.pending = 1, .sent = 1, .dropped = 0}));
  EXPECT_THAT(store->unsent_alerts(), ::testing::ElementsAre(sample_alert(4, 0)));
  EXPECT_EQ(store->purge_resolved_before(300), 0u);
}

TEST(SqliteStore, MissingSettingIsEmpty) {
  OpenStore store;
  EXPECT_EQ(store->setting("telegram.update_offset"), std::nullopt);
  EXPECT_EQ(store->last_error(), "");
}

TEST(SqliteStore, SettingIsOverwritten) {
  OpenStore store;
  ASSERT_TRUE(store->set_setting("telegram.update_offset", "41"));
  EXPECT_EQ(store->setting("telegram.update_offset"), "41");
  ASSERT_TRUE(store->set_setting("telegram.update_offset", "42"));
  EXPECT_EQ(store->setting("telegram.update_offset"), "42");
}

TEST(SqliteStore, EmptySettingIsNotAMissingOne) {
  OpenStore store;
  ASSERT_TRUE(store->set_setting("mutes", ""));
  EXPECT_EQ(store->setting("mutes"), "");
}

TEST(SqliteStore, PhotoIsStoredAsABlobATextAlertAsNull) {
  OpenStore store;
  ASSERT_TRUE(store->save_alert(with_photo(sample_alert(1, 100), every_byte_value())));
  ASSERT_TRUE(store->save_alert(sample_alert(2, 100)));
  // Bound as text, the photo would be TEXT, which SQLite's functions read only up to a NUL.
  const auto stored = [&](int id) {
    return RawConnection(store.path())
        .query_text(
            "SELECT CASE WHEN photo IS NULL THEN 'NULL' ELSE typeof(photo) || ' ' || "
            "length(photo) || ' ' || hex(substr(photo, 1, 3)) END FROM outbox_alerts "
            "WHERE id = " +
            std::to_string(id));
  };
  EXPECT_EQ(stored(1), "blob 512 000102");
  EXPECT_EQ(stored(2), "NULL");
  ASSERT_TRUE(store->mark_sent(ids(1), 200));
  EXPECT_EQ(stored(1), "NULL");
}

TEST(SqliteStore, InMemoryStoreKeepsAlertsWhileOpen) {
  const auto store = SqliteStore::open(":memory:");
  ASSERT_TRUE(store->save_alert(sample_alert(1, 100)));
  EXPECT_THAT(store->unsent_alerts(), ::testing::ElementsAre(sample_alert(1, 100)));
}

}  // namespace
}  // namespace teleglas
