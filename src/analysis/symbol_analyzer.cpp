#include "teleglas/analysis/symbol_analyzer.hpp"

#include "teleglas/core/names.hpp"
#include "teleglas/core/text.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace teleglas {

namespace {

// A liquidation flush is a reversal setup: forced sells (longs liquidated) absorbed by buyers
// suggest a LONG, forced buys (shorts liquidated) absorbed by sellers a SHORT. A cascade is
// the same watch before any absorption is seen.
Direction reversal_after(Side liquidation_side) {
  return liquidation_side == Side::sell ? Direction::bullish : Direction::bearish;
}

constexpr TimeMs late_margin_ms = 60'000;  // series keep this much more than their windows
constexpr TimeMs no_deadline = std::numeric_limits<TimeMs>::max();

SideFlow one_event(TimeMs time, double usd) {
  SideFlow flow;
  flow.usd = to_usd_units(usd);
  flow.count = 1;
  flow.first_time = time;
  return flow;
}

}  // namespace

SymbolAnalyzer::SymbolAnalyzer(std::string symbol, SymbolSettings settings)
    : symbol_(std::move(symbol)),
      settings_(std::move(settings)),
      config_(*settings_.analysis),
      liquidations_(seconds_ms(std::max(config_.stop_hunt.window_s, config_.cascade.window_s)) +
                        late_margin_ms,
                    {LargeRule{}, LargeRule{}}),
      trades_(seconds_ms(std::max(config_.order_flow.window_s, config_.whale.window_s)) +
                  late_margin_ms,
              {LargeRule{config_.order_flow.large_trade_usd, false},
               LargeRule{config_.whale.whale_trade_usd, true}}),
      recent_liquidations_(static_cast<std::size_t>(settings_.buffers.liquidations)),
      recent_trades_(static_cast<std::size_t>(settings_.buffers.trades)) {
  if (!settings_.reference_venue.empty()) venue_slot(settings_.reference_venue);
  flow_span_ms_ = seconds_ms(config_.order_flow.window_s);
  if (settings_.charts) {
    tape_ = std::make_unique<ChartTape>(
        charts::ChartData{}.window_ms + late_margin_ms,
        std::min(config_.stop_hunt.large_trade_usd, config_.order_flow.large_trade_usd));
  }
}

int SymbolAnalyzer::venue_slot(std::string_view exchange) {
  // Venues spell their name the same way every time, and a symbol's events mostly come from
  // the venue of the one before: the exact match with that one is the fast path.
  if (last_venue_ < venues_.size() && last_venue_ != other_venue &&
      same_name(venues_[last_venue_].name, exchange)) {
    return static_cast<int>(last_venue_);
  }
  const int slot = find_venue(exchange);
  last_venue_ = static_cast<std::size_t>(slot);
  return slot;
}

int SymbolAnalyzer::find_venue(std::string_view exchange) {
  // No two slots differ only in case (a name is new only when none matches ignoring case), so
  // the first match ignoring case is the exact one when there is one.
  for (std::size_t i = 0; i < venues_.size(); ++i) {
    if (i != other_venue && same_venue(venues_[i].name, exchange)) return static_cast<int>(i);
  }
  if (venues_.size() > other_venue) return other_venue;
  const double keep_s = std::max({config_.stop_hunt.window_s, config_.cascade.window_s,
                                  config_.order_flow.window_s, config_.whale.window_s});
  venues_.push_back(
      Venue{venues_.size() == other_venue ? std::string("other venues") : std::string(exchange),
            PriceSeries(seconds_ms(keep_s) + late_margin_ms,
                        seconds_ms(config_.setup.volatility_lookback_s))});
  return static_cast<int>(venues_.size() - 1);
}

