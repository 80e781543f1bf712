// The PostgreSQL the tests run against: the server scripts/test.sh starts with
// tests/support/postgres.sh, named by TELEGLAS_TEST_POSTGRES_URL, with a database of each
// test's own (created on the fly, dropped after), so tests run in parallel.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace teleglas::testing {

inline constexpr const char* postgres_url_variable = "TELEGLAS_TEST_POSTGRES_URL";

// Why a PostgreSQL test cannot run: it fails with this rather than skip, so CI cannot pass
// without having run it.
inline std::string no_postgres_message() {
  return std::string(postgres_url_variable) +
         " is not set: run the PostgreSQL tests through scripts/test.sh, or start a server with "
         "`tests/support/postgres.sh start DIR` and export " +
         postgres_url_variable + "=$(cat DIR/url)";
}

inline std::optional<std::string> test_postgres_url() {
  const char* url = std::getenv(postgres_url_variable);
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

// `url` (postgresql://user:password@host:port/database) naming another database.
inline std::string with_database(const std::string& url, const std::string& database) {
  const std::size_t authority = url.find("://");
  const std::size_t path = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  if (authority == std::string::npos || path == std::string::npos) {
    throw std::runtime_error("not a postgresql://.../database URL: " + url);
  }
  const std::size_t query = url.find('?', path);
  return url.substr(0, path + 1) + database + (query == std::string::npos ? "" : url.substr(query));
}

// The password of a postgresql://user:password@host/... URL ("" when it has none).
inline std::string password_of(const std::string& url) {
  const std::size_t colon = url.find(':', url.find("://") + 3);
  const std::size_t at = url.find('@');
  if (colon == std::string::npos || at == std::string::npos || colon > at) return "";
  return url.substr(colon + 1, at - colon - 1);
}

// The URL with its password replaced by `password` (the URL must have one).
inline std::string with_password(const std::string& url, const std::string& password) {
  const std::size_t colon = url.find(':', url.find("://") + 3);
  const std::size_t at = url.find('@');
  if (colon == std::string::npos || at == std::string::npos || colon > at) {
    throw std::runtime_error("no user:password@ in the test URL");
  }
  return url.substr(0, colon + 1) + password + url.substr(at);
}

// A plain libpq connection for what the store's API cannot do: create databases, change the
// schema behind the store's back, end its connection.
class PgConnection {
 public:
  explicit PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) fail("connect");
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char*) {}, nullptr);
  }

  void execute(const std::string& sql) { run(sql); }

  // The rows of a query, each column as text or nullopt for NULL.
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) {
    const Result result = run(sql);
    std::vector<std::vector<std::optional<std::string>>> rows;
    for (int r = 0; r < PQntuples(result.get()); ++r) {
      auto& row = rows.emplace_back();
      for (int c = 0; c < PQnfields(result.get()); ++c) {
        if (PQgetisnull(result.get(), r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(result.get(), r, c),
                                       static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
        }
      }
    }
    return rows;
  }

  // The first column of the first row ("" when there is none or it is NULL).
  std::string value(const std::string& sql) {
    const auto all = rows(sql);
    return all.empty() || all[0].empty() ? "" : all[0][0].value_or("");
  }

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  using Result = std::unique_ptr<PGresult, Clear>;

  Result run(const std::string& sql) {
    Result result(PQexec(conn_.get(), sql.c_str()));
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(sql);
    return result;
  }
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + PQerrorMessage(conn_.get()));
  }

  std::unique_ptr<PGconn, Finish> conn_;
};

// A database of this test's own on the test server, dropped (with any connection left to it)
// when the test ends.
class FreshDatabase {
 public:
  explicit FreshDatabase(const std::string& server_url) : admin_(server_url) {
    static std::atomic<int> counter{0};
    name_ = "teleglas_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(std::random_device{}() % 1'000'000);
    admin_.execute("CREATE DATABASE " + name_);
    url_ = with_database(server_url, name_);
  }
  ~FreshDatabase() {
    try {
      admin_.execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // the server is gone: so is the database
    }
  }
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }
  // A connection of the test's own to this database.
  PgConnection connect() const { return PgConnection(url_); }

 private:
  PgConnection admin_;  // to the server's own database: a database cannot drop itself
  std::string name_;
  std::string url_;
};

}  // namespace teleglas::testing
