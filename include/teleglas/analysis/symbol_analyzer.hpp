// Everything analysed per symbol: per-second flow of its liquidations and trades, the prices of
// each venue, and the four flow detectors (stop hunt, order flow, liquidation cascade, whale
// accumulation). Pure: fed events in event time, it reports detections to a DetectionSink and
// never learns what became of them.
#pragma once

#include <array>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "teleglas/analysis/detection.hpp"
#include "teleglas/analysis/observation.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/core/events.hpp"
#include "teleglas/ingest/chart_tape.hpp"
#include "teleglas/ingest/flow_series.hpp"
#include "teleglas/ingest/price_series.hpp"
#include "teleglas/ingest/recent_events.hpp"

namespace teleglas {

// What a symbol's analysis takes from the pipeline besides its events.
struct SymbolSettings {
  const AnalysisConfig* analysis = nullptr;
  BuffersConfig buffers;
  std::string reference_venue;  // the first exchange of its subscription; empty: by volume
  const FeedObservation* observation = nullptr;
  // Keep the quarter hour a chart draws (ChartTape); off, nothing of it is kept.
  bool charts = false;
};

class SymbolAnalyzer {
 public:
  // Venues of one symbol: the first venue_slots - 1 seen get a slot each, the rest share one.
  static constexpr int venue_slots = 8;
  static constexpr int other_venue = venue_slots - 1;

  SymbolAnalyzer(std::string symbol, SymbolSettings settings);

  void on_event(const MarketEvent& event, DetectionSink& sink);
  // Advances event time: evaluates due order-flow windows and expires stop hunts.
  void on_tick(TimeMs now, DetectionSink& sink);

  // The next event time at which on_tick could decide something (an order-flow boundary
  // with trades kept), or INT64_MAX. Everything else waits for the next event.
  TimeMs next_deadline() const;

  // The reference venue's newest price for a setup decided at `now`, or why there is none.
  PriceQuote quote(TimeMs now) const;

  // What a chart of `signal` (one of this symbol's, just decided) shows: the quarter hour
  // before it on its reference venue, the liquidations, the large trades on the side of its
  // setup since its window opened, its zone and setup. Null without settings.charts.
  std::shared_ptr<const charts::ChartData> chart_data(const Signal& signal) const;

  const std::string& symbol() const { return symbol_; }
  TimeMs now() const { return now_; }
  TimeMs last_event_time() const { return last_event_; }

 private:
  struct Venue {
    std::string name;
    PriceSeries prices;
  };
  // A stop hunt in progress on one liquidation side, waiting for absorption.
  struct Hunt {
    bool active = false;
    TimeMs open_time = 0;   // when the liquidation window crossed its threshold
    TimeMs first_time = 0;  // first liquidation counted
    SideFlow flushed;       // the liquidations it holds
    double zone_low = 0, zone_high = 0;
    double opposite_usd = 0;  // the other side's liquidations in the window when it opened
    double absorption_usd = 0;
    int absorbing_trades = 0;
  };

  void advance_to(TimeMs now, DetectionSink& sink);
  void refresh_deadline();
  int venue_slot(std::string_view exchange);
  int find_venue(std::string_view exchange);
  bool watched(TimeMs span_ms) const;
  void check_stop_hunt_open(const MarketEvent& liquidation);
  void absorb(const MarketEvent& trade, DetectionSink& sink);
  void conclude_hunt(Side side);
  void check_cascade(const MarketEvent& liquidation, DetectionSink& sink);
  void evaluate_order_flow(TimeMs boundary, DetectionSink& sink);
  void check_whale(const MarketEvent& trade, DetectionSink& sink);
  Signal detection(SignalType type, Direction direction, TimeMs time) const;
  // Which of a venue's volume counts: liquidations or trades, of one side or both.
  struct VolumePick {
    bool liquidations = false;
    std::optional<Side> side;  // nullopt: both sides
    UsdUnits of(const VenueVolume& v) const;
  };
  // The venue prices come from: the configured one, else the one with most of `pick` in the
  // seconds (then the one that printed last).
  int reference_slot(SecondRange seconds, VolumePick pick) const;
  PriceQuote quote_from(int slot, TimeMs now) const;
  // The signal's volume by venue, largest first.
  void set_venues(Signal& signal, SecondRange seconds, VolumePick pick) const;
  // Zone, reference venue and setup of a signal decided at `now` over `seconds`.
  void place(Signal& signal, int slot, SecondRange seconds, std::optional<Side> liquidated,
             TimeMs now) const;

  std::string symbol_;
  SymbolSettings settings_;
  const AnalysisConfig& config_;
  std::vector<Venue> venues_;  // slot order; the configured reference venue is slot 0
  FlowSeries liquidations_;
  FlowSeries trades_;
  RecentEvents recent_liquidations_;
  RecentEvents recent_trades_;
  std::array<Hunt, 2> hunts_;   // by index_of(liquidation side)
  FlowClaims hunt_claims_;      // liquidations already part of a hunt
  FlowClaims cascade_claims_;   // liquidations already part of a cascade
  FlowClaims whale_claims_;     // whale buys already reported
  TimeMs next_flow_eval_ = 0;   // 0: not scheduled yet
  TimeMs now_ = 0;
  TimeMs last_event_ = 0;
  TimeMs expired_second_ = -1;
  TimeMs deadline_ = std::numeric_limits<TimeMs>::max();  // see next_deadline()
  TimeMs flow_span_ms_ = 0;                               // order_flow.window_s
  std::size_t last_venue_ = 0;  // the slot of the last event's venue
  std::unique_ptr<ChartTape> tape_;  // settings.charts only
};

}  // namespace teleglas
