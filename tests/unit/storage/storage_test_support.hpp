// Shared by the storage tests: a fresh directory per test, alerts that differ in every field,
// photos of every byte value, signals and events of history, and a plain second connection for what
// the store's API cannot do (hold a lock, leave a transaction open, write a foreign schema version,
// read rows back).
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "support/temp_dir.hpp"
#include "teleglas/storage/sqlite_store.hpp"
#include "teleglas/storage/store.hpp"

namespace teleglas {

inline void PrintTo(const StoredAlert& a, std::ostream* os) {
  *os << "{id " << a.id << ", chat " << a.chat_id << ", priority " << a.priority << ", " << a.type
      << " " << a.symbol << ", silent " << a.silent << ", created " << a.created_ms << ", text \""
      << a.text << "\", headline \"" << a.headline << "\", photo " << a.photo.size() << " bytes";
  // A digest tells two photos of one size apart without printing up to 60 KB of binary.
  if (!a.photo.empty()) {
    std::uint32_t digest = 2166136261u;  // FNV-1a
    for (const char c : a.photo) digest = (digest ^ static_cast<unsigned char>(c)) * 16777619u;
    *os << " (fnv " << std::hex << digest << std::dec << ")";
  }
  *os << "}";
}

inline void PrintTo(const OutboxStore::Counts& c, std::ostream* os) {
  *os << "{pending " << c.pending << ", sent " << c.sent << ", dropped " << c.dropped << "}";
}

inline void PrintTo(const HistoryStore::HistoryCounts& c, std::ostream* os) {
  *os << "{signals " << c.signals << ", open " << c.open_outcomes << ", gaps " << c.gaps
      << ", events " << c.events << "}";
}

inline void PrintTo(const Outcome& o, std::ostream* os) {
  const auto move = [](const std::optional<double>& m) {
    return m ? std::to_string(*m) : std::string("-");
  };
  *os << "{" << o.signal_time << " " << to_string(o.type) << " " << o.symbol << " "
      << to_string(o.direction) << " @" << o.exchange << " conf " << o.confidence << ", entry "
      << o.entry << " stop " << o.stop << " target " << o.target << ", " << to_string(o.state)
      << " at " << o.resolved_time << ", fav " << o.max_favourable << " adv " << o.max_adverse
      << ", moves " << move(o.moves[0]) << "/" << move(o.moves[1]) << "/" << move(o.moves[2])
      << (o.crossed_gap ? ", crossed gap" : "") << ", seen until " << o.observed_until << " at "
      << o.last_price << "}";
}

inline void PrintTo(const StoredEvent& e, std::ostream* os) {
  *os << "{" << e.time << (e.kind == EventKind::trade ? " trade " : " liquidation ")
      << (e.side == Side::buy ? "buy " : "sell ") << e.exchange << " " << e.symbol << " " << e.price
      << " $" << e.volume_usd << "}";
}

inline void PrintTo(const StoredGap& g, std::ostream* os) {
  *os << "{" << g.source << " " << g.from << ".." << g.to << "}";
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
                     .created_ms = created_ms,
                     .photo = {}};
}

// Every byte value, 0 to 255 and back down: NULs, quotes, backslashes, and bytes that are not
// UTF-8, which a photo carried as text would lose or mangle.
inline std::string every_byte_value() {
  std::string bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  for (int b = 255; b >= 0; --b) bytes.push_back(static_cast<char>(b));
  return bytes;
}

// A photo the size of a real chart: the PNG signature, then bytes that do not repeat (as
// compressed image data does not).
inline std::string large_photo(std::size_t size = 60 * 1024) {
  std::string bytes = "\x89PNG\r\n\x1a\n";
  std::uint32_t state = 12345;
  while (bytes.size() < size) {
    state = state * 1664525u + 1013904223u;  // a fixed sequence: every run the same photo
    bytes.push_back(static_cast<char>(state >> 24));
  }
  return bytes;
}

inline StoredAlert with_photo(StoredAlert alert, std::string photo) {
  alert.photo = std::move(photo);
  return alert;
}

// A signal as the pipeline emits it: directional ones carry a setup, neutral ones do not.
inline SignalRecord sample_signal(TimeMs time, std::string symbol = "BTCUSDT",
                                  SignalType type = SignalType::stop_hunt,
                                  Direction direction = Direction::bullish) {
  Signal s;
  s.type = type;
  s.symbol = std::move(symbol);
  s.exchange = "Binance";
  s.direction = direction;
  s.confidence = 87;
  s.priority = Priority::urgent;
  s.time = time;
  s.window_start = time - 30'000;
  if (direction != Direction::neutral)
    s.setup = Setup{.entry = 95850.5, .stop = 95650.25, .target = 96250.75};
  s.volume_usd = 3.2e6;
  std::string json = "{\"type\":\"" + std::string(to_string(type)) + "\",\"symbol\":\"" + s.symbol +
                     "\",\"direction\":\"" + std::string(to_string(direction)) +
                     "\",\"time\":" + std::to_string(time) + ",\"factors\":{\"base\":50}}";
  return SignalRecord{.signal = std::move(s), .json = std::move(json)};
}

// The outcome a signal with a setup starts with, as history reads it back.
inline Outcome opening_outcome(const SignalRecord& record) {
  const Signal& s = record.signal;
  Outcome o;
  o.signal_time = s.time;
  o.type = s.type;
  o.symbol = s.symbol;
  o.direction = s.direction;
  o.exchange = s.exchange;
  o.confidence = s.confidence;
  o.entry = s.setup.value().entry;
  o.stop = s.setup.value().stop;
  o.target = s.setup.value().target;
  o.state = OutcomeState::open;
  o.observed_until = s.time;  // followed from the entry, the venue's print at the decision
  o.last_price = o.entry;
  return o;
}

// An outcome whose every field differs from its opening state, with doubles that have no short
// decimal form.
inline Outcome resolved_outcome(const SignalRecord& record) {
  Outcome o = opening_outcome(record);
  o.state = OutcomeState::win;
  o.resolved_time = record.signal.time + 754'321;
  o.max_favourable = 0.1 + 0.2;
  o.max_adverse = 1.0 / 3.0;
  o.moves[0] = -2.5e-9;
  o.moves[1] = 0.0041727188219234;
  o.moves[2] = std::nullopt;
  o.crossed_gap = true;
  o.observed_until = record.signal.time + 754'000;
  o.last_price = 96250.75000000001;
  return o;
}

inline StoredEvent sample_event(TimeMs time, std::string symbol = "BTCUSDT") {
  return StoredEvent{.time = time,
                     .kind = time % 2 == 0 ? EventKind::trade : EventKind::liquidation,
                     .side = time % 3 == 0 ? Side::sell : Side::buy,
                     .exchange = time % 5 == 0 ? "OKX" : "Binance",
                     .symbol = std::move(symbol),
                     .price = 95000.0 + static_cast<double>(time % 1000) / 7.0,
                     .volume_usd = 1234.5678 * static_cast<double>(time % 97 + 1)};
}

// what() of the exception opening the SQLite store at `path` throws ("" when it opens).
inline std::string open_error(const std::string& path) {
  try {
    SqliteStore::open(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
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
  // Calls on_row with each row of the statement, read with the sqlite3_column_* functions.
  void for_each_row(const std::string& sql, const std::function<void(sqlite3_stmt*)>& on_row) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail(sql);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) on_row(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) fail(sql);
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
