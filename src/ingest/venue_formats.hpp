// The exchanges' own public streams (Bybit v5, Binance USD-M, OKX v5): their `data` into market
// events, and OKX's instruments list into the contract table. Internal to the ingest layer; the
// frame parser recognises the frames and dispatches here. Field names of these wire formats
// live here and nowhere else.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "field_readers.hpp"
#include "teleglas/core/events.hpp"
#include "teleglas/ingest/contracts.hpp"

namespace teleglas::ingest_detail {

// Where the events of one frame go, and what they are checked against. Rejected rows are
// counted in `rejects`, one per row (an OKX liquidation detail is a row).
struct EventOutput {
  std::vector<MarketEvent>& events;
  ElementRejects& rejects;
  const EventLimits& limits;
};

// Bybit v5 `data` of allLiquidation.{symbol} or publicTrade.{symbol}: an array of rows
// {"T":ms,"s":"BTCUSDT","S":"Buy","v":"0.01","p":"95000.5",...}.
Verdict read_bybit_data(ondemand::value& data, EventKind kind, EventOutput& out);

// Binance USD-M `data` of a combined stream (one event object, or an array of them) whose
// stream name says `kind`: forceOrder events for liquidations, aggTrade events for trades.
Verdict read_binance_data(ondemand::value& data, EventKind kind, EventOutput& out);

// The event type ("e") of a Binance payload.
enum class BinanceType : std::uint8_t { none, force_order, agg_trade, other };

// Reads one Binance event member by member, in any order, so that the same code serves an
// event inside `data` and an unwrapped payload whose members are the frame's own.
class BinanceEvent {
 public:
  explicit BinanceEvent(const EventLimits& limits) : limits_(limits) {}

  // One member; a bad value is its verdict (the caller keeps the first).
  Verdict take(ondemand::raw_json_string key, ondemand::value& value);
  void set_type(BinanceType type) {
    type_ = type;
    has_type_ = true;
  }
  // The event, once every member was taken, as a `kind` event.
  Verdict finish(EventKind kind, MarketEvent& event) const;

 private:
  Verdict take_order(ondemand::value& order);

  const EventLimits& limits_;
  BinanceType type_ = BinanceType::none;
  std::string_view symbol_;
  double price_ = 0;
  double quantity_ = 0;
  TimeMs time_ = 0;
  Side side_ = Side::buy;
  bool has_type_ = false, has_order_ = false, has_symbol_ = false, has_price_ = false,
       has_quantity_ = false, has_time_ = false, has_side_ = false;
};

BinanceType binance_type(ondemand::raw_json_string type);
BinanceType binance_type_of(std::string_view type);

// OKX v5 `data` of liquidation-orders ([{"instId":..,"details":[{side,posSide,bkPx,sz,ts}]}])
// or trades ([{"instId":..,"px":..,"sz":..,"side":..,"ts":..}]). Sizes are in contracts: an
// instrument missing from `contracts` is rejected as unknown_contract.
Verdict read_okx_data(ondemand::value& data, EventKind kind, const ContractTable& contracts,
                      EventOutput& out);

struct InstrumentsResult {
  std::uint32_t taken = 0;    // contracts added or updated
  std::uint32_t refused = 0;  // new contracts refused: the table is full
};

// OKX's GET /api/v5/public/instruments response, verbatim ({"code":"0","msg":"","data":[...]}),
// into `contracts`. Swaps and futures only; rows of other instrument types are skipped.
// A response whose code is not "0" is bad_data.
Verdict read_okx_instruments(ondemand::value& body, ContractTable& contracts,
                             ElementRejects& rejects, InstrumentsResult& result);

}  // namespace teleglas::ingest_detail