void SymbolAnalyzer::on_event(const MarketEvent& event, DetectionSink& sink) {
  // Event time drives everything; a late event (the pipeline bounds how late) is counted in
  // its own second but never moves time back.
  const TimeMs time = event.exchange_time;
  advance_to(std::max(now_, time), sink);
  last_event_ = std::max(last_event_, time);
  const int slot = venue_slot(event.exchange);
  const RecentEvent recent{time, event.price, event.volume_usd, event.side,
                           static_cast<std::uint8_t>(slot)};
  if (tape_) {
    tape_->add_print(static_cast<std::size_t>(slot), time, event.price);
    if (event.kind == EventKind::liquidation) {
      tape_->add_liquidation(time, event.side, event.volume_usd);
    } else {
      tape_->add_trade(time, event.side, event.price, event.volume_usd);
    }
  }
  if (event.kind == EventKind::liquidation) {
    venues_[slot].prices.add(time, event.price, event.volume_usd, event.side, true);
    liquidations_.add(time, event.side, event.volume_usd);
    recent_liquidations_.push(recent);
    check_stop_hunt_open(event);
    // No window can reach the cascade's threshold when everything kept does not.
    if (to_dollars(liquidations_.kept_usd(event.side)) >= config_.cascade.liquidation_usd) {
      check_cascade(event, sink);
    }
  } else {
    venues_[slot].prices.add(time, event.price, event.volume_usd, event.side, false);
    trades_.add(time, event.side, event.volume_usd);
    refresh_deadline();
    recent_trades_.push(recent);
    absorb(event, sink);
    check_whale(event, sink);
  }
}

TimeMs SymbolAnalyzer::next_deadline() const {
  return deadline_;
}

// A hunt that expires unabsorbed decides nothing, so its expiry can wait for the next event.
// Kept as a member: the pipeline asks after every event, and it changes only when a trade
// arrives, a boundary passes or seconds leave the series.
void SymbolAnalyzer::refresh_deadline() {
  deadline_ = no_deadline;
  if (next_flow_eval_ == 0 || trades_.empty()) return;
  if (trades_.newest_second() < seconds_before(next_flow_eval_, flow_span_ms_).first) return;
  deadline_ = next_flow_eval_;
}

void SymbolAnalyzer::on_tick(TimeMs now, DetectionSink& sink) {
  if (now > now_) advance_to(now, sink);
}

void SymbolAnalyzer::advance_to(TimeMs now, DetectionSink& sink) {
  now_ = now;
  for (Side side : {Side::sell, Side::buy}) {
    Hunt& hunt = hunts_[index_of(side)];
    if (hunt.active && now > hunt.open_time + seconds_ms(config_.stop_hunt.absorption_window_s)) {
      conclude_hunt(side);  // not absorbed in time: give up
    }
  }
  const TimeMs interval = std::max<TimeMs>(1, seconds_ms(config_.order_flow.eval_interval_s));
  if (next_flow_eval_ == 0) next_flow_eval_ = (now / interval + 1) * interval;
  // Every boundary passed is evaluated, as a live clock would have; once no trade is left for
  // the boundaries ahead, they can decide nothing, so skip to the next one after `now`.
  const TimeMs boundary_before = next_flow_eval_;
  while (now >= next_flow_eval_) {
    refresh_deadline();
    if (deadline_ == no_deadline) {
      next_flow_eval_ = (now / interval + 1) * interval;
      break;
    }
    evaluate_order_flow(next_flow_eval_, sink);
    next_flow_eval_ += interval;
  }
  // Whole seconds leave the series: once a second is enough.
  bool changed = next_flow_eval_ != boundary_before;
  if (now / 1000 != expired_second_) {
    expired_second_ = now / 1000;
    liquidations_.expire(now);
    trades_.expire(now);
    for (Venue& v : venues_) v.prices.expire(now);
    if (tape_) tape_->expire(now);
    changed = true;
  }
  if (changed) refresh_deadline();
}

bool SymbolAnalyzer::watched(TimeMs span_ms) const {
  return settings_.observation->watched(now_ - span_ms, now_);
}

Signal SymbolAnalyzer::detection(SignalType type, Direction direction, TimeMs time) const {
  Signal s;
  s.type = type;
  s.symbol = symbol_;
  s.direction = direction;
  s.time = time;
  return s;
}

UsdUnits SymbolAnalyzer::VolumePick::of(const VenueVolume& v) const {
  const auto& by_side = liquidations ? v.liquidations : v.trades;
  return side ? by_side[index_of(*side)] : by_side[0] + by_side[1];
}

int SymbolAnalyzer::reference_slot(SecondRange seconds, VolumePick pick) const {
  if (!settings_.reference_venue.empty()) return 0;
  int best = -1;
  UsdUnits best_usd = 0;
  for (int i = 0; i < static_cast<int>(venues_.size()) && i < other_venue; ++i) {
    const UsdUnits usd = pick.of(venues_[i].prices.volume(seconds));
    if (usd > best_usd) {
      best = i;
      best_usd = usd;
    }
  }
  if (best >= 0) return best;
  // No volume to go by: the venue that printed last.
  for (int i = 0; i < static_cast<int>(venues_.size()) && i < other_venue; ++i) {
    if (best < 0 || venues_[i].prices.last_time() > venues_[best].prices.last_time()) best = i;
  }
  return best;
}

