// What only PostgreSQL does: several daemons in one database (shared history, an outbox per
// instance, one daemon per instance, one migration however many start), photos as bytea,
// connections that are refused or lost, and passwords that never reach a message.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/postgres_test_support.hpp"
#include "storage_test_support.hpp"
#include "teleglas/storage/open_store.hpp"
#include "teleglas/storage/postgres_store.hpp"

namespace teleglas {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using testing::every_byte_value;
using testing::FreshDatabase;
using ::testing::HasSubstr;
using testing::ids;
using ::testing::Not;
using testing::opening_outcome;
using testing::PgConnection;
using testing::sample_alert;
using testing::sample_signal;
using ::testing::StartsWith;
using testing::TempDir;
using testing::with_photo;
using Counts = OutboxStore::Counts;

// what() of the exception opening the store throws ("" when it opens).
std::string open_error(const std::string& url, const std::string& instance = "test") {
  try {
    PostgresStore::open(url, instance);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// The password of a postgresql://user:password@host... URL.
std::string password_of(const std::string& url) {
  const std::size_t colon = url.find(':', url.find("://") + 3);
  return url.substr(colon + 1, url.find('@') - colon - 1);
}

std::string with_password(const std::string& url, const std::string& password) {
  const std::size_t colon = url.find(':', url.find("://") + 3);
  return url.substr(0, colon + 1) + password + url.substr(url.find('@'));
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = testing::test_postgres_url();
    if (!url) GTEST_FAIL() << testing::no_postgres_message();
    server_url_ = *url;
    database_.emplace(server_url_);
  }

  const std::string& url() const { return database_->url(); }
  std::unique_ptr<PostgresStore> open(const std::string& instance) {
    return PostgresStore::open(url(), instance);
  }
  std::string redacted_url() const { return with_password(url(), "***"); }

  // Ends the stores' connections to this test's database from the server's side, as a
  // restarted server or a network cut would, and waits until they are gone.
  void terminate_store_connections() {
    PgConnection admin(server_url_);
    const std::string of_stores = "FROM pg_stat_activity WHERE datname = '" + database_->name() +
                                  "' AND application_name = 'teleglas'";
    admin.execute("SELECT pg_terminate_backend(pid) " + of_stores);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (admin.value("SELECT COUNT(*) " + of_stores) != "0") {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the connections did not end";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  std::string server_url_;
  std::optional<FreshDatabase> database_;
};

TEST_F(PostgresStoreTest, WrongPasswordIsRefusedNamingTheRedactedUrlNeverThePassword) {
  const std::string wrong = "Wrong-Secret-4711";
  const std::string error = open_error(with_password(url(), wrong));
  EXPECT_THAT(error, AllOf(StartsWith("postgres " + redacted_url() + ": "),
                           HasSubstr("password authentication failed")));
  EXPECT_THAT(error, AllOf(Not(HasSubstr(wrong)), Not(HasSubstr(password_of(url())))));
}

TEST_F(PostgresStoreTest, WrongPasswordInAKeywordStringIsRedactedToo) {
  const std::string port =
      url().substr(url().rfind(':') + 1, url().rfind('/') - url().rfind(':') - 1);
  const std::string conninfo = "host=127.0.0.1 port=" + port + " dbname=" + database_->name() +
                               " user=teleglas password='it\\'s a secret' connect_timeout=5";
  const std::string error = open_error(conninfo);
  EXPECT_THAT(error, AllOf(HasSubstr(" password=*** connect_timeout=5: "),
                           HasSubstr("password authentication failed")));
  EXPECT_THAT(error, Not(HasSubstr("secret")));
}

TEST_F(PostgresStoreTest, NothingListeningIsRefusedNamingTheRedactedUrl) {
  // A port that was free a moment ago and has no server.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);
  close(fd);
  const std::string refused =
      "postgresql://teleglas:Not-Here-0815@127.0.0.1:" + std::to_string(port) + "/teleglas";
  const std::string error = open_error(refused);
  EXPECT_THAT(error, AllOf(StartsWith("postgres postgresql://teleglas:***@127.0.0.1:" +
                                      std::to_string(port) + "/teleglas: "),
                           HasSubstr("refused")));
  EXPECT_THAT(error, Not(HasSubstr("Not-Here-0815")));
}

TEST_F(PostgresStoreTest, WhereIsTheUrlWithoutItsPassword) {
  const auto store = open("test");
  EXPECT_EQ(store->where(), redacted_url());
  EXPECT_EQ(store->backend(), "postgres");
}

TEST_F(PostgresStoreTest, TwoInstancesShareHistoryButEachHasItsOwnOutboxAndSettings) {
  const auto a = open("daemon-a");
  const auto b = open("daemon-b");
  // The same signal decided by both daemons: stored once.
  HistoryBatch batch;
  batch.signals.push_back(sample_signal(1000));
  ASSERT_TRUE(a->write(batch)) << a->last_error();
  ASSERT_TRUE(b->write(batch)) << b->last_error();
  batch.signals = {sample_signal(2000, "ETHUSDT")};
  ASSERT_TRUE(b->write(batch)) << b->last_error();
  const std::vector<Outcome> shared = {opening_outcome(sample_signal(1000)),
                                       opening_outcome(sample_signal(2000, "ETHUSDT"))};
  EXPECT_EQ(a->signals_since(0), shared);
  EXPECT_EQ(b->signals_since(0), shared);

  // The same alert ids in both outboxes, each its own.
  StoredAlert b_alert = sample_alert(1, 100);
  b_alert.text = "b's message";
  ASSERT_TRUE(a->save_alert(sample_alert(1, 100)));
  ASSERT_TRUE(a->save_alert(sample_alert(2, 100)));
  ASSERT_TRUE(b->save_alert(b_alert));
  ASSERT_TRUE(a->mark_sent(ids(1), 200));
  EXPECT_THAT(a->unsent_alerts(), ElementsAre(sample_alert(2, 100)));
  EXPECT_THAT(b->unsent_alerts(), ElementsAre(b_alert));
  EXPECT_EQ(a->counts(), (Counts{.pending = 1, .sent = 1, .dropped = 0}));
  EXPECT_EQ(b->counts(), (Counts{.pending = 1, .sent = 0, .dropped = 0}));
  EXPECT_EQ(a->max_alert_id(), 2u);
  EXPECT_EQ(b->max_alert_id(), 1u);
  ASSERT_TRUE(b->mark_sent(ids(1), 200));
  EXPECT_EQ(a->purge_resolved_before(1000), 1u);
  EXPECT_EQ(b->counts(), (Counts{.pending = 0, .sent = 1, .dropped = 0}));

  ASSERT_TRUE(a->set_setting("telegram.update_offset", "41"));
  ASSERT_TRUE(b->set_setting("telegram.update_offset", "99"));
  EXPECT_EQ(a->setting("telegram.update_offset"), "41");
  EXPECT_EQ(b->setting("telegram.update_offset"), "99");
}

TEST_F(PostgresStoreTest, AnInstanceInUseIsRefusedUntilItsStoreCloses) {
  auto first = open("daemon-a");
  EXPECT_EQ(open_error(url(), "daemon-a"),
            "another teleglas is using storage.instance daemon-a on " + redacted_url() +
                "; give each daemon its own storage.instance");
  first.reset();
  EXPECT_EQ(open_error(url(), "daemon-a"), "");
}

TEST_F(PostgresStoreTest, EmptyInstanceIsTheHostName) {
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  StorageConfig config;
  config.backend = "postgres";
  config.postgres_url = url();
  const auto store = open_store(config);
  EXPECT_EQ(dynamic_cast<PostgresStore&>(*store).instance(), host);
  EXPECT_THAT(open_error(url(), host), HasSubstr("another teleglas is using storage.instance " +
                                                 std::string(host) + " on "));
}

TEST_F(PostgresStoreTest, StoresOpeningTogetherCreateTheSchemaOnce) {
  std::vector<std::future<std::string>> opening;
  for (int i = 0; i < 4; ++i) {
    opening.push_back(std::async(
        std::launch::async, [&, i] { return open_error(url(), "daemon-" + std::to_string(i)); }));
  }
  for (auto& error : opening) EXPECT_EQ(error.get(), "");
  EXPECT_EQ(database_->connect().value("SELECT COUNT(*) FROM teleglas_schema"), "1");
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
  open("test").reset();
  database_->connect().execute("UPDATE teleglas_schema SET version = 99");
  EXPECT_EQ(open_error(url()), "postgres " + redacted_url() +
                                   ": schema version 99 is newer than this teleglas (" +
                                   std::to_string(PostgresStore::schema_version) + ")");
}

// Lower-case hex, as encode(..., 'hex') writes it.
std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

TEST_F(PostgresStoreTest, PhotoIsStoredAsItsBytesAndATextAlertAsNull) {
  const auto store = open("test");
  ASSERT_TRUE(store->save_alert(with_photo(sample_alert(1, 100), every_byte_value())));
  ASSERT_TRUE(store->save_alert(sample_alert(2, 100)));
  PgConnection check = database_->connect();
  EXPECT_EQ(check.value("SELECT encode(photo, 'hex') FROM outbox_alerts WHERE id = 1"),
            hex(every_byte_value()));
  EXPECT_EQ(check.value("SELECT photo IS NULL FROM outbox_alerts WHERE id = 2"), "t");
  ASSERT_TRUE(store->mark_dropped(ids(1), 200, "muted"));
  EXPECT_EQ(check.value("SELECT photo IS NULL FROM outbox_alerts WHERE id = 1"), "t");
}

TEST_F(PostgresStoreTest, PhotoReadsBackWhenTheServerWritesByteaInTheEscapeFormat) {
  const StoredAlert alert = with_photo(sample_alert(1, 100), every_byte_value());
  ASSERT_TRUE(open("test")->save_alert(alert));
  database_->connect().execute("ALTER DATABASE " + database_->name() +
                               " SET bytea_output = 'escape'");
  const auto store = open("test");  // a new session, with the database's setting
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(alert));
}

// The database as teleglas left it at schema version 1: the same tables, without photos.
void make_version_1(PgConnection connection) {
  connection.execute(
      "ALTER TABLE outbox_alerts DROP COLUMN photo; UPDATE teleglas_schema SET version = 1");
}

TEST_F(PostgresStoreTest, VersionOneDatabaseIsMigratedAndKeepsItsOutboxAndHistory) {
  {
    const auto store = open("test");
    ASSERT_TRUE(store->save_alert(sample_alert(1, 100)));
    ASSERT_TRUE(store->save_alert(sample_alert(2, 100)));
    ASSERT_TRUE(store->mark_sent(ids(2), 150));
    ASSERT_TRUE(store->set_setting("telegram.update_offset", "815"));
    HistoryBatch batch;
    batch.signals.push_back(sample_signal(1000));
    ASSERT_TRUE(store->write(batch));
  }
  make_version_1(database_->connect());

  const auto store = open("test");
  EXPECT_EQ(database_->connect().value("SELECT version FROM teleglas_schema"),
            std::to_string(PostgresStore::schema_version));
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(sample_alert(1, 100)));
  EXPECT_EQ(store->counts(), (Counts{.pending = 1, .sent = 1, .dropped = 0}));
  EXPECT_EQ(store->max_alert_id(), 2u);
  EXPECT_EQ(store->setting("telegram.update_offset"), "815");
  EXPECT_EQ(store->open_outcomes(), std::vector<Outcome>{opening_outcome(sample_signal(1000))});
  const StoredAlert charted = with_photo(sample_alert(3, 200), every_byte_value());
  ASSERT_TRUE(store->save_alert(charted)) << store->last_error();
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(sample_alert(1, 100), charted));
}

TEST_F(PostgresStoreTest, StoresOpeningTogetherMigrateAVersionOneDatabaseOnce) {
  ASSERT_TRUE(open("daemon-0")->save_alert(sample_alert(1, 100)));
  make_version_1(database_->connect());
  std::vector<std::future<std::string>> opening;
  for (int i = 0; i < 4; ++i) {
    opening.push_back(std::async(
        std::launch::async, [&, i] { return open_error(url(), "daemon-" + std::to_string(i)); }));
  }
  for (auto& error : opening) EXPECT_EQ(error.get(), "");
  PgConnection check = database_->connect();
  EXPECT_EQ(check.value("SELECT string_agg(version::text, ',') FROM teleglas_schema"), "2");
  EXPECT_EQ(check.value("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = "
                        "'outbox_alerts' AND column_name = 'photo'"),
            "1");
  EXPECT_THAT(open("daemon-0")->unsent_alerts(), ElementsAre(sample_alert(1, 100)));
}

TEST_F(PostgresStoreTest, TablesOfAnotherApplicationAreRefusedAndLeftAlone) {
  database_->connect().execute(
      "CREATE TABLE signals (name TEXT); INSERT INTO signals VALUES ('x')");
  EXPECT_THAT(
      open_error(url()),
      AllOf(StartsWith("postgres " + redacted_url() + ": "),
            HasSubstr("is not a teleglas database (it already holds tables named signals)")));
  PgConnection check = database_->connect();
  EXPECT_EQ(check.value("SELECT to_regclass('teleglas_schema') IS NULL"), "t");
  EXPECT_EQ(check.value("SELECT name FROM signals"), "x");
}

TEST_F(PostgresStoreTest, LostConnectionFailsACallAndTheNextReconnects) {
  const auto store = open("test");
  ASSERT_TRUE(store->save_alert(sample_alert(1, 100)));
  terminate_store_connections();

  EXPECT_FALSE(store->save_alert(sample_alert(2, 100)));
  EXPECT_THAT(store->last_error(), StartsWith("save_alert: "));
  EXPECT_THAT(store->last_error(), Not(HasSubstr(password_of(url()))));
  EXPECT_TRUE(store->save_alert(sample_alert(2, 100))) << store->last_error();
  EXPECT_THAT(store->unsent_alerts(), ElementsAre(sample_alert(1, 100), sample_alert(2, 100)));
  // The reconnected store holds its instance again.
  EXPECT_THAT(open_error(url(), "test"), HasSubstr("another teleglas is using"));
}

TEST_F(PostgresStoreTest, LostConnectionFailsHistoryCallsWithoutThrowing) {
  const auto store = open("test");
  HistoryBatch batch;
  batch.signals.push_back(sample_signal(1000));
  batch.events.push_back(testing::sample_event(1000));
  terminate_store_connections();
  EXPECT_FALSE(store->write(batch));
  EXPECT_THAT(store->last_error(), StartsWith("write: "));
  EXPECT_TRUE(store->write(batch)) << store->last_error();
  terminate_store_connections();
  EXPECT_EQ(store->signals_since(0), std::nullopt);
  EXPECT_THAT(store->last_error(), StartsWith("signals_since: "));
  EXPECT_EQ(store->signals_since(0), std::vector<Outcome>{opening_outcome(sample_signal(1000))});
}

TEST_F(PostgresStoreTest, InstanceTakenOverWhileDisconnectedStaysWithTheNewOwner) {
  const auto first = open("daemon-a");
  terminate_store_connections();
  const auto second = open("daemon-a");  // the lock went with the lost connection
  EXPECT_FALSE(first->save_alert(sample_alert(1, 100)));
  EXPECT_FALSE(first->save_alert(sample_alert(1, 100)));
  EXPECT_THAT(
      first->last_error(),
      HasSubstr("another teleglas is using storage.instance daemon-a on " + redacted_url()));
  EXPECT_TRUE(second->save_alert(sample_alert(1, 100))) << second->last_error();
  EXPECT_THAT(second->unsent_alerts(), ElementsAre(sample_alert(1, 100)));
}

// A server of this test's own, stopped and started again under the store.
class OwnServer {
 public:
  OwnServer() {
    // The server runs as the postgres user when the tests run as root: it must reach its dir.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all |
                                                  std::filesystem::perms::group_exec |
                                                  std::filesystem::perms::others_exec);
    run("start");
    std::getline(std::ifstream(dir_.file("server/url")), url_);
  }
  ~OwnServer() { run("stop", /*check=*/false); }
  OwnServer(const OwnServer&) = delete;
  OwnServer& operator=(const OwnServer&) = delete;

