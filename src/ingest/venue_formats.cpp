// Bybit v5, Binance USD-M and OKX v5 public streams, and OKX's instruments list. The stream
// rows are the hot path of a venue feed: keys are compared raw, quoted numbers are parsed where
// they lie in the input, and nothing is allocated per row.
#include "venue_formats.hpp"

#include "teleglas/core/names.hpp"
#include "teleglas/ingest/venue_symbols.hpp"

namespace teleglas::ingest_detail {

namespace {

constexpr std::string_view bybit_exchange = "Bybit";
constexpr std::string_view binance_exchange = "Binance";
constexpr std::string_view okx_exchange = "OKX";

// Names an event of a Bybit or Binance symbol; the base asset comes from the symbol.
void name_event(MarketEvent& event, std::string_view symbol, std::string_view exchange,
                Source source) {
  event.symbol = symbol;
  event.exchange = exchange;
  event.source = source;
  const std::string_view base = base_of_symbol(symbol);
  event.base_asset = is_venue_or_asset_name(base) ? base : std::string_view{};
}

// The contract of an OKX instrument, remembering the last one found: a frame's rows are mostly
// of one instrument, and a comparison of its ID is cheaper than a hash lookup.
class ContractLookup {
 public:
  explicit ContractLookup(const ContractTable& contracts) : contracts_(contracts) {}

  const ContractTable::Contract* find(std::string_view inst_id) {
    if (last_ == nullptr || !same_name(inst_id, last_id_)) {
      last_ = contracts_.find(inst_id);
      last_id_ = inst_id;
    }
    return last_;
  }

