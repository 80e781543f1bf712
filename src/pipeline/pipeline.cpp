#include "teleglas/pipeline/pipeline.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <limits>
#include <queue>
#include <string>
#include <unordered_map>

#include "teleglas/analysis/snapshot_patterns.hpp"
#include "teleglas/analysis/symbol_analyzer.hpp"
#include "teleglas/signals/gate.hpp"
#include "teleglas/signals/scorer.hpp"

namespace teleglas {

namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

constexpr TimeMs tick_period_ms = 1000;

}  // namespace

struct Pipeline::Impl final : DetectionSink {
  Impl(const Config& config, const WinRateSource& win_rates)
      : config(config), scorer(win_rates), gate(config.signals) {
    snapshot_context.config_for = [this](std::string_view symbol) -> const AnalysisConfig& {
      return this->config.analysis_for(symbol);
    };
    snapshot_context.last_price = [this](std::string_view symbol) {
      auto it = index.find(symbol);
      return it == index.end() ? 0.0 : analyzers[it->second].last_price();
    };
  }

  SymbolAnalyzer& analyzer_for(std::string_view symbol) {
    // Consecutive events are usually of the same symbol: skip the hash lookup then.
    if (last_analyzer && last_analyzer->symbol() == symbol) return *last_analyzer;
    auto it = index.find(symbol);
    if (it == index.end()) {
      it = index.emplace(std::string(symbol), analyzers.size()).first;
      analyzers.emplace_back(std::string(symbol), config.analysis_for(symbol), config.buffers);
      scheduled.push_back(no_deadline);
      stats.symbols = analyzers.size();
    }
    last_analyzer = &analyzers[it->second];
    last_index = it->second;
    return *last_analyzer;
  }

  // Live time passes in ticks; replay reproduces them from event time so both decide alike.
  void advance_clock(TimeMs now) {
    if (now <= clock) return;
    clock = now;
    if (now >= next_tick) {
      tick_all(now - now % tick_period_ms);
      next_tick = now - now % tick_period_ms + tick_period_ms;
    }
  }

  // Ticks only the analyzers with something due, earliest deadline first (ties by index,
  // so the order is deterministic).
  void tick_all(TimeMs now) {
    while (!deadlines.empty() && deadlines.top().first <= now) {
      const auto [deadline, i] = deadlines.top();
      deadlines.pop();
      if (scheduled[i] != deadline) continue;  // superseded
      scheduled[i] = no_deadline;
      analyzers[i].on_tick(now, *this);
      schedule(i);
    }
  }

  void schedule(std::size_t i) {
    const TimeMs deadline = analyzers[i].next_deadline();
    if (deadline < scheduled[i]) {
      scheduled[i] = deadline;
      deadlines.emplace(deadline, i);
    }
  }

  bool offer(Signal& candidate, int min_confidence) override {
    ++stats.candidates;
    const AnalysisConfig& analysis = config.analysis_for(candidate.symbol);
    scorer.score(candidate, analysis.scoring);
    const TimeMs confirmation_window = seconds_ms(analysis.scoring.confirmation_window_s);
    if (const Signal* other = confirmation.find(candidate, confirmation_window)) {
      candidate.factors.push_back({"confirmation", analysis.scoring.confirmation_bonus,
                                   "confirmed by " + std::string(to_string(other->type))});
      total_confidence(candidate, analysis.scoring);
    }
    mark_gaps(candidate, analysis.scoring);
    if (candidate.confidence < min_confidence) return false;
    confirmation.remember(candidate, confirmation_window);
    switch (gate.admit(candidate)) {
      case GateVerdict::pass:
        ++stats.emitted;
        ++stats.emitted_by_type[static_cast<int>(candidate.type)];
        out->push_back(std::move(candidate));
        break;
      case GateVerdict::cooldown:
        ++stats.suppressed_cooldown;
        break;
      case GateVerdict::hourly_cap:
        ++stats.suppressed_hourly_cap;
        break;
      case GateVerdict::low_confidence:
        ++stats.suppressed_low_confidence;
        break;
    }
    return true;
  }

