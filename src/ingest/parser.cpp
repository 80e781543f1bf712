// Frame parser: simdjson On-Demand over one reused parser, validation by field, rejection by
// reason. The front (frame kinds, channels, buffers) and the stream events (liquidations,
// trades) are here; the REST snapshot formats are in snapshot_formats.cpp. Field names of the
// WebSocket wire format live here and nowhere else.
#include "teleglas/ingest/parser.hpp"

#include "teleglas/core/text.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "field_readers.hpp"
#include "snapshot_formats.hpp"

namespace teleglas {

using namespace ingest_detail;

namespace {

constexpr TimeMs earliest_valid_time = 1262304000000;  // 2010-01-01T00:00:00Z
constexpr TimeMs end_of_valid_time = 4102444800000;    // 2100-01-01T00:00:00Z, exclusive
constexpr std::string_view trade_channel_prefix = "futures_trades@";
// Buffers start this large so that typical frames never allocate, even the first ones.
constexpr std::size_t initial_buffer_bytes = std::size_t{64} * 1024;

Verdict read_side(ondemand::value& v, Side& out) {
  std::int64_t n = 0;
  if (Verdict verdict = read_integer(v, 1, 3, RejectReason::bad_side, n)) return verdict;
  out = n == 1 ? Side::sell : Side::buy;
  return good;
}

// A positive finite number: `bad_value` when it is not, `too_high` when it is above `cap`.
Verdict read_capped(ondemand::value& v, RejectReason bad_value, double cap, RejectReason too_high,
                    double& out) {
  if (Verdict verdict = read_positive(v, bad_value, out)) return verdict;
  return out > cap ? Verdict{too_high} : good;
}

enum class Channel : std::uint8_t { liquidation, trade, funding, open_interest, unknown };

Channel classify_channel(std::string_view channel) {
  if (channel == "liquidationOrders" || channel == "liquidation_orders") {
    return Channel::liquidation;
  }
  if (channel.starts_with(trade_channel_prefix)) return Channel::trade;
  if (channel == funding_channel) return Channel::funding;
  if (channel == open_interest_channel) return Channel::open_interest;
  return Channel::unknown;
}

// |a - b| > limit without overflow, whatever receive time the caller passes.
bool too_far_apart(TimeMs a, TimeMs b, TimeMs limit) {
  const auto gap = a > b ? static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b)
                         : static_cast<std::uint64_t>(b) - static_cast<std::uint64_t>(a);
  return gap > static_cast<std::uint64_t>(std::max<TimeMs>(limit, 0));
}

bool is_snapshot(Channel c) {
  return c == Channel::funding || c == Channel::open_interest;
}

// "futures_trades@Binance_BTCUSDT@10000" -> "Binance", for trades that omit their exchange.
std::string_view exchange_of_trade_channel(std::string_view channel) {
  const std::string_view rest = channel.substr(trade_channel_prefix.size());
  return rest.substr(0, rest.find_first_of("_@"));
}

// Whether the whole document has been walked: anything left is trailing garbage. (simdjson
// 3.0 has no document::at_end(); current_location() says OUT_OF_BOUNDS there.)
bool at_end(ondemand::document& doc) {
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

// simdjson checks the whole document's bracket balance only when the byte after it is a
// closing bracket (simdjson issue 1834). Such frames are parsed from our zero-padded copy, so
// that the verdict never depends on the caller's bytes past the frame.
bool closes(char first_padding_byte) {
  return first_padding_byte == '}' || first_padding_byte == ']';
}

enum class MarketKey : std::uint8_t {
  other,
  symbol,
  exchange,
  base_asset,
  price,
  side,
  time,
  volume
};

// Keys are compared raw (escaped keys are not ours). One switch on the first byte keeps the
// hot path to a single comparison per known key.
MarketKey market_key(ondemand::raw_json_string key) {
  switch (key.raw()[0]) {
    case 's':
      if (key.unsafe_is_equal("symbol")) return MarketKey::symbol;
      if (key.unsafe_is_equal("side")) return MarketKey::side;
      break;
    case 'p':
      if (key.unsafe_is_equal("price")) return MarketKey::price;
      break;
    case 't':
      if (key.unsafe_is_equal("time")) return MarketKey::time;
      break;
    case 'v':
      if (key.unsafe_is_equal("volUsd") || key.unsafe_is_equal("volume_usd")) {
        return MarketKey::volume;
      }
      break;
    case 'e':
      if (key.unsafe_is_equal("exName") || key.unsafe_is_equal("exchange")) {
        return MarketKey::exchange;
      }
      break;
    case 'b':
      if (key.unsafe_is_equal("baseAsset") || key.unsafe_is_equal("base_asset")) {
        return MarketKey::base_asset;
      }
      break;
    default:
      break;
  }
  return MarketKey::other;
}

}  // namespace

std::string_view to_string(RejectReason r) {
  switch (r) {
    case RejectReason::invalid_json:
      return "invalid_json";
    case RejectReason::not_an_object:
      return "not_an_object";
    case RejectReason::missing_channel:
      return "missing_channel";
    case RejectReason::unknown_channel:
      return "unknown_channel";
    case RejectReason::missing_data:
      return "missing_data";
    case RejectReason::bad_data:
      return "bad_data";
    case RejectReason::bad_event:
      return "bad_event";
    case RejectReason::missing_field:
      return "missing_field";
    case RejectReason::wrong_type:
      return "wrong_type";
    case RejectReason::bad_side:
      return "bad_side";
    case RejectReason::bad_price:
      return "bad_price";
    case RejectReason::bad_volume:
      return "bad_volume";
    case RejectReason::bad_time:
      return "bad_time";
    case RejectReason::bad_symbol:
      return "bad_symbol";
    case RejectReason::too_large:
      return "too_large";
    case RejectReason::price_too_high:
      return "price_too_high";
    case RejectReason::volume_too_high:
      return "volume_too_high";
  }
  return "unknown";
}

std::uint64_t ParseStats::rejected() const {
  std::uint64_t total = 0;
  for (const std::uint64_t n : rejected_by_reason) total += n;
  return total;
}

struct FrameParser::Impl {
  explicit Impl(ParserOptions opts) : options(opts) {
    // Failure here is harmless: parse_json() allocates again on demand.
    [[maybe_unused]] const error_code e = json.allocate(initial_buffer_bytes);
    grow_padded(initial_buffer_bytes);
    channel.reserve(64);
  }

