// Frame parser: simdjson On-Demand over one reused parser, validation by field, rejection by
// reason. The front (frame kinds and how each feed's frames are recognised, control frames,
// buffers) and CoinGlass' stream events (liquidations, trades) are here; the REST snapshot
// formats are in snapshot_formats.cpp, the exchanges' own streams in venue_formats.cpp. Field
// names of CoinGlass' WebSocket format live here and nowhere else.
#include "teleglas/ingest/parser.hpp"

#include "teleglas/core/text.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>

#include "field_readers.hpp"
#include "snapshot_formats.hpp"
#include "teleglas/ingest/venue_symbols.hpp"
#include "venue_formats.hpp"

namespace teleglas {

using namespace ingest_detail;

namespace {

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

// What a frame carries, from the member that names it: a CoinGlass channel or a line of our own
// ("channel"), a Bybit topic ("topic"), a Binance stream ("stream") or unwrapped event ("e"),
// an OKX channel ("arg":{"channel":..}). The first naming member decides.
enum class Route : std::uint8_t {
  unknown,  // named, but by nothing we know
  coinglass_liquidation,
  coinglass_trade,
  funding,
  open_interest,
  okx_instruments,
  bybit_liquidation,
  bybit_trade,
  binance_liquidation,
  binance_trade,
  okx_liquidation,
  okx_trade,
};

Route coinglass_route(std::string_view channel) {
  if (channel == "liquidationOrders" || channel == "liquidation_orders") {
    return Route::coinglass_liquidation;
  }
  if (channel.starts_with(trade_channel_prefix)) return Route::coinglass_trade;
  if (channel == funding_channel) return Route::funding;
  if (channel == open_interest_channel) return Route::open_interest;
  if (channel == okx_instruments_channel) return Route::okx_instruments;
  return Route::unknown;
}

// allLiquidation.BTCUSDT, publicTrade.BTCUSDT
Route bybit_route(std::string_view topic) {
  if (topic.starts_with("allLiquidation.")) return Route::bybit_liquidation;
  if (topic.starts_with("publicTrade.")) return Route::bybit_trade;
  return Route::unknown;
}

// !forceOrder@arr, btcusdt@forceOrder, btcusdt@aggTrade
Route binance_route(std::string_view stream) {
  if (stream == "!forceOrder@arr" || stream.ends_with("@forceOrder")) {
    return Route::binance_liquidation;
  }
  if (stream.ends_with("@aggTrade")) return Route::binance_trade;
  return Route::unknown;
}

// The event type of an unwrapped Binance payload (a raw stream, /ws/<stream>).
Route binance_event_route(BinanceType type) {
  switch (type) {
    case BinanceType::force_order:
      return Route::binance_liquidation;
    case BinanceType::agg_trade:
      return Route::binance_trade;
    default:
      return Route::unknown;
  }
}

Route okx_route(std::string_view channel) {
  if (channel == "liquidation-orders") return Route::okx_liquidation;
  if (channel == "trades" || channel == "trades-all") return Route::okx_trade;
  return Route::unknown;
}

bool is_snapshot(Route r) {
  return r == Route::funding || r == Route::open_interest;
}

// What a route's events are and which feed sends them: a table, as accept() reads it per frame.
struct RouteFacts {
  EventKind kind;
  Source source;
};
constexpr RouteFacts route_facts[] = {
    {EventKind::trade, Source::coinglass},        // unknown
    {EventKind::liquidation, Source::coinglass},  // coinglass_liquidation
    {EventKind::trade, Source::coinglass},        // coinglass_trade
    {EventKind::trade, Source::coinglass},        // funding
    {EventKind::trade, Source::coinglass},        // open_interest
    {EventKind::trade, Source::okx},              // okx_instruments
    {EventKind::liquidation, Source::bybit},      // bybit_liquidation
    {EventKind::trade, Source::bybit},            // bybit_trade
    {EventKind::liquidation, Source::binance},    // binance_liquidation
    {EventKind::trade, Source::binance},          // binance_trade
    {EventKind::liquidation, Source::okx},        // okx_liquidation
    {EventKind::trade, Source::okx},              // okx_trade
};
static_assert(std::size(route_facts) == static_cast<std::size_t>(Route::okx_trade) + 1);

EventKind event_kind(Route r) {
  return route_facts[static_cast<int>(r)].kind;
}

Source source_of(Route r) {
  return route_facts[static_cast<int>(r)].source;
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

// The top-level members the parser looks at: what names a frame, and what the venues' control
// frames (acknowledgements, pongs, errors) are made of. A first-byte switch keeps CoinGlass'
// "channel" and "data" to a comparison each.
enum class TopKey : std::uint8_t {
  other,
  channel,
  time,
  data,
  topic,         // Bybit
  stream,        // Binance combined streams
  binance_type,  // "e": an unwrapped Binance event, when it comes first
  arg,           // OKX
  event,         // OKX: subscribe, unsubscribe, error, notice, ...
  success,       // Bybit
  op,            // Bybit
  ret_msg,       // Bybit
  msg,           // OKX, Binance
  code,          // OKX, Binance
  result,        // Binance
  error,         // Binance
};

TopKey top_key(ondemand::raw_json_string key) {
  switch (key.raw()[0]) {
    case 'c':
      if (key.unsafe_is_equal("channel")) return TopKey::channel;
      if (key.unsafe_is_equal("code")) return TopKey::code;
      break;
    case 'd':
      if (key.unsafe_is_equal("data")) return TopKey::data;
      break;
    case 't':
      if (key.unsafe_is_equal("time")) return TopKey::time;
      if (key.unsafe_is_equal("topic")) return TopKey::topic;
      break;
    case 's':
      if (key.unsafe_is_equal("stream")) return TopKey::stream;
      if (key.unsafe_is_equal("success")) return TopKey::success;
      break;
    case 'a':
      if (key.unsafe_is_equal("arg")) return TopKey::arg;
      break;
    case 'e':
      if (key.unsafe_is_equal("e")) return TopKey::binance_type;
      if (key.unsafe_is_equal("event")) return TopKey::event;
      if (key.unsafe_is_equal("error")) return TopKey::error;
      break;
    case 'o':
      if (key.unsafe_is_equal("op")) return TopKey::op;
      break;
    case 'r':
      if (key.unsafe_is_equal("ret_msg")) return TopKey::ret_msg;
      if (key.unsafe_is_equal("result")) return TopKey::result;
      break;
    case 'm':
      if (key.unsafe_is_equal("msg")) return TopKey::msg;
      break;
    default:
      break;
  }
  return TopKey::other;
}

// What the members of a venue's control frame said. Acknowledgements, pongs and errors are
// the venues' side of the conversation, not rejects:
//   Bybit:   {"success":true,"ret_msg":"","op":"subscribe",..}  {"success":true,"ret_msg":"pong",
//            "op":"ping",..}  {"op":"pong",..}  {"success":false,"ret_msg":"error:..",..}
//   Binance: {"result":null,"id":1}  {"error":{"code":2,"msg":".."},"id":1}  {"code":-1,"msg":".."}
//   OKX:     {"event":"subscribe","arg":{..},"connId":..}
//   {"event":"error","code":"60012","msg":".."}
struct ControlMembers {
  enum class OkxEvent : std::uint8_t { none, ack, error };
  OkxEvent okx_event = OkxEvent::none;
  bool has_success = false, success = false;
  bool has_op = false, op_is_pong = false, ret_msg_is_pong = false;
  bool has_result = false, has_error = false, has_code = false, has_message = false;
  std::string_view message;  // msg, ret_msg or error.msg: the first one seen
};

struct ControlVerdict {
  FrameKind kind;
  Source source;
};

// OKX's control frames: whatever else they carry, their "event" says what they are.
std::optional<ControlVerdict> okx_control(const ControlMembers& c) {
  switch (c.okx_event) {
    case ControlMembers::OkxEvent::ack:
      return ControlVerdict{FrameKind::ack, Source::okx};
    case ControlMembers::OkxEvent::error:
      return ControlVerdict{FrameKind::notice, Source::okx};
    case ControlMembers::OkxEvent::none:
      break;
  }
  return std::nullopt;
}

// Bybit's and Binance's control frames, for a frame that nothing named.
std::optional<ControlVerdict> bybit_or_binance_control(const ControlMembers& c) {
  if (c.op_is_pong || c.ret_msg_is_pong) return ControlVerdict{FrameKind::pong, Source::bybit};
  if (c.has_success) {
    return ControlVerdict{c.success ? FrameKind::ack : FrameKind::notice, Source::bybit};
  }
  if (c.has_op) return ControlVerdict{FrameKind::ack, Source::bybit};
  if (c.has_error) return ControlVerdict{FrameKind::notice, Source::binance};
  if (c.has_result) return ControlVerdict{FrameKind::ack, Source::binance};
  if (c.has_code && c.has_message) return ControlVerdict{FrameKind::notice, Source::binance};
  return std::nullopt;
}

// A string member, if it is one: `present` stays false for another type.
Verdict read_optional_string(ondemand::value& v, std::string_view& out, bool& present) {
  const error_code e = v.get_string().get(out);
  if (e == simdjson::INCORRECT_TYPE) return good;
  if (e) return RejectReason::invalid_json;
  present = true;
  return good;
}

// The string member `name` of the object `v`, if `v` is an object that has one: the "msg" of
// Binance's "error":{"code":2,"msg":".."}, the "channel" of OKX's "arg".
Verdict read_member_string(ondemand::value& v, std::string_view name, std::string_view& out,
                           bool& present) {
  ondemand::object object;
  if (const error_code e = v.get_object().get(object)) {
    return e == simdjson::INCORRECT_TYPE ? good : Verdict{RejectReason::invalid_json};
  }
  for (auto member : object) {
    if (member.error()) return RejectReason::invalid_json;
    ondemand::field& field = member.value_unsafe();
    if (present || !field.key().unsafe_is_equal(name)) continue;
    if (Verdict verdict = read_optional_string(field.value(), out, present)) return verdict;
  }
  return good;
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
    case RejectReason::unknown_contract:
      return "unknown_contract";
  }
  return "unknown";
}

std::uint64_t ParseStats::rejected() const {
  std::uint64_t total = 0;
  for (const std::uint64_t n : rejected_by_reason) total += n;
  return total;
}

struct FrameParser::Impl {
  explicit Impl(ParserOptions opts)
      : options(opts),
        contracts(opts.max_contracts),
        limits{0, opts.max_clock_skew_ms, opts.max_price, opts.max_volume_usd} {
    // Failure here is harmless: parse_json() allocates again on demand.
    [[maybe_unused]] const error_code e = json.allocate(initial_buffer_bytes);
    grow_padded(initial_buffer_bytes);
    channel.reserve(64);
  }

