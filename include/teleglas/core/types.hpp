// Vocabulary of the domain: time, sides, signal kinds. No dependencies.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace teleglas {

// Epoch milliseconds. Every time in the core is one of these; nothing reads the wall clock.
using TimeMs = std::int64_t;

constexpr TimeMs seconds_ms(double s) {
  return static_cast<TimeMs>(s * 1000.0);
}

// CoinGlass wire value of `side`. For trades: 1 = sell, 2 = buy (the aggressor).
// For liquidations: 1 = a LONG was liquidated (a forced sell), 2 = a SHORT (a forced buy).
// Either way, `sell` means "selling pressure hit the book".
enum class Side : std::uint8_t { sell = 1, buy = 2 };

constexpr Side opposite(Side s) {
  return s == Side::sell ? Side::buy : Side::sell;
}
constexpr int index_of(Side s) {
  return s == Side::sell ? 0 : 1;
}

enum class EventKind : std::uint8_t { liquidation, trade };

// The feed that delivered an event: CoinGlass (which relays many exchanges) or an exchange's own
// public stream. Which venue the event happened on is the event's `exchange`.
enum class Source : std::uint8_t { coinglass, bybit, binance, okx };
inline constexpr int source_count = 4;

// The setup an alert suggests.
enum class Direction : std::uint8_t { bullish, bearish, neutral };

enum class SignalType : std::uint8_t {
  stop_hunt,
  accumulation,
  distribution,
  liquidation_cascade,
  whale_accumulation,
  funding_extreme,
  oi_divergence,
};
inline constexpr int signal_type_count = 7;

enum class Priority : std::uint8_t { none, info, watch, urgent };

// Wire names used in JSON output and logs: "LONG", "STOP_HUNT", "URGENT", ...
std::string_view to_string(Direction d);
std::string_view to_string(SignalType t);
std::string_view to_string(Priority p);
// What people read: "Stop hunt"; and what its price zone is called: "Hunt zone".
std::string_view in_words(SignalType t);
std::string_view zone_in_words(SignalType t);
std::optional<SignalType> signal_type_from_string(std::string_view s);
std::optional<Direction> direction_from_string(std::string_view s);
std::optional<Priority> priority_from_string(std::string_view s);

// "coinglass", "bybit", "binance", "okx": as configuration (`sources:`) and logs spell them.
std::string_view to_string(Source s);
std::optional<Source> parse_source(std::string_view s);

}  // namespace teleglas
