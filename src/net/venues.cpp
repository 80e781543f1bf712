#include "teleglas/net/venues.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <stdexcept>

#include "teleglas/config/sources.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/subscriptions.hpp"

namespace teleglas {

namespace {

namespace json = boost::json;

// Control replies are a few hundred bytes; anything larger is data and is never parsed here.
constexpr std::size_t max_control_frame_bytes = 4096;

bool is_plain_symbol(std::string_view symbol) {
  return !symbol.empty() && std::all_of(symbol.begin(), symbol.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
  });
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A small JSON object, or null: a frame that is not one is data (the parser judges it).
const json::object* small_object(std::string_view text, json::value& storage) {
  if (text.size() > max_control_frame_bytes) return nullptr;
  boost::system::error_code ec;
  storage = json::parse(text, ec);
  return ec ? nullptr : storage.if_object();
}

std::string string_field(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return {};
  if (const json::string* s = value->if_string()) return std::string(*s);
  return json::serialize(*value);  // a code given as a number
}

FeedFrameClass frame(FeedFrameKind kind, std::string message = {}) {
  return {kind, std::move(message)};
}

// Consecutive groups whose items' costs add up to at most `budget`; an item over the budget
// alone still gets a group of its own.
template <class Cost>
std::vector<std::vector<std::string>> group_within(const std::vector<std::string>& items,
                                                   std::size_t budget, Cost cost) {
  std::vector<std::vector<std::string>> groups;
  std::size_t used = 0;
  for (const auto& item : items) {
    if (groups.empty() || (used + cost(item) > budget && !groups.back().empty())) {
      groups.emplace_back();
      used = 0;
    }
    groups.back().push_back(item);
    used += cost(item);
  }
  return groups;
}

// The symbols of a stream section the venue can name; the others become warnings.
template <class Name>
std::vector<std::string> venue_names(const ExchangeStreamConfig& config,
                                     const std::vector<SymbolConfig>& symbols,
                                     std::string_view venue, Name name,
                                     std::vector<std::string>& warnings) {
  std::vector<std::string> names;
  for (const std::string& symbol : stream_symbols(config, symbols)) {
    std::string named = name(symbol);
    if (named.empty()) {
      warnings.push_back(std::string(venue) + " has no name for symbol " + symbol + ": skipped");
    } else if (std::find(names.begin(), names.end(), named) == names.end()) {
      names.push_back(std::move(named));
    }
  }
  return names;
}

void copy_stream_settings(const ExchangeStreamConfig& config, FeedProtocol& p) {
  p.ws_url = config.ws_url;
  p.ca_file = config.ca_file;
  p.heartbeat.interval_s = config.ping_interval_s;
  p.heartbeat.pong_timeout_s = config.pong_timeout_s;
  p.reconnect_initial_s = config.reconnect_initial_s;
  p.reconnect_max_s = config.reconnect_max_s;
}

}  // namespace

// ---- symbols ----------------------------------------------------------------------------

std::string bybit_symbol(std::string_view symbol) {
  return is_plain_symbol(symbol) ? upper(symbol) : std::string();
}

std::string binance_stream_symbol(std::string_view symbol) {
  if (!is_plain_symbol(symbol)) return {};
  std::string out(symbol);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string okx_inst_id(std::string_view symbol) {
  if (symbol.find('-') != std::string_view::npos) {
    const bool well_formed = symbol.front() != '-' && symbol.back() != '-' &&
                             symbol.find("--") == std::string_view::npos;
    return well_formed ? upper(symbol) : std::string();
  }
  if (!is_plain_symbol(symbol)) return {};
  const std::string name = upper(symbol);
  // USDT and USDC before USD: BTCUSDT is BTC quoted in USDT, not BTCU... in USD.
  for (const std::string_view quote : {"USDT", "USDC", "USD"}) {
    if (name.size() > quote.size() && name.ends_with(quote)) {
      return name.substr(0, name.size() - quote.size()) + "-" + std::string(quote) + "-SWAP";
    }
  }
  return {};
}

// ---- subscriptions ----------------------------------------------------------------------

std::vector<std::string> bybit_topics(const std::vector<std::string>& symbols, bool trades) {
  std::vector<std::string> topics;
  for (const auto& symbol : symbols) topics.push_back("allLiquidation." + symbol);
  if (trades) {
    for (const auto& symbol : symbols) topics.push_back("publicTrade." + symbol);
  }
  return topics;
}

std::vector<std::string> bybit_subscribe_messages(const std::vector<std::string>& topics) {
  std::vector<std::string> messages;
  for (std::size_t first = 0; first < topics.size(); first += bybit_max_args_per_request) {
    json::array args;
    const std::size_t last = std::min(topics.size(), first + bybit_max_args_per_request);
    for (std::size_t i = first; i < last; ++i) args.emplace_back(topics[i]);
    json::object message;  // insertion order: "op" first, as in Bybit's docs
    message["op"] = "subscribe";
    message["args"] = std::move(args);
    messages.push_back(json::serialize(message));
  }
  return messages;
}

std::vector<std::string> binance_streams(const std::vector<std::string>& symbols, bool trades) {
  std::vector<std::string> streams = {"!forceOrder@arr"};
  if (trades) {
    for (const auto& symbol : symbols)
      streams.push_back(binance_stream_symbol(symbol) + "@aggTrade");
  }
  return streams;
}

std::string binance_stream_url(std::string_view ws_url, const std::vector<std::string>& streams) {
  std::string url(ws_url);
  url += url.find('?') == std::string::npos ? "?streams=" : "&streams=";
  for (std::size_t i = 0; i < streams.size(); ++i) {
    if (i > 0) url += '/';
    url += streams[i];
  }
  return url;
}

std::string okx_subscribe_message(bool liquidations, const std::vector<std::string>& inst_ids) {
  json::array args;
  if (liquidations)
    args.push_back(json::object{{"channel", "liquidation-orders"}, {"instType", "SWAP"}});
  for (const auto& inst_id : inst_ids) {
    json::object arg;
    arg["channel"] = "trades";
    arg["instId"] = inst_id;
    args.push_back(std::move(arg));
  }
  json::object message;
  message["op"] = "subscribe";
  message["args"] = std::move(args);
  return json::serialize(message);
}

// ---- control frames ---------------------------------------------------------------------

FeedFrameClass classify_coinglass_frame(std::string_view text) {
  const std::string_view body = trim(text);
  if (body == "pong") return frame(FeedFrameKind::pong);
  // CoinGlass data is always a JSON object (or array); anything else it sends is a plain-text
  // notice such as "liquidationOrders need upgrade plan".
  if (body.empty() || (body.front() != '{' && body.front() != '[')) {
    return frame(FeedFrameKind::notice, std::string(body));
  }
  return frame(FeedFrameKind::data);
}

FeedFrameClass classify_bybit_frame(std::string_view text) {
  const std::string_view body = trim(text);
  if (body.starts_with(R"({"topic")")) return frame(FeedFrameKind::data);
  json::value storage;
  const json::object* object = small_object(body, storage);
  if (object == nullptr || object->contains("topic") || !object->contains("op")) {
    return frame(FeedFrameKind::data);
  }
  const std::string op = string_field(*object, "op");
  const std::string message = string_field(*object, "ret_msg");
  if (op == "ping" || op == "pong" || message == "pong") return frame(FeedFrameKind::pong);
  const json::value* success = object->if_contains("success");
  if (success != nullptr && success->is_bool() && !success->as_bool()) {
    return frame(FeedFrameKind::refusal, message.empty() ? std::string(body) : message);
  }
  return frame(FeedFrameKind::control, message);
}

FeedFrameClass classify_binance_frame(std::string_view text) {
  const std::string_view body = trim(text);
  if (body.starts_with(R"({"stream")")) return frame(FeedFrameKind::data);
  json::value storage;
  const json::object* object = small_object(body, storage);
  if (object == nullptr || object->contains("stream")) return frame(FeedFrameKind::data);
  if (const json::value* error = object->if_contains("error")) {
    const json::object* details = error->if_object();
    std::string message = details != nullptr ? string_field(*details, "msg") : std::string();
    return frame(FeedFrameKind::refusal, message.empty() ? json::serialize(*error) : message);
  }
  if (object->contains("code") && object->contains("msg")) {
    return frame(FeedFrameKind::refusal,
                 string_field(*object, "code") + ": " + string_field(*object, "msg"));
  }
  if (object->contains("result") && object->contains("id")) return frame(FeedFrameKind::control);
  return frame(FeedFrameKind::data);
}

FeedFrameClass classify_okx_frame(std::string_view text) {
  const std::string_view body = trim(text);
  if (body == "pong") return frame(FeedFrameKind::pong);
  if (body.starts_with(R"({"arg")")) return frame(FeedFrameKind::data);
  json::value storage;
  const json::object* object = small_object(body, storage);
  if (object == nullptr || !object->contains("event")) return frame(FeedFrameKind::data);
  const std::string event = string_field(*object, "event");
  const std::string message = string_field(*object, "msg");
  if (event == "error") {
    const std::string code = string_field(*object, "code");
    return frame(FeedFrameKind::refusal, code.empty() ? message : code + ": " + message);
  }
  return frame(FeedFrameKind::control, message);
}

// ---- protocols --------------------------------------------------------------------------

FeedProtocol coinglass_protocol(const CoinglassConfig& config,
                                const std::vector<SymbolConfig>& symbols, std::string api_key) {
  FeedProtocol p;
  p.source = source_coinglass;
  p.venue = "CoinGlass";
  p.ws_url = config.ws_url;
  p.api_key = std::move(api_key);
  p.ca_file = config.ca_file;
  for (auto& group :
       group_channels(feed_channels(config, symbols), config.channels_per_connection)) {
    std::string subscribe = subscribe_message(group);
    p.connections.push_back({config.ws_url, {std::move(subscribe)}, group.size()});
  }
  p.heartbeat.interval_s = config.ping_interval_s;
  p.heartbeat.pong_timeout_s = config.pong_timeout_s;
  p.heartbeat.style = PingStyle::text;
  p.heartbeat.ping_text = "ping";
  p.reconnect_initial_s = config.reconnect_initial_s;
  p.reconnect_max_s = config.reconnect_max_s;
  p.max_frame_bytes = config.max_frame_bytes;
  p.classify = classify_coinglass_frame;
  p.auth_hint = ": check COINGLASS_API_KEY and the plan";
  return p;
}

FeedProtocol bybit_protocol(const BybitConfig& config, const std::vector<SymbolConfig>& symbols) {
  FeedProtocol p;
  p.source = source_bybit;
  p.venue = "Bybit";
  copy_stream_settings(config, p);
  const auto names = venue_names(config, symbols, p.venue, bybit_symbol, p.warnings);
  // The per-connection limit counts the "args" array as written: brackets, and each topic
  // with its quotes and comma.
  const auto groups =
      group_within(bybit_topics(names, config.trades), bybit_max_args_chars_per_connection - 2,
                   [](const std::string& topic) { return topic.size() + 3; });
  for (const auto& group : groups) {
    p.connections.push_back({config.ws_url, bybit_subscribe_messages(group), group.size()});
  }
  p.heartbeat.style = PingStyle::text;
  p.heartbeat.ping_text = R"({"op":"ping"})";
  p.classify = classify_bybit_frame;
  return p;
}

FeedProtocol binance_protocol(const BinanceConfig& config,
                              const std::vector<SymbolConfig>& symbols) {
  FeedProtocol p;
  p.source = source_binance;
  p.venue = "Binance";
  copy_stream_settings(config, p);
  const auto names = venue_names(config, symbols, p.venue, binance_stream_symbol, p.warnings);
  for (const auto& group : group_channels(binance_streams(names, config.trades),
                                          static_cast<int>(binance_max_streams_per_connection))) {
    // The streams are in the URL: nothing to send once connected.
    p.connections.push_back({binance_stream_url(config.ws_url, group), {}, group.size()});
  }
  // Binance pings every few minutes and Beast answers; our own control pings measure liveness,
  // and on a busy stream any frame does.
  p.heartbeat.style = PingStyle::control;
  p.heartbeat.any_frame_answers = true;
  p.max_connection_age_s = config.max_connection_age_s;
  p.classify = classify_binance_frame;
  p.auth_hint = ": Binance refuses some regions";
  return p;
}

FeedProtocol okx_protocol(const OkxConfig& config, const std::vector<SymbolConfig>& symbols) {
  FeedProtocol p;
  p.source = source_okx;
  p.venue = "OKX";
  copy_stream_settings(config, p);
  std::vector<std::string> inst_ids;
  if (config.trades) inst_ids = venue_names(config, symbols, p.venue, okx_inst_id, p.warnings);
  // liquidation-orders once, on the first connection (it carries every swap), then the
  // instruments' trades in order.
  std::size_t next = 0;
  bool liquidations = true;
  do {
    const std::size_t room = okx_max_args_per_connection - (liquidations ? 1 : 0);
    const std::size_t take = std::min(room, inst_ids.size() - next);
    const std::vector<std::string> group(
        inst_ids.begin() + static_cast<std::ptrdiff_t>(next),
        inst_ids.begin() + static_cast<std::ptrdiff_t>(next + take));
    p.connections.push_back({config.ws_url,
                             {okx_subscribe_message(liquidations, group)},
                             take + (liquidations ? 1 : 0)});
    next += take;
    liquidations = false;
  } while (next < inst_ids.size());
  // OKX drops a connection that received nothing for 30 s: ping when idle, and whatever
  // arrives after the ping answers it.
  p.heartbeat.style = PingStyle::text;
  p.heartbeat.ping_text = "ping";
  p.heartbeat.only_when_idle = true;
  p.heartbeat.any_frame_answers = true;
  p.classify = classify_okx_frame;
  return p;
}

FeedProtocol feed_protocol(std::string_view source, const Config& config,
                           const std::string& coinglass_api_key) {
  if (source == source_coinglass) {
    return coinglass_protocol(config.coinglass, config.symbols, coinglass_api_key);
  }
  if (source == source_bybit) return bybit_protocol(config.bybit, config.symbols);
  if (source == source_binance) return binance_protocol(config.binance, config.symbols);
  if (source == source_okx) return okx_protocol(config.okx, config.symbols);
  throw std::invalid_argument("unknown source '" + std::string(source) +
                              "' (one of coinglass, bybit, binance, okx)");
}

}  // namespace teleglas