  const ParsedFrame& parse(std::string_view text, TimeMs receive_time, std::size_t capacity,
                           ParseStats& stats);

  // --- one frame ---
  void reset(TimeMs receive_time);
  void drop_content();
  const ParsedFrame& reject(RejectReason reason, ParseStats& stats);
  const ParsedFrame& accept(Route route, ParseStats& stats);
  const ParsedFrame& control(ControlVerdict verdict, const ControlMembers& members,
                             ParseStats& stats);
  const char* padded_copy(std::string_view text);
  void grow_padded(std::size_t bytes);
  bool ensure_parser_capacity(std::size_t bytes);

  const ParsedFrame& parse_json(const char* buf, std::size_t size, std::size_t capacity,
                                ParseStats& stats);
  const ParsedFrame& parse_object(ondemand::document& doc, ParseStats& stats);
  const ParsedFrame& finish_binance_event(const BinanceEvent& event, bool named, Route route,
                                          Verdict verdict, ParseStats& stats);
  void name_frame(std::string_view name, Source source);

  // --- data of each route ---
  Verdict read_data(ondemand::value& data, Route route, TimeMs snapshot_time);
  Verdict read_data_again(ondemand::document& doc, Route route, TimeMs snapshot_time);
  Verdict read_market_data(ondemand::value& data, EventKind kind);
  Verdict read_market_event(ondemand::value& element, MarketEvent& event) const;

