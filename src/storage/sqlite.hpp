// A thin RAII layer over the SQLite C API: a connection, and statements prepared once and run
// many times with bound parameters. Construction throws (startup); running returns SQLite's
// result code (data path). Not thread-safe, like the connection it wraps.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace teleglas::sqlite {

class Database {
 public:
  // Opens or creates the file. Throws std::runtime_error carrying SQLite's reason.
  explicit Database(const std::string& path);

  // Startup helpers (pragmas, schema): throw std::runtime_error on error.
  void execute(const char* sql);
  // The first column of the first row as text ("" when there is no row).
  std::string query_text(const char* sql);

  sqlite3* handle() const { return db_.get(); }
  std::string error_message() const { return sqlite3_errmsg(db_.get()); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
};

class Statement {
 public:
  // Throws std::runtime_error when the SQL does not compile.
  Statement(Database& db, std::string_view sql);

  // Binds args to ?1..?N and steps to the end: SQLITE_DONE, or the error code.
  template <typename... Args>
  int execute(const Args&... args) {
    return query([](const Statement&) {}, args...);
  }

  // Binds args to ?1..?N and calls on_row(*this) for each row: SQLITE_DONE, or the error code.
  template <typename OnRow, typename... Args>
  int query(OnRow&& on_row, const Args&... args) {
    // Reset on every way out, so no half-read statement keeps a read transaction open.
    const ResetOnExit reset{stmt_.get()};
    int rc = bind_from(1, args...);
    if (rc != SQLITE_OK) return rc;
    while ((rc = sqlite3_step(stmt_.get())) == SQLITE_ROW) on_row(*this);
    return rc;
  }

  std::int64_t int64_at(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  std::string text_at(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  struct ResetOnExit {
    sqlite3_stmt* stmt;
    ~ResetOnExit() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);  // text is bound without a copy; drop the pointers
    }
  };

  int bind_from(int) { return SQLITE_OK; }
  template <typename First, typename... Rest>
  int bind_from(int index, const First& first, const Rest&... rest) {
    const int rc = bind(index, first);
    return rc != SQLITE_OK ? rc : bind_from(index + 1, rest...);
  }
  int bind(int index, std::int64_t value);
  int bind(int index, std::string_view value);

  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

}  // namespace teleglas::sqlite
