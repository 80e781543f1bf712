#include "teleglas/config/sources.hpp"

#include <algorithm>

namespace teleglas {

std::vector<std::string> resolve_sources(const Config& config, bool have_coinglass_key) {
  if (!config.sources.empty()) return config.sources;
  if (have_coinglass_key) return {std::string(source_coinglass)};
  return {std::string(source_bybit), std::string(source_binance)};
}

std::vector<std::string> stream_symbols(const ExchangeStreamConfig& stream,
                                        const std::vector<SymbolConfig>& symbols) {
  std::vector<std::string> names;
  auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  };
  if (!stream.symbols.empty()) {
    for (const auto& name : stream.symbols) add(name);
  } else {
    for (const auto& symbol : symbols) add(symbol.symbol);
  }
  return names;
}

}  // namespace teleglas
