#include "teleglas/core/types.hpp"

#include <array>

namespace teleglas {

namespace {
constexpr std::array<std::string_view, signal_type_count> signal_type_names = {
    "STOP_HUNT",          "ACCUMULATION",    "DISTRIBUTION",  "LIQUIDATION_CASCADE",
    "WHALE_ACCUMULATION", "FUNDING_EXTREME", "OI_DIVERGENCE",
};
constexpr std::array<std::string_view, source_count> source_names = {"coinglass", "bybit",
                                                                     "binance", "okx"};
}  // namespace

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::bullish:
      return "LONG";
    case Direction::bearish:
      return "SHORT";
    case Direction::neutral:
      return "NEUTRAL";
  }
  return "NEUTRAL";
}

std::string_view to_string(SignalType t) {
  return signal_type_names[static_cast<int>(t)];
}

std::string_view in_words(SignalType type) {
  switch (type) {
    case SignalType::stop_hunt:
      return "Stop hunt";
    case SignalType::accumulation:
      return "Accumulation";
    case SignalType::distribution:
      return "Distribution";
    case SignalType::liquidation_cascade:
      return "Liquidation cascade";
    case SignalType::whale_accumulation:
      return "Whale accumulation";
    case SignalType::funding_extreme:
      return "Funding extreme";
    case SignalType::oi_divergence:
      return "OI divergence";
  }
  return "Signal";
}

std::string_view zone_in_words(SignalType type) {
  switch (type) {
    case SignalType::stop_hunt:
      return "Hunt zone";
    case SignalType::liquidation_cascade:
      return "Cascade zone";
    case SignalType::accumulation:
    case SignalType::distribution:
    case SignalType::whale_accumulation:
      return "Traded range";
    default:
      return "Price zone";
  }
}

std::string_view to_string(Priority p) {
  switch (p) {
    case Priority::urgent:
      return "URGENT";
    case Priority::watch:
      return "WATCH";
    case Priority::info:
      return "INFO";
    case Priority::none:
      return "NONE";
  }
  return "NONE";
}

std::optional<Direction> direction_from_string(std::string_view s) {
  for (Direction d : {Direction::bullish, Direction::bearish, Direction::neutral}) {
    if (to_string(d) == s) return d;
  }
  return std::nullopt;
}

std::optional<Priority> priority_from_string(std::string_view s) {
  for (Priority p : {Priority::none, Priority::info, Priority::watch, Priority::urgent}) {
    if (to_string(p) == s) return p;
  }
  return std::nullopt;
}

std::optional<SignalType> signal_type_from_string(std::string_view s) {
  for (int i = 0; i < signal_type_count; ++i) {
    if (signal_type_names[i] == s) return static_cast<SignalType>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Source s) {
  const auto i = static_cast<std::size_t>(s);
  return i < source_names.size() ? source_names[i] : "unknown";
}

std::optional<Source> parse_source(std::string_view s) {
  for (int i = 0; i < source_count; ++i) {
    if (source_names[i] == s) return static_cast<Source>(i);
  }
  return std::nullopt;
}

}  // namespace teleglas