 private:
  const ContractTable& contracts_;
  std::string_view last_id_;  // a view into the frame's strings: lives as long as the lookup
  const ContractTable::Contract* last_ = nullptr;
};

// Names an event of an OKX instrument by its common name.
void name_okx_event(MarketEvent& event, const ContractTable::Contract& contract) {
  event.symbol = contract.symbol;
  event.base_asset = contract.base_asset;
  event.exchange = okx_exchange;
  event.source = Source::okx;
}

// The price and the USD volume we computed, under the checks a CoinGlass event's own fields get.
Verdict set_price_and_volume(MarketEvent& event, double price, double volume_usd,
                             const EventLimits& limits) {
  if (Verdict verdict = check_price(price, limits)) return verdict;
  if (Verdict verdict = check_volume(volume_usd, limits)) return verdict;
  event.price = price;
  event.volume_usd = volume_usd;
  return good;
}

// Reads each element of an array `data` with `read_one(ondemand::value&)` (bad_data when
// `data` is no array).
template <class ReadOne>
Verdict read_rows(ondemand::value& data, ElementRejects& rejects, ReadOne read_one) {
  ondemand::array rows;
  if (Verdict verdict = open_array(data, RejectReason::bad_data, rows)) return verdict;
  return read_each(rows, rejects, read_one);
}

// Reads an array `data` of rows of one event each with `read_row(ondemand::value&,
// MarketEvent&)`, keeping the events of the good ones.
template <class ReadRow>
Verdict read_event_rows(ondemand::value& data, EventOutput& out, ReadRow read_row) {
  return read_rows(data, out.rejects, [&](ondemand::value& row) {
    MarketEvent event;
    event.receive_time = out.limits.receive_time;
    Verdict verdict = read_row(row, event);
    if (!verdict) out.events.push_back(event);
    return verdict;
  });
}

// ---------------------------------------------------------------------------------- Bybit

Verdict read_bybit_row(ondemand::value& row, EventKind kind, const EventLimits& limits,
                       MarketEvent& event) {
  bool has_time = false, has_symbol = false, has_side = false, has_size = false, has_price = false;
  std::string_view symbol;
  double size = 0, price = 0;
  bool sell = false;
  if (Verdict verdict = read_fields(
          row, field_spec('T', has_time, time_into(limits, event.exchange_time)),
          field_spec('s', has_symbol, name_into(symbol_name, symbol)),
          field_spec('S', has_side, choice_into("Buy", "Sell", RejectReason::bad_side, sell)),
          field_spec('v', has_size, decimal_into(RejectReason::bad_volume, size)),
          field_spec('p', has_price, decimal_into(RejectReason::bad_price, price)))) {
    return verdict;
  }
  if (!(has_time && has_symbol && has_side && has_size && has_price)) {
    return RejectReason::missing_field;
  }
  event.kind = kind;
  // allLiquidation's S is the side of the liquidated POSITION: "When you receive a Buy update,
  // this means that a long position has been liquidated" (Bybit v5 docs), i.e. a forced sell.
  // publicTrade's S is the taker's side.
  if (kind == EventKind::liquidation) {
    event.side = sell ? Side::buy : Side::sell;
  } else {
    event.side = sell ? Side::sell : Side::buy;
  }
  name_event(event, symbol, bybit_exchange, Source::bybit);
  return set_price_and_volume(event, price, size * price, limits);
}

// ---------------------------------------------------------------------------------- OKX

// One liquidation detail: {"side":"sell","posSide":"long","bkPx":"..","sz":"..","ts":".."}.
// `side` is the liquidation ORDER's side (sell = a long was liquidated); `posSide` is the
// position's side in long/short mode, or "net" in net mode, where only `side` tells.
Verdict read_okx_detail(ondemand::value& detail, const EventLimits& limits, MarketEvent& event,
                        double& contracts) {
  enum class Position : std::uint8_t { net, long_side, short_side };
  bool has_side = false, has_position = false, has_price = false, has_size = false,
       has_time = false;
  bool sell = false;
  Position position = Position::net;
  double price = 0;
  const auto read_position = [&](ondemand::value& v) -> Verdict {
    ondemand::raw_json_string raw;
    if (Verdict verdict = read_raw_string(v, raw)) return verdict;
    if (raw.unsafe_is_equal("long")) {
      position = Position::long_side;
    } else if (raw.unsafe_is_equal("short")) {
      position = Position::short_side;
    } else if (raw.unsafe_is_equal("net")) {
      position = Position::net;
    } else {
      return RejectReason::bad_side;
    }
    return good;
  };
  if (Verdict verdict = read_fields(
          detail,
          field_spec("side", has_side, choice_into("buy", "sell", RejectReason::bad_side, sell)),
          field_spec("posSide", has_position, read_position),
          field_spec("bkPx", has_price, decimal_into(RejectReason::bad_price, price)),
          field_spec("sz", has_size, decimal_into(RejectReason::bad_volume, contracts)),
          field_spec("ts", has_time, time_into(limits, event.exchange_time)))) {
    return verdict;
  }
  if (!(has_price && has_size && has_time)) return RejectReason::missing_field;
  if (!has_side) {
    // Without the order side, only a long/short-mode position says which side was flushed.
    if (position == Position::net) return RejectReason::missing_field;
    sell = position == Position::long_side;
  }
  // A long is closed by a sell, a short by a buy: anything else contradicts itself.
  if ((position == Position::long_side && !sell) || (position == Position::short_side && sell)) {
    return RejectReason::bad_side;
  }
  event.kind = EventKind::liquidation;
  event.side = sell ? Side::sell : Side::buy;
  event.price = price;
  event.receive_time = limits.receive_time;
  return good;
}

// One instrument's liquidations: {"details":[...],"instId":"BTC-USDT-SWAP",...}. OKX's own
// example sends the details before the instrument, so they are read into events holding their
// size in contracts and priced once the entry is complete. Each detail is one row.
Verdict read_okx_liquidation_entry(ondemand::value& entry, ContractLookup& contracts,
                                   EventOutput& out) {
  ondemand::object object;
  if (Verdict verdict = open_object(entry, object)) return verdict;
  const std::size_t first = out.events.size();
  bool has_instrument = false, has_details = false;
  std::string_view inst_id;
  Verdict instrument_verdict = good;
  const Verdict walked = walk_members(object, [&](ondemand::field& field) -> Verdict {
    const ondemand::raw_json_string key = field.key();
    ondemand::value& value = field.value();
    if (key.unsafe_is_equal("instId")) {
      if (has_instrument) return good;
      instrument_verdict = take(value, has_instrument, name_into(symbol_name, inst_id));
      if (is_broken(instrument_verdict)) return instrument_verdict;
      if (instrument_verdict) has_instrument = true;  // a bad one is still the entry's one
    } else if (key.unsafe_is_equal("details")) {
      const Verdict details_verdict = take(value, has_details, [&](auto& v) {
        return read_rows(v, out.rejects, [&](ondemand::value& detail) {
          MarketEvent event;
          double size = 0;
          Verdict verdict = read_okx_detail(detail, out.limits, event, size);
          if (!verdict) {
            event.volume_usd = size;  // contracts, until the instrument is known
            out.events.push_back(event);
          }
          return verdict;
        });
      });
      if (details_verdict) {
        if (!is_broken(details_verdict)) out.events.resize(first);
        return details_verdict == RejectReason::bad_data ? Verdict{RejectReason::wrong_type}
                                                         : details_verdict;
      }
    }
    return good;
  });
  if (walked) return walked;
  if (!has_details) return RejectReason::missing_field;

  Verdict entry_verdict = instrument_verdict;
  const ContractTable::Contract* contract = nullptr;
  if (!has_instrument) {
    entry_verdict = RejectReason::missing_field;
  } else if (!entry_verdict) {
    contract = contracts.find(inst_id);
    if (contract == nullptr) entry_verdict = RejectReason::unknown_contract;
  }
  std::size_t kept = first;
  for (std::size_t i = first; i < out.events.size(); ++i) {
    MarketEvent event = out.events[i];
    Verdict verdict = entry_verdict;
    if (!verdict) {
      name_okx_event(event, *contract);
      const double size = event.volume_usd;
      verdict = set_price_and_volume(event, event.price,
                                     usd_value(contract->spec, size, event.price), out.limits);
    }
    if (verdict) {
      out.rejects.add(*verdict);
    } else {
      out.events[kept++] = event;
    }
  }
  out.events.resize(kept);
  return good;
}

// One trade: {"instId":"BTC-USDT-SWAP","px":"..","sz":"..","side":"buy","ts":"..",...}; `side`
// is the taker's.
Verdict read_okx_trade(ondemand::value& row, ContractLookup& contracts, const EventLimits& limits,
                       MarketEvent& event) {
  bool has_instrument = false, has_price = false, has_size = false, has_side = false,
       has_time = false;
  std::string_view inst_id;
  double price = 0, size = 0;
  bool sell = false;
  if (Verdict verdict = read_fields(
          row, field_spec("instId", has_instrument, name_into(symbol_name, inst_id)),
          field_spec("px", has_price, decimal_into(RejectReason::bad_price, price)),
          field_spec("sz", has_size, decimal_into(RejectReason::bad_volume, size)),
          field_spec("side", has_side, choice_into("buy", "sell", RejectReason::bad_side, sell)),
          field_spec("ts", has_time, time_into(limits, event.exchange_time)))) {
    return verdict;
  }
  if (!(has_instrument && has_price && has_size && has_side && has_time)) {
    return RejectReason::missing_field;
  }
  const ContractTable::Contract* contract = contracts.find(inst_id);
  if (contract == nullptr) return RejectReason::unknown_contract;
  event.kind = EventKind::trade;
  event.side = sell ? Side::sell : Side::buy;
  name_okx_event(event, *contract);
  return set_price_and_volume(event, price, usd_value(contract->spec, size, price), limits);
}

// One row of the instruments list. Only swaps and futures are sized in contracts; other rows
// (spot, margin, options) are skipped without a word.
Verdict read_okx_instrument(ondemand::value& row, ContractTable& contracts,
                            InstrumentsResult& result) {
  bool has_instrument = false, has_type = false, has_value = false, has_contract_type = false;
  bool sized_type = false, known_contract_type = false, inverse = false, empty_value = false;
  std::string_view inst_id;
  double value = 0;
  const auto read_type = [&](ondemand::value& v) {
    ondemand::raw_json_string raw;
    if (Verdict bad = read_raw_string(v, raw)) return bad;
    sized_type = raw.unsafe_is_equal("SWAP") || raw.unsafe_is_equal("FUTURES");
    return good;
  };
  const auto read_value = [&](ondemand::value& v) -> Verdict {
    std::string_view text;
    switch (quoted_text(v, text)) {
      case Token::broken:
        return RejectReason::invalid_json;
      case Token::other:
        return read_decimal(v, RejectReason::bad_volume, value);
      case Token::string:
        break;
    }
    empty_value = text.empty();  // "" is how OKX says "no contract"
    if (empty_value) return good;
    return parse_decimal(text, value) ? good : Verdict{RejectReason::bad_volume};
  };
  const auto read_contract_type = [&](ondemand::value& v) {
    ondemand::raw_json_string raw;
    if (Verdict bad = read_raw_string(v, raw)) return bad;
    known_contract_type = raw.unsafe_is_equal("linear") || raw.unsafe_is_equal("inverse");
    inverse = raw.unsafe_is_equal("inverse");
    return good;
  };
  if (Verdict verdict = read_fields(
          row, field_spec("instId", has_instrument, name_into(symbol_name, inst_id)),
          field_spec("instType", has_type, read_type), field_spec("ctVal", has_value, read_value),
          field_spec("ctType", has_contract_type, read_contract_type))) {
    return verdict;
  }
  if (has_type && !sized_type) return good;
  if (!has_instrument || !has_value || empty_value) return RejectReason::missing_field;
  if (!(std::isfinite(value) && value > 0)) return RejectReason::bad_volume;
  if (!known_contract_type) return RejectReason::unknown_contract;
  switch (contracts.set(inst_id, ContractSpec{value, inverse})) {
    case ContractTable::Update::added:
    case ContractTable::Update::updated:
      ++result.taken;
      return good;
    case ContractTable::Update::full:
      ++result.refused;
      return good;
    case ContractTable::Update::bad_name:
      return RejectReason::bad_symbol;
    case ContractTable::Update::bad_value:
      break;
  }
  return RejectReason::bad_volume;
}

}  // namespace

// ------------------------------------------------------------------------ Bybit, OKX data

Verdict read_bybit_data(ondemand::value& data, EventKind kind, EventOutput& out) {
  return read_event_rows(data, out, [&](ondemand::value& row, MarketEvent& event) {
    return read_bybit_row(row, kind, out.limits, event);
  });
}

Verdict read_okx_data(ondemand::value& data, EventKind kind, const ContractTable& table,
                      EventOutput& out) {
  ContractLookup contracts(table);
  if (kind == EventKind::liquidation) {
    return read_rows(data, out.rejects, [&](ondemand::value& entry) {
      return read_okx_liquidation_entry(entry, contracts, out);
    });
  }
  return read_event_rows(data, out, [&](ondemand::value& row, MarketEvent& event) {
    return read_okx_trade(row, contracts, out.limits, event);
  });
}

Verdict read_okx_instruments(ondemand::value& body, ContractTable& contracts,
                             ElementRejects& rejects, InstrumentsResult& result) {
  ondemand::object object;
  if (Verdict verdict = open_object(body, object)) {
    return is_broken(verdict) ? verdict : Verdict{RejectReason::bad_data};
  }
  bool has_code = false, code_ok = false, has_data = false;
  const Verdict walked = walk_members(object, [&](ondemand::field& field) -> Verdict {
    const ondemand::raw_json_string key = field.key();
    ondemand::value& value = field.value();
    if (key.unsafe_is_equal("code")) {
      if (has_code) return good;
      has_code = true;
      // "0" as OKX sends it; 0 as a number is the same answer.
      std::string_view text;
      switch (quoted_text(value, text)) {
        case Token::broken:
          return RejectReason::invalid_json;
        case Token::string:
          code_ok = text == "0";
          break;
        case Token::other: {
          std::int64_t code = 1;
          const error_code e = value.get_int64().get(code);
          if (e && e != simdjson::INCORRECT_TYPE && e != simdjson::NUMBER_ERROR &&
              e != simdjson::NUMBER_OUT_OF_RANGE) {
            return RejectReason::invalid_json;
          }
          code_ok = !e && code == 0;
          break;
        }
      }
    } else if (key.unsafe_is_equal("data")) {
      if (has_data) return good;
      has_data = true;
      if (has_code && !code_ok) return good;  // a failed request: nothing to learn
      return read_rows(value, rejects, [&](ondemand::value& row) {
        return read_okx_instrument(row, contracts, result);
      });
    }
    return good;
  });
  if (walked) return walked;
  if (!has_data || (has_code && !code_ok)) return RejectReason::bad_data;
  return good;
}

// ------------------------------------------------------------------------------- Binance

BinanceType binance_type(ondemand::raw_json_string type) {
  if (type.unsafe_is_equal("forceOrder")) return BinanceType::force_order;
  if (type.unsafe_is_equal("aggTrade")) return BinanceType::agg_trade;
  return BinanceType::other;
}

BinanceType binance_type_of(std::string_view type) {
  if (type == "forceOrder") return BinanceType::force_order;
  if (type == "aggTrade") return BinanceType::agg_trade;
  return BinanceType::other;
}

Verdict BinanceEvent::take(ondemand::raw_json_string key, ondemand::value& value) {
  const auto read_type = [&](ondemand::value& v) {
    ondemand::raw_json_string type;
    if (Verdict verdict = read_raw_string(v, type)) return verdict;
    type_ = binance_type(type);
    return good;
  };
  // aggTrade's m: "is the buyer the market maker?" true = the taker sold.
  const auto read_maker = [&](ondemand::value& v) {
    bool buyer_is_maker = false;
    if (Verdict verdict = read_bool(v, buyer_is_maker)) return verdict;
    side_ = buyer_is_maker ? Side::sell : Side::buy;
    return good;
  };
  // A switch rather than a table of fields (read_fields): this runs for every member of every
  // Binance event, and the table's chain of comparisons cost Binance frames 5-8 %
  // (venue_parser_bench).
  switch (single_char_key(key)) {
    case 'e':
      return ingest_detail::take(value, has_type_, read_type);
    case 's':
      return ingest_detail::take(value, has_symbol_, name_into(symbol_name, symbol_));
    case 'p':
      return ingest_detail::take(value, has_price_, decimal_into(RejectReason::bad_price, price_));
    case 'q':
      return ingest_detail::take(value, has_quantity_,
                                 decimal_into(RejectReason::bad_volume, quantity_));
    case 'T':
      return ingest_detail::take(value, has_time_, time_into(limits_, time_));
    case 'm':
      return ingest_detail::take(value, has_side_, read_maker);
    case 'o':
      return ingest_detail::take(value, has_order_,
                                 [&](ondemand::value& v) { return take_order(v); });
    default:
      return good;
  }
}

// forceOrder's order: {"s":..,"S":"SELL","q":..,"p":..,"ap":..,"X":..,"l":..,"z":..,"T":..}.
// What was liquidated is what was filled: the accumulated filled quantity z at the average
// price ap (p is the order's limit, q what it asked for).
Verdict BinanceEvent::take_order(ondemand::value& order) {
  ondemand::object object;
  if (const error_code e = order.get_object().get(object)) {
    return e == simdjson::INCORRECT_TYPE ? Verdict{RejectReason::wrong_type}
                                         : Verdict{RejectReason::invalid_json};
  }
  // The forced order's side: SELL closes a long, so it is the long that was liquidated.
  const auto read_side = [&](ondemand::value& v) {
    bool sell = false;
    if (Verdict bad = read_choice(v, "BUY", "SELL", RejectReason::bad_side, sell)) return bad;
    side_ = sell ? Side::sell : Side::buy;
    return good;
  };
  return walk_members(object, [&](ondemand::field& field) {
    return take_field(
        field.key(), field.value(), field_spec('s', has_symbol_, name_into(symbol_name, symbol_)),
        field_spec('S', has_side_, read_side),
        field_spec('z', has_quantity_, decimal_into(RejectReason::bad_volume, quantity_)),
        field_spec('T', has_time_, time_into(limits_, time_)),
        field_spec("ap", has_price_, decimal_into(RejectReason::bad_price, price_)));
  });
}

Verdict BinanceEvent::finish(EventKind kind, MarketEvent& event) const {
  const BinanceType expected =
      kind == EventKind::liquidation ? BinanceType::force_order : BinanceType::agg_trade;
  if (has_type_ && type_ != expected) return RejectReason::bad_event;
  if (kind == EventKind::liquidation && !has_order_) return RejectReason::missing_field;
  if (!(has_symbol_ && has_price_ && has_quantity_ && has_time_ && has_side_)) {
    return RejectReason::missing_field;
  }
  event.kind = kind;
  event.side = side_;
  event.exchange_time = time_;
  event.receive_time = limits_.receive_time;
  name_event(event, symbol_, binance_exchange, Source::binance);
  return set_price_and_volume(event, price_, quantity_ * price_, limits_);
}

Verdict read_binance_data(ondemand::value& data, EventKind kind, EventOutput& out) {
  const auto read_one = [&](ondemand::value& element) -> Verdict {
    ondemand::object object;
    if (Verdict verdict = open_object(element, object)) return verdict;
    BinanceEvent reader(out.limits);
    if (Verdict verdict = walk_members(object, [&](ondemand::field& field) {
          return reader.take(field.key(), field.value());
        })) {
      return verdict;
    }
    MarketEvent event;
    if (Verdict verdict = reader.finish(kind, event)) return verdict;
    out.events.push_back(event);
    return good;
  };
  ondemand::json_type type;
  if (data.type().get(type)) return RejectReason::invalid_json;
  if (type == ondemand::json_type::array) return read_rows(data, out.rejects, read_one);
  if (type != ondemand::json_type::object) return RejectReason::bad_data;
  // One event, the usual shape of a combined stream.
  const Verdict verdict = read_one(data);
  if (is_broken(verdict)) return verdict;
  if (verdict) out.rejects.add(*verdict);
  return good;
}

}  // namespace teleglas::ingest_detail
