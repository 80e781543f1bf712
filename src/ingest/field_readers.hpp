// Field readers shared by the stream frames (parser.cpp) and the REST snapshot formats
// (snapshot_formats.cpp). Internal to the ingest layer; inline because they are the hot path.
#pragma once

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "teleglas/core/names.hpp"
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

inline Verdict read_finite(ondemand::value& v, RejectReason bad_value, double& out) {
  if (const error_code e = v.get_double().get(out)) return value_error(e, bad_value);
  return std::isfinite(out) ? good : Verdict{bad_value};
}

inline Verdict read_positive(ondemand::value& v, RejectReason bad_value, double& out) {
  if (const error_code e = v.get_double().get(out)) return value_error(e, bad_value);
  return std::isfinite(out) && out > 0 ? good : Verdict{bad_value};
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

// Reads one field unless an earlier duplicate was already taken (the first one wins), and
// treats a null like an absent field.
template <class Read>
Verdict take(ondemand::value& v, bool& present, Read read) {
  if (present) return good;
  Verdict verdict = read(v);
  if (verdict == RejectReason::wrong_type && is_null(v)) return good;
  present = !verdict;
  return verdict;
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
