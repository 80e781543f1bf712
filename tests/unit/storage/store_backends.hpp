// SQLite and PostgreSQL behind one face for the conformance tests: each gives a fresh, empty
// store per test (opened again at will), and does for the test what the Store API cannot: read
// the stored events, gaps and photos back, and make a write fail half-way.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/postgres_test_support.hpp"
#include "storage_test_support.hpp"
#include "teleglas/storage/postgres_store.hpp"
#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas::testing {

inline StoredEvent event_from_text(TimeMs time, std::string_view kind, int side,
                                   std::string exchange, std::string symbol, double price,
                                   double volume_usd) {
  return StoredEvent{.time = time,
                     .kind = kind == "trade" ? EventKind::trade : EventKind::liquidation,
                     .side = side == 1 ? Side::sell : Side::buy,
                     .exchange = std::move(exchange),
                     .symbol = std::move(symbol),
                     .price = price,
                     .volume_usd = volume_usd};
}

class SqliteBackend {
 public:
  static constexpr std::string_view name = "Sqlite";

  // "" when the backend is ready, else why the test cannot run.
  std::string prepare() { return ""; }
  std::unique_ptr<Store> open() { return SqliteStore::open(path_); }

  std::vector<StoredEvent> stored_events() {
    std::vector<StoredEvent> events;
    RawConnection(path_).for_each_row(
        "SELECT time_ms, kind, side, exchange, symbol, price, volume_usd FROM market_events",
        [&](sqlite3_stmt* row) {
          events.push_back(
              event_from_text(sqlite3_column_int64(row, 0),
                              reinterpret_cast<const char*>(sqlite3_column_text(row, 1)),
                              sqlite3_column_int(row, 2),
                              reinterpret_cast<const char*>(sqlite3_column_text(row, 3)),
                              reinterpret_cast<const char*>(sqlite3_column_text(row, 4)),
                              sqlite3_column_double(row, 5), sqlite3_column_double(row, 6)));
        });
    return events;
  }

  std::vector<StoredGap> stored_gaps() {
    std::vector<StoredGap> gaps;
    RawConnection(path_).for_each_row(
        "SELECT from_ms, to_ms, source FROM gaps", [&](sqlite3_stmt* row) {
          gaps.push_back(
              StoredGap{.from = sqlite3_column_int64(row, 0),
                        .to = sqlite3_column_int64(row, 1),
                        .source = reinterpret_cast<const char*>(sqlite3_column_text(row, 2))});
        });
    return gaps;
  }

  // The ids of the outbox's rows that hold a photo, sent and dropped ones included.
  std::vector<std::uint64_t> ids_with_photo() {
    std::vector<std::uint64_t> ids;
    RawConnection(path_).for_each_row(
        "SELECT id FROM outbox_alerts WHERE photo IS NOT NULL ORDER BY id", [&](sqlite3_stmt* row) {
          ids.push_back(static_cast<std::uint64_t>(sqlite3_column_int64(row, 0)));
        });
    return ids;
  }

  // From now on, writing an event of this symbol fails (as a full disk would, half-way).
  void reject_events_of(const std::string& symbol) {
    RawConnection(path_).execute(
        "CREATE TRIGGER reject_symbol BEFORE INSERT ON market_events WHEN NEW.symbol = '" + symbol +
        "' BEGIN SELECT RAISE(ABORT, 'rejected by the test'); END");
  }

 private:
  TempDir dir_;
  std::string path_ = dir_.file("teleglas.db");
};

class PostgresBackend {
 public:
  static constexpr std::string_view name = "Postgres";

  std::string prepare() {
    const auto url = test_postgres_url();
    if (!url) return no_postgres_message();
    database_.emplace(*url);
    return "";
  }
  std::unique_ptr<Store> open() { return PostgresStore::open(database_->url(), "test"); }

  std::vector<StoredEvent> stored_events() {
    std::vector<StoredEvent> events;
    for (const auto& row :
         database_->connect().rows("SELECT time_ms, kind, side, exchange, symbol, price, "
                                   "volume_usd FROM market_events")) {
      events.push_back(event_from_text(std::stoll(*row[0]), *row[1], std::stoi(*row[2]), *row[3],
                                       *row[4], std::stod(*row[5]), std::stod(*row[6])));
    }
    return events;
  }

  std::vector<StoredGap> stored_gaps() {
    std::vector<StoredGap> gaps;
    for (const auto& row : database_->connect().rows("SELECT from_ms, to_ms, source FROM gaps")) {
      gaps.push_back(
          StoredGap{.from = std::stoll(*row[0]), .to = std::stoll(*row[1]), .source = *row[2]});
    }
    return gaps;
  }

  std::vector<std::uint64_t> ids_with_photo() {
    std::vector<std::uint64_t> ids;
    for (const auto& row : database_->connect().rows(
             "SELECT id FROM outbox_alerts WHERE photo IS NOT NULL ORDER BY id")) {
      ids.push_back(std::stoull(*row[0]));
    }
    return ids;
  }

  void reject_events_of(const std::string& symbol) {
    database_->connect().execute(
        "ALTER TABLE market_events ADD CONSTRAINT reject_symbol CHECK (symbol <> '" + symbol +
        "')");
  }

 private:
  std::optional<FreshDatabase> database_;
};

}  // namespace teleglas::testing
