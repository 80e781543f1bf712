// Shared by the storage tests: a fresh directory per test, alerts that differ in every field,
// and a plain second connection for what the store's API cannot do (hold a lock, leave a
// transaction open, write a foreign schema version).
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/temp_dir.hpp"
#include "teleglas/storage/store.hpp"

namespace teleglas {

inline void PrintTo(const StoredAlert& a, std::ostream* os) {
  *os << "{id " << a.id << ", chat " << a.chat_id << ", priority " << a.priority << ", " << a.type
      << " " << a.symbol << ", silent " << a.silent << ", created " << a.created_ms << ", text \""
      << a.text << "\", headline \"" << a.headline << "\"}";
}

inline void PrintTo(const OutboxStore::Counts& c, std::ostream* os) {
  *os << "{pending " << c.pending << ", sent " << c.sent << ", dropped " << c.dropped << "}";
}

namespace testing {

inline StoredAlert sample_alert(std::uint64_t id, TimeMs created_ms) {
  return StoredAlert{.id = id,
                     .chat_id = -1001234567890,
                     .priority = 2,
                     .type = "STOP_HUNT",
                     .symbol = "BTCUSDT",
                     .text = "<b>Stop hunt</b> #" + std::to_string(id),
                     .headline = "<b>BTCUSDT</b> stop hunt",
                     .silent = false,
                     .created_ms = created_ms};
}

// ids(1, 3) for the span mark_sent and mark_dropped take.
template <typename... Id>
std::array<std::uint64_t, sizeof...(Id)> ids(Id... id) {
  return {static_cast<std::uint64_t>(id)...};
}

class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) fail(path);
  }
  ~RawConnection() { sqlite3_close(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void execute(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  // The first column of the first row, as text.
  std::string query_text(const std::string& sql) {
    std::string value;
    const auto keep_first = [](void* out, int, char** columns, char**) {
      *static_cast<std::string*>(out) = columns[0] ? columns[0] : "";
      return 1;  // stop after the first row
    };
    const int rc = sqlite3_exec(db_, sql.c_str(), keep_first, &value, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_ABORT) fail(sql);
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_ = nullptr;
};

}  // namespace testing
}  // namespace teleglas
