#include "teleglas/ingest/venue_symbols.hpp"

#include <array>
#include <utility>

#include "teleglas/core/names.hpp"

namespace teleglas {

namespace {
// Longest first where one ends another: FDUSD and BUSD before USD.
constexpr std::array<std::string_view, 6> quote_suffixes = {"FDUSD", "USDT", "USDC",
                                                            "BUSD",  "USD",  "PERP"};
constexpr std::string_view okx_swap = "SWAP";
}  // namespace

std::string_view base_of_symbol(std::string_view symbol) {
  symbol = symbol.substr(0, symbol.find_first_of("_-"));
  for (const std::string_view suffix : quote_suffixes) {
    if (symbol.size() > suffix.size() && symbol.ends_with(suffix)) {
      return symbol.substr(0, symbol.size() - suffix.size());
    }
  }
  return {};
}

std::optional<CommonName> okx_common_name(std::string_view inst_id) {
  // BASE-QUOTE[-SWAP | -YYMMDD]
  const std::size_t first_dash = inst_id.find('-');
  if (first_dash == std::string_view::npos) return std::nullopt;
  const std::string_view base = inst_id.substr(0, first_dash);
  std::string_view rest = inst_id.substr(first_dash + 1);
  const std::size_t second_dash = rest.find('-');
  const std::string_view quote = rest.substr(0, second_dash);
  const std::string_view kind =
      second_dash == std::string_view::npos ? std::string_view{} : rest.substr(second_dash + 1);
  if (base.empty() || quote.empty() || kind.find('-') != std::string_view::npos) {
    return std::nullopt;
  }
  if (second_dash != std::string_view::npos && kind.empty()) return std::nullopt;

  CommonName name;
  name.base_asset.assign(base);
  name.symbol.reserve(base.size() + quote.size() + 1 + kind.size());
  name.symbol.append(base).append(quote);
  if (!kind.empty() && kind != okx_swap) name.symbol.append(1, '_').append(kind);
  if (!is_symbol_name(name.symbol) || !is_venue_or_asset_name(name.base_asset)) {
    return std::nullopt;
  }
  return name;
}

const CommonName* CommonNames::find(std::string_view id) {
  auto it = names_.find(id);
  if (it == names_.end()) {
    if (names_.size() >= max_names) return nullptr;
    std::optional<CommonName> name = okx_common_name(id);
    // Only a quote every venue spells alike (BTC-USDT-SWAP, ETH-USD-SWAP): Deribit's
    // BTC-PERPETUAL is no BASE-QUOTE pair and keeps its name.
    if (name && base_of_symbol(name->symbol) != name->base_asset) name.reset();
    it = names_.emplace(std::string(id), std::move(name)).first;
  }
  return it->second ? &*it->second : nullptr;
}

}  // namespace teleglas
