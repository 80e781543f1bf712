// Field readers shared by the stream frames (parser.cpp) and the REST snapshot formats
// (snapshot_formats.cpp). Internal to the ingest layer; inline because they are the hot path.
#pragma once

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "teleglas/core/names.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas::ingest_detail {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;

// The outcome of reading a field, an element or a row: nullopt when it is good, otherwise why
// it is rejected. invalid_json never rejects one element only: it means the document itself is
// malformed, and the whole frame is rejected.
using Verdict = std::optional<RejectReason>;
inline constexpr Verdict good = std::nullopt;

inline bool is_broken(const Verdict& v) {
  return v == RejectReason::invalid_json;
}

inline constexpr TimeMs earliest_valid_time = 1262304000000;  // 2010-01-01T00:00:00Z
inline constexpr TimeMs end_of_valid_time = 4102444800000;    // 2100-01-01T00:00:00Z, exclusive

// What every market event is checked against, whichever feed it came from: the edge's caps and,
// for a live frame, its receive time (0 when unknown).
struct EventLimits {
  TimeMs receive_time = 0;
  TimeMs max_clock_skew_ms = 0;
  double max_price = 0;
  double max_volume_usd = 0;
};

// |a - b| > limit without overflow, whatever receive time the caller passes.
inline bool too_far_apart(TimeMs a, TimeMs b, TimeMs limit) {
  const auto gap = a > b ? static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b)
                         : static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
  return gap > static_cast<std::uint64_t>(limit > 0 ? limit : 0);
}

// An event time outside [2010, 2100) or too far from the receive time is bad_time.
inline Verdict check_time(TimeMs t, const EventLimits& limits) {
  if (t < earliest_valid_time || t >= end_of_valid_time) return RejectReason::bad_time;
  if (limits.receive_time != 0 && too_far_apart(t, limits.receive_time, limits.max_clock_skew_ms)) {
    return RejectReason::bad_time;
  }
  return good;
}

// Prices and volumes a venue states or we compute (size x price): positive and finite, and not
// absurd. An overflow to infinity is absurd, not malformed.
inline Verdict check_price(double price, const EventLimits& limits) {
  if (!(price > 0) || std::isnan(price)) return RejectReason::bad_price;
  return price > limits.max_price ? Verdict{RejectReason::price_too_high} : good;
}
inline Verdict check_volume(double usd, const EventLimits& limits) {
  if (!(usd > 0) || std::isnan(usd)) return RejectReason::bad_volume;
  return usd > limits.max_volume_usd ? Verdict{RejectReason::volume_too_high} : good;
}

// Rejections of single elements (events, rows) of the frame being parsed. They reach the stats
// only if the frame as a whole stands.
struct ElementRejects {
  std::array<std::uint32_t, reject_reason_count> by_reason{};
  std::uint32_t total = 0;

  void add(RejectReason reason) {
    ++by_reason[static_cast<int>(reason)];
    ++total;
  }
  void clear() {
    if (total != 0) by_reason.fill(0);
    total = 0;
  }
};

// simdjson reports an error per value for a wrong type or an unreadable number (1e400 and 1.2.3
// alike); every other error means the document cannot be walked any further.
inline Verdict value_error(error_code e, RejectReason bad_value) {
  switch (e) {
    case simdjson::INCORRECT_TYPE:
      return RejectReason::wrong_type;
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return bad_value;
    default:
      return RejectReason::invalid_json;
  }
}

// Loops over members and elements take each by reference (value_unsafe() after checking
// error()): copying it out with get() stalled on store forwarding, a quarter of the hot path.

// An explicit null counts as an absent field: APIs send null for "no value".
inline bool is_null(ondemand::value& v) {
  bool null = false;
  return !v.is_null().get(null) && null;
}

