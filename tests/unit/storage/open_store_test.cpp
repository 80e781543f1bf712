// storage.backend picks the store; a PostgreSQL URL is shown only with its password redacted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "support/postgres_test_support.hpp"
#include "storage_test_support.hpp"
#include "teleglas/storage/open_store.hpp"

namespace teleglas {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

TEST(RedactPostgresUrl, HidesThePasswordOfAUrl) {
  EXPECT_EQ(redact_postgres_url("postgresql://user:secret@host/db"),
            "postgresql://user:***@host/db");
  EXPECT_EQ(
      redact_postgres_url("postgres://teleglas:s3cr%40t@127.0.0.1:5432/teleglas?sslmode=disable"),
      "postgres://teleglas:***@127.0.0.1:5432/teleglas?sslmode=disable");
}

TEST(RedactPostgresUrl, LeavesAUrlWithoutAPasswordAlone) {
  for (const char* url : {"postgresql://teleglas@127.0.0.1:5432/teleglas", "postgresql://host/db",
                          "postgresql:///teleglas", "postgresql://h1:5432,h2:5433/db"}) {
    EXPECT_EQ(redact_postgres_url(url), url);
  }
}

TEST(RedactPostgresUrl, HidesPasswordQueryParameters) {
  EXPECT_EQ(redact_postgres_url("postgresql://host/db?user=u&password=secret&sslmode=require"),
            "postgresql://host/db?user=u&password=***&sslmode=require");
  EXPECT_EQ(redact_postgres_url("postgresql://u:a@host/db?sslpassword=key-secret"),
            "postgresql://u:***@host/db?sslpassword=***");
  EXPECT_EQ(redact_postgres_url("postgresql://host/db?pass%77ord=secret"),
            "postgresql://host/db?pass%77ord=***");
}

TEST(RedactPostgresUrl, HidesAPasswordWithUnencodedSpecialCharactersWhole) {
  EXPECT_EQ(redact_postgres_url("postgresql://user:p@ss:w/rd?x@host:5432/db"),
            "postgresql://user:***@host:5432/db");
}

TEST(RedactPostgresUrl, HidesThePasswordOfAKeywordString) {
  EXPECT_EQ(redact_postgres_url("host=127.0.0.1 password=secret dbname=teleglas"),
            "host=127.0.0.1 password=*** dbname=teleglas");
  EXPECT_EQ(redact_postgres_url("host=h password = 'with \\' quote and spaces' user=u"),
            "host=h password = *** user=u");
  EXPECT_EQ(redact_postgres_url("dbname=teleglas sslpassword=abc"),
            "dbname=teleglas sslpassword=***");
  EXPECT_EQ(redact_postgres_url("dbname=postgresql://u:secret@h/db"),
            "dbname=postgresql://u:***@h/db");
  EXPECT_EQ(redact_postgres_url("host=localhost dbname=teleglas"),
            "host=localhost dbname=teleglas");
}

TEST(OpenStore, SqliteBackendOpensTheFileAtPath) {
  const TempDir dir;
  StorageConfig config;
  config.path = dir.file("data/teleglas.db");
  const auto store = open_store(config);
  EXPECT_EQ(store->backend(), "sqlite");
  EXPECT_EQ(store->where(), config.path);
}

TEST(OpenStore, PostgresBackendOpensTheUrlForTheInstance) {
  const auto url = testing::test_postgres_url();
  if (!url) GTEST_FAIL() << testing::no_postgres_message();
  const testing::FreshDatabase database(*url);
  StorageConfig config;
  config.backend = "postgres";
  config.postgres_url = database.url();
  config.instance = "daemon-a";
  const auto store = open_store(config);
  EXPECT_EQ(store->backend(), "postgres");
  EXPECT_EQ(store->where(), redact_postgres_url(database.url()));
  EXPECT_TRUE(store->save_alert(testing::sample_alert(1, 100))) << store->last_error();
}

TEST(OpenStore, UnknownBackendThrowsNamingIt) {
  StorageConfig config;
  config.backend = "mysql";
  try {
    open_store(config);
    ADD_FAILURE() << "opened";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("storage.backend mysql"));
  }
}

}  // namespace
}  // namespace teleglas
