// How analyzers hand what they detected to whoever scores and gates it. A detection states
// facts only (type, direction, volumes, shares, counts as metrics, zone, venues, setup); the
// scorer alone turns them into confidence, and nothing the scorer or the gate answers flows
// back into an analyzer's state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

class DetectionSink {
 public:
  virtual ~DetectionSink() = default;
  // `detector_floor`: the detector's own minimum confidence (e.g. stop_hunt.min_confidence).
  virtual void report(Signal&& detection, int detector_floor) = 0;
};

// The price a setup may start from: the reference venue's newest print, or why there is none.
struct PriceQuote {
  double price = 0;           // 0: none
  std::string venue;          // the reference venue
  std::string missing;        // why there is no price (when price == 0)
  std::optional<double> volatility;  // mean 1-minute (high - low) / low, when known
};

// Entry, stop beyond the zone and target at the configured reward:risk.
// bullish: stop below min(zone_low, entry); bearish: stop above max(zone_high, entry);
// the stop is at least min_risk_pct and volatility_multiple * volatility away from the entry.
// Zone bounds of 0 mean "no zone".
Setup make_setup(Direction direction, double entry, double zone_low, double zone_high,
                 const SetupConfig& config, std::optional<double> volatility = std::nullopt);

// Sets the signal's setup from the quote, or says why it has none.
void set_setup(Signal& signal, const PriceQuote& quote, const SetupConfig& config);

// Points of the highest tier whose `above` the value strictly exceeds (0 when none).
int tier_points(const std::vector<BonusTier>& tiers, double value);

}  // namespace teleglas
