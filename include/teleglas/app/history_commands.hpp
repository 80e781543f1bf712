// `teleglas stats` and the storage side of `teleglas replay`: a backtest is `replay --db F`
// then `stats --db F`.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "teleglas/config/config.hpp"
#include "teleglas/core/types.hpp"
#include "teleglas/storage/store.hpp"

namespace teleglas {

// "90s", "15m", "24h", "7d", "2w" (also "1.5h"); nullopt when it is none of these.
std::optional<TimeMs> parse_duration_ms(std::string_view text);
// What a command says when parse_duration_ms refuses its argument.
inline constexpr std::string_view duration_expected =
    "expected a duration such as 90m, 24h, 7d or 2w";

// The store a history command reads or writes: the SQLite file `db_path` when given, else
// the configuration's storage. Throws std::runtime_error naming the file or URL.
std::unique_ptr<Store> open_history_store(const std::string& db_path, const StorageConfig& storage);

struct StatsOptions {
  std::string db_path;  // empty: the configuration's storage
  std::string since;    // empty: all history
  bool json = false;
};

// Prints the per-type outcomes and the calibration table of the signals since `since` (of
// the wall clock `now_ms`). Returns the exit code; errors go to `err`.
int run_stats(const StatsOptions& options, const Config& config, TimeMs now_ms,
              std::ostream& out, std::ostream& err);

}  // namespace teleglas
