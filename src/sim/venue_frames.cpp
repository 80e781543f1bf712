#include "teleglas/sim/venue_frames.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <iterator>
#include <utility>

namespace teleglas {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Every venue quotes sizes in base units (or contracts of them); the event carries USD.
double base_quantity(const VenueEvent& e) {
  return e.price > 0 ? e.volume_usd / e.price : 0;
}

// Bybit's "i" looks like a UUID; a counter in that shape keeps frames reproducible.
std::string bybit_trade_id(std::uint64_t id) {
  return fmt::format("{:08x}-0000-4000-8000-{:012x}", static_cast<std::uint32_t>(id >> 32),
                     id & 0xffff'ffff'ffffULL);
}

std::string_view bybit_side(const VenueEvent& e) {
  // allLiquidation "S" is the side of the liquidated POSITION: "Buy" = a long was liquidated.
  if (e.kind == EventKind::liquidation) return e.side == Side::sell ? "Buy" : "Sell";
  return e.side == Side::buy ? "Buy" : "Sell";  // publicTrade: the taker's side
}

// Events grouped by a key, groups in order of first appearance, events in order within one.
template <class Key>
std::vector<std::vector<VenueEvent>> group_by(std::span<const VenueEvent> events, Key key) {
  std::vector<std::vector<VenueEvent>> groups;
  std::vector<decltype(key(events.front()))> keys;
  for (const VenueEvent& e : events) {
    const auto k = key(e);
    auto it = std::find(keys.begin(), keys.end(), k);
    if (it == keys.end()) {
      keys.push_back(k);
      groups.emplace_back();
      groups.back().push_back(e);
    } else {
      groups[static_cast<std::size_t>(it - keys.begin())].push_back(e);
    }
  }
  return groups;
}

std::pair<EventKind, std::string> kind_and_symbol(const VenueEvent& e) {
  return {e.kind, e.symbol};
}

std::optional<double> number(const boost::json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

const boost::json::value* either(const boost::json::object& o, std::string_view a,
                                 std::string_view b) {
  const boost::json::value* v = o.if_contains(a);
  return v != nullptr ? v : o.if_contains(b);
}

// "BTC-USDT-SWAP" (OKX's spelling) and "BTCUSDT" both name BTCUSDT.
std::string plain_symbol(std::string_view symbol) {
  if (symbol.ends_with("-SWAP")) symbol.remove_suffix(5);
  std::string out;
  for (char c : symbol) {
    if (c != '-') out += c;
  }
  return out;
}

}  // namespace

std::string_view to_string(Venue venue) {
  switch (venue) {
    case Venue::bybit:
      return "Bybit";
    case Venue::binance:
      return "Binance";
    case Venue::okx:
      return "OKX";
  }
  return "unknown";
}

std::optional<Venue> venue_from_exchange(std::string_view name) {
  for (Venue v : {Venue::bybit, Venue::binance, Venue::okx}) {
    if (equal_ignoring_case(name, to_string(v))) return v;
  }
  return std::nullopt;
}

std::vector<VenueInstrument> default_venue_instruments() {
  return {{"BTC", "USDT", 0.01}, {"ETH", "USDT", 0.1}, {"SOL", "USDT", 1}};
}

std::string venue_decimal(double value, int max_decimals) {
  std::string out = fmt::format("{:.{}f}", value, max_decimals);
  if (const auto dot = out.find('.'); dot != std::string::npos) {
    const auto last = out.find_last_not_of('0');
    out.erase(last == dot ? dot : last + 1);
  }
  if (out == "-0") out = "0";
  return out;
}

VenueFrameBuilder::VenueFrameBuilder(std::vector<VenueInstrument> instruments)
    : instruments_(std::move(instruments)) {}

const VenueInstrument* VenueFrameBuilder::find(std::string_view symbol) const {
  for (const VenueInstrument& i : instruments_) {
    if (i.symbol() == symbol) return &i;
  }
  return nullptr;
}

std::string VenueFrameBuilder::bybit(std::span<const VenueEvent> events) {
  if (events.empty()) return {};
  const VenueEvent& first = events.front();
  const bool liquidation = first.kind == EventKind::liquidation;
  TimeMs ts = first.time;
  for (const VenueEvent& e : events) ts = std::max(ts, e.time);
  std::string out = fmt::format(R"({{"topic":"{}.{}","type":"snapshot","ts":{},"data":[)",
                                liquidation ? "allLiquidation" : "publicTrade", first.symbol, ts);
  for (std::size_t k = 0; k < events.size(); ++k) {
    const VenueEvent& e = events[k];
    if (k > 0) out += ',';
    fmt::format_to(std::back_inserter(out), R"({{"T":{},"s":"{}","S":"{}","v":"{}","p":"{}")",
                   e.time, e.symbol, bybit_side(e), venue_decimal(base_quantity(e)),
                   venue_decimal(e.price));
    if (!liquidation) {
      // "L": the direction of the price change since the symbol's previous trade.
      auto [last, fresh] = last_trade_price_.try_emplace(e.symbol, e.price);
      std::string_view tick = "ZeroPlusTick";
      if (!fresh && e.price > last->second) tick = "PlusTick";
      if (!fresh && e.price < last->second) tick = "MinusTick";
      last->second = e.price;
      const std::uint64_t id = next_id_++;
      fmt::format_to(std::back_inserter(out),
                     R"(,"L":"{}","i":"{}","BT":false,"RPI":false,"seq":{})", tick,
                     bybit_trade_id(id), id);
    }
    out += '}';
  }
  out += "]}";
  return out;
}

std::string VenueFrameBuilder::binance(const VenueEvent& e) {
  const std::string quantity = venue_decimal(base_quantity(e));
  const std::string price = venue_decimal(e.price);
  if (e.kind == EventKind::liquidation) {
    // The forced order's side: a liquidated long is closed by a SELL.
    return fmt::format(
        R"({{"stream":"!forceOrder@arr","data":{{"e":"forceOrder","E":{},"o":{{"s":"{}","S":"{}",)"
        R"("o":"LIMIT","f":"IOC","q":"{}","p":"{}","ap":"{}","X":"FILLED","l":"{}","z":"{}","T":{}}}}}}})",
        e.time, e.symbol, e.side == Side::sell ? "SELL" : "BUY", quantity, price, price, quantity,
        quantity, e.time);
  }
  const std::uint64_t id = next_id_++;
  // "m": the buyer was the maker, so the taker sold.
  return fmt::format(
      R"({{"stream":"{}@aggTrade","data":{{"e":"aggTrade","E":{},"s":"{}","a":{},"p":"{}","q":"{}",)"
      R"("f":{},"l":{},"T":{},"m":{}}}}})",
      lowercase(e.symbol), e.time, e.symbol, id, price, quantity, id, id, e.time,
      e.side == Side::sell ? "true" : "false");
}

std::optional<std::string> VenueFrameBuilder::okx(std::span<const VenueEvent> events) {
  if (events.empty()) return std::nullopt;
  for (const VenueEvent& e : events) {
    if (find(e.symbol) == nullptr) return std::nullopt;
  }
  const auto contracts = [&](const VenueEvent& e) {
    return venue_decimal(base_quantity(e) / find(e.symbol)->okx_ct_val);
  };
  std::string out;
  if (events.front().kind == EventKind::liquidation) {
    out = R"({"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[)";
    const auto per_instrument = group_by(events, [](const VenueEvent& e) { return e.symbol; });
    for (std::size_t g = 0; g < per_instrument.size(); ++g) {
      const VenueInstrument& instrument = *find(per_instrument[g].front().symbol);
      if (g > 0) out += ',';
      out += R"({"details":[)";
      for (std::size_t k = 0; k < per_instrument[g].size(); ++k) {
        const VenueEvent& e = per_instrument[g][k];
        if (k > 0) out += ',';
        // "side" is the liquidation order's side, "posSide" the position it closed.
        fmt::format_to(std::back_inserter(out),
                       R"({{"bkLoss":"0","bkPx":"{}","ccy":"","posSide":"{}","side":"{}",)"
                       R"("sz":"{}","ts":"{}"}})",
                       venue_decimal(e.price), e.side == Side::sell ? "long" : "short",
                       e.side == Side::sell ? "sell" : "buy", contracts(e), e.time);
      }
      const std::string family = instrument.base + "-" + instrument.quote;
      fmt::format_to(std::back_inserter(out),
                     R"(],"instFamily":"{}","instId":"{}","instType":"SWAP","uly":"{}"}})", family,
                     instrument.okx_inst_id(), family);
    }
    out += "]}";
    return out;
  }
  const std::string inst_id = find(events.front().symbol)->okx_inst_id();
  out = fmt::format(R"({{"arg":{{"channel":"trades","instId":"{}"}},"data":[)", inst_id);
  for (std::size_t k = 0; k < events.size(); ++k) {
    const VenueEvent& e = events[k];
    if (k > 0) out += ',';
    const std::uint64_t id = next_id_++;
    fmt::format_to(std::back_inserter(out),
                   R"({{"instId":"{}","tradeId":"{}","px":"{}","sz":"{}","side":"{}","ts":"{}",)"
                   R"("count":"1","source":"0","seqId":{}}})",
                   inst_id, id, venue_decimal(e.price), contracts(e),
                   e.side == Side::buy ? "buy" : "sell", e.time, id);
  }
  out += "]}";
  return out;
}

std::vector<std::string> VenueFrameBuilder::frames(Venue venue,
                                                   std::span<const VenueEvent> events) {
  std::vector<std::string> out;
  if (events.empty()) return out;
  switch (venue) {
    case Venue::bybit:
      for (const auto& group : group_by(events, kind_and_symbol)) out.push_back(bybit(group));
      break;
    case Venue::binance:
      for (const VenueEvent& e : events) out.push_back(binance(e));
      break;
    case Venue::okx: {
      std::vector<VenueEvent> known;
      for (const VenueEvent& e : events) {
        if (find(e.symbol) != nullptr) known.push_back(e);
      }
      if (known.empty()) break;
      const auto key = [](const VenueEvent& e) {
        // All liquidations share one frame (the channel is instType-wide); trades are per
        // instrument.
        return std::pair{e.kind, e.kind == EventKind::liquidation ? std::string() : e.symbol};
      };
      for (const auto& group : group_by(std::span<const VenueEvent>(known), key)) {
        if (auto frame = okx(group)) out.push_back(std::move(*frame));
      }
      break;
    }
  }
  return out;
}

std::vector<VenueEvent> coinglass_events(std::string_view line, std::optional<Venue> only) {
  std::vector<VenueEvent> out;
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(line, ec);
  if (ec || !root.is_object()) return out;
  const boost::json::value* channel = root.get_object().if_contains("channel");
  const boost::json::value* data = root.get_object().if_contains("data");
  if (channel == nullptr || !channel->is_string() || data == nullptr || !data->is_array()) {
    return out;
  }
  const std::string_view name = channel->get_string();
  EventKind kind{};
  if (name == "liquidationOrders" || name == "liquidation_orders") {
    kind = EventKind::liquidation;
  } else if (name.starts_with("futures_trades@")) {
    kind = EventKind::trade;
  } else {
    return out;
  }
  for (const boost::json::value& element : data->get_array()) {
    if (!element.is_object()) continue;
    const boost::json::object& o = element.get_object();
    const boost::json::value* exchange = either(o, "exName", "exchange");
    const boost::json::value* symbol = o.if_contains("symbol");
    const auto side = number(o.if_contains("side"));
    const auto price = number(o.if_contains("price"));
    const auto volume = number(either(o, "volUsd", "volume_usd"));
    const auto time = number(o.if_contains("time"));
    if (symbol == nullptr || !symbol->is_string() || !side || (*side != 1 && *side != 2) ||
        !price || !volume || !time) {
      continue;
    }
    if (only) {
      if (exchange == nullptr || !exchange->is_string() ||
          venue_from_exchange(exchange->get_string()) != only) {
        continue;
      }
    }
    out.push_back(VenueEvent{.kind = kind,
                             .symbol = plain_symbol(symbol->get_string()),
                             .side = *side == 1 ? Side::sell : Side::buy,
                             .price = *price,
                             .volume_usd = *volume,
                             .time = static_cast<TimeMs>(*time)});
  }
  return out;
}

std::vector<std::string> venue_frames_from_coinglass(VenueFrameBuilder& builder,
                                                     std::string_view line, Venue venue) {
  const std::vector<VenueEvent> events = coinglass_events(line, venue);
  return builder.frames(venue, events);
}

std::string okx_instruments_body(std::span<const VenueInstrument> instruments) {
  std::string out = R"({"code":"0","msg":"","data":[)";
  for (std::size_t k = 0; k < instruments.size(); ++k) {
    const VenueInstrument& i = instruments[k];
    const std::string family = i.base + "-" + i.quote;
    if (k > 0) out += ',';
    fmt::format_to(std::back_inserter(out),
                   R"({{"instType":"SWAP","instId":"{}","uly":"{}","instFamily":"{}","baseCcy":"",)"
                   R"("quoteCcy":"","settleCcy":"{}","ctVal":"{}","ctMult":"1","ctValCcy":"{}",)"
                   R"("ctType":"linear","listTime":"1611916828000","expTime":"","lever":"100",)"
                   R"("lotSz":"0.01","minSz":"0.01","state":"live"}})",
                   i.okx_inst_id(), family, family, i.quote, venue_decimal(i.okx_ct_val), i.base);
  }
  out += "]}";
  return out;
}

}  // namespace teleglas
