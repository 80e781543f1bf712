#include "teleglas/analysis/symbol_analyzer.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "teleglas/core/money.hpp"

namespace teleglas {

namespace {

// A long liquidation is a forced sell: absorbed by buyers it suggests a LONG; unabsorbed and
// cascading it suggests the move continues (SHORT). And the mirror for short liquidations.
Direction reversal_after(Side liquidation_side) {
  return liquidation_side == Side::sell ? Direction::bullish : Direction::bearish;
}
Direction continuation_of(Side liquidation_side) {
  return liquidation_side == Side::sell ? Direction::bearish : Direction::bullish;
}

std::string printf_string(const char* format, double a, double b = 0) {
  char buf[96];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

struct Zone {
  double low = std::numeric_limits<double>::max();
  double high = 0;
  TimeMs first_time = std::numeric_limits<TimeMs>::max();
  int count = 0;
};

// Price zone of one side's entries in a window: rare decision-time work.
Zone zone_of(const FlowBuffer& buffer, int window, Side side) {
  Zone z;
  buffer.for_each_in_window(window, [&](const FlowEntry& e) {
    if (e.side != side) return;
    z.low = std::min(z.low, e.price);
    z.high = std::max(z.high, e.price);
    z.first_time = std::min(z.first_time, e.time);
    ++z.count;
  });
  return z;
}

}  // namespace

SymbolAnalyzer::SymbolAnalyzer(std::string symbol, const AnalysisConfig& config,
                               const BuffersConfig& buffers)
    : symbol_(std::move(symbol)),
      config_(config),
      liquidations_(static_cast<std::size_t>(buffers.liquidations)),
      trades_(static_cast<std::size_t>(buffers.trades)) {
  hunt_window_ = liquidations_.add_window({seconds_ms(config.stop_hunt.window_s), 0, true});
  hunt_market_window_ = liquidations_.add_window({seconds_ms(config.stop_hunt.window_s), 0, true});
  cascade_window_ = liquidations_.add_window({seconds_ms(config.cascade.window_s), 0, true});
  flow_window_ = trades_.add_window(
      {seconds_ms(config.order_flow.window_s), config.order_flow.large_trade_usd, false});
  whale_window_ =
      trades_.add_window({seconds_ms(config.whale.window_s), config.whale.whale_trade_usd, true});
}

void SymbolAnalyzer::on_event(const MarketEvent& event, DetectionSink& sink) {
  // Event time drives everything; a slightly late event is counted but never moves time back.
  advance_to(std::max(now_, event.exchange_time), sink);
  if (!event.exchange.empty() && event.exchange != exchange_) exchange_.assign(event.exchange);
  const FlowEntry entry{event.exchange_time, event.price, event.volume_usd, event.side};
  if (event.kind == EventKind::liquidation) {
    liquidations_.push(entry);
    if (!seen_trade_) last_price_ = event.price;
    liquidations_.advance(now_);
    check_stop_hunt_open(event);
    check_cascade(event, sink);
  } else {
    trades_.push(entry);
    last_price_ = event.price;
    seen_trade_ = true;
    trades_.advance(now_);
    absorb(event, sink);
    check_whale(event, sink);
  }
}

TimeMs SymbolAnalyzer::next_deadline() const {
  // A hunt that expires unabsorbed decides nothing, so its expiry can wait for the next event.
  if (next_flow_eval_ == 0 || trades_.totals(flow_window_).total_count() == 0) {
    return std::numeric_limits<TimeMs>::max();
  }
  return next_flow_eval_;
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
  // Every boundary passed is evaluated, as a live clock would have; once the window is empty
  // the remaining boundaries can decide nothing, so skip to the next one ahead.
  while (now >= next_flow_eval_) {
    evaluate_order_flow(next_flow_eval_, sink);
    next_flow_eval_ += interval;
    if (trades_.totals(flow_window_).total_count() == 0) {
      next_flow_eval_ = (now / interval + 1) * interval;
    }
  }
}

Signal SymbolAnalyzer::candidate(SignalType type, Direction direction, TimeMs time,
                                 std::string_view exchange) const {
  Signal s;
  s.type = type;
  s.symbol = symbol_;
  s.exchange = std::string(exchange.empty() ? std::string_view(exchange_) : exchange);
  s.direction = direction;
  s.time = time;
  return s;
}

void SymbolAnalyzer::set_setup(Signal& signal, double entry) const {
  if (entry > 0 && signal.direction != Direction::neutral) {
    signal.setup =
        make_setup(signal.direction, entry, signal.zone_low, signal.zone_high, config_.setup);
  }
}

// ---- stop hunt -------------------------------------------------------------------------

void SymbolAnalyzer::check_stop_hunt_open(const MarketEvent& liquidation) {
  const Side side = liquidation.side;
  Hunt& hunt = hunts_[index_of(side)];
  if (hunt.active) {
    // The flush goes on while we wait for absorption: it belongs to this hunt.
    hunt.volume_usd += liquidation.volume_usd;
    hunt.zone_low = std::min(hunt.zone_low, liquidation.price);
    hunt.zone_high = std::max(hunt.zone_high, liquidation.price);
    ++hunt.liquidations;
    return;
  }
  const double side_usd = liquidations_.totals(hunt_window_).usd_of(side);
  const WindowTotals& market = liquidations_.totals(hunt_market_window_);
  if (side_usd < config_.stop_hunt.liquidation_usd ||
      market.usd_of(side) < market.usd_of(opposite(side))) {
    return;
  }
  const Zone zone = zone_of(liquidations_, hunt_window_, side);
  hunt = Hunt{};
  hunt.active = true;
  hunt.open_time = liquidation.exchange_time;
  hunt.first_time = zone.first_time;
  hunt.volume_usd = side_usd;
  hunt.zone_low = zone.low;
  hunt.zone_high = zone.high;
  hunt.liquidations = zone.count;
  hunt.exchange = exchange_;
  // These liquidations now belong to the hunt; the window starts counting afresh.
  liquidations_.restart_side(hunt_window_, side);
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

  Signal s = candidate(SignalType::stop_hunt, reversal_after(liquidation_side), trade.exchange_time,
                       hunt.exchange);
  s.window_start = hunt.first_time;
  s.zone_low = hunt.zone_low;
  s.zone_high = hunt.zone_high;
  s.volume_usd = hunt.volume_usd;
  const double other = liquidations_.totals(hunt_market_window_).usd_of(opposite(liquidation_side));
  s.dominant_share = hunt.volume_usd / (hunt.volume_usd + other);
  s.absorption_usd = hunt.absorption_usd;
  s.metrics = {{"liquidations", static_cast<double>(hunt.liquidations)},
               {"absorbing_trades", static_cast<double>(hunt.absorbing_trades)},
               {"absorption_delay_s", (trade.exchange_time - hunt.open_time) / 1000.0}};
  set_setup(s, trade.price);
  if (sink.offer(s, cfg.min_confidence)) conclude_hunt(liquidation_side);
}

void SymbolAnalyzer::conclude_hunt(Side side) {
  hunts_[index_of(side)].active = false;
  // Liquidations that arrived during the hunt were part of it: don't count them twice.
  liquidations_.restart_side(hunt_window_, side);
}

// ---- liquidation cascade ----------------------------------------------------------------

void SymbolAnalyzer::check_cascade(const MarketEvent& liquidation, DetectionSink& sink) {
  const CascadeConfig& cfg = config_.cascade;
  const Side side = liquidation.side;
  const WindowTotals& totals = liquidations_.totals(cascade_window_);
  const double side_usd = totals.usd_of(side);
  const int count = totals.count_of(side);
  if (side_usd < cfg.liquidation_usd || count < cfg.min_events) return;

  const Zone zone = zone_of(liquidations_, cascade_window_, side);
  Signal s = candidate(SignalType::liquidation_cascade, continuation_of(side),
                       liquidation.exchange_time, liquidation.exchange);
  s.window_start = zone.first_time;
  s.zone_low = zone.low;
  s.zone_high = zone.high;
  s.volume_usd = side_usd;
  s.dominant_share = side_usd / totals.total_usd();
  s.metrics = {{"liquidations", static_cast<double>(count)},
               {"duration_s", (liquidation.exchange_time - zone.first_time) / 1000.0}};
  if (count >= 2 * cfg.min_events) {
    add_factor(s, "cascade_events", 10,
               printf_string("%.0f liquidations, at least twice the minimum", count));
  }
  set_setup(s, last_price_);
  if (sink.offer(s, cfg.min_confidence)) liquidations_.restart_side(cascade_window_, side);
}

// ---- order flow -------------------------------------------------------------------------

void SymbolAnalyzer::evaluate_order_flow(TimeMs boundary, DetectionSink& sink) {
  const OrderFlowConfig& cfg = config_.order_flow;
  trades_.advance(boundary);
  const WindowTotals& totals = trades_.totals(flow_window_);
  const double total = totals.total_usd();
  if (total <= 0 || totals.total_large_count() < cfg.min_large_trades) return;
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
  Signal s = candidate(type, direction, boundary, {});
  s.window_start = boundary - seconds_ms(cfg.window_s);
  if (const auto range = trades_.price_range(flow_window_)) {
    s.zone_low = range->low;
    s.zone_high = range->high;
  }
  s.volume_usd = totals.usd_of(dominant);
  s.dominant_share = dominant == Side::buy ? buy_ratio : 1.0 - buy_ratio;
  s.metrics = {{"buy_ratio", buy_ratio},
               {"large_trades", static_cast<double>(totals.total_large_count())},
               {"trades", static_cast<double>(totals.total_count())},
               {"buy_usd", totals.usd_of(Side::buy)},
               {"sell_usd", totals.usd_of(Side::sell)}};
  set_setup(s, last_price_);
  sink.offer(s, cfg.min_confidence);
}

// ---- whale accumulation -----------------------------------------------------------------

void SymbolAnalyzer::check_whale(const MarketEvent& trade, DetectionSink& sink) {
  const WhaleConfig& cfg = config_.whale;
  if (trade.side != Side::buy || trade.volume_usd < cfg.whale_trade_usd) return;
  const WindowTotals& totals = trades_.totals(whale_window_);
  const int whales = totals.large_count_of(Side::buy);
  if (whales < cfg.min_trades) return;
  const auto range = trades_.price_range(whale_window_);
  if (!range) return;
  const double low = range->low;
  const double high = range->high;
  const double range_pct = (high - low) / low * 100.0;
  if (range_pct > cfg.max_price_range_pct) return;

  Signal s = candidate(SignalType::whale_accumulation, Direction::bullish, trade.exchange_time,
                       trade.exchange);
  s.window_start = trade.exchange_time - seconds_ms(cfg.window_s);
  s.zone_low = low;
  s.zone_high = high;
  const double whale_buys = totals.large_usd_of(Side::buy);
  s.volume_usd = whale_buys;
  s.dominant_share = whale_buys / (whale_buys + totals.large_usd_of(Side::sell));
  s.metrics = {{"whale_trades", static_cast<double>(whales)}, {"price_range_pct", range_pct}};
  add_factor(s, "whale_trades", 10,
             printf_string("%.0f buys of at least ", whales) + format_usd(cfg.whale_trade_usd) +
                 printf_string(", price within %.2f%%", range_pct));
  set_setup(s, trade.price);
  if (sink.offer(s, cfg.min_confidence)) trades_.restart_side(whale_window_, Side::buy);
}

}  // namespace teleglas
