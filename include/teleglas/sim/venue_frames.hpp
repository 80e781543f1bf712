// The frames Bybit, Binance and OKX push for a liquidation or a trade, written exactly as each
// venue writes them, from events in the project's terms (DESIGN.md §2); and the same market
// read off a CoinGlass recording line, so tests and `teleglas demo` can show one market through
// the three venues. The venue stand-ins (simserver) stream these frames. No I/O.
//
// Sides (each venue's documentation):
//   liquidation Side::sell (a LONG was liquidated): Bybit allLiquidation "S":"Buy" (its docs: "a
//   Buy update means a long position has been liquidated"), Binance forceOrder "S":"SELL" (the
//   forced order), OKX liquidation-orders "side":"sell","posSide":"long".
//   trade side = taker side: Bybit "S", OKX "side"; Binance aggTrade "m" (buyer is maker) is
//   true when the taker sold.
// Sizes: Bybit and Binance in base units (volume_usd / price), OKX SWAP in contracts (base
// units / ctVal). They are written with up to 8 decimals and not rounded to a lot size, so the
// USD volume survives the trip.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/core/types.hpp"

namespace teleglas {

enum class Venue : std::uint8_t { bybit, binance, okx };

// The exchange names CoinGlass writes: "Bybit", "Binance", "OKX".
std::string_view to_string(Venue venue);
// Case-insensitive inverse of to_string.
std::optional<Venue> venue_from_exchange(std::string_view name);

// A USDT-margined perpetual listed on all three venues.
struct VenueInstrument {
  std::string base;       // "BTC"
  std::string quote;      // "USDT"
  double okx_ct_val = 1;  // OKX contract value in base units (BTC-USDT-SWAP: 0.01 BTC)
  std::string symbol() const { return base + quote; }                       // BTCUSDT
  std::string okx_inst_id() const { return base + "-" + quote + "-SWAP"; }  // BTC-USDT-SWAP
};

// BTC, ETH and SOL USDT perpetuals with OKX's contract values (0.01 BTC, 0.1 ETH, 1 SOL): the
// symbols the market generator plants.
std::vector<VenueInstrument> default_venue_instruments();

// A liquidation or a trade in the project's terms.
struct VenueEvent {
  EventKind kind = EventKind::trade;
  std::string symbol;     // "BTCUSDT"
  Side side = Side::buy;  // liquidation: sell = a LONG was liquidated; trade: the taker's side
  double price = 0;
  double volume_usd = 0;
  TimeMs time = 0;
};

// Writes venue frames. Keeps what the venues number (trade ids, sequence numbers) and each
// symbol's last trade price (Bybit's tick direction), so the frames of one builder read like
// one venue's stream: same events in, same bytes out.
class VenueFrameBuilder {
 public:
  explicit VenueFrameBuilder(
      std::vector<VenueInstrument> instruments = default_venue_instruments());

  // Bybit v5 public linear push, topic `allLiquidation.{symbol}` or `publicTrade.{symbol}`, with
  // `events` (one kind, one symbol; not empty) as its data; "ts" is the latest event time.
  std::string bybit(std::span<const VenueEvent> events);

  // Binance USD-M combined-stream frame: {"stream":"!forceOrder@arr","data":{forceOrder}} or
  // {"stream":"<symbol>@aggTrade","data":{aggTrade}}. One event per frame, as Binance pushes.
  std::string binance(const VenueEvent& event);

  // OKX v5 public push: `liquidation-orders` (instType SWAP, one data entry per instrument,
  // details in contracts) or `trades` (instId; one kind, one symbol). nullopt when a symbol is
  // not among the instruments (its ctVal is unknown) or `events` is empty.
  std::optional<std::string> okx(std::span<const VenueEvent> events);

  // `events` as `venue` would push them, batched the way it batches: Bybit one frame per
  // (kind, symbol), Binance one per event, OKX one per kind (liquidations) or per (kind,
  // symbol) (trades). Events of unknown OKX instruments are left out.
  std::vector<std::string> frames(Venue venue, std::span<const VenueEvent> events);

  const VenueInstrument* find(std::string_view symbol) const;
  const std::vector<VenueInstrument>& instruments() const { return instruments_; }

 private:
  std::vector<VenueInstrument> instruments_;
  std::uint64_t next_id_ = 1;                                    // trade ids and sequence numbers
  std::map<std::string, double, std::less<>> last_trade_price_;  // Bybit "L"
};

// The events of one CoinGlass frame line (`liquidationOrders` / `liquidation_orders` /
// `futures_trades@...`, both field spellings). With `only`, just the elements whose exchange
// is that venue: what that venue itself pushed. Other lines and malformed elements: none.
// Symbols like "BTC-USDT-SWAP" are read as "BTCUSDT".
std::vector<VenueEvent> coinglass_events(std::string_view line,
                                         std::optional<Venue> only = std::nullopt);

// The venue frames equivalent to a CoinGlass line: coinglass_events(line, venue) written by
// `builder` as `venue` pushes them.
std::vector<std::string> venue_frames_from_coinglass(VenueFrameBuilder& builder,
                                                     std::string_view line, Venue venue);

// The body of OKX `GET /api/v5/public/instruments?instType=SWAP` listing `instruments`:
// {"code":"0","msg":"","data":[{"instType":"SWAP","instId":"BTC-USDT-SWAP","ctVal":"0.01",
// "ctValCcy":"BTC","ctType":"linear",...}]}.
std::string okx_instruments_body(std::span<const VenueInstrument> instruments);

// A decimal as the venues write numbers in strings: plain digits, at most `max_decimals`
// after the point, trailing zeros dropped ("9910", "0.014", "82655.7").
std::string venue_decimal(double value, int max_decimals = 8);

}  // namespace teleglas
