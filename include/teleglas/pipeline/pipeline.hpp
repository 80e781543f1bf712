// The pure core: per-symbol buffers, every analyzer, the scorer and the gate. Fed events and
// event time, it returns signals. No I/O, no wall clock: the live daemon and replay drive the
// very same object.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "teleglas/config/config.hpp"
#include "teleglas/core/events.hpp"
#include "teleglas/core/signal.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/signals/win_rate.hpp"

namespace teleglas {

struct PipelineStats {
  std::uint64_t events = 0;
  std::uint64_t candidates = 0;  // signals the detectors proposed
  std::uint64_t emitted = 0;     // signals that passed the gate
  std::uint64_t suppressed_cooldown = 0;
  std::uint64_t suppressed_hourly_cap = 0;
  std::uint64_t suppressed_low_confidence = 0;
  std::array<std::uint64_t, signal_type_count> emitted_by_type{};
  std::size_t symbols = 0;  // symbols with state
};

class Pipeline {
 public:
  // `win_rates` must outlive the pipeline.
  Pipeline(const Config& config, const WinRateSource& win_rates);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Each call appends the signals decided (already scored and gated) to `out`.
  void on_event(const MarketEvent& event, std::vector<Signal>& out);
  void on_funding(std::span<const FundingRate> rates, std::vector<Signal>& out);
  void on_open_interest(std::span<const OpenInterest> rows, std::vector<Signal>& out);
  // Everything a parsed frame carries (events, funding or open-interest rows).
  void on_frame(const ParsedFrame& frame, std::vector<Signal>& out);
  // A stream outage [from, to]: candidates whose window overlaps it are marked degraded and
  // lose signals.gap_penalty points of confidence.
  void on_gap(TimeMs from, TimeMs to);
  // Advances event time without an event: evaluates due windows, expires hunts.
  void on_tick(TimeMs now, std::vector<Signal>& out);

  TimeMs now() const;
  const PipelineStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace teleglas
