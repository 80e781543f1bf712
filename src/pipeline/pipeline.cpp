#include "teleglas/pipeline/pipeline.hpp"

#include <algorithm>
#include <limits>
#include <queue>
#include <string>
#include <tuple>

#include "teleglas/analysis/observation.hpp"
#include "teleglas/analysis/snapshot_patterns.hpp"
#include "teleglas/analysis/symbol_analyzer.hpp"
#include "teleglas/ingest/duplicates.hpp"
#include "teleglas/core/names.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/pipeline/symbol_table.hpp"
#include "teleglas/signals/gate.hpp"
#include "teleglas/signals/outcome_tracker.hpp"
#include "teleglas/signals/scorer.hpp"
#include "teleglas/signals/win_rate.hpp"

namespace teleglas {

std::string_view to_string(EventRejection r) {
  switch (r) {
    case EventRejection::stale_time:
      return "stale_time";
    case EventRejection::clock_outlier:
      return "clock_outlier";
    case EventRejection::duplicate:
      return "duplicate_liquidation";
    case EventRejection::duplicate_trade:
      return "duplicate_trade";
    case EventRejection::symbol_cap:
      return "symbol_cap";
  }
  return "unknown";
}

ParserOptions parser_options(const Config& config) {
  ParserOptions options;
  options.max_frame_bytes = static_cast<std::size_t>(config.coinglass.max_frame_bytes);
  // The parser keeps only the absolute bounds: a stand-in or a replaying source may run on
  // another clock. The pipeline judges event time against its market clock and, where known,
  // the receive time (ingest.max_clock_skew_s), the same way live and in replay.
  options.max_clock_skew_ms = 100LL * 365 * 24 * 3'600'000;
  options.max_price = config.ingest.max_price;
  options.max_volume_usd = config.ingest.max_volume_usd;
  return options;
}

PipelineStats& PipelineStats::operator+=(const PipelineStats& other) {
  events += other.events;
  for (int i = 0; i < event_rejection_count; ++i)
    rejected_by_reason[i] += other.rejected_by_reason[i];
  candidates += other.candidates;
  below_detector_floor += other.below_detector_floor;
  emitted += other.emitted;
  suppressed_cooldown += other.suppressed_cooldown;
  suppressed_hourly_cap += other.suppressed_hourly_cap;
  suppressed_low_confidence += other.suppressed_low_confidence;
  for (int i = 0; i < signal_type_count; ++i) emitted_by_type[i] += other.emitted_by_type[i];
  symbols += other.symbols;
  peak_symbols = std::max(peak_symbols, other.peak_symbols);
  symbols_evicted += other.symbols_evicted;
  return *this;
}

std::uint64_t PipelineStats::rejected() const {
  std::uint64_t n = 0;
  for (auto r : rejected_by_reason) n += r;
  return n;
}

namespace {

constexpr TimeMs tick_period_ms = 1000;
constexpr TimeMs no_deadline = std::numeric_limits<TimeMs>::max();
constexpr std::size_t max_held_events = 4096;

// The longest and shortest span any analysis of this configuration looks back.
std::pair<TimeMs, TimeMs> window_bounds(const Config& config) {
  TimeMs longest = 0;
  TimeMs shortest = std::numeric_limits<TimeMs>::max();
  auto widen = [&](const AnalysisConfig& a) {
    for (double s :
         {a.stop_hunt.window_s, a.cascade.window_s, a.order_flow.window_s, a.whale.window_s}) {
      longest = std::max(longest, seconds_ms(s));
      shortest = std::min(shortest, seconds_ms(s));
    }
    longest = std::max(longest, seconds_ms(a.order_flow.window_s + a.order_flow.eval_interval_s));
  };
  widen(config.analysis);
  for (const SymbolConfig& s : config.symbols) widen(s.analysis);
  return {longest, shortest};
}

// An event held until its jump of the market clock is confirmed: owns its strings.
struct HeldEvent {
  MarketEvent event;
  std::string symbol, exchange, base_asset;
  std::uint64_t frame = 0;