PriceQuote SymbolAnalyzer::quote_from(int slot, TimeMs now) const {
  PriceQuote quote;
  if (slot < 0 || slot >= static_cast<int>(venues_.size())) {
    quote.missing = "no recent price for " + symbol_;
    return quote;
  }
  const Venue& venue = venues_[slot];
  quote.venue = venue.name;
  const SetupConfig& setup = config_.setup;
  if (venue.prices.last_price() <= 0) {
    quote.missing = "no recent " + venue.name + " price for " + symbol_;
    return quote;
  }
  const TimeMs age = now - venue.prices.last_time();
  if (age > seconds_ms(setup.max_price_age_s)) {
    quote.missing = "no " + venue.name + " price in the last " +
                    format_duration(seconds_ms(setup.max_price_age_s)) + " (the last is " +
                    format_duration(age) + " old)";
    return quote;
  }
  quote.price = venue.prices.last_price();
  quote.volatility = venue.prices.mean_minute_range(now, seconds_ms(setup.volatility_lookback_s),
                                                    setup.volatility_min_minutes);
  return quote;
}

PriceQuote SymbolAnalyzer::quote(TimeMs now) const {
  return quote_from(reference_slot(SecondRange{}, VolumePick{}), now);
}

void SymbolAnalyzer::set_venues(Signal& signal, SecondRange seconds, VolumePick pick) const {
  signal.venues.clear();
  for (const Venue& venue : venues_) {
    if (const UsdUnits usd = pick.of(venue.prices.volume(seconds)); usd > 0) {
      signal.venues.push_back({venue.name, to_dollars(usd)});
    }
  }
  std::stable_sort(signal.venues.begin(), signal.venues.end(),
                   [](const VenueShare& a, const VenueShare& b) { return a.usd > b.usd; });
}

void SymbolAnalyzer::place(Signal& signal, int slot, SecondRange seconds,
                           std::optional<Side> liquidated, TimeMs now) const {
  if (slot >= 0 && slot < static_cast<int>(venues_.size())) {
    const PriceSeries& prices = venues_[slot].prices;
    signal.exchange = venues_[slot].name;
    std::optional<PriceRange> zone;
    if (liquidated) zone = prices.liquidation_range(seconds, *liquidated);
    if (!zone) zone = prices.range(seconds);
    if (zone) {
      signal.zone_low = zone->low;
      signal.zone_high = zone->high;
    }
  }
  set_setup(signal, quote_from(slot, now), config_.setup);
}

std::shared_ptr<const charts::ChartData> SymbolAnalyzer::chart_data(const Signal& signal) const {
  if (!tape_) return nullptr;
  auto chart = std::make_shared<charts::ChartData>();
  chart->symbol = symbol_;
  chart->type = signal.type;
  chart->direction = signal.direction;
  chart->exchange = signal.exchange;
  chart->decided_at = signal.time;
  chart->candle_ms = ChartTape::bucket_ms;
  chart->liquidation_bucket_ms = ChartTape::bucket_ms;
  const TimeMs from = signal.time - chart->window_ms;
  for (std::size_t slot = 0; slot < venues_.size(); ++slot) {
    if (venues_[slot].name == signal.exchange) {
      chart->candles = tape_->candles(slot, from, signal.time);
      break;
    }
  }
  chart->liquidations = tape_->liquidations(from, signal.time);
  // The trades that took the other side of the flow: large buys behind a LONG setup, large
  // sells behind a SHORT, since the decision's window opened.
  if (signal.direction != Direction::neutral) {
    const Side side = signal.direction == Direction::bullish ? Side::buy : Side::sell;
    const TimeMs start = signal.window_start > 0 ? std::max(signal.window_start, from) : from;
    chart->absorbing_trades = tape_->large_trades(side, start, signal.time);
  }
  chart->zone_low = signal.zone_low;
  chart->zone_high = signal.zone_high;
  if (signal.setup) {
    chart->setup = charts::SetupLevels{signal.setup->entry, signal.setup->stop,
                                       signal.setup->target};
  }
  return chart;
}

// ---- stop hunt -------------------------------------------------------------------------

