#include "sqlite.hpp"

#include <optional>
#include <stdexcept>
#include <system_error>

namespace teleglas::sqlite {

Database::Database(const std::string& path) {
  sqlite3* db = nullptr;
  // NOMUTEX: a connection is only ever used by one thread, so SQLite's own locking is waste.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  db_.reset(db);  // even a failed open allocates a handle, which carries the reason
  if (rc != SQLITE_OK) {
    throw std::runtime_error(db ? error_message() : std::string(sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db, 1);
}

std::string Database::error_message() const {
  std::string message = sqlite3_errmsg(db_.get());
  const int primary = sqlite3_extended_errcode(db_.get()) & 0xff;
  if (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN) {
    if (const int os_error = sqlite3_system_errno(db_.get()); os_error != 0) {
      message += " (" + std::system_category().message(os_error) + ")";
    }
  }
  return message;
}

void Database::execute(const char* sql) {
  if (sqlite3_exec(handle(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw std::runtime_error(error_message());
  }
}

std::string Database::query_text(const char* sql) {
  Statement statement(*this, sql);
  std::optional<std::string> value;
  const int rc = statement.query([&](const Statement& row) {
    if (!value) value = row.text_at(0);
  });
  if (rc != SQLITE_DONE) throw std::runtime_error(error_message());
  return value.value_or("");
}

Statement::Statement(Database& db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  stmt_.reset(stmt);
  if (rc != SQLITE_OK) throw std::runtime_error(db.error_message());
}

std::string Statement::text_at(int column) const {
  const auto* text = sqlite3_column_text(stmt_.get(), column);
  if (!text) return {};
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::string Statement::blob_at(int column) const {
  // Size after the pointer: that is the order SQLite's documentation asks for.
  const void* blob = sqlite3_column_blob(stmt_.get(), column);
  if (!blob) return {};  // NULL, or a zero-length blob
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return {static_cast<const char*>(blob), static_cast<std::size_t>(size)};
}

int Statement::bind_int64(int index, std::int64_t value) {
  return sqlite3_bind_int64(stmt_.get(), index, value);
}

int Statement::bind_double(int index, double value) {
  return sqlite3_bind_double(stmt_.get(), index, value);
}

int Statement::bind_null(int index) {
  return sqlite3_bind_null(stmt_.get(), index);
}

int Statement::bind_text(int index, std::string_view value) {
  // A null data() would bind SQL NULL, not an empty string. SQLITE_STATIC is safe: the value
  // outlives the run, and ResetOnExit clears the binding before the caller's string can go.
  return sqlite3_bind_text64(stmt_.get(), index, value.data() ? value.data() : "", value.size(),
                             SQLITE_STATIC, SQLITE_UTF8);
}

int Statement::bind_blob(int index, std::string_view bytes) {
  // As bind_text: a null data() would bind NULL, not an empty blob.
  return sqlite3_bind_blob64(stmt_.get(), index, bytes.data() ? bytes.data() : "", bytes.size(),
                             SQLITE_STATIC);
}

}  // namespace teleglas::sqlite