// Reads an integer in [lo, hi). Integral floats ("1725416318379.0") are accepted because JSON
// writers emit them; fractions and values out of range are `bad_value`.
inline Verdict read_integer(ondemand::value& v, std::int64_t lo, std::int64_t hi,
                            RejectReason bad_value, std::int64_t& out) {
  const error_code e = v.get_int64().get(out);
  if (e == simdjson::SUCCESS) return out >= lo && out < hi ? good : Verdict{bad_value};
  if (e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_ERROR &&
      e != simdjson::NUMBER_OUT_OF_RANGE) {
    return RejectReason::invalid_json;
  }
  double d = 0;
  if (const error_code de = v.get_double().get(d)) return value_error(de, bad_value);
  // Range first, so that the cast below is always defined.
  if (!(d >= static_cast<double>(lo) && d < static_cast<double>(hi)) || d != std::floor(d)) {
    return bad_value;
  }
  out = static_cast<std::int64_t>(d);
  return good;
}

// An event time: an integer of epoch milliseconds, checked by check_time.
inline Verdict read_time(ondemand::value& v, const EventLimits& limits, TimeMs& out) {
  if (Verdict verdict =
          read_integer(v, earliest_valid_time, end_of_valid_time, RejectReason::bad_time, out)) {
    return verdict;
  }
  return check_time(out, limits);
}

inline Verdict read_finite(ondemand::value& v, RejectReason bad_value, double& out) {
  if (const error_code e = v.get_double().get(out)) return value_error(e, bad_value);
  return std::isfinite(out) ? good : Verdict{bad_value};
}

inline Verdict read_positive(ondemand::value& v, RejectReason bad_value, double& out) {
  if (const error_code e = v.get_double().get(out)) return value_error(e, bad_value);
  return std::isfinite(out) && out > 0 ? good : Verdict{bad_value};
}

// Exchanges quote their numbers ("95000.5", "1692266434010") to keep every digit. These read
// the characters between the quotes straight from the input, without a copy: a number has no
// escapes to undo, so a backslash just makes the text no number.
enum class Token : std::uint8_t { string, other, broken };

inline Token quoted_text(ondemand::value& v, std::string_view& text) {
  const std::string_view token = v.raw_json_token();
  if (token.empty() || token.front() != '"') return Token::other;
  ondemand::raw_json_string consumed;
  if (v.get_raw_json_string().get(consumed)) return Token::broken;
  // The token runs to the next structural character: the string, its closing quote and any
  // whitespace. (An escaped quote inside just leaves a backslash in `text`: no number.)
  std::size_t end = token.size();
  while (end > 1 && is_text_whitespace(token[end - 1])) --end;
  if (end < 2 || token[end - 1] != '"') return Token::broken;
  text = token.substr(1, end - 2);
  return Token::string;
}

// The whole of `text` as a decimal ("95000.5", "1e-3"); no sign other than '-', no spaces, no
// hexadecimal. NaN and infinities parse here and are refused by the callers' range checks.
inline bool parse_decimal(std::string_view text, double& out) {
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, out);
  return error == std::errc{} && stop == end;
}

// A decimal, quoted or a plain JSON number; finite, or `bad_value`.
inline Verdict read_decimal(ondemand::value& v, RejectReason bad_value, double& out) {
  std::string_view text;
  switch (quoted_text(v, text)) {
    case Token::broken:
      return RejectReason::invalid_json;
    case Token::other:
      return read_finite(v, bad_value, out);
    case Token::string:
      break;
  }
  return parse_decimal(text, out) && std::isfinite(out) ? good : Verdict{bad_value};
}

// An event time, quoted (OKX) or a plain JSON integer (Bybit, Binance).
inline Verdict read_any_time(ondemand::value& v, const EventLimits& limits, TimeMs& out) {
  std::string_view text;
  switch (quoted_text(v, text)) {
    case Token::broken:
      return RejectReason::invalid_json;
    case Token::other:
      return read_time(v, limits, out);
    case Token::string:
      break;
  }
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, out);
  if (error != std::errc{} || stop != end) return RejectReason::bad_time;
  return check_time(out, limits);
}

