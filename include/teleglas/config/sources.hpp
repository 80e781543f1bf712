// Which market-data sources the daemon runs and which symbols each serves: the configured
// `sources` list, or the keyless default, and a venue's symbol list, or the top-level one.
// Pure functions of the configuration: the daemon calls them, check-config and tests too.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"

namespace teleglas {

inline constexpr std::string_view source_coinglass = "coinglass";
inline constexpr std::string_view source_bybit = "bybit";
inline constexpr std::string_view source_binance = "binance";
inline constexpr std::string_view source_okx = "okx";
inline constexpr std::array<std::string_view, 4> source_names = {source_coinglass, source_bybit,
                                                                 source_binance, source_okx};

// `config.sources` when set. Empty means automatic: CoinGlass alone when its key is there (the
// paid stream already carries every exchange), otherwise the keyless exchange streams of
// Bybit and Binance, so that `teleglas run` works for everyone.
std::vector<std::string> resolve_sources(const Config& config, bool have_coinglass_key);

// A venue's symbols: its own list when set, otherwise the names of the top-level `symbols`
// entries; in order, duplicates dropped.
std::vector<std::string> stream_symbols(const ExchangeStreamConfig& stream,
                                        const std::vector<SymbolConfig>& symbols);

}  // namespace teleglas