void SymbolAnalyzer::check_stop_hunt_open(const MarketEvent& liquidation) {
  const StopHuntConfig& cfg = config_.stop_hunt;
  const Side side = liquidation.side;
  Hunt& hunt = hunts_[index_of(side)];
  if (hunt.active) {
    // The flush goes on while we wait for absorption: it belongs to this hunt.
    hunt.flushed.add(one_event(liquidation.exchange_time, liquidation.volume_usd));
    return;
  }
  // No window can reach the threshold when everything kept does not (the cheap check).
  if (to_dollars(liquidations_.kept_usd(side)) < cfg.liquidation_usd) return;
  const TimeMs span = seconds_ms(cfg.window_s);
  if (!watched(span)) return;
  const SecondRange window = trailing_seconds(now_, span);
  if (to_dollars(liquidations_.side_usd(window, side, hunt_claims_[index_of(side)])) <
      cfg.liquidation_usd) {
    return;
  }
  const FlowTotals market = liquidations_.sum(window);
  if (market.usd_of(side) < market.usd_of(opposite(side))) return;
  const FlowTotals unclaimed = liquidations_.sum(window, hunt_claims_);
  hunt = Hunt{};
  hunt.active = true;
  hunt.open_time = now_;
  hunt.flushed = unclaimed.of(side);
  hunt.first_time = hunt.flushed.first_time;
  // These liquidations now belong to the hunt; later ones join it while it waits.
  hunt_claims_[index_of(side)] = liquidations_.claim(side, now_);
}

void SymbolAnalyzer::absorb(const MarketEvent& trade, DetectionSink& sink) {
  const StopHuntConfig& cfg = config_.stop_hunt;
  if (trade.volume_usd < cfg.large_trade_usd) return;
  const Side liquidation_side = opposite(trade.side);  // buys absorb forced sells
  Hunt& hunt = hunts_[index_of(liquidation_side)];
  if (!hunt.active || trade.exchange_time < hunt.open_time ||
      trade.exchange_time > hunt.open_time + seconds_ms(cfg.absorption_window_s)) {
    return;
  }
  hunt.absorption_usd += trade.volume_usd;
  ++hunt.absorbing_trades;
  if (hunt.absorption_usd < cfg.absorption_usd) return;

  Signal s = detection(SignalType::stop_hunt, reversal_after(liquidation_side), now_);
  s.window_start = hunt.first_time;
  s.volume_usd = to_dollars(hunt.flushed.usd);
  const SecondRange span = seconds_between(hunt.first_time, now_);
  const double other = liquidations_.sum(span).usd_of(opposite(liquidation_side));
  s.dominant_share = s.volume_usd / (s.volume_usd + other);
  s.absorption_usd = hunt.absorption_usd;
  s.metrics = {{"liquidations", static_cast<double>(hunt.flushed.count)},
               {"absorbing_trades", static_cast<double>(hunt.absorbing_trades)},
               {"absorption_delay_s", (now_ - hunt.open_time) / 1000.0}};
  const VolumePick flushed{true, liquidation_side};
  set_venues(s, span, flushed);
  place(s, reference_slot(span, flushed), span, liquidation_side, now_);
  conclude_hunt(liquidation_side);
  sink.report(std::move(s), cfg.min_confidence);
}

void SymbolAnalyzer::conclude_hunt(Side side) {
  hunts_[index_of(side)].active = false;
  // Liquidations that arrived during the hunt were part of it: don't count them twice.
  hunt_claims_[index_of(side)] = liquidations_.claim(side, now_);
}

// ---- liquidation cascade ----------------------------------------------------------------

void SymbolAnalyzer::check_cascade(const MarketEvent& liquidation, DetectionSink& sink) {
  const CascadeConfig& cfg = config_.cascade;
  const Side side = liquidation.side;
  const TimeMs span = seconds_ms(cfg.window_s);
  if (!watched(span)) return;
  const SecondRange window = trailing_seconds(now_, span);
  const FlowClaim& claim = cascade_claims_[index_of(side)];
  if (to_dollars(liquidations_.side_usd(window, side, claim)) < cfg.liquidation_usd) return;
  const FlowTotals totals = liquidations_.sum(window, cascade_claims_);
  const SideFlow& flushed = totals.of(side);
  if (flushed.count < cfg.min_events) return;

  Signal s = detection(SignalType::liquidation_cascade, reversal_after(side), now_);
  s.window_start = flushed.first_time;
  s.volume_usd = to_dollars(flushed.usd);
  s.dominant_share = s.volume_usd / totals.total_usd();
  s.metrics = {{"liquidations", static_cast<double>(flushed.count)},
               {"duration_s", (now_ - flushed.first_time) / 1000.0}};
  const VolumePick pick{true, side};
  set_venues(s, window, pick);
  place(s, reference_slot(window, pick), window, side, now_);
  cascade_claims_[index_of(side)] = liquidations_.claim(side, now_);
  sink.report(std::move(s), cfg.min_confidence);
}