  MarketEvent view() const {
    MarketEvent e = event;
    e.symbol = symbol;
    e.exchange = exchange;
    e.base_asset = base_asset;
    return e;
  }
};

}  // namespace

struct Pipeline::Impl final : DetectionSink {
  explicit Impl(const Config& config)
      : config(config),
        outcomes(seconds_ms(config.outcomes.horizon_s)),
        book(static_cast<TimeMs>(config.outcomes.lookback_days * 86'400'000.0),
             config.outcomes.min_sample),
        scorer(book),
        gate(config.signals),
        bounds(window_bounds(config)),
        observation(config.signals.blind_gap_share, bounds.second, 2 * bounds.first),
        idle_ms(std::max(seconds_ms(config.ingest.symbol_idle_s), bounds.first)) {
    snapshot_context.config_for = [this](std::string_view symbol) -> const AnalysisConfig& {
      return this->config.analysis_for(symbol);
    };
    snapshot_context.quote = [this](std::string_view symbol) {
      if (const std::size_t slot = index.find(symbol); slot != SymbolTable::none) {
        return slots[slot]->quote(clock);
      }
      PriceQuote none;
      none.missing = "no recent price for " + std::string(symbol);
      return none;
    };
  }

  // ---- validation of event time ------------------------------------------------------

  void reject(EventRejection why, std::uint64_t n = 1) {
    stats.rejected_by_reason[static_cast<int>(why)] += n;
  }

  // The market clock never moves on one event alone. An event further ahead than
  // max_clock_jump_s is held until a later frame carries on from it (or contradicts it), unless
  // its receive time vouches for it: then real time has passed and the jump is the market's.
  void take(const MarketEvent& e) {
    const IngestConfig& in = config.ingest;
    const TimeMs t = e.exchange_time;
    const TimeMs skew = seconds_ms(in.max_clock_skew_s);
    const bool vouched =
        e.receive_time != 0 && t <= e.receive_time + skew && t >= e.receive_time - skew;
    if (clock == 0 && held.empty()) {
      // The first event: trusted when its receive time agrees or none is known (a recording).
      if (e.receive_time == 0 || vouched) {
        accept(e);
      } else {
        hold(e);
      }
      return;
    }
    const TimeMs late = seconds_ms(in.max_late_s);
    const TimeMs jump = seconds_ms(in.max_clock_jump_s);
    if (!held.empty()) {
      const TimeMs anchor = held.front().event.exchange_time;
      const bool follows_held = t >= anchor - late;
      if (held.front().frame == frame) {
        if (follows_held) {
          hold(e);  // the same frame cannot confirm itself
          return;
        }
      } else if (follows_held) {
        release_held();  // a later frame carries on from the jump: it was real
      } else if (clock == 0 || (t >= clock - late && t <= clock + jump) || vouched) {
        reject_held();  // the market went on where it was: the jump was an outlier
      } else if (t > clock + jump) {
        reject_held();  // another jump, contradicting the first
        hold(e);
        return;
      }
    }
    if (clock == 0) {
      accept(e);
      return;
    }
    if (t < clock - late) {
      reject(EventRejection::stale_time);
      return;
    }
    if (t > clock + jump && !vouched) {
      hold(e);
      return;
    }
    accept(e);
  }

  void hold(const MarketEvent& e) {
    if (held.size() >= max_held_events) {
      reject(EventRejection::clock_outlier);
      return;
    }
    held.push_back(
        {e, std::string(e.symbol), std::string(e.exchange), std::string(e.base_asset), frame});
  }

  void release_held() {
    releasing.swap(held);  // accept() may hold nothing, but keep both buffers' capacity
    for (const HeldEvent& h : releasing) accept(h.view());
    releasing.clear();
  }

  void reject_held() {
    reject(EventRejection::clock_outlier, held.size());
    held.clear();
  }