  const ParsedFrame& parse(std::string_view text, TimeMs receive_time, std::size_t capacity,
                           ParseStats& stats);

  // --- one frame ---
  void reset(TimeMs receive_time);
  const ParsedFrame& reject(RejectReason reason, ParseStats& stats);
  const ParsedFrame& accept(Channel kind, ParseStats& stats);
  const char* padded_copy(std::string_view text);
  void grow_padded(std::size_t bytes);
  bool ensure_parser_capacity(std::size_t bytes);

  const ParsedFrame& parse_json(const char* buf, std::size_t size, std::size_t capacity,
                                ParseStats& stats);
  const ParsedFrame& parse_object(ondemand::document& doc, ParseStats& stats);
  Verdict read_time(ondemand::value& v, TimeMs& out) const;

  // --- data of each channel ---
  Verdict read_data(ondemand::value& data, Channel kind, TimeMs snapshot_time);
  Verdict read_data_again(ondemand::document& doc, Channel kind, TimeMs snapshot_time);
  Verdict read_market_data(ondemand::value& data, EventKind kind);
  Verdict read_market_event(ondemand::value& element, MarketEvent& event) const;

  ParserOptions options;
  ondemand::parser json;
  std::unique_ptr<char[]> padded;  // frames copied here when the caller's buffer lacks padding
  std::size_t padded_capacity = 0;
  std::string channel;  // owned: a rewind of the document reuses simdjson's strings
  std::string notice;
  ParsedFrame frame;
  TimeMs receive_time = 0;
  ElementRejects element_rejects;  // of the current frame
};

void FrameParser::Impl::reset(TimeMs now) {
  receive_time = now;
  frame.kind = FrameKind::empty;
  frame.channel = {};
  frame.events.clear();
  frame.funding.clear();
  frame.open_interest.clear();
  frame.notice = {};
  frame.reject_reason = RejectReason::invalid_json;
  frame.rejected_events = 0;
  element_rejects.clear();
}

const ParsedFrame& FrameParser::Impl::reject(RejectReason reason, ParseStats& stats) {
  frame.kind = FrameKind::rejected;
  frame.reject_reason = reason;
  // A channel read from a document that turned out broken is not worth reporting.
  if (reason == RejectReason::invalid_json) frame.channel = {};
  // What was read before the frame turned out to be broken does not count.
  frame.events.clear();
  frame.funding.clear();
  frame.open_interest.clear();
  frame.rejected_events = 0;
  element_rejects.clear();
  ++stats.rejected_by_reason[static_cast<int>(reason)];
  return frame;
}

const ParsedFrame& FrameParser::Impl::accept(Channel kind, ParseStats& stats) {
  switch (kind) {
    case Channel::funding:
      frame.kind = FrameKind::funding;
      stats.funding_rates += frame.funding.size();
      break;
    case Channel::open_interest:
      frame.kind = FrameKind::open_interest;
      stats.open_interests += frame.open_interest.size();
      break;
    default:
      frame.kind = FrameKind::market;
      stats.events += frame.events.size();
      (kind == Channel::liquidation ? stats.liquidations : stats.trades) += frame.events.size();
      break;
  }
  frame.rejected_events = element_rejects.total;
  if (element_rejects.total != 0) {
    for (int r = 0; r < reject_reason_count; ++r) {
      stats.rejected_by_reason[r] += element_rejects.by_reason[r];
    }
  }
  return frame;
}

void FrameParser::Impl::grow_padded(std::size_t bytes) {
  // Value-initialized: the padding simdjson may read is always initialized memory.
  padded.reset(new char[bytes]());
  padded_capacity = bytes;
}

const char* FrameParser::Impl::padded_copy(std::string_view text) {
  const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
  if (needed > padded_capacity) grow_padded(std::max(needed, padded_capacity * 2));
  std::memcpy(padded.get(), text.data(), text.size());
  // Zeroed padding, as simdjson's own padded_string has: a left-over '}' of an earlier frame
  // there would send simdjson down its slower unbalanced-document check.
  std::memset(padded.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  return padded.get();
}

bool FrameParser::Impl::ensure_parser_capacity(std::size_t bytes) {
  if (json.capacity() >= bytes) return true;
  // Geometric growth, so a slowly growing frame size does not reallocate every time.
  const std::size_t limit = std::max(bytes, options.max_frame_bytes);
  return json.allocate(std::min(std::max(bytes, json.capacity() * 2), limit)) == simdjson::SUCCESS;
}

const ParsedFrame& FrameParser::Impl::parse(std::string_view text, TimeMs now, std::size_t capacity,
                                            ParseStats& stats) {
  reset(now);
  ++stats.frames;
  if (text.size() > options.max_frame_bytes) return reject(RejectReason::too_large, stats);

  const std::string_view content = trim(text);
  if (content.empty()) return frame;  // a blank line
  if (content.front() != '{' && content.front() != '[') {
    if (content == "pong") {
      frame.kind = FrameKind::pong;
      ++stats.pongs;
    } else {
      notice.assign(content);
      frame.kind = FrameKind::notice;
      frame.notice = notice;
      ++stats.notices;
    }
    return frame;
  }

  if (capacity >= text.size() + simdjson::SIMDJSON_PADDING && !closes(text.data()[text.size()])) {
    return parse_json(text.data(), text.size(), capacity, stats);
  }
  return parse_json(padded_copy(text), text.size(), padded_capacity, stats);
}

const ParsedFrame& FrameParser::Impl::parse_json(const char* buf, std::size_t size,
                                                 std::size_t capacity, ParseStats& stats) {
  // An allocation failure is about the frame's size: the only thing the input controls.
  if (!ensure_parser_capacity(size)) return reject(RejectReason::too_large, stats);
  ondemand::document doc;
  if (json.iterate(buf, size, capacity).get(doc)) return reject(RejectReason::invalid_json, stats);
  ondemand::json_type type;
  if (doc.type().get(type)) return reject(RejectReason::invalid_json, stats);
  if (type == ondemand::json_type::object) return parse_object(doc, stats);

  // An array (we only get here for '{' or '['). Walk it so that a broken one is still
  // reported as invalid_json rather than as a well-formed non-object.
  ondemand::array array;
  if (doc.get_array().get(array)) return reject(RejectReason::invalid_json, stats);
  for (auto element : array) {
    if (element.error()) return reject(RejectReason::invalid_json, stats);
  }
  if (!at_end(doc)) return reject(RejectReason::invalid_json, stats);
  return reject(RejectReason::not_an_object, stats);
}

Verdict FrameParser::Impl::read_time(ondemand::value& v, TimeMs& out) const {
  if (Verdict verdict =
          read_integer(v, earliest_valid_time, end_of_valid_time, RejectReason::bad_time, out)) {
    return verdict;
  }
  if (receive_time != 0 && too_far_apart(out, receive_time, options.max_clock_skew_ms)) {
    return RejectReason::bad_time;
  }
  return good;
}

const ParsedFrame& FrameParser::Impl::parse_object(ondemand::document& doc, ParseStats& stats) {
  ondemand::object object;
  if (doc.get_object().get(object)) return reject(RejectReason::invalid_json, stats);

  bool has_channel = false;
  bool channel_is_string = false;
  Channel kind = Channel::unknown;
  bool has_time = false;
  TimeMs time = 0;
  Verdict time_verdict = good;
  bool has_data = false;
  bool data_read = false;
  Verdict data_verdict = good;

  // One pass in document order. `data` is read on the spot when we already know how (the usual
  // order: channel first); otherwise it is skipped and read after a rewind.
  for (auto member : object) {
    if (member.error()) return reject(RejectReason::invalid_json, stats);
    ondemand::field& field = member.value_unsafe();
    const ondemand::raw_json_string key = field.key();
    ondemand::value& value = field.value();
    if (key.unsafe_is_equal("channel")) {
      if (has_channel) continue;
      has_channel = true;
      std::string_view name;
      const error_code e = value.get_string().get(name);
      if (e && e != simdjson::INCORRECT_TYPE) return reject(RejectReason::invalid_json, stats);
      if (e) continue;
      channel_is_string = true;
      channel.assign(name);
      frame.channel = channel;  // also on rejects, for the log line
      kind = classify_channel(channel);
    } else if (key.unsafe_is_equal("time")) {
      if (has_time) continue;
      time_verdict = read_time(value, time);
      if (is_broken(time_verdict)) return reject(RejectReason::invalid_json, stats);
      has_time = !(time_verdict == RejectReason::wrong_type && is_null(value));
    } else if (key.unsafe_is_equal("data")) {
      if (has_data) continue;
      has_data = true;
      if (kind != Channel::unknown && (!is_snapshot(kind) || (has_time && !time_verdict))) {
        data_verdict = read_data(value, kind, time);
        if (is_broken(data_verdict)) return reject(RejectReason::invalid_json, stats);
        data_read = true;
      }
    }
  }
  if (!at_end(doc)) return reject(RejectReason::invalid_json, stats);  // trailing garbage

  if (!channel_is_string) return reject(RejectReason::missing_channel, stats);
  if (kind == Channel::unknown) return reject(RejectReason::unknown_channel, stats);
  if (!has_data) return reject(RejectReason::missing_data, stats);
  if (is_snapshot(kind)) {
    if (!has_time) return reject(RejectReason::missing_field, stats);
    if (time_verdict) return reject(*time_verdict, stats);
  }
  if (!data_read) data_verdict = read_data_again(doc, kind, time);
  if (data_verdict) return reject(*data_verdict, stats);
  return accept(kind, stats);
}

Verdict FrameParser::Impl::read_data(ondemand::value& data, Channel kind, TimeMs snapshot_time) {
  switch (kind) {
    case Channel::liquidation:
      return read_market_data(data, EventKind::liquidation);
    case Channel::trade:
      return read_market_data(data, EventKind::trade);
    case Channel::funding:
      return read_funding_snapshot(data, snapshot_time, frame.funding, element_rejects);
    case Channel::open_interest:
      return read_open_interest_snapshot(data, snapshot_time, frame.open_interest, element_rejects);
    case Channel::unknown:
      break;
  }
  return RejectReason::unknown_channel;
}

// The second pass, for a `data` that came before what was needed to read it. It walks the
// members in order again rather than using find_field_unordered (see snapshot_formats.cpp).
Verdict FrameParser::Impl::read_data_again(ondemand::document& doc, Channel kind,
                                           TimeMs snapshot_time) {
  doc.rewind();
  ondemand::object object;
  if (doc.get_object().get(object)) return RejectReason::invalid_json;
  for (auto member : object) {
    if (member.error()) return RejectReason::invalid_json;
    ondemand::field& field = member.value_unsafe();
    if (field.key().unsafe_is_equal("data")) return read_data(field.value(), kind, snapshot_time);
  }
  return RejectReason::invalid_json;  // unreachable: the first pass saw `data`
}

Verdict FrameParser::Impl::read_market_data(ondemand::value& data, EventKind kind) {
  ondemand::array elements;
  if (Verdict verdict = open_array(data, RejectReason::bad_data, elements)) return verdict;
  const std::string_view channel_exchange =
      kind == EventKind::trade ? exchange_of_trade_channel(channel) : std::string_view{};
  // The channel's exchange names the trades that have none of their own; it obeys the same rule.
  const bool channel_exchange_follows_rule =
      channel_exchange.empty() || follows(channel_exchange, exchange_or_asset_name);
  return read_each(elements, element_rejects, [&](ondemand::value& element) {
    MarketEvent event;
    event.kind = kind;
    if (Verdict verdict = read_market_event(element, event)) return verdict;
    if (event.exchange.empty()) {
      if (!channel_exchange_follows_rule) return Verdict{RejectReason::bad_symbol};
      event.exchange = channel_exchange;
    }
    event.receive_time = receive_time;  // 0 stays 0: unknown, never guessed
    frame.events.push_back(event);
    return good;
  });
}

Verdict FrameParser::Impl::read_market_event(ondemand::value& element, MarketEvent& event) const {
  ondemand::object object;
  if (Verdict verdict = open_object(element, object)) return verdict;
  bool has_symbol = false, has_exchange = false, has_base_asset = false, has_price = false,
       has_side = false, has_time = false, has_volume = false;
  for (auto member : object) {
    if (member.error()) return RejectReason::invalid_json;
    ondemand::field& field = member.value_unsafe();
    ondemand::value& value = field.value();
    Verdict verdict;
    switch (market_key(field.key())) {
      case MarketKey::symbol:
        verdict = take(value, has_symbol,
                       [&](auto& v) { return read_name(v, symbol_name, event.symbol); });
        break;
      case MarketKey::exchange:
        verdict = take(value, has_exchange, [&](auto& v) {
          return read_name(v, exchange_or_asset_name, event.exchange);
        });
        break;
      case MarketKey::base_asset:
        verdict = take(value, has_base_asset, [&](auto& v) {
          return read_name(v, exchange_or_asset_name, event.base_asset);
        });
        break;
      case MarketKey::price:
        verdict = take(value, has_price, [&](auto& v) {
          return read_capped(v, RejectReason::bad_price, options.max_price,
                             RejectReason::price_too_high, event.price);
        });
        break;
      case MarketKey::side:
        verdict = take(value, has_side, [&](auto& v) { return read_side(v, event.side); });
        break;
      case MarketKey::time:
        verdict = take(value, has_time, [&](auto& v) { return read_time(v, event.exchange_time); });
        break;
      case MarketKey::volume:
        verdict = take(value, has_volume, [&](auto& v) {
          return read_capped(v, RejectReason::bad_volume, options.max_volume_usd,
                             RejectReason::volume_too_high, event.volume_usd);
        });
        break;
      case MarketKey::other:
        continue;
    }
    if (verdict) return verdict;
  }
  if (!(has_symbol && has_price && has_side && has_time && has_volume)) {
    return RejectReason::missing_field;
  }
  return good;
}

FrameParser::FrameParser(ParserOptions options) : impl_(std::make_unique<Impl>(options)) {}

FrameParser::~FrameParser() = default;

const ParsedFrame& FrameParser::parse(std::string_view frame, TimeMs receive_time,
                                      std::size_t capacity) {
  return impl_->parse(frame, receive_time, capacity, stats_);
}

}  // namespace teleglas
