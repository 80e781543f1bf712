// Everything analysed per symbol: its liquidation and trade buffers and the four flow
// detectors (stop hunt, order flow, liquidation cascade, whale accumulation). Pure: fed
// events in event time, it offers candidate signals to a DetectionSink.
#pragma once

#include <array>
#include <string>

#include "teleglas/analysis/detection.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/core/events.hpp"
#include "teleglas/ingest/flow_buffer.hpp"

namespace teleglas {

class SymbolAnalyzer {
 public:
  SymbolAnalyzer(std::string symbol, const AnalysisConfig& config, const BuffersConfig& buffers);

  void on_event(const MarketEvent& event, DetectionSink& sink);
  // Advances event time: evaluates a due order-flow window and expires stop hunts.
  void on_tick(TimeMs now, DetectionSink& sink);

  // The next event time at which on_tick could decide something (an order-flow boundary
  // with trades in the window), or INT64_MAX. Everything else waits for the next event.
  TimeMs next_deadline() const;

  const std::string& symbol() const { return symbol_; }
  double last_price() const { return last_price_; }  // 0 until the first event
  TimeMs now() const { return now_; }

 private:
  // A stop hunt in progress on one liquidation side, waiting for absorption.
  struct Hunt {
    bool active = false;
    TimeMs open_time = 0;   // when the liquidation window crossed its threshold
    TimeMs first_time = 0;  // first liquidation counted
    double volume_usd = 0;
    double zone_low = 0, zone_high = 0;
    int liquidations = 0;
    double absorption_usd = 0;
    int absorbing_trades = 0;
    std::string exchange;
  };

  void advance_to(TimeMs now, DetectionSink& sink);
  void check_stop_hunt_open(const MarketEvent& liquidation);
  void absorb(const MarketEvent& trade, DetectionSink& sink);
  void conclude_hunt(Side side);
  void check_cascade(const MarketEvent& liquidation, DetectionSink& sink);
  void evaluate_order_flow(TimeMs boundary, DetectionSink& sink);
  void check_whale(const MarketEvent& trade, DetectionSink& sink);
  Signal candidate(SignalType type, Direction direction, TimeMs time,
                   std::string_view exchange) const;
  void set_setup(Signal& signal, double entry) const;

  std::string symbol_;
  std::string exchange_;  // of the latest event
  const AnalysisConfig& config_;
  FlowBuffer liquidations_;
  FlowBuffer trades_;
  int hunt_window_;         // liquidations not yet claimed by a hunt
  int hunt_market_window_;  // every liquidation of the same span: which side dominates
  int cascade_window_, flow_window_, whale_window_;
  std::array<Hunt, 2> hunts_;  // by index_of(liquidation side)
  TimeMs next_flow_eval_ = 0;  // 0: not scheduled yet
  double last_price_ = 0;
  bool seen_trade_ = false;
  TimeMs now_ = 0;
};

}  // namespace teleglas