// A string that must be one of two spellings (`first` or `second`, compared raw): `is_second`
// says which. Another string is `bad_value`, another type wrong_type.
inline Verdict read_choice(ondemand::value& v, std::string_view first, std::string_view second,
                           RejectReason bad_value, bool& is_second) {
  ondemand::raw_json_string raw;
  if (const error_code e = v.get_raw_json_string().get(raw)) {
    return e == simdjson::INCORRECT_TYPE ? Verdict{RejectReason::wrong_type}
                                         : Verdict{RejectReason::invalid_json};
  }
  if (raw.unsafe_is_equal(first)) {
    is_second = false;
  } else if (raw.unsafe_is_equal(second)) {
    is_second = true;
  } else {
    return bad_value;
  }
  return good;
}

// Reads a symbol, exchange or asset name. One that breaks its rule is bad_symbol and is not
// stored: its text goes nowhere.
inline Verdict read_name(ondemand::value& v, const NameRule& rule, std::string_view& out) {
  std::string_view name;
  if (const error_code e = v.get_string().get(name)) {
    return e == simdjson::INCORRECT_TYPE ? Verdict{RejectReason::wrong_type}
                                         : Verdict{RejectReason::invalid_json};
  }
  if (!follows(name, rule)) return RejectReason::bad_symbol;
  out = name;
  return good;
}

// Reads a string without unescaping it, to compare it raw with the spellings a format allows.
inline Verdict read_raw_string(ondemand::value& v, ondemand::raw_json_string& out) {
  if (const error_code e = v.get_raw_json_string().get(out)) {
    return e == simdjson::INCORRECT_TYPE ? Verdict{RejectReason::wrong_type}
                                         : Verdict{RejectReason::invalid_json};
  }
  return good;
}

inline Verdict read_bool(ondemand::value& v, bool& out) {
  if (const error_code e = v.get_bool().get(out)) {
    return e == simdjson::INCORRECT_TYPE ? Verdict{RejectReason::wrong_type}
                                         : Verdict{RejectReason::invalid_json};
  }
  return good;
}

// Reads one field unless an earlier duplicate was already taken (the first one wins), and
// treats a null like an absent field.
template <class Read>
[[gnu::always_inline]] inline Verdict take(ondemand::value& v, bool& present, Read read) {
  if (present) return good;
  Verdict verdict = read(v);
  if (verdict == RejectReason::wrong_type && is_null(v)) return good;
  present = !verdict;
  return verdict;
}

// The readers above bound to where their value goes, for a table of fields (read_fields).
// The walk and these readers are forced inline: left to itself GCC kept them out of line, and
// the venue rows parsed up to a quarter slower than the loops written out by hand.
inline auto decimal_into(RejectReason bad_value, double& out) {
  return [ bad_value, &out ](ondemand::value & v) __attribute__((always_inline)) {
    return read_decimal(v, bad_value, out);
  };
}
inline auto finite_into(RejectReason bad_value, double& out) {
  return [ bad_value, &out ](ondemand::value & v) __attribute__((always_inline)) {
    return read_finite(v, bad_value, out);
  };
}
inline auto positive_into(RejectReason bad_value, double& out) {
  return [ bad_value, &out ](ondemand::value & v) __attribute__((always_inline)) {
    return read_positive(v, bad_value, out);
  };
}
inline auto time_into(const EventLimits& limits, TimeMs& out) {
  return [&limits, &out ](ondemand::value & v) __attribute__((always_inline)) {
    return read_any_time(v, limits, out);
  };
}
inline auto name_into(const NameRule& rule, std::string_view& out) {
  return [&rule, &out ](ondemand::value & v) __attribute__((always_inline)) {
    return read_name(v, rule, out);
  };
}
inline auto choice_into(std::string_view first, std::string_view second, RejectReason bad_value,
                        bool& is_second) {
  return [ first, second, bad_value, &is_second ](ondemand::value & v)
      __attribute__((always_inline)) {
    return read_choice(v, first, second, bad_value, is_second);
  };
}

