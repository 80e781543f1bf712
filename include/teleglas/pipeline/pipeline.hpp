// The pure core: validation of event time, per-symbol analysis, the scorer and the gate. Fed
// events and event time, it returns signals. No I/O, no wall clock: the live daemon and replay
// drive the very same object and get the very same answers.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"
#include "teleglas/core/events.hpp"
#include "teleglas/core/signal.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/core/outcome.hpp"

namespace teleglas {

// Why the pipeline refused an event the parser accepted (the parser counts its own reasons).
enum class EventRejection : std::uint8_t {
  stale_time,     // too far behind the market clock
  clock_outlier,  // far ahead of the market clock and contradicted (or never confirmed)
  symbol_cap,     // a new symbol while ingest.max_symbols are tracked and none is idle
  duplicate,        // a liquidation another source already reported (DuplicateLiquidations)
  duplicate_trade,  // a trade the venue's own stream delivers (DuplicateTrades)
};
inline constexpr int event_rejection_count = 5;
std::string_view to_string(EventRejection r);

struct PipelineStats {
  std::uint64_t events = 0;  // events offered
  std::array<std::uint64_t, event_rejection_count> rejected_by_reason{};
  std::uint64_t candidates = 0;  // detections the analyzers reported
  std::uint64_t below_detector_floor = 0;
  std::uint64_t emitted = 0;  // signals that passed the gate
  std::uint64_t suppressed_cooldown = 0;
  std::uint64_t suppressed_hourly_cap = 0;
  std::uint64_t suppressed_low_confidence = 0;
  std::array<std::uint64_t, signal_type_count> emitted_by_type{};
  std::size_t symbols = 0;  // symbols with state now
  std::size_t peak_symbols = 0;
  std::uint64_t symbols_evicted = 0;

  std::uint64_t rejected() const;
  // Adds another pipeline's counts (replay of several recordings); peaks take the larger.
  PipelineStats& operator+=(const PipelineStats& other);
};

// The parser's limits as the configuration sets them (ingest.*, coinglass.max_frame_bytes).
// Event times are judged by the pipeline's market clock, not by the parser.
ParserOptions parser_options(const Config& config);

class Pipeline {
 public:
  // `config` must outlive the pipeline (it is read, not copied): no temporaries.
  explicit Pipeline(const Config& config);
  explicit Pipeline(Config&&) = delete;
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Each call appends the signals decided (already scored and gated) to `out`.
  // An event far ahead of the market clock is held until a later frame (or the clock)
  // confirms the jump; its signals then come with that later call.
  void on_event(const MarketEvent& event, std::vector<Signal>& out);
  void on_funding(std::span<const FundingRate> rates, std::vector<Signal>& out);
  void on_open_interest(std::span<const OpenInterest> rows, std::vector<Signal>& out);
  // Everything a parsed frame carries (events, funding or open-interest rows).
  void on_frame(const ParsedFrame& frame, std::vector<Signal>& out);
  // A stream outage [from, to]: windows overlapping a long one do not decide until watched
  // again; candidates whose window overlaps a short one are marked degraded and lose
  // signals.gap_penalty points.
  void on_gap(TimeMs from, TimeMs to);
  // Advances event time without an event: evaluates due windows, expires hunts.
  void on_tick(TimeMs now, std::vector<Signal>& out);
  // No more input: an event still waiting for its jump to be confirmed is rejected.
  void end_of_input();

  // Outcomes: every signal the gate passed with a setup is followed on its reference venue
  // until WIN, LOSS or EXPIRED (outcomes.horizon_s); resolved ones feed the win rate of their
  // type (outcomes.lookback_days, min_sample), which the scorer reads.
  //
  // After a restart: the outcomes still open at the stop, and resolved history for the win
  // rate (those older than the lookback are ignored). Call before the first event.
  void restore_outcomes(std::span<const Outcome> open, std::span<const Outcome> history);
  // Appends the outcomes that changed since the last call (resolved, a checkpoint passed, a
  // gap crossed, new extremes at most once a minute), each with its full state.
  void take_outcomes(std::vector<Outcome>& out);
  std::size_t outcomes_followed() const;
  TrackRecord track_record(SignalType type) const;

  // While warming (the daemon replaying the tail of its recording after a restart), signals
  // still pass the scorer and the gate — so cooldowns and confirmations carry over — but are
  // not followed to an outcome: the stored history already has them.
  void set_warming(bool warming);
  // Symbols keep the quarter hour a chart draws, and every directional signal admitted carries
  // it (Signal::chart). Call before the first event; off by default (it costs memory).
  void capture_charts(bool on);
  // The longest span any analysis of the configuration looks back (windows and the gate's
  // memory of what it passed): what a restart must replay to decide as if it never stopped.
  TimeMs memory_ms() const;

  TimeMs now() const;
  const PipelineStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace teleglas