  void accept(const MarketEvent& e) {
    if (e.kind == EventKind::liquidation && echoes.echo(e)) {
      reject(EventRejection::duplicate);
      return;
    }
    if (e.kind == EventKind::trade && trade_echoes.duplicate(e)) {
      reject(EventRejection::duplicate_trade);
      return;
    }
    // A silence of the whole feed longer than the shortest window (a gap between captures):
    // outcomes followed across it did not see their path.
    if (clock != 0 && e.exchange_time - clock > bounds.second && outcomes.following() > 0) {
      outcomes.on_gap(clock, e.exchange_time);
    }
    observation.on_event(e.exchange_time);
    advance_clock(e.exchange_time);
    const std::size_t slot = slot_for(e.symbol);
    if (slot == no_slot) {
      reject(EventRejection::symbol_cap);
      return;
    }
    if (following[slot]) {
      following[slot] = outcomes.on_price(e.symbol, e.exchange, e.exchange_time, e.price);
      settle_outcomes();
    }
    slots[slot]->on_event(e, *this);
    schedule(slot);
  }

  // ---- symbols -------------------------------------------------------------------------

  static constexpr std::size_t no_slot = std::numeric_limits<std::size_t>::max();

  std::size_t slot_for(std::string_view symbol) {
    // Consecutive events are usually of the same symbol: skip the lookup, it is already the
    // most recently active.
    if (last_slot != no_slot && same_name(slots[last_slot]->symbol(), symbol)) return last_slot;
    if (const std::size_t found = index.find(symbol); found != SymbolTable::none) {
      return last_slot = found;
    }
    if (index.size() >= static_cast<std::size_t>(config.ingest.max_symbols)) {
      // Make room by forgetting the least recently active symbol, if its windows are empty.
      // When none is, no scan can find room before the oldest has been idle long enough.
      if (clock <= cap_full_until) return no_slot;
      const std::size_t oldest = least_recently_active();
      if (clock - slots[oldest]->last_event_time() <= bounds.first) {
        cap_full_until = slots[oldest]->last_event_time() + bounds.first;
        return no_slot;
      }
      evict(oldest);
    }
    std::size_t slot;
    if (free_slots.empty()) {
      slot = slots.size();
      slots.emplace_back();
      generation.push_back(0);
      scheduled.push_back(no_deadline);
      following.push_back(0);
    } else {
      slot = free_slots.back();
      free_slots.pop_back();
    }
    SymbolSettings settings;
    settings.analysis = &config.analysis_for(symbol);
    settings.buffers = config.buffers;
    settings.observation = &observation;
    settings.charts = charts;
    for (const SymbolConfig& s : config.symbols) {
      if (s.symbol == symbol && !s.exchanges.empty())
        settings.reference_venue = s.exchanges.front();
    }
    slots[slot] = std::make_unique<SymbolAnalyzer>(std::string(symbol), std::move(settings));
    following[slot] = outcomes.follows(symbol);
    index.insert(slots[slot]->symbol(), slot);
    stats.symbols = index.size();
    stats.peak_symbols = std::max(stats.peak_symbols, stats.symbols);
    return last_slot = slot;
  }

  void evict(std::size_t slot) {
    index.erase(slots[slot]->symbol());
    slots[slot].reset();
    ++generation[slot];
    scheduled[slot] = no_deadline;
    free_slots.push_back(slot);
    if (last_slot == slot) last_slot = no_slot;
    ++stats.symbols_evicted;
    stats.symbols = index.size();
  }

