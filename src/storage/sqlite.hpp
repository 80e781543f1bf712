// A thin RAII layer over the SQLite C API: a connection, and statements prepared once and run
// many times with bound parameters. Construction throws (startup); running returns SQLite's
// result code (data path). Not thread-safe, like the connection it wraps.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace teleglas::sqlite {

// Bytes to bind as a BLOB (a PNG): stored and read back as they are, NUL bytes included, and
// never taken for text.
struct Blob {
  std::string_view bytes;
};

class Database {
 public:
  // Opens or creates the file. Throws std::runtime_error carrying SQLite's reason.
  explicit Database(const std::string& path);

  // Startup helpers (pragmas, schema): throw std::runtime_error on error.
  void execute(const char* sql);
  // The first column of the first row as text ("" when there is no row).
  std::string query_text(const char* sql);

  sqlite3* handle() const { return db_.get(); }
  // SQLite's message, with the operating system's reason when a file operation failed
  // ("disk I/O error (File too large)").
  std::string error_message() const;
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
  double double_at(int column) const { return sqlite3_column_double(stmt_.get(), column); }
  bool bool_at(int column) const { return int64_at(column) != 0; }
  std::optional<double> optional_double_at(int column) const {
    if (sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL) return std::nullopt;
    return double_at(column);
  }
  std::string text_at(int column) const;
  // A BLOB's bytes ("" for NULL).
  std::string blob_at(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  struct ResetOnExit {
    sqlite3_stmt* stmt;
    ~ResetOnExit() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);  // text and blobs are bound without a copy; drop them
    }
  };

  int bind_from(int) { return SQLITE_OK; }
  template <typename First, typename... Rest>
  int bind_from(int index, const First& first, const Rest&... rest) {
    const int rc = bind(index, first);
    return rc != SQLITE_OK ? rc : bind_from(index + 1, rest...);
  }
  // Integers (bool, enums' underlying values) as INTEGER, floating point as REAL, an empty
  // optional as NULL, a Blob as BLOB, anything else as text.
  template <typename T>
  int bind(int index, const T& value) {
    if constexpr (std::is_same_v<T, Blob>) {
      return bind_blob(index, value.bytes);
    } else if constexpr (std::is_same_v<T, std::optional<double>>) {
      return value ? bind_double(index, *value) : bind_null(index);
    } else if constexpr (std::is_floating_point_v<T>) {
      return bind_double(index, value);
    } else if constexpr (std::is_integral_v<T>) {
      return bind_int64(index, static_cast<std::int64_t>(value));
    } else {
      return bind_text(index, std::string_view(value));
    }
  }
  int bind_int64(int index, std::int64_t value);
  int bind_double(int index, double value);
  int bind_null(int index);
  int bind_text(int index, std::string_view value);
  int bind_blob(int index, std::string_view bytes);

  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

}  // namespace teleglas::sqlite
