// Turns one WebSocket text frame (or one recording line) into normalized events: CoinGlass
// frames and our own snapshot lines, and the public streams of Bybit (v5), Binance (USD-M) and
// OKX (v5), each recognised by its shape. Never throws on input and never crashes: anything
// malformed is rejected and counted by reason. Built on simdjson On-Demand; one parser instance
// is reused for every frame.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "teleglas/core/events.hpp"
#include "teleglas/ingest/contracts.hpp"

namespace teleglas {

// Why a frame or one of its events or rows was rejected. Names are checked as the edge sees
// them: a symbol is 1-32 characters of A-Z a-z 0-9 - _ / . : and an exchange or asset 1-24
// characters of letters, digits, space . - _; a rejected name is not kept anywhere.
enum class RejectReason : std::uint8_t {
  invalid_json,      // not parseable, truncated, trailing garbage
  not_an_object,     // valid JSON but not an object frame
  missing_channel,   // no "channel" string
  unknown_channel,   // channel we do not know
  missing_data,      // no "data" member
  bad_data,          // "data" of the wrong shape (e.g. not an array)
  bad_event,         // an element of "data" that is not an object
  missing_field,     // a required field is absent
  wrong_type,        // a field has the wrong JSON type
  bad_side,          // side not 1 or 2
  bad_price,         // price <= 0 or not finite
  bad_volume,        // volume <= 0 or not finite
  bad_time,          // time outside [2010-01-01, 2100-01-01) or too far from receive time
  bad_symbol,        // symbol / exchange / asset name empty, too long or outside its charset
  too_large,         // frame longer than the configured maximum
  price_too_high,    // price above ParserOptions::max_price
  volume_too_high,   // volume above ParserOptions::max_volume_usd
  unknown_contract,  // an OKX instrument whose contract value is unknown: sizes are not guessed
};
inline constexpr int reject_reason_count = 18;

std::string_view to_string(RejectReason r);

// Counters accumulated over every frame a parser has seen.
struct ParseStats {
  std::uint64_t frames = 0;  // every frame offered, including notices and rejects
  std::uint64_t events = 0;  // accepted liquidations + trades
  std::uint64_t liquidations = 0;
  std::uint64_t trades = 0;
  std::uint64_t funding_rates = 0;   // accepted funding rows
  std::uint64_t open_interests = 0;  // accepted open-interest rows
  std::uint64_t pongs = 0;           // text "pong", and the venues' JSON pongs
  std::uint64_t notices = 0;    // other non-JSON text (e.g. "... need upgrade plan"), venue errors
  std::uint64_t acks = 0;       // venue acknowledgements (subscribe, unsubscribe, ...)
  std::uint64_t contracts = 0;  // OKX contracts taken from instruments lists
  std::uint64_t contracts_refused = 0;  // new OKX contracts refused: the table was full
  std::array<std::uint64_t, source_count> events_by_source{};  // accepted events by feed
  std::array<std::uint64_t, reject_reason_count> rejected_by_reason{};

  std::uint64_t rejected() const;
};

enum class FrameKind : std::uint8_t {
  market,         // liquidations and/or trades in `events`
  funding,        // funding rows in `funding`
  open_interest,  // open-interest rows in `open_interest`
  pong,           // text "pong", or a venue's JSON pong
  notice,         // non-JSON text other than pong, or a venue's error; `notice` holds its text
  rejected,       // the whole frame was rejected (`reject_reason`)
  empty,          // blank line
  ack,            // a venue's acknowledgement (subscribe, unsubscribe, ...)
  instruments,    // an OKX instruments list, taken into the contract table (`contracts` rows)
};

// The result of one parse. Views point into the parser or the input: valid until the next
// call to parse().
struct ParsedFrame {
  FrameKind kind = FrameKind::empty;
  Source source = Source::coinglass;  // the feed whose frame this is
  std::string_view channel;  // CoinGlass channel, Bybit topic, Binance stream or event, OKX channel
  std::vector<MarketEvent> events;  // accepted events (invalid elements are skipped)
  std::vector<FundingRate> funding;
  std::vector<OpenInterest> open_interest;
  std::string_view notice;
  RejectReason reject_reason = RejectReason::invalid_json;  // when kind == rejected
  std::uint32_t rejected_events = 0;  // elements of data rejected in this frame
  std::uint32_t contracts = 0;        // contracts taken (FrameKind::instruments)
};

struct ParserOptions {
  std::size_t max_frame_bytes = 1 << 20;
  // When a receive time is given, event times further than this from it are bad_time.
  TimeMs max_clock_skew_ms = 24LL * 3600 * 1000;
  // Events above these are absurd, not big: nothing trades at $10M a unit, and the largest
  // single liquidation ever seen is about $0.2B. Snapshot rows (open interest) are not capped.
  double max_price = 1e7;
  double max_volume_usd = 1e9;
  std::size_t max_contracts = ContractTable::default_capacity;
};

// Channel names. Snapshots of REST polls are recorded under our own channel names.
inline constexpr std::string_view funding_channel = "funding_rates";
inline constexpr std::string_view open_interest_channel = "open_interest";
// {"channel":"okx.instruments","time":MS,"data":BODY}: BODY is OKX's GET /api/v5/public/instruments
// response, verbatim. It sets the contract values OKX's sizes need.
inline constexpr std::string_view okx_instruments_channel = "okx.instruments";

class FrameParser {
 public:
  explicit FrameParser(ParserOptions options = {});
  ~FrameParser();
  FrameParser(const FrameParser&) = delete;
  FrameParser& operator=(const FrameParser&) = delete;

  // Parses `frame`. `receive_time` is the local time the frame arrived, or 0 when unknown
  // (replay of a recording without receive times): events carry it as given, 0 included.
  // When the caller owns a buffer with at least 64 readable bytes after the frame
  // (`capacity` >= frame.size() + 64) the frame is parsed in place; otherwise it is copied.
  const ParsedFrame& parse(std::string_view frame, TimeMs receive_time = 0,
                           std::size_t capacity = 0);

  const ParseStats& stats() const { return stats_; }

  // What one contract of an OKX instrument is worth, as an okx.instruments line would set it.
  ContractTable::Update set_contract(std::string_view inst_id, ContractSpec spec);
  const ContractTable& contracts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ParseStats stats_;
};

}  // namespace teleglas
