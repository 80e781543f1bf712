// Builds the market a pipeline scenario runs on: events in time order, with a quiet background
// (one tiny liquidation on BGUSDT every 5 s) so windows are watched, as on a live feed.
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "../analysis/test_events.hpp"
#include "teleglas/core/events.hpp"
#include "teleglas/pipeline/pipeline.hpp"

namespace teleglas::testing {

class Tape {
 public:
  // A quiet market from `from` to `to`.
  Tape& background(TimeMs from, TimeMs to) {
    for (TimeMs t = from; t < to; t += 5'000)
      add(EventKind::liquidation, t, Side::sell, 100, 1.0, "BGUSDT");
    return *this;
  }
  Tape& add(EventKind kind, TimeMs t, Side side, double usd, double price,
            std::string symbol = "BTCUSDT", std::string exchange = "Binance",
            Source source = Source::coinglass) {
    names_.push_back(std::move(symbol));
    const std::string& s = names_.back();
    names_.push_back(std::move(exchange));
    const std::string& x = names_.back();
    events_.push_back(MarketEvent{kind, side, price, usd, t, 0, s, x, "X", source});
    return *this;
  }
  Tape& liquidation(TimeMs t, Side side, double usd, double price, std::string symbol = "BTCUSDT",
                    std::string exchange = "Binance") {
    return add(EventKind::liquidation, t, side, usd, price, std::move(symbol), std::move(exchange));
  }
  Tape& trade(TimeMs t, Side side, double usd, double price, std::string symbol = "BTCUSDT",
              std::string exchange = "Binance") {
    return add(EventKind::trade, t, side, usd, price, std::move(symbol), std::move(exchange));
  }

  // The events, oldest first (stable for equal times).
  std::vector<MarketEvent> events() const {
    std::vector<MarketEvent> sorted(events_.begin(), events_.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const MarketEvent& a, const MarketEvent& b) {
      return a.exchange_time < b.exchange_time;
    });
    return sorted;
  }

  // Runs the tape through `pipeline` and ticks it to `end`; returns the signals.
  std::vector<Signal> run(Pipeline& pipeline, TimeMs end) const {
    std::vector<Signal> out;
    for (const MarketEvent& e : events()) pipeline.on_event(e, out);
    pipeline.on_tick(end, out);
    return out;
  }
  std::vector<Signal> run(const Config& config, TimeMs end) const {
    Pipeline pipeline(config);
    return run(pipeline, end);
  }

 private:
  std::deque<std::string> names_;  // stable addresses for the events' views
  std::deque<MarketEvent> events_;
};

inline std::vector<Signal> of_type(const std::vector<Signal>& signals, SignalType type) {
  return signals_of_type(signals, type);
}
inline double metric_value(const Signal& s, std::string_view name) {
  return metric(s, name);
}

}  // namespace teleglas::testing
