// Which CoinGlass channels the feed subscribes to and how they are spread over connections:
// the configured liquidation channels plus one futures_trades channel per symbol and exchange.
// Pure: the WebSocket client sends what these functions build.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"

namespace teleglas {

// `futures_trades@{exchange}_{symbol}@{min_usd}`, the minimum as a whole number of dollars
// (CoinGlass' minVol), e.g. futures_trades@Binance_BTCUSDT@10000.
std::string trade_channel(std::string_view exchange, std::string_view symbol, double min_usd);

// Liquidation channels first, then trade channels in configuration order; duplicates dropped.
std::vector<std::string> feed_channels(const CoinglassConfig& config,
                                       const std::vector<SymbolConfig>& symbols);

// Consecutive groups of at most `per_connection` channels, one per WebSocket connection.
// A non-positive `per_connection` puts everything on one connection.
std::vector<std::vector<std::string>> group_channels(const std::vector<std::string>& channels,
                                                     int per_connection);

// {"method":"subscribe","channels":[...]} and its unsubscribe twin, properly JSON-escaped.
std::string subscribe_message(const std::vector<std::string>& channels);
std::string unsubscribe_message(const std::vector<std::string>& channels);

}  // namespace teleglas
