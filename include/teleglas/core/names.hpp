// What a symbol, exchange or asset name may look like. The parser rejects names that break
// these rules and the configuration refuses them, so no name that reaches a log, the store or
// a Telegram message can carry markup, control characters or invisible text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace teleglas {

// What a name may look like. Names reach logs, storage and Telegram HTML: the charsets keep
// markup, control characters and invisible or direction-changing text out of all of them.
// Letters of other scripts are names too (Binance lists a contract named 币安人生USDT).
struct NameRule {
  std::size_t max_length = 0;       // in bytes
  std::array<bool, 256> allowed{};  // ASCII, by byte
  bool other_scripts = false;       // printable non-ASCII letters (UTF-8)
};

// Letters and digits plus `punctuation`.
constexpr NameRule name_rule(std::size_t max_length, std::string_view punctuation) {
  NameRule rule{.max_length = max_length};
  for (int c = 0; c < 256; ++c) {
    rule.allowed[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
  for (const char c : punctuation) rule.allowed[static_cast<unsigned char>(c)] = true;
  return rule;
}

constexpr NameRule with_other_scripts(NameRule rule) {
  rule.other_scripts = true;
  return rule;
}

// BTCUSDT, 1000PEPEUSDT, BTC-USDT-SWAP, BTCUSD_PERP, BTC/USDT, BTC-PERP:USDC, 币安人生USDT.
inline constexpr NameRule symbol_name = with_other_scripts(name_rule(32, "-_/.:"));
// Exchanges (Binance, Crypto.com, Coinbase International) and assets (BTC, 1000PEPE, 币安人生).
inline constexpr NameRule exchange_or_asset_name = with_other_scripts(name_rule(24, " .-_"));

// A code point of another script that is safe to show: not a C1 control, not a space, not
// zero-width or a direction override (U+2000..U+206F), not a BOM or a special (U+FFF0..).
constexpr bool printable_other_script(std::uint32_t cp) {
  return cp >= 0xA1 && !(cp >= 0x2000 && cp <= 0x206F) && cp != 0x3000 && cp != 0xFEFF &&
         !(cp >= 0xFFF0 && cp <= 0xFFFF) && !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
}

inline bool follows(std::string_view name, const NameRule& rule) {
  if (name.empty() || name.size() > rule.max_length) return false;
  for (std::size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (!rule.allowed[c]) return false;
      ++i;
      continue;
    }
    // Strict UTF-8: 2 to 4 bytes, shortest form.
    const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!rule.other_scripts || length == 0 || length > 4 || i + length > name.size()) return false;
    std::uint32_t cp = c & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(name[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    static constexpr std::uint32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < shortest[length] || !printable_other_script(cp)) return false;
    i += length;
  }
  return true;
}

// Equality for the short names of the hot path (symbols, venues): an inline loop, cheaper than
// a library memcmp for a dozen bytes.
constexpr bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Venue names as sources spell them ("Binance", "BINANCE"): equal without ASCII case.
constexpr bool same_venue(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

inline bool is_symbol_name(std::string_view name) {
  return follows(name, symbol_name);
}
inline bool is_venue_or_asset_name(std::string_view name) {
  return follows(name, exchange_or_asset_name);
}

}  // namespace teleglas
