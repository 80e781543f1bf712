// Where the scorer learns the historical win rate of a signal type. Storage implements it;
// without history there is no bonus.
#pragma once

#include <optional>

#include "teleglas/core/types.hpp"

namespace teleglas {

class WinRateSource {
 public:
  virtual ~WinRateSource() = default;
  // Fraction of past signals of `type` that reached their target first; nullopt = no history.
  virtual std::optional<double> win_rate(SignalType type) const = 0;
};

class NoWinRateHistory final : public WinRateSource {
 public:
  std::optional<double> win_rate(SignalType) const override { return std::nullopt; }
};

}  // namespace teleglas