  void mark_gaps(Signal& candidate, const ScoringConfig& scoring) {
    const TimeMs start = candidate.window_start > 0 ? candidate.window_start : candidate.time;
    TimeMs longest = 0;
    for (const auto& [from, to] : gaps) {
      if (from <= candidate.time && to >= start) longest = std::max(longest, to - from);
    }
    if (longest == 0) return;
    candidate.degraded_gap_ms = longest;
    char detail[64];
    std::snprintf(detail, sizeof detail, "stream gap of %.1f s inside the window",
                  longest / 1000.0);
    candidate.factors.push_back({"data_gap", -config.signals.gap_penalty, detail});
    total_confidence(candidate, scoring);
  }

  const Config& config;
  Scorer scorer;
  SignalGate gate;
  ConfirmationTracker confirmation;
  FundingExtremeDetector funding;
  OiDivergenceDetector open_interest;
  SnapshotContext snapshot_context;
  std::deque<SymbolAnalyzer> analyzers;  // stable addresses, insertion order
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> index;
  SymbolAnalyzer* last_analyzer = nullptr;
  std::size_t last_index = 0;
  static constexpr TimeMs no_deadline = std::numeric_limits<TimeMs>::max();
  std::vector<TimeMs> scheduled;  // by analyzer: the deadline queued for it
  using Deadline = std::pair<TimeMs, std::size_t>;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines;
  std::vector<Signal>* out = nullptr;
  std::deque<std::pair<TimeMs, TimeMs>> gaps;  // recent outages, oldest first
  TimeMs clock = 0;
  TimeMs next_tick = 0;
  PipelineStats stats;
};

Pipeline::Pipeline(const Config& config, const WinRateSource& win_rates)
    : impl_(std::make_unique<Impl>(config, win_rates)) {}
Pipeline::~Pipeline() = default;

void Pipeline::on_event(const MarketEvent& event, std::vector<Signal>& out) {
  impl_->out = &out;
  ++impl_->stats.events;
  impl_->advance_clock(event.exchange_time);
  impl_->analyzer_for(event.symbol).on_event(event, *impl_);
  impl_->schedule(impl_->last_index);
}

void Pipeline::on_funding(std::span<const FundingRate> rates, std::vector<Signal>& out) {
  // Snapshots are stamped with our receive time, not market time: they never move the clock.
  impl_->out = &out;
  impl_->funding.on_snapshot(rates, impl_->snapshot_context, *impl_);
}

void Pipeline::on_open_interest(std::span<const OpenInterest> rows, std::vector<Signal>& out) {
  impl_->out = &out;
  impl_->open_interest.on_snapshot(rows, impl_->snapshot_context, *impl_);
}

void Pipeline::on_frame(const ParsedFrame& frame, std::vector<Signal>& out) {
  switch (frame.kind) {
    case FrameKind::market:
      for (const MarketEvent& e : frame.events) on_event(e, out);
      break;
    case FrameKind::funding:
      on_funding(frame.funding, out);
      break;
    case FrameKind::open_interest:
      on_open_interest(frame.open_interest, out);
      break;
    default:
      break;
  }
}

void Pipeline::on_gap(TimeMs from, TimeMs to) {
  auto& gaps = impl_->gaps;
  gaps.emplace_back(from, to);
  // Windows look back minutes, not hours: forget outages that no window can reach.
  constexpr TimeMs keep_ms = 6 * 3'600'000;
  while (!gaps.empty() && gaps.front().second < to - keep_ms) gaps.pop_front();
}

void Pipeline::on_tick(TimeMs now, std::vector<Signal>& out) {
  impl_->out = &out;
  impl_->advance_clock(now);
}

TimeMs Pipeline::now() const {
  return impl_->clock;
}
const PipelineStats& Pipeline::stats() const {
  return impl_->stats;
}

}  // namespace teleglas