  // A scan, not a list kept in order per event: it runs once a minute of market time or when
  // the cap is reached, and the hot path stays free of pointer chasing.
  std::size_t least_recently_active() const {
    std::size_t oldest = no_slot;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] &&
          (oldest == no_slot || slots[i]->last_event_time() < slots[oldest]->last_event_time())) {
        oldest = i;
      }
    }
    return oldest;
  }

  void evict_idle(TimeMs now) {
    if (now < next_idle_scan) return;
    next_idle_scan = now + 60'000;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i] && now - slots[i]->last_event_time() > idle_ms) evict(i);
    }
  }

  // ---- time --------------------------------------------------------------------------

  // Live time passes in ticks; replay reproduces them from event time so both decide alike.
  void advance_clock(TimeMs now) {
    if (now <= clock) return;
    clock = now;
    if (now >= next_tick) {
      tick_all(now - now % tick_period_ms);
      next_tick = now - now % tick_period_ms + tick_period_ms;
    }
  }

  // Ticks only the analyzers with something due, earliest deadline first (ties by slot, so
  // the order is deterministic), then forgets idle symbols.
  void tick_all(TimeMs now) {
    while (!deadlines.empty() && std::get<0>(deadlines.top()) <= now) {
      const auto [deadline, slot, gen] = deadlines.top();
      deadlines.pop();
      if (generation[slot] != gen || scheduled[slot] != deadline) continue;  // superseded
      scheduled[slot] = no_deadline;
      slots[slot]->on_tick(now, *this);
      schedule(slot);
    }
    evict_idle(now);
    outcomes.advance(now);
    settle_outcomes();
    book.advance(now);
  }

  // Resolved outcomes count in the win rate of their type from now on.
  void settle_outcomes() {
    outcomes.take_resolved(resolved);
    for (const Outcome& o : resolved) book.add(o);
    resolved.clear();
  }

  void follow(const Signal& s) {
    if (warming || !outcomes.follow(s)) return;
    if (const std::size_t slot = index.find(s.symbol); slot != SymbolTable::none) {
      following[slot] = 1;
    }
  }

  void schedule(std::size_t slot) {
    const TimeMs deadline = slots[slot]->next_deadline();
    if (deadline < scheduled[slot]) {
      scheduled[slot] = deadline;
      deadlines.emplace(deadline, slot, generation[slot]);
    }
  }

  // ---- scoring and gating --------------------------------------------------------------

  void report(Signal&& detection, int detector_floor) override {
    ++stats.candidates;
    Signal& s = detection;
    const AnalysisConfig& analysis = config.analysis_for(s.symbol);
    const ScoringConfig& scoring = analysis.scoring;
    s.track_record = book.record(s.type);
    scorer.score(s, analysis);
    const TimeMs window = seconds_ms(scoring.confirmation_window_s);
    const ConfirmationTracker::Match match = confirmation.find(s, window);
    if (match.confirming) {
      add_factor(s, scoring,
                 {"confirmation", scoring.confirmation_bonus,
                  "confirmed by " + describe(*match.confirming, s.time)});
    }
    if (match.conflicting) {
      add_factor(s, scoring,
                 {"conflict", -scoring.conflict_penalty,
                  "opposite to " + describe(*match.conflicting, s.time)});
    }
    if (s.confidence < detector_floor) {
      ++stats.below_detector_floor;
      return;
    }
    mark_gaps(s, scoring);
    switch (gate.admit(s)) {
      case GateVerdict::pass:
        ++stats.emitted;
        ++stats.emitted_by_type[static_cast<int>(s.type)];
        confirmation.remember(s, window);
        follow(s);
        if (charts && s.direction != Direction::neutral) {
          if (const std::size_t slot = index.find(s.symbol); slot != SymbolTable::none) {
            s.chart = slots[slot]->chart_data(s);
          }
        }
        out->push_back(std::move(s));
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
  }

  static std::string describe(const Signal& other, TimeMs now) {
    return std::string(to_string(other.type)) + " " + std::string(to_string(other.direction)) +
           " " + format_duration(now - other.time) + " earlier";
  }

  // Penalty after the detector's floor: a degraded signal may still pass the gate's minimum.
  void mark_gaps(Signal& s, const ScoringConfig& scoring) {
    const TimeMs start = s.window_start > 0 ? s.window_start : s.time;
    const TimeMs longest = observation.longest_gap(start, s.time);
    if (longest == 0) return;
    s.degraded_gap_ms = longest;
    add_factor(s, scoring,
               {"data_gap", -config.signals.gap_penalty,
                "stream gap of " + format_duration(longest) + " inside the window"});
  }

  const Config& config;
  OutcomeTracker outcomes;
  WinRateBook book;
  std::vector<Outcome> resolved;  // scratch
  bool warming = false;
  bool charts = false;  // symbols keep a ChartTape; admitted directional signals get a chart
  DuplicateLiquidations echoes;  // one liquidation reported by two sources counts once
  DuplicateTrades trade_echoes;  // a venue's trades count from its own stream while it runs
  Scorer scorer;
  SignalGate gate;
  ConfirmationTracker confirmation;
  FundingExtremeDetector funding;
  OiDivergenceDetector open_interest;
  SnapshotContext snapshot_context;
  std::pair<TimeMs, TimeMs> bounds;  // longest, shortest window
  FeedObservation observation;
  TimeMs idle_ms;

  std::vector<std::unique_ptr<SymbolAnalyzer>> slots;
  std::vector<std::uint32_t> generation;  // by slot: bumped when its symbol is forgotten
  std::vector<TimeMs> scheduled;          // by slot: the deadline queued for it
  std::vector<std::uint8_t> following;    // by slot: an outcome follows the symbol's prints
  std::vector<std::size_t> free_slots;
  SymbolTable index;  // views of the names each SymbolAnalyzer owns
  TimeMs next_idle_scan = 0;
  TimeMs cap_full_until = 0;  // at the cap, no symbol can be forgotten before this
  std::size_t last_slot = no_slot;
  using Deadline = std::tuple<TimeMs, std::size_t, std::uint32_t>;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines;

  std::vector<HeldEvent> held;  // waiting for a later frame to confirm their jump
  std::vector<HeldEvent> releasing;
  std::uint64_t frame = 0;
  std::vector<Signal>* out = nullptr;
  TimeMs clock = 0;
  TimeMs next_tick = 0;
  PipelineStats stats;
};

