#include "teleglas/app/history_commands.hpp"

#include <charconv>
#include <filesystem>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include "teleglas/alerts/history_report.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/signals/history_stats.hpp"
#include "teleglas/storage/open_store.hpp"

namespace teleglas {

std::optional<TimeMs> parse_duration_ms(std::string_view text) {
  text = trim(text);
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  double per_unit = 0;
  switch (unit) {
    case 's':
      per_unit = 1'000;
      break;
    case 'm':
      per_unit = 60'000;
      break;
    case 'h':
      per_unit = 3'600'000;
      break;
    case 'd':
      per_unit = 86'400'000;
      break;
    case 'w':
      per_unit = 7 * 86'400'000.0;
      break;
    default:
      return std::nullopt;
  }
  const std::string_view number = text.substr(0, text.size() - 1);
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value) ||
      value <= 0 || value > 100 * 365.0 * 86'400'000 / per_unit) {
    return std::nullopt;
  }
  return static_cast<TimeMs>(value * per_unit);
}

std::unique_ptr<Store> open_history_store(const std::string& db_path,
                                          const StorageConfig& storage) {
  if (db_path.empty()) return open_store(storage);
  StorageConfig sqlite = storage;
  sqlite.backend = "sqlite";
  sqlite.path = db_path;
  return open_store(sqlite);
}

int run_stats(const StatsOptions& options, const Config& config, TimeMs now_ms,
              std::ostream& out, std::ostream& err) {
  TimeMs since = 0;
  std::string period = "all history";
  if (!options.since.empty()) {
    const auto span = parse_duration_ms(options.since);
    if (!span) {
      err << "teleglas stats: --since " << options.since << ": " << duration_expected << "\n";
      return 2;
    }
    since = now_ms - *span;
    period = "the last " + format_duration(*span);
  }
  const std::string& sqlite_path = options.db_path.empty() ? config.storage.path : options.db_path;
  if ((!options.db_path.empty() || config.storage.backend == "sqlite") &&
      !std::filesystem::exists(sqlite_path)) {
    // Reading must not leave an empty database behind.
    err << "teleglas stats: no history at " << sqlite_path
        << ": the file does not exist (the daemon creates it; `teleglas replay --db FILE` "
           "writes a backtest's)\n";
    return 1;
  }
  std::unique_ptr<Store> store;
  try {
    store = open_history_store(options.db_path, config.storage);
  } catch (const std::exception& e) {
    err << "teleglas stats: " << e.what() << "\n";
    return 1;
  }
  const auto rows = store->signals_since(since);
  if (!rows) {
    err << "teleglas stats: cannot read " << store->where() << ": " << store->last_error() << "\n";
    return 1;
  }
  const HistoryStats stats = compute_history_stats(*rows);
  if (options.json) {
    out << history_stats_json(stats) << "\n";
  } else {
    out << history_stats_text(stats, period + " (" + std::string(store->backend()) + " " +
                                         store->where() + ")");
  }
  return 0;
}

}  // namespace teleglas
