// The common names of the exchanges' own symbols: what the rest of TELEGLAS calls an instrument
// ("BTCUSDT") and its base asset ("BTC"), whichever venue's stream delivered it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

}  // namespace teleglas