// ---- order flow -------------------------------------------------------------------------

void SymbolAnalyzer::evaluate_order_flow(TimeMs boundary, DetectionSink& sink) {
  const OrderFlowConfig& cfg = config_.order_flow;
  const TimeMs span = seconds_ms(cfg.window_s);
  if (!settings_.observation->watched(boundary - span, boundary)) return;
  const SecondRange window = seconds_before(boundary, span);
  const FlowTotals totals = trades_.sliding_sum(window);
  const double total = totals.total_usd();
  if (total <= 0 || totals.total_large_count(0) < cfg.min_large_trades) return;
  const double buy_ratio = totals.usd_of(Side::buy) / total;
  Direction direction;
  SignalType type;
  if (buy_ratio > cfg.buy_ratio_long) {
    type = SignalType::accumulation;
    direction = Direction::bullish;
  } else if (buy_ratio < cfg.buy_ratio_short) {
    type = SignalType::distribution;
    direction = Direction::bearish;
  } else {
    return;
  }
  const Side dominant = direction == Direction::bullish ? Side::buy : Side::sell;
  Signal s = detection(type, direction, boundary);
  s.window_start = boundary - span;
  s.volume_usd = totals.usd_of(dominant);
  s.dominant_share = dominant == Side::buy ? buy_ratio : 1.0 - buy_ratio;
  s.metrics = {{"buy_ratio", buy_ratio},
               {"large_trades", static_cast<double>(totals.total_large_count(0))},
               {"trades", static_cast<double>(totals.total_count())},
               {"buy_usd", totals.usd_of(Side::buy)},
               {"sell_usd", totals.usd_of(Side::sell)}};
  set_venues(s, window, VolumePick{false, dominant});
  place(s, reference_slot(window, VolumePick{}), window, std::nullopt, boundary);
  sink.report(std::move(s), cfg.min_confidence);
}

// ---- whale accumulation -----------------------------------------------------------------

void SymbolAnalyzer::check_whale(const MarketEvent& trade, DetectionSink& sink) {
  const WhaleConfig& cfg = config_.whale;
  if (trade.side != Side::buy || trade.volume_usd < cfg.whale_trade_usd) return;
  constexpr int whale_tier = 1;
  // No window can hold enough whale buys when everything kept does not.
  if (trades_.kept_large_count(Side::buy, whale_tier) < cfg.min_trades) return;
  const TimeMs span = seconds_ms(cfg.window_s);
  if (!watched(span)) return;
  const SecondRange window = trailing_seconds(now_, span);
  if (trades_.large_count(window, Side::buy, whale_tier, whale_claims_[index_of(Side::buy)]) <
      cfg.min_trades) {
    return;
  }
  const VolumePick buys{false, Side::buy};
  const int slot = reference_slot(window, buys);
  if (slot < 0 || slot >= static_cast<int>(venues_.size())) return;
  const auto range = venues_[slot].prices.range(window);
  if (!range) return;
  const double range_pct = (range->high - range->low) / range->low * 100.0;
  if (range_pct > cfg.max_price_range_pct) return;
  const FlowTotals totals = trades_.sum(window, whale_claims_);
  const int whales = totals.large_count_of(whale_tier, Side::buy);

  Signal s = detection(SignalType::whale_accumulation, Direction::bullish, now_);
  s.window_start = now_ - span;
  const double whale_buys = totals.large_usd_of(whale_tier, Side::buy);
  s.volume_usd = whale_buys;
  s.dominant_share =
      whale_buys / (whale_buys + trades_.sum(window).large_usd_of(whale_tier, Side::sell));
  s.metrics = {{"whale_trades", static_cast<double>(whales)},
               {"whale_trade_usd", cfg.whale_trade_usd},
               {"price_range_pct", range_pct}};
  set_venues(s, window, buys);
  place(s, slot, window, std::nullopt, now_);
  whale_claims_[index_of(Side::buy)] = trades_.claim(Side::buy, now_);
  sink.report(std::move(s), cfg.min_confidence);
}

}  // namespace teleglas