// The key's only character, or 0 for a key of another length. The venues' hot keys are one
// character long ("T", "s", "p", ...): one comparison each.
inline char single_char_key(ondemand::raw_json_string key) {
  const char* raw = key.raw();
  return raw[0] != '"' && raw[1] == '"' ? raw[0] : '\0';
}

// One row of a table of fields: the key (one character, or a name compared raw with the key as
// written), whether the field was taken, and how its value is read (Verdict(ondemand::value&)).
template <class Key, class Read>
struct FieldSpec {
  Key key;
  bool& present;
  Read read;
};
template <class Read>
FieldSpec<char, Read> field_spec(char key, bool& present, Read read) {
  return {key, present, read};
}
template <class Read>
FieldSpec<std::string_view, Read> field_spec(std::string_view key, bool& present, Read read) {
  return {key, present, read};
}

inline bool key_matches(ondemand::raw_json_string key, char letter, char expected) {
  (void)key;
  return letter == expected;
}
inline bool key_matches(ondemand::raw_json_string key, char letter, std::string_view expected) {
  (void)letter;
  return key.unsafe_is_equal(expected);
}

// Takes one member with the first spec whose key it has (see take()); a member no spec names is
// skipped.
template <class... Specs>
[[gnu::always_inline]] inline Verdict take_field(ondemand::raw_json_string key,
                                                 ondemand::value& value, Specs&&... specs) {
  const char letter = single_char_key(key);
  Verdict verdict = good;
  (void)((key_matches(key, letter, specs.key) &&
          (verdict = take(value, specs.present, specs.read), true)) ||
         ...);
  return verdict;
}

// Walks the members of `object` with `on_member(ondemand::field&)`; the first verdict it returns
// ends the walk and is the walk's. Members are taken by reference (see above).
template <class OnMember>
[[gnu::always_inline]] inline Verdict walk_members(ondemand::object& object, OnMember on_member) {
  for (auto member : object) {
    if (member.error()) return RejectReason::invalid_json;
    if (Verdict verdict = on_member(member.value_unsafe())) return verdict;
  }
  return good;
}

// Opens an element or a row, which must be an object.
inline Verdict open_object(ondemand::value& v, ondemand::object& out) {
  if (const error_code e = v.get_object().get(out)) {
    return e == simdjson::INCORRECT_TYPE ? Verdict{RejectReason::bad_event}
                                         : Verdict{RejectReason::invalid_json};
  }
  return good;
}

// Opens a list, which must be an array: anything else is `not_an_array`.
inline Verdict open_array(ondemand::value& v, RejectReason not_an_array, ondemand::array& out) {
  if (const error_code e = v.get_array().get(out)) {
    return e == simdjson::INCORRECT_TYPE ? Verdict{not_an_array}
                                         : Verdict{RejectReason::invalid_json};
  }
  return good;
}

// Reads a row, which must be an object, by a table of fields: each member is taken by the
// first spec with its key (take_field); the first bad value is the row's verdict. Which fields
// must be present is the caller's to check, with the specs' `present` flags.
template <class... Specs>
[[gnu::always_inline]] inline Verdict read_fields(ondemand::value& row, Specs&&... specs) {
  ondemand::object object;
  if (Verdict verdict = open_object(row, object)) return verdict;
  return walk_members(
      object, [&](ondemand::field & field) __attribute__((always_inline)) {
        return take_field(field.key(), field.value(), specs...);
      });
}

// Reads every element of `list` with `read_one(ondemand::value&)`. A bad element is one
// rejection and its siblings stay; a broken document ends the walk.
template <class ReadOne>
Verdict read_each(ondemand::array& list, ElementRejects& rejects, ReadOne read_one) {
  for (auto item : list) {
    if (item.error()) return RejectReason::invalid_json;
    if (Verdict verdict = read_one(item.value_unsafe())) {
      if (is_broken(verdict)) return verdict;
      rejects.add(*verdict);
    }
  }
  return good;
}

}  // namespace teleglas::ingest_detail