Pipeline::Pipeline(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
Pipeline::~Pipeline() = default;

void Pipeline::on_event(const MarketEvent& event, std::vector<Signal>& out) {
  impl_->out = &out;
  ++impl_->frame;
  ++impl_->stats.events;
  impl_->take(event);
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
      impl_->out = &out;
      ++impl_->frame;
      for (const MarketEvent& e : frame.events) {
        ++impl_->stats.events;
        impl_->take(e);
      }
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
  impl_->observation.on_gap(from, to);
  impl_->outcomes.on_gap(from, to);
}

void Pipeline::restore_outcomes(std::span<const Outcome> open, std::span<const Outcome> history) {
  for (const Outcome& o : history) impl_->book.add(o);
  for (const Outcome& o : open) {
    impl_->outcomes.restore(o);
    if (const std::size_t slot = impl_->index.find(o.symbol); slot != SymbolTable::none) {
      impl_->following[slot] = 1;
    }
  }
}

void Pipeline::take_outcomes(std::vector<Outcome>& out) {
  impl_->outcomes.take_changes(out);
}

std::size_t Pipeline::outcomes_followed() const {
  return impl_->outcomes.following();
}

TrackRecord Pipeline::track_record(SignalType type) const {
  return impl_->book.record(type);
}

void Pipeline::on_tick(TimeMs now, std::vector<Signal>& out) {
  impl_->out = &out;
  // Time itself reached the held jump: nothing contradicted it.
  if (!impl_->held.empty() && now >= impl_->held.front().event.exchange_time) {
    impl_->release_held();
  }
  impl_->advance_clock(now);
}

void Pipeline::end_of_input() {
  impl_->reject_held();
}

void Pipeline::set_warming(bool warming) {
  impl_->warming = warming;
}

void Pipeline::capture_charts(bool on) {
  impl_->charts = on;
}

TimeMs Pipeline::memory_ms() const {
  const Config& c = impl_->config;
  TimeMs longest = impl_->bounds.first;
  longest = std::max(longest, seconds_ms(c.signals.cooldown_s));
  longest = std::max(longest, seconds_ms(c.analysis.scoring.confirmation_window_s));
  for (const SymbolConfig& s : c.symbols) {
    longest = std::max(longest, seconds_ms(s.analysis.scoring.confirmation_window_s));
  }
  // A chart after a restart draws its whole quarter hour again.
  if (impl_->charts) longest = std::max(longest, charts::ChartData{}.window_ms);
  return longest;
}

TimeMs Pipeline::now() const {
  return impl_->clock;
}
const PipelineStats& Pipeline::stats() const {
  return impl_->stats;
}

}  // namespace teleglas