  const std::string& url() const { return url_; }
  void halt() { run("halt"); }
  void resume() { run("resume"); }

 private:
  void run(const std::string& command, bool check = true) {
    const std::string line = std::string(TELEGLAS_SOURCE_DIR) + "/tests/support/postgres.sh " +
                             command + " " + dir_.file("server") + " >/dev/null 2>&1";
    if (std::system(line.c_str()) != 0 && check) {
      throw std::runtime_error("tests/support/postgres.sh " + command + " failed");
    }
  }

  TempDir dir_;
  std::string url_;
};

TEST(PostgresStore, ServerStoppedMidRunFailsCallsUntilItIsBack) {
  OwnServer server;
  const auto store = PostgresStore::open(server.url(), "test");
  HistoryBatch batch;
  batch.signals.push_back(sample_signal(1000));
  ASSERT_TRUE(store->write(batch)) << store->last_error();

  server.halt();
  EXPECT_FALSE(store->save_alert(sample_alert(1, 100)));
  EXPECT_THAT(store->last_error(), StartsWith("save_alert: "));
  EXPECT_EQ(store->signals_since(0), std::nullopt);
  EXPECT_THAT(store->last_error(),
              StartsWith("signals_since: connection lost, reconnecting failed: "));
  EXPECT_EQ(store->max_alert_id(), 0u);
  EXPECT_THAT(store->last_error(), Not(HasSubstr(password_of(server.url()))));

  server.resume();
  EXPECT_TRUE(store->save_alert(sample_alert(1, 100))) << store->last_error();
  EXPECT_EQ(store->signals_since(0), std::vector<Outcome>{opening_outcome(sample_signal(1000))});
  EXPECT_EQ(store->max_alert_id(), 1u);
}

}  // namespace
}  // namespace teleglas
