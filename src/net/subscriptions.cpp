#include "teleglas/net/subscriptions.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <unordered_set>

namespace teleglas {

namespace {

std::string channel_message(std::string_view method, const std::vector<std::string>& channels) {
  boost::json::array names;
  names.reserve(channels.size());
  for (const auto& channel : channels) names.emplace_back(channel);
  // boost::json::object keeps insertion order, so "method" comes first as in CoinGlass' docs.
  boost::json::object message;
  message["method"] = method;
  message["channels"] = std::move(names);
  return boost::json::serialize(message);
}

}  // namespace

std::string trade_channel(std::string_view exchange, std::string_view symbol, double min_usd) {
  // NaN and negatives mean "no minimum"; the config validator is what complains about them.
  const long long whole = std::isfinite(min_usd) && min_usd > 0 ? std::llround(min_usd) : 0;
  std::string channel = "futures_trades@";
  channel.append(exchange).append("_").append(symbol).append("@").append(std::to_string(whole));
  return channel;
}

std::vector<std::string> feed_channels(const CoinglassConfig& config,
                                       const std::vector<SymbolConfig>& symbols) {
  std::vector<std::string> channels;
  std::unordered_set<std::string> seen;
  auto add = [&](std::string channel) {
    if (channel.empty() || !seen.insert(channel).second) return;
    channels.push_back(std::move(channel));
  };
  for (const auto& channel : config.liquidation_channels) add(channel);
  for (const auto& symbol : symbols) {
    for (const auto& exchange : symbol.exchanges) {
      add(trade_channel(exchange, symbol.symbol, symbol.min_trade_usd));
    }
  }
  return channels;
}

std::vector<std::vector<std::string>> group_channels(const std::vector<std::string>& channels,
                                                     int per_connection) {
  const std::size_t size =
      per_connection > 0 ? static_cast<std::size_t>(per_connection) : channels.size();
  std::vector<std::vector<std::string>> groups;
  for (std::size_t first = 0; first < channels.size(); first += size) {
    const std::size_t last = std::min(channels.size(), first + size);
    groups.emplace_back(channels.begin() + static_cast<std::ptrdiff_t>(first),
                        channels.begin() + static_cast<std::ptrdiff_t>(last));
  }
  return groups;
}

std::string subscribe_message(const std::vector<std::string>& channels) {
  return channel_message("subscribe", channels);
}

std::string unsubscribe_message(const std::vector<std::string>& channels) {
  return channel_message("unsubscribe", channels);
}

}  // namespace teleglas
