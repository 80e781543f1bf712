// The common names of the exchanges' own symbols: what the rest of TELEGLAS calls an instrument
// ("BTCUSDT") and its base asset ("BTC"), whichever venue's stream delivered it.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teleglas {

// The base asset of a Bybit or Binance symbol: the symbol before its quote suffix (FDUSD, USDT,
// USDC, BUSD, USD or PERP), after cutting a delivery date ("BTCUSDT_250328"): "BTCUSDT" -> "BTC",
// "1000PEPEUSDT" -> "1000PEPE". Empty when no suffix is found or nothing would be left. A view
// into `symbol`.
std::string_view base_of_symbol(std::string_view symbol);

struct CommonName {
  std::string symbol;      // "BTCUSDT"
  std::string base_asset;  // "BTC"
};

// The common name of an OKX instrument ID: BTC-USDT-SWAP -> BTCUSDT (base BTC), BTC-USD-SWAP ->
// BTCUSD, a delivery future BTC-USDT-250328 -> BTCUSDT_250328 (Binance's spelling), a spot pair
// BTC-USDT -> BTCUSDT. Nullopt for anything else (options, malformed IDs) or a name that would
// break the name rules (core/names.hpp).
std::optional<CommonName> okx_common_name(std::string_view inst_id);

// The common names of instrument IDs spelled the OKX way, as CoinGlass relays OKX's events
// ("BTC-USDT-SWAP"): worked out once each and kept, so that the views an event takes of them
// outlive the frame. Bounded: past max_names distinct IDs a new one is not looked up (nullptr).
class CommonNames {
 public:
  static constexpr std::size_t max_names = 4096;

  // The common name of `id`, or nullptr when it has none (not BASE-QUOTE[-KIND] with a quote
  // base_of_symbol knows, or past the cap).
  const CommonName* find(std::string_view id);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::optional<CommonName>, Hash, std::equal_to<>> names_;
};

}  // namespace teleglas