  ParserOptions options;
  ContractTable contracts;
  CommonNames common_names;  // of CoinGlass's OKX instrument IDs
  ondemand::parser json;
  std::unique_ptr<char[]> padded;  // frames copied here when the caller's buffer lacks padding
  std::size_t padded_capacity = 0;
  std::string channel;  // owned: a rewind of the document reuses simdjson's strings
  std::string notice;
  ParsedFrame frame;
  std::string_view text;           // the current frame, trimmed
  EventLimits limits;              // with the current frame's receive time
  ElementRejects element_rejects;  // of the current frame
  InstrumentsResult instruments;   // of the current frame
};

void FrameParser::Impl::reset(TimeMs now) {
  limits.receive_time = now;
  text = {};
  frame.kind = FrameKind::empty;
  frame.source = Source::coinglass;
  frame.channel = {};
  frame.notice = {};
  frame.reject_reason = RejectReason::invalid_json;
  drop_content();
}

// Forgets what was read from the frame so far.
void FrameParser::Impl::drop_content() {
  frame.events.clear();
  frame.funding.clear();
  frame.open_interest.clear();
  frame.rejected_events = 0;
  frame.contracts = 0;
  element_rejects.clear();
  instruments = {};
}

const ParsedFrame& FrameParser::Impl::reject(RejectReason reason, ParseStats& stats) {
  frame.kind = FrameKind::rejected;
  frame.reject_reason = reason;
  // A channel read from a document that turned out broken is not worth reporting.
  if (reason == RejectReason::invalid_json) frame.channel = {};
  // What was read before the frame turned out to be broken does not count. (Contracts an
  // instruments list set before that stay set: they are OKX's word, whatever followed.)
  drop_content();
  ++stats.rejected_by_reason[static_cast<int>(reason)];
  return frame;
}

const ParsedFrame& FrameParser::Impl::accept(Route route, ParseStats& stats) {
  frame.source = source_of(route);
  switch (route) {
    case Route::funding:
      frame.kind = FrameKind::funding;
      stats.funding_rates += frame.funding.size();
      break;
    case Route::open_interest:
      frame.kind = FrameKind::open_interest;
      stats.open_interests += frame.open_interest.size();
      break;
    case Route::okx_instruments:
      frame.kind = FrameKind::instruments;
      frame.contracts = instruments.taken;
      stats.contracts += instruments.taken;
      stats.contracts_refused += instruments.refused;
      break;
    default:
      frame.kind = FrameKind::market;
      stats.events += frame.events.size();
      (event_kind(route) == EventKind::liquidation ? stats.liquidations : stats.trades) +=
          frame.events.size();
      stats.events_by_source[static_cast<int>(frame.source)] += frame.events.size();
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

const ParsedFrame& FrameParser::Impl::control(ControlVerdict verdict, const ControlMembers& members,
                                              ParseStats& stats) {
  drop_content();  // e.g. the data of an OKX frame that turned out to be an error
  frame.kind = verdict.kind;
  frame.source = verdict.source;
  switch (verdict.kind) {
    case FrameKind::pong:
      ++stats.pongs;
      break;
    case FrameKind::ack:
      ++stats.acks;
      break;
    default:
      // The venue's own words; the whole frame when it gave none.
      notice.assign(members.message.empty() ? text : members.message);
      frame.notice = notice;
      ++stats.notices;
      break;
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

const ParsedFrame& FrameParser::Impl::parse(std::string_view input, TimeMs now,
                                            std::size_t capacity, ParseStats& stats) {
  reset(now);
  ++stats.frames;
  if (input.size() > options.max_frame_bytes) return reject(RejectReason::too_large, stats);

  text = trim(input);
  if (text.empty()) return frame;  // a blank line
  if (text.front() != '{' && text.front() != '[') {
    if (text == "pong") {
      frame.kind = FrameKind::pong;
      ++stats.pongs;
    } else {
      notice.assign(text);
      frame.kind = FrameKind::notice;
      frame.notice = notice;
      ++stats.notices;
    }
    return frame;
  }

  if (capacity >= input.size() + simdjson::SIMDJSON_PADDING &&
      !closes(input.data()[input.size()])) {
    return parse_json(input.data(), input.size(), capacity, stats);
  }
  return parse_json(padded_copy(input), input.size(), padded_capacity, stats);
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

// The frame's name and feed, also on rejects: for the log line.
void FrameParser::Impl::name_frame(std::string_view name, Source source) {
  channel.assign(name);
  frame.channel = channel;
  frame.source = source;
}

const ParsedFrame& FrameParser::Impl::parse_object(ondemand::document& doc, ParseStats& stats) {
  ondemand::object object;
  if (doc.get_object().get(object)) return reject(RejectReason::invalid_json, stats);

  bool named = false;             // a channel, topic, stream or OKX channel named the frame
  bool named_by_channel = false;  // ... and it was a "channel": CoinGlass or a line of ours
  bool has_channel = false;
  Route route = Route::unknown;
  bool has_time = false;
  TimeMs time = 0;
  Verdict time_verdict = good;
  bool has_data = false;
  bool data_read = false;
  Verdict data_verdict = good;
  ControlMembers members;
  bool first = true;
  // An unwrapped Binance event ({"e":"forceOrder","E":..,"o":{..}}, from a raw /ws stream)
  // begins with "e": the frame's members are the event's.
  std::optional<BinanceEvent> unwrapped;
  Verdict unwrapped_verdict = good;

  // One pass in document order. `data` is read on the spot when we already know how (the usual
  // order: its name first); otherwise it is skipped and read after a rewind.
  for (auto member : object) {
    if (member.error()) return reject(RejectReason::invalid_json, stats);
    ondemand::field& field = member.value_unsafe();
    ondemand::value& value = field.value();
    const TopKey key = top_key(field.key());
    if (first && key == TopKey::binance_type) unwrapped.emplace(limits);
    first = false;
    std::string_view name;
    bool present = false;
    Verdict verdict;
    if (unwrapped) {
      if (!named && key == TopKey::binance_type) {
        verdict = read_optional_string(value, name, present);
        if (present) {
          named = true;
          const BinanceType type = binance_type_of(name);
          unwrapped->set_type(type);
          route = binance_event_route(type);
          name_frame(name, Source::binance);
        }
      } else if (!unwrapped_verdict) {
        verdict = unwrapped->take(field.key(), value);
        if (!is_broken(verdict)) {
          unwrapped_verdict = verdict;  // the first bad member; the rest is still walked
          verdict = good;
        }
      }
      if (is_broken(verdict)) return reject(RejectReason::invalid_json, stats);
      continue;
    }
    switch (key) {
      case TopKey::channel:
        if (has_channel) continue;
        has_channel = true;
        verdict = read_optional_string(value, name, present);
        if (present && !named) {
          named = named_by_channel = true;
          route = coinglass_route(name);
          name_frame(name, route == Route::okx_instruments ? Source::okx : Source::coinglass);
        }
        break;
      case TopKey::topic:
      case TopKey::stream:
        verdict = read_optional_string(value, name, present);
        if (present && !named) {
          named = true;
          const bool bybit = key == TopKey::topic;
          route = bybit ? bybit_route(name) : binance_route(name);
          name_frame(name, bybit ? Source::bybit : Source::binance);
        }
        break;
      case TopKey::arg:
        if (named) continue;
        verdict = read_member_string(value, "channel", name, present);
        if (present) {
          named = true;
          route = okx_route(name);
          name_frame(name, Source::okx);
        }
        break;
      case TopKey::time:
        if (has_time) continue;
        time_verdict = ingest_detail::read_time(value, limits, time);
        if (is_broken(time_verdict)) return reject(RejectReason::invalid_json, stats);
        has_time = !(time_verdict == RejectReason::wrong_type && is_null(value));
        break;
      case TopKey::data:
        if (has_data) continue;
        has_data = true;
        if (named && route != Route::unknown &&
            (!is_snapshot(route) || (has_time && !time_verdict))) {
          data_verdict = read_data(value, route, time);
          if (is_broken(data_verdict)) return reject(RejectReason::invalid_json, stats);
          data_read = true;
        }
        break;
      case TopKey::event:
        if (members.okx_event != ControlMembers::OkxEvent::none) continue;
        verdict = read_optional_string(value, name, present);
        if (present) {
          // subscribe, unsubscribe, login, channel-conn-count: fine; error, notice (a service
          // upgrade is coming), channel-conn-count-error: worth telling.
          const bool error = name == "error" || name == "notice" || name.ends_with("error");
          members.okx_event =
              error ? ControlMembers::OkxEvent::error : ControlMembers::OkxEvent::ack;
        }
        break;
      case TopKey::success:
        if (members.has_success) continue;
        if (const error_code e = value.get_bool().get(members.success)) {
          if (e != simdjson::INCORRECT_TYPE) return reject(RejectReason::invalid_json, stats);
        } else {
          members.has_success = true;
        }
        break;
      case TopKey::op:
        if (members.has_op) continue;
        verdict = read_optional_string(value, name, members.has_op);
        members.op_is_pong = members.has_op && name == "pong";
        break;
      case TopKey::ret_msg:
      case TopKey::msg:
        if (members.has_message) continue;
        verdict = read_optional_string(value, members.message, members.has_message);
        members.ret_msg_is_pong =
            key == TopKey::ret_msg && members.has_message && members.message == "pong";
        break;
      case TopKey::error:
        if (members.has_error) continue;
        members.has_error = true;
        verdict = read_member_string(value, "msg", name, present);
        if (present && !members.has_message) {
          members.has_message = true;
          members.message = name;
        }
        break;
      case TopKey::code:
        members.has_code = true;
        break;
      case TopKey::result:
        members.has_result = true;
        break;
      case TopKey::binance_type:
      case TopKey::other:
        continue;
    }
    if (is_broken(verdict)) return reject(RejectReason::invalid_json, stats);
  }
  if (!at_end(doc)) return reject(RejectReason::invalid_json, stats);  // trailing garbage

  if (unwrapped) return finish_binance_event(*unwrapped, named, route, unwrapped_verdict, stats);
  // OKX's event speaks first: its error frames may carry an "arg", its connection-count
  // reports a "channel" (though never one of CoinGlass' or ours).
  if (!(named_by_channel && route != Route::unknown)) {
    if (const auto verdict = okx_control(members)) return control(*verdict, members, stats);
  }
  if (!named) {
    if (const auto verdict = bybit_or_binance_control(members)) {
      return control(*verdict, members, stats);
    }
    return reject(RejectReason::missing_channel, stats);
  }
  if (route == Route::unknown) return reject(RejectReason::unknown_channel, stats);
  if (!has_data) return reject(RejectReason::missing_data, stats);
  if (is_snapshot(route)) {
    if (!has_time) return reject(RejectReason::missing_field, stats);
    if (time_verdict) return reject(*time_verdict, stats);
  }
  if (!data_read) data_verdict = read_data_again(doc, route, time);
  if (data_verdict) return reject(*data_verdict, stats);
  return accept(route, stats);
}

const ParsedFrame& FrameParser::Impl::finish_binance_event(const BinanceEvent& event, bool named,
                                                           Route route, Verdict verdict,
                                                           ParseStats& stats) {
  if (!named) return reject(RejectReason::missing_channel, stats);
  if (route == Route::unknown) return reject(RejectReason::unknown_channel, stats);
  if (!verdict) {
    MarketEvent parsed;
    verdict = event.finish(event_kind(route), parsed);
    if (!verdict) frame.events.push_back(parsed);
  }
  if (verdict) element_rejects.add(*verdict);
  return accept(route, stats);
}

Verdict FrameParser::Impl::read_data(ondemand::value& data, Route route, TimeMs snapshot_time) {
  EventOutput output{frame.events, element_rejects, limits};
  switch (route) {
    case Route::coinglass_liquidation:
    case Route::coinglass_trade:
      return read_market_data(data, event_kind(route));
    case Route::funding:
      return read_funding_snapshot(data, snapshot_time, frame.funding, element_rejects);
    case Route::open_interest:
      return read_open_interest_snapshot(data, snapshot_time, frame.open_interest, element_rejects);
    case Route::okx_instruments:
      return read_okx_instruments(data, contracts, element_rejects, instruments);
    case Route::bybit_liquidation:
    case Route::bybit_trade:
      return read_bybit_data(data, event_kind(route), output);
    case Route::binance_liquidation:
    case Route::binance_trade:
      return read_binance_data(data, event_kind(route), output);
    case Route::okx_liquidation:
    case Route::okx_trade:
      return read_okx_data(data, event_kind(route), contracts, output);
    case Route::unknown:
      break;
  }
  return RejectReason::unknown_channel;
}

// The second pass, for a `data` that came before what was needed to read it. It walks the
// members in order again rather than using find_field_unordered (see snapshot_formats.cpp).
Verdict FrameParser::Impl::read_data_again(ondemand::document& doc, Route route,
                                           TimeMs snapshot_time) {
  doc.rewind();
  ondemand::object object;
  if (doc.get_object().get(object)) return RejectReason::invalid_json;
  for (auto member : object) {
    if (member.error()) return RejectReason::invalid_json;
    ondemand::field& field = member.value_unsafe();
    if (field.key().unsafe_is_equal("data")) return read_data(field.value(), route, snapshot_time);
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
    // CoinGlass relays OKX's events under OKX's instrument IDs: the symbol is the common name
    // every other venue's events of the instrument carry, so that they are analysed together.
    if (event.symbol.find('-') != std::string_view::npos) {
      if (const CommonName* common = common_names.find(event.symbol)) {
        event.symbol = common->symbol;
        if (event.base_asset.empty()) event.base_asset = common->base_asset;
      }
    }
    if (event.exchange.empty()) {
      if (!channel_exchange_follows_rule) return Verdict{RejectReason::bad_symbol};
      event.exchange = channel_exchange;
    }
    event.receive_time = limits.receive_time;  // 0 stays 0: unknown, never guessed
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
        verdict = take(value, has_time,
                       [&](auto& v) { return read_time(v, limits, event.exchange_time); });
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

ContractTable::Update FrameParser::set_contract(std::string_view inst_id, ContractSpec spec) {
  return impl_->contracts.set(inst_id, spec);
}

const ContractTable& FrameParser::contracts() const {
  return impl_->contracts;
}

}  // namespace teleglas
