// The demo market: a random walk per symbol with scenarios planted on a fixed rotation, written
// as CoinGlass frames. All randomness comes from our own xoshiro256** streams and every number
// is written by fmt, so the bytes depend on the options alone — not on the standard library,
// the locale or the clock.
#include "teleglas/sim/market_generator.hpp"

#include "teleglas/core/events.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <ostream>
#include <span>
#include <string_view>

namespace teleglas {
namespace {

constexpr TimeMs second_ms = 1000;
constexpr TimeMs minute_ms = 60 * second_ms;

// ---------------------------------------------------------------------------------------------
// Randomness. std::uniform_*_distribution differs between standard libraries, so we draw from
// xoshiro256** and shape the draws with + * and sqrt only (correctly rounded everywhere), never
// with libm's exp/log/pow whose last bits vary between platforms.

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Separate streams keep parts independent: adding a symbol or a scenario leaves the random
// walk of the others untouched.
namespace stream {
constexpr std::uint64_t plan = 1;
constexpr std::uint64_t snapshots = 2;
constexpr std::uint64_t framing = 3;
constexpr std::uint64_t symbol_setup = 4;
constexpr std::uint64_t walk = 1'000;      // + symbol index
constexpr std::uint64_t flow = 2'000;      // + symbol index
constexpr std::uint64_t scenario = 3'000;  // + scenario index
}  // namespace stream

class random_source {
 public:
  random_source(std::uint64_t seed, std::uint64_t stream_id) {
    std::uint64_t seed_state = seed;
    std::uint64_t stream_state = ~stream_id;
    std::uint64_t state = splitmix64(seed_state) ^ splitmix64(stream_state);
    for (auto& word : state_) word = splitmix64(state);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  bool chance(double probability) { return uniform() < probability; }

  // Inclusive range; the modulo bias is far below anything a demo could show.
  std::int64_t integer(std::int64_t low, std::int64_t high) {
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return low + static_cast<std::int64_t>(next() % span);
  }

  // Approximately standard normal: Irwin–Hall of four uniforms, bounded at ±3.46.
  double normal() {
    const double sum = uniform() + uniform() + uniform() + uniform();
    return (sum - 2.0) * std::sqrt(3.0);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> state_{};
};

// ---------------------------------------------------------------------------------------------
// Numbers as CoinGlass writes them: plain decimals (never an exponent), at least one digit
// after the point ("56738.0"), trailing zeros dropped. fmt ignores the locale unless asked.

void append_decimal(std::string& out, double value, int max_decimals) {
  const auto begin = out.size();
  fmt::format_to(std::back_inserter(out), "{:.{}f}", value, max_decimals);
  if (const auto dot = out.find('.', begin); dot != std::string::npos) {
    auto last = out.find_last_not_of('0');
    if (last == dot) ++last;
    out.erase(last + 1);
  }
  if (out[begin] == '-' && out.find_first_not_of("0.", begin + 1) == std::string::npos) {
    out.erase(begin, 1);  // "-0.0" reads as a bug in a recording
  }
}

double round_to(double value, int decimals) {
  double scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  return std::round(value * scale) / scale;
}

// +1 when the flow pushes the price up (buying), -1 when it pushes it down.
double push_of(Side side) {
  return side == Side::buy ? 1.0 : -1.0;
}

// ---------------------------------------------------------------------------------------------
// The cast.

constexpr std::array<std::string_view, 3> exchange_names = {"Binance", "Bybit", "OKX"};
constexpr int binance = 0;
constexpr int okx = 2;
constexpr std::array<int, 1> binance_only = {binance};
constexpr std::array<int, 2> other_exchanges = {1, 2};

// The trades channel we subscribe with: CoinGlass only pushes trades of at least this size.
constexpr int trade_channel_min_usd = 10'000;

struct market_symbol {
  std::string name;  // BTCUSDT
  std::string base;  // BTC
  int base_index = 0;
  double initial_price = 1;
  int price_decimals = 4;   // the tick: 10^-price_decimals
  std::vector<double> mid;  // at each whole second; times between seconds interpolate

  double mid_at(TimeMs t) const {
    const auto i = static_cast<std::size_t>(t / second_ms);
    const double fraction = static_cast<double>(t % second_ms) / second_ms;
    return mid[i] + (mid[i + 1] - mid[i]) * fraction;
  }
  double on_tick(double price) const { return round_to(price, price_decimals); }
};

std::string base_asset_of(std::string_view symbol) {
  constexpr std::string_view quote = "USDT";
  if (symbol.size() > quote.size() && symbol.ends_with(quote)) symbol.remove_suffix(quote.size());
  return std::string(symbol);
}

// Near where each coin traded at the start of 2025; anything else is a ~$1 alt.
double reference_price(std::string_view base, random_source& rng) {
  if (base == "BTC") return 95'000 * rng.uniform(0.99, 1.01);
  if (base == "ETH") return 3'300 * rng.uniform(0.99, 1.01);
  if (base == "SOL") return 190 * rng.uniform(0.99, 1.01);
  return rng.uniform(0.8, 1.2);
}

// A tick of roughly 0.0001–0.001 % of the price, like the exchanges use.
int price_decimals_for(double price) {
  if (price >= 10'000) return 1;
  if (price >= 100) return 2;
  if (price >= 10) return 3;
  return 4;
}

std::vector<market_symbol> make_symbols(const MarketGeneratorOptions& options,
                                        std::vector<std::string>& bases) {
  random_source rng(options.seed, stream::symbol_setup);
  std::vector<market_symbol> symbols;
  for (const auto& name : options.symbols) {
    market_symbol s;
    s.name = name;
    s.base = base_asset_of(name);
    const auto known = std::find(bases.begin(), bases.end(), s.base);
    s.base_index = static_cast<int>(known - bases.begin());
    if (known == bases.end()) bases.push_back(s.base);
    s.initial_price = reference_price(s.base, rng);
    s.price_decimals = price_decimals_for(s.initial_price);
    symbols.push_back(std::move(s));
  }
  return symbols;
}

// ---------------------------------------------------------------------------------------------
// Scenarios. Volumes are scaled against the default thresholds in config/config.hpp (the sim
// layer links only core, so the numbers are repeated here with their margins):
//   stop hunt   $2M of one side's liquidations in 30 s, then $100K of opposite large trades
//   cascade     $5M and 10 events in 60 s
//   order flow  buy ratio > 0.65 (< 0.35) over 5 min, confidence 70 = 50 + volume + one-sided
//   whale       3 buys of $250K in 5 min within a 0.3 % price range
//   funding     |8 h rate| > 0.1 %;  open interest: 3 % spread of 1 h changes

enum class scenario_shape : std::uint8_t {
  stop_hunt,
  cascade,
  order_flow_run,
  whale,
  funding_extreme,
  oi_divergence
};

struct scenario_kind {
  std::string_view name;
  scenario_shape shape;
  Side side;  // liquidations: the forced flow (sell = longs liquidated); runs: the heavy side
  bool needs_snapshots;
};

// The rotation: alternating flavours so a demo shows variety early.
constexpr std::array<scenario_kind, 8> rotation = {{
    {"stop_hunt_long", scenario_shape::stop_hunt, Side::sell, false},
    {"accumulation", scenario_shape::order_flow_run, Side::buy, false},
    {"funding_extreme", scenario_shape::funding_extreme, Side::buy, true},
    {"stop_hunt_short", scenario_shape::stop_hunt, Side::buy, false},
    {"whale_accumulation", scenario_shape::whale, Side::buy, false},
    {"cascade_unabsorbed", scenario_shape::cascade, Side::sell, false},
    {"oi_divergence", scenario_shape::oi_divergence, Side::buy, true},
    {"distribution", scenario_shape::order_flow_run, Side::sell, false},
}};

// Analyzer windows fill with background before the first scenario.
constexpr TimeMs warmup = 2 * minute_ms;
// One scenario starts every slot, on the next free symbol: 8 kinds x 150 s = every kind at
// least once per 20 minutes.
constexpr TimeMs slot_spacing = 150 * second_ms;
constexpr TimeMs slot_jitter = 15 * second_ms;
constexpr TimeMs same_symbol_spacing = 6 * minute_ms;
constexpr TimeMs quiet_after = 30 * second_ms;  // between one footprint's end and the next

struct episode {
  const scenario_kind* kind = nullptr;
  int symbol = 0;
  TimeMs begin = 0;     // the footprint starts (a whale's price pin precedes its first buy)
  TimeMs start = 0;     // the first event, as reported
  TimeMs end = 0;       // the footprint ends: the symbol is back to background
  TimeMs main_end = 0;  // liquidations / the run / the whale buys are over
  TimeMs absorb_begin = 0;
  TimeMs absorb_end = 0;
  double move = 0;  // signed fractional price move the scenario makes
};

TimeMs ceil_to_minute(TimeMs t) {
  return (t + minute_ms - 1) / minute_ms * minute_ms;
}

// The timing and size of one scenario that begins at `begin`.
episode shape_episode(const scenario_kind& kind, TimeMs begin, random_source& rng) {
  episode e;
  e.kind = &kind;
  e.begin = e.start = begin;
  const double push = push_of(kind.side);
  switch (kind.shape) {
    case scenario_shape::stop_hunt:
      // Stops fill over 12–18 s, absorption follows within 1–3 s and lasts 6–15 s, then the
      // price takes a minute to return where the hunt began.
      e.main_end = e.start + rng.integer(12, 18) * second_ms;
      e.absorb_begin = e.main_end + rng.integer(1'000, 3'000);
      e.absorb_end = e.absorb_begin + rng.integer(6, 15) * second_ms;
      e.end = e.absorb_end + minute_ms;
      e.move = push * rng.uniform(0.006, 0.009);
      break;
    case scenario_shape::cascade:
      // 45 s of liquidations, then a minute in which nobody buys.
      e.main_end = e.start + rng.integer(43'000, 44'900);
      e.end = e.start + 45 * second_ms + 65 * second_ms;
      e.move = push * rng.uniform(0.012, 0.018);
      break;
    case scenario_shape::order_flow_run:
      e.main_end = e.start + 4 * minute_ms;
      e.end = e.main_end;
      e.move = push * rng.uniform(0.002, 0.004);
      break;
    case scenario_shape::whale:
      // The price is pinned a minute before the first whale buy, so the detector's 5-minute
      // range stays narrow; the buys come within 3 minutes; the pin eases off over 30 s.
      e.start = e.begin + minute_ms;
      e.main_end = e.start + 3 * minute_ms;
      e.end = e.start + 4 * minute_ms + 30 * second_ms;
      break;
    case scenario_shape::funding_extreme:
      // Five one-minute snapshots; the sixth is normal again.
      e.begin = e.start = ceil_to_minute(begin);
      e.end = e.start + 5 * minute_ms;
      break;
    case scenario_shape::oi_divergence:
      e.begin = e.start = ceil_to_minute(begin);
      e.end = e.start + minute_ms;
      break;
  }
  return e;
}

// Where the price is pinned for a whale: from `begin` until the buys have had a minute more.
TimeMs pin_end_of(const episode& e) {
  return e.start + 4 * minute_ms;
}

std::vector<episode> plan_episodes(const MarketGeneratorOptions& options, TimeMs duration,
                                   int symbol_count) {
  std::vector<episode> planned;
  if (symbol_count == 0) return planned;
  std::vector<const scenario_kind*> kinds;
  for (const auto& kind : rotation) {
    if (options.snapshots || !kind.needs_snapshots) kinds.push_back(&kind);
  }
  random_source rng(options.seed, stream::plan);
  constexpr TimeMs long_ago = std::numeric_limits<TimeMs>::min() / 2;
  std::vector<TimeMs> last_start(symbol_count, long_ago);
  std::vector<TimeMs> last_end(symbol_count, long_ago);
  for (TimeMs slot = warmup; slot < duration; slot += slot_spacing) {
    const auto count = planned.size();
    const auto& kind = *kinds[count % kinds.size()];
    episode e = shape_episode(kind, slot + rng.integer(0, slot_jitter), rng);
    if (e.end > duration) break;  // later slots fit even less
    // Rotate symbols, shifted once per round so a kind doesn't stick to one symbol.
    const auto preferred = static_cast<int>((count + count / kinds.size()) % symbol_count);
    for (int k = 0; k < symbol_count; ++k) {
      const int symbol = (preferred + k) % symbol_count;
      if (last_start[symbol] + same_symbol_spacing > e.start) continue;
      if (last_end[symbol] + quiet_after > e.begin) continue;
      e.symbol = symbol;
      last_start[symbol] = e.start;
      last_end[symbol] = e.end;
      planned.push_back(e);
      break;
    }
  }
  return planned;
}

// How far (as a fraction) a scenario has moved the price away from the random walk at t.
double price_offset(const episode& e, TimeMs t) {
  const auto progress = [t](TimeMs from, TimeMs to) {
    return std::clamp(static_cast<double>(t - from) / static_cast<double>(to - from), 0.0, 1.0);
  };
  switch (e.kind->shape) {
    case scenario_shape::stop_hunt:  // run through the stops, hold while absorbed, recover
      if (t <= e.absorb_end) return e.move * progress(e.start, e.main_end);
      return e.move * (1 - progress(e.absorb_end, e.end));
    case scenario_shape::cascade:  // unabsorbed: the price stays down
    case scenario_shape::order_flow_run:
      return e.move * progress(e.start, e.main_end);
    default:
      return 0;
  }
}

// How the background trade flow of a symbol leans during a scenario.
struct flow_bias {
  double buy_probability = 0.5;
  double buy_size = 1;
  double sell_size = 1;
  double intensity = 1;  // multiplies the rate of trades
};

flow_bias favouring(Side side, double probability, double size) {
  flow_bias bias;
  bias.buy_probability = side == Side::buy ? probability : 1 - probability;
  (side == Side::buy ? bias.buy_size : bias.sell_size) = size;
  return bias;
}

flow_bias bias_at(const episode& e, TimeMs t) {
  if (t < e.start || t > e.end) return {};
  switch (e.kind->shape) {
    case scenario_shape::stop_hunt:
      if (t <= e.main_end) return favouring(e.kind->side, 0.75, 1);
      if (t >= e.absorb_begin && t <= e.absorb_end)
        return favouring(opposite(e.kind->side), 0.8, 1);
      return {};
    case scenario_shape::cascade: {
      // Only the forced side trades, and thinly: buyers have stepped away (which is also
      // what keeps the cascade from reading as a 5-minute distribution run).
      auto bias = favouring(e.kind->side, 1.0, 1);
      bias.intensity = 0.4;
      return bias;
    }
    case scenario_shape::order_flow_run:
      return favouring(e.kind->side, 0.9, 1.5);
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------------------------
// The recording: events collected in any order, written sorted by time.

enum class line_kind : std::uint8_t { liquidation, trade, text };

struct pending_line {
  TimeMs time = 0;  // relative to the start of the recording
  std::uint64_t sequence = 0;
  line_kind kind = line_kind::text;
  Side side = Side::buy;
  int symbol = 0;
  int exchange = binance;
  double price = 0;
  double volume_usd = 0;
  std::uint64_t batch = 0;  // events of one batch share a frame when adjacent in time order
  std::string text;         // line_kind::text only
};

class recording {
 public:
  std::uint64_t new_batch() { return ++last_batch_; }

  void add_event(line_kind kind, int symbol, int exchange, Side side, double price,
                 double volume_usd, TimeMs time, std::uint64_t batch) {
    pending_line line;
    line.time = time;
    line.sequence = next_sequence_++;
    line.kind = kind;
    line.side = side;
    line.symbol = symbol;
    line.exchange = exchange;
    line.price = price;
    line.volume_usd = round_to(volume_usd, 3);
    line.batch = batch;
    lines_.push_back(std::move(line));
  }

  void add_text(TimeMs time, std::string text) {
    pending_line line;
    line.time = time;
    line.sequence = next_sequence_++;
    line.text = std::move(text);
    lines_.push_back(std::move(line));
  }

  void write(std::ostream& out, TimeMs start_time, std::span<const market_symbol> symbols,
             random_source& framing) {
    // (time, sequence) is unique, so any sort algorithm gives the same order.
    std::sort(lines_.begin(), lines_.end(), [](const pending_line& a, const pending_line& b) {
      return a.time != b.time ? a.time < b.time : a.sequence < b.sequence;
    });
    std::string frame;
    for (std::size_t i = 0; i < lines_.size();) {
      const auto& first = lines_[i];
      std::size_t next = i + 1;
      if (first.kind == line_kind::text) {
        frame = first.text;
      } else {
        while (next < lines_.size() && lines_[next].kind == first.kind &&
               lines_[next].batch == first.batch) {
          ++next;
        }
        const auto batch = std::span(lines_).subspan(i, next - i);
        if (first.kind == line_kind::trade) {
          write_trades(frame, batch, start_time, symbols);
        } else {
          // Newer CoinGlass docs spell the channel differently; readers must take both.
          write_liquidations(frame, batch, start_time, symbols, framing.chance(0.1));
        }
      }
      frame += '\n';
      out.write(frame.data(), static_cast<std::streamsize>(frame.size()));
      i = next;
    }
  }

 private:
  struct field_names {
    std::string_view channel, base_asset, exchange, volume_usd;
  };
  static constexpr field_names camel_case = {"liquidationOrders", "baseAsset", "exName", "volUsd"};
  static constexpr field_names snake_case = {"liquidation_orders", "base_asset", "exchange",
                                             "volume_usd"};

  static void write_elements(std::string& out, std::span<const pending_line> batch,
                             const field_names& names, TimeMs start_time,
                             std::span<const market_symbol> symbols) {
    out += "\"data\":[";
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const auto& e = batch[k];
      const auto& s = symbols[e.symbol];
      if (k > 0) out += ',';
      fmt::format_to(std::back_inserter(out),
                     "{{\"{}\":\"{}\",\"{}\":\"{}\",\"price\":", names.base_asset, s.base,
                     names.exchange, exchange_names[e.exchange]);
      append_decimal(out, e.price, s.price_decimals);
      fmt::format_to(std::back_inserter(out),
                     ",\"side\":{},\"symbol\":\"{}\",\"time\":{},\"{}\":", static_cast<int>(e.side),
                     s.name, start_time + e.time, names.volume_usd);
      append_decimal(out, e.volume_usd, 3);
      out += '}';
    }
    out += "]}";
  }

  static void write_trades(std::string& out, std::span<const pending_line> batch, TimeMs start_time,
                           std::span<const market_symbol> symbols) {
    const auto& first = batch.front();
    out = fmt::format("{{\"channel\":\"futures_trades@{}_{}@{}\",", exchange_names[first.exchange],
                      symbols[first.symbol].name, trade_channel_min_usd);
    write_elements(out, batch, camel_case, start_time, symbols);
  }

  static void write_liquidations(std::string& out, std::span<const pending_line> batch,
                                 TimeMs start_time, std::span<const market_symbol> symbols,
                                 bool snake) {
    const auto& names = snake ? snake_case : camel_case;
    out = fmt::format("{{\"channel\":\"{}\",", names.channel);
    write_elements(out, batch, names, start_time, symbols);
  }

  std::vector<pending_line> lines_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t last_batch_ = 0;
};

// `count` times over [from, to], the first exactly at `from`, each with its batch: neighbours
// that arrive close together share a frame (up to `max_batch`), as CoinGlass batches pushes.
struct timed_batch {
  TimeMs time;
  std::uint64_t batch;
};

std::vector<timed_batch> spread_times(recording& rec, std::size_t count, TimeMs from, TimeMs to,
                                      int max_batch, random_source& rng) {
  std::vector<TimeMs> times(count, from);
  for (std::size_t i = 1; i < count; ++i) times[i] = rng.integer(from, to);
  std::sort(times.begin(), times.end());
  std::vector<timed_batch> result;
  int in_batch = 0;
  for (const TimeMs time : times) {
    if (!result.empty() && in_batch < max_batch && rng.chance(0.35)) {
      const TimeMs previous = result.back().time;
      // Pulled to within 30 ms of its neighbour, never past its own time: order is kept.
      result.push_back(
          {std::max(previous, std::min(time, previous + rng.integer(0, 30))), result.back().batch});
      ++in_batch;
    } else {
      result.push_back({time, rec.new_batch()});
      in_batch = 1;
    }
  }
  return result;
}

// A forced order sits just beyond the mid on the side it pushes: long liquidations sell
// below it; a trade's aggressor pays the spread.
double price_beyond_mid(const market_symbol& s, TimeMs t, Side side, double max_fraction,
                        random_source& rng) {
  return s.on_tick(s.mid_at(t) * (1 + push_of(side) * rng.uniform(0, max_fraction)));
}

// Liquidations of `side` worth `total_usd`, spread over [from, to] across `exchanges`.
void plant_liquidations(recording& rec, int symbol, const market_symbol& s, Side side,
                        std::span<const int> exchanges, double total_usd, std::size_t count,
                        TimeMs from, TimeMs to, random_source& rng) {
  std::vector<double> weights(count);
  double weight_sum = 0;
  for (auto& w : weights) weight_sum += (w = rng.uniform(0.4, 1.4));
  const auto times = spread_times(rec, count, from, to, 3, rng);
  for (std::size_t i = 0; i < count; ++i) {
    const int exchange = exchanges[rng.integer(0, static_cast<std::int64_t>(exchanges.size()) - 1)];
    rec.add_event(line_kind::liquidation, symbol, exchange, side,
                  price_beyond_mid(s, times[i].time, side, 0.0008, rng),
                  total_usd * weights[i] / weight_sum, times[i].time, times[i].batch);
  }
}

// Binance trades of `side` with the given sizes, spread over [from, to], up to `max_batch` a
// frame.
void plant_trades(recording& rec, int symbol, const market_symbol& s, Side side,
                  std::span<const double> sizes_usd, TimeMs from, TimeMs to, int max_batch,
                  random_source& rng) {
  const auto times = spread_times(rec, sizes_usd.size(), from, to, max_batch, rng);
  for (std::size_t i = 0; i < sizes_usd.size(); ++i) {
    rec.add_event(line_kind::trade, symbol, binance, side,
                  price_beyond_mid(s, times[i].time, side, 0.0001, rng), sizes_usd[i],
                  times[i].time, times[i].batch);
  }
}

// Sizes drawn from [low, high] until they add up to at least `total`.
std::vector<double> sizes_totalling(double total, double low, double high, random_source& rng) {
  std::vector<double> sizes;
  double sum = 0;
  while (sum < total) sum += sizes.emplace_back(rng.uniform(low, high));
  return sizes;
}

// One side's forced orders for a scenario: `total` on Binance, 5–10% more on the other
// venues, with event counts drawn from the given ranges.
void plant_flush(recording& rec, const episode& e, const market_symbol& s, double total,
                 std::pair<int, int> binance_events, std::pair<int, int> other_events,
                 random_source& rng) {
  const Side side = e.kind->side;
  plant_liquidations(
      rec, e.symbol, s, side, binance_only, total,
      static_cast<std::size_t>(rng.integer(binance_events.first, binance_events.second)), e.start,
      e.main_end, rng);
  plant_liquidations(rec, e.symbol, s, side, other_exchanges, total * rng.uniform(0.05, 0.1),
                     static_cast<std::size_t>(rng.integer(other_events.first, other_events.second)),
                     e.start + 500, e.main_end, rng);
}

// The scenario's own events; the background already leans its way (bias_at).
void plant_scenario(recording& rec, const episode& e, const market_symbol& s, random_source& rng) {
  const Side side = e.kind->side;
  switch (e.kind->shape) {
    case scenario_shape::stop_hunt: {
      // $2.6–3.2M on Binance alone clears the $2M threshold even for a per-exchange reader;
      // with the other venues' share it stays far below the $5M of a cascade.
      plant_flush(rec, e, s, rng.uniform(2.6e6, 3.2e6), {18, 26}, {3, 6}, rng);
      // Absorption: $330–450K of $35–90K opposite trades (the detector needs $100K of >= $10K).
      const auto sizes = sizes_totalling(rng.uniform(330e3, 450e3), 35e3, 90e3, rng);
      plant_trades(rec, e.symbol, s, opposite(side), sizes, e.absorb_begin, e.absorb_end, 5, rng);
      break;
    }
    case scenario_shape::cascade: {
      plant_flush(rec, e, s, rng.uniform(6.5e6, 8e6), {22, 30}, {4, 8}, rng);
      break;
    }
    case scenario_shape::order_flow_run: {
      // A marker trade opens the run so that its start is an event; the lean does the rest.
      const std::array<double, 1> opening = {rng.uniform(60e3, 150e3)};
      plant_trades(rec, e.symbol, s, side, opening, e.start, e.start, 1, rng);
      break;
    }
    case scenario_shape::whale: {
      std::vector<double> sizes(static_cast<std::size_t>(rng.integer(4, 5)));
      for (auto& size : sizes) size = rng.uniform(300e3, 950e3);
      // Each whale arrives on its own, minutes apart: no batching.
      plant_trades(rec, e.symbol, s, Side::buy, sizes, e.start, e.main_end, 1, rng);
      break;
    }
    case scenario_shape::funding_extreme:
    case scenario_shape::oi_divergence:
      break;  // written with the snapshots
  }
}

// ---------------------------------------------------------------------------------------------
// The background market of one symbol.

// A quiet random walk (about 0.05 % per 5 minutes), pulled gently back to its start so that a
// long recording stays plausible, plus the scenarios' moves and the whales' pins.
void simulate_mid(market_symbol& s, std::span<const episode* const> episodes, TimeMs duration,
                  random_source& rng) {
  constexpr double volatility_per_second = 3e-5;
  constexpr double reversion_per_second = 1.0 / 3600;
  const auto seconds = static_cast<std::size_t>(duration / second_ms) + 2;
  std::vector<double> walk(seconds);
  walk[0] = s.initial_price;
  for (std::size_t i = 1; i < seconds; ++i) {
    const double previous = walk[i - 1];
    walk[i] = previous * (1 + volatility_per_second * rng.normal()) +
              reversion_per_second * (s.initial_price - previous);
  }
  s.mid.resize(seconds);
  for (std::size_t i = 0; i < seconds; ++i) {
    double offset = 0;
    for (const auto* e : episodes) offset += price_offset(*e, static_cast<TimeMs>(i) * second_ms);
    s.mid[i] = walk[i] * (1 + offset);
  }
  for (const auto* e : episodes) {
    if (e->kind->shape != scenario_shape::whale) continue;
    // Held within ±0.03 % of where it was, then eased back into the walk.
    const auto first = static_cast<std::size_t>(e->begin / second_ms);
    const auto last = static_cast<std::size_t>(pin_end_of(*e) / second_ms) + 1;
    const auto released = std::min(static_cast<std::size_t>(e->end / second_ms), seconds - 1);
    const double pinned = s.mid[first];
    double wobble = 0;
    for (std::size_t i = first; i <= last && i < seconds; ++i) {
      wobble = 0.8 * wobble + 0.2 * rng.uniform(-1, 1);
      s.mid[i] = pinned * (1 + 0.0003 * wobble);
    }
    const double pinned_end = s.mid[std::min(last, seconds - 1)];
    for (std::size_t i = last + 1; i <= released; ++i) {
      const double weight =
          static_cast<double>(released - i) / static_cast<double>(released - last);
      s.mid[i] = weight * pinned_end + (1 - weight) * s.mid[i];
    }
  }
}

flow_bias bias_at(std::span<const episode* const> episodes, TimeMs t) {
  for (const auto* e : episodes) {
    if (t >= e->start && t <= e->end) return bias_at(*e, t);
  }
  return {};
}

// Mostly $10–60K (the trades channel's floor is $10K), now and then up to $150K — never near
// a whale's $250K, even when a run makes one side 1.5x heavier.
double background_trade_usd(random_source& rng) {
  if (rng.chance(0.06)) return rng.uniform(60e3, 150e3);
  return trade_channel_min_usd + 50e3 * rng.uniform();
}

// 1–5 trades arrive together; about 2.2 per burst.
std::size_t burst_size(random_source& rng) {
  const double u = rng.uniform();
  if (u < 0.40) return 1;
  if (u < 0.65) return 2;
  if (u < 0.80) return 3;
  if (u < 0.92) return 4;
  return 5;
}

// About 2.2 trades a second and a small liquidation every ~25 s, on every symbol.
void plant_background(recording& rec, int symbol, const market_symbol& s,
                      std::span<const episode* const> episodes, TimeMs duration,
                      random_source& rng) {
  constexpr TimeMs tick = 100;
  constexpr double bursts_per_tick = 0.1;
  constexpr double liquidations_per_second = 1.0 / 25;
  for (TimeMs t0 = 0; t0 < duration; t0 += tick) {
    const auto bias = bias_at(episodes, t0);
    if (rng.chance(bursts_per_tick * bias.intensity)) {
      const auto count = burst_size(rng);
      const auto batch = rec.new_batch();
      TimeMs t = t0 + rng.integer(0, 60);
      for (std::size_t k = 0; k < count && t <= duration; ++k) {
        const auto lean = bias_at(episodes, t);
        const Side side = rng.chance(lean.buy_probability) ? Side::buy : Side::sell;
        const double usd =
            background_trade_usd(rng) * (side == Side::buy ? lean.buy_size : lean.sell_size);
        rec.add_event(line_kind::trade, symbol, binance, side,
                      price_beyond_mid(s, t, side, 0.0001, rng), usd, t, batch);
        t += rng.integer(0, 8);
      }
    }
    if (t0 % second_ms == 0 && rng.chance(liquidations_per_second)) {
      const TimeMs t = t0 + rng.integer(0, 999);
      if (t > duration) continue;
      const Side side = rng.chance(0.5) ? Side::buy : Side::sell;
      const int exchange = static_cast<int>(rng.integer(0, 2));
      const double u = rng.uniform();
      rec.add_event(line_kind::liquidation, symbol, exchange, side,
                    price_beyond_mid(s, t, side, 0.001, rng), 1'000 + 39'000 * u * u, t,
                    rec.new_batch());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Funding and open-interest snapshots, one of each a minute, as the REST pollers record them.

constexpr std::array<std::string_view, OpenInterest::horizon_count> horizon_names = {
    "5m", "15m", "30m", "1h", "4h", "24h"};
// Normal changes stay within these (the 1 h one within ±1 %, so no 3 % spread appears).
constexpr std::array<double, OpenInterest::horizon_count> normal_change_bound = {0.3, 0.5, 0.7,
                                                                                 0.9, 2.5, 6.0};
// A divergence: Binance's open interest climbs while OKX's falls.
constexpr std::array<double, OpenInterest::horizon_count> binance_divergence = {0.6, 1.6, 2.6,
                                                                                4.0, 5.2, 6.5};
constexpr std::array<double, OpenInterest::horizon_count> okx_divergence = {-0.5, -1.2, -2.0,
                                                                            -3.0, -3.8, -4.5};

struct coin_on_exchange {
  double funding_8h_pct = 0.01;
  int funding_interval_h = 8;
  double open_interest_usd = 0;
  std::array<double, OpenInterest::horizon_count> change_pct{};
};

class snapshot_market {
 public:
  snapshot_market(std::span<const std::string> bases, random_source& rng)
      : bases_(bases.begin(), bases.end()), rng_(rng) {
    // Binance / Bybit / OKX open interest for BTC; other coins are smaller, but every venue
    // keeps at least $1B so a divergence always involves real size.
    constexpr std::array<double, 3> btc_open_interest = {12e9, 7e9, 5e9};
    for (const auto& base : bases_) {
      const double scale = base == "BTC" ? 1.0 : base == "ETH" ? 0.45 : base == "SOL" ? 0.22 : 0.1;
      auto& coin = coins_.emplace_back();
      for (int x = 0; x < 3; ++x) {
        auto& c = coin[x];
        c.funding_8h_pct = rng_.uniform(-0.005, 0.015);
        // Some alts fund every 4 h: readers must normalise to 8 h.
        c.funding_interval_h = (scale < 0.45 && x == 1) ? 4 : 8;
        c.open_interest_usd = std::max(btc_open_interest[x] * scale * rng_.uniform(0.9, 1.1),
                                       rng_.uniform(1.05e9, 1.3e9));
        for (int h = 0; h < OpenInterest::horizon_count; ++h) {
          c.change_pct[h] = rng_.uniform(-0.5, 0.5) * normal_change_bound[h];
        }
      }
    }
  }

  // A minute passes: funding drifts around +0.008 %, open interest wanders a little.
  void advance() {
    for (auto& coin : coins_) {
      for (auto& c : coin) {
        c.funding_8h_pct += 0.0015 * rng_.normal() + 0.1 * (0.008 - c.funding_8h_pct);
        c.funding_8h_pct = std::clamp(c.funding_8h_pct, -0.03, 0.04);
        c.open_interest_usd = std::max(c.open_interest_usd * (1 + 0.0004 * rng_.normal()), 1.05e9);
        for (int h = 0; h < OpenInterest::horizon_count; ++h) {
          const double bound = normal_change_bound[h];
          c.change_pct[h] =
              std::clamp(c.change_pct[h] + 0.1 * bound * rng_.normal(), -bound, bound);
        }
      }
    }
  }

  // `extreme[b]`: base b's funding is extreme in this snapshot.
  std::string funding_line(TimeMs time, const std::vector<bool>& extreme) {
    std::string out = fmt::format("{{\"channel\":\"funding_rates\",\"time\":{},\"data\":[", time);
    for (std::size_t b = 0; b < bases_.size(); ++b) {
      if (b > 0) out += ',';
      fmt::format_to(std::back_inserter(out), "{{\"symbol\":\"{}\",\"stablecoin_margin_list\":[",
                     bases_[b]);
      for (int x = 0; x < 3; ++x) {
        const auto& c = coins_[b][x];
        // An extreme is +0.15–0.3 % per 8 h on every venue (> 0.1 % however it's normalised).
        const double rate_8h = extreme[b] ? rng_.uniform(0.15, 0.3) : c.funding_8h_pct;
        const TimeMs period = c.funding_interval_h * 60 * minute_ms;
        if (x > 0) out += ',';
        fmt::format_to(std::back_inserter(out),
                       "{{\"exchange\":\"{}\",\"funding_rate_interval\":{},\"funding_rate\":",
                       exchange_names[x], c.funding_interval_h);
        append_decimal(out, rate_8h * c.funding_interval_h / 8.0, 6);
        fmt::format_to(std::back_inserter(out), ",\"next_funding_time\":{}}}",
                       (time / period + 1) * period);
      }
      out += "],\"token_margin_list\":[]}";
    }
    out += "]}";
    return out;
  }

  std::string open_interest_line(std::size_t b, TimeMs time, bool diverging) {
    auto venues = coins_[b];
    if (diverging) {
      venues[binance].change_pct = binance_divergence;
      venues[binance].change_pct[OpenInterest::h1] += rng_.uniform(0, 0.5);
      venues[okx].change_pct = okx_divergence;
      venues[okx].change_pct[OpenInterest::h1] -= rng_.uniform(0, 0.5);
    }
    coin_on_exchange all;  // "All": the sum, changes weighted by each venue's size
    for (const auto& c : venues) all.open_interest_usd += c.open_interest_usd;
    for (int h = 0; h < OpenInterest::horizon_count; ++h) {
      for (const auto& c : venues) {
        all.change_pct[h] += c.change_pct[h] * c.open_interest_usd / all.open_interest_usd;
      }
    }
    std::string out = fmt::format("{{\"channel\":\"open_interest\",\"time\":{},\"data\":[", time);
    append_open_interest(out, "All", bases_[b], all);
    for (int x = 0; x < 3; ++x) {
      out += ',';
      append_open_interest(out, exchange_names[x], bases_[b], venues[x]);
    }
    out += "]}";
    return out;
  }

 private:
  static void append_open_interest(std::string& out, std::string_view exchange,
                                   std::string_view base, const coin_on_exchange& c) {
    fmt::format_to(std::back_inserter(out),
                   "{{\"exchange\":\"{}\",\"symbol\":\"{}\",\"open_interest_usd\":", exchange,
                   base);
    append_decimal(out, c.open_interest_usd, 2);
    for (int h = 0; h < OpenInterest::horizon_count; ++h) {
      fmt::format_to(std::back_inserter(out),
                     ",\"open_interest_change_percent_{}\":", horizon_names[h]);
      append_decimal(out, c.change_pct[h], 2);
    }
    out += '}';
  }

  std::vector<std::string> bases_;
  random_source& rng_;
  std::vector<std::array<coin_on_exchange, 3>> coins_;
};

void plant_snapshots(recording& rec, const MarketGeneratorOptions& options, TimeMs duration,
                     std::span<const std::string> bases, std::span<const market_symbol> symbols,
                     std::span<const episode> episodes) {
  if (bases.empty()) return;
  random_source rng(options.seed, stream::snapshots);
  snapshot_market market(bases, rng);
  for (TimeMs t = 0; t <= duration; t += minute_ms) {
    if (t > 0) market.advance();
    std::vector<bool> extreme(bases.size(), false);
    std::vector<bool> diverging(bases.size(), false);
    for (const auto& e : episodes) {
      const auto base = static_cast<std::size_t>(symbols[e.symbol].base_index);
      if (e.kind->shape == scenario_shape::funding_extreme && t >= e.start && t < e.end) {
        extreme[base] = true;
      }
      if (e.kind->shape == scenario_shape::oi_divergence && t == e.start) diverging[base] = true;
    }
    const TimeMs time = options.start_time + t;
    rec.add_text(t, market.funding_line(time, extreme));
    for (std::size_t b = 0; b < bases.size(); ++b) {
      rec.add_text(t, market.open_interest_line(b, time, diverging[b]));
    }
  }
}

// The answers to our 20-second pings, as a live recording has them.
void plant_pongs(recording& rec, TimeMs duration) {
  constexpr TimeMs ping_interval = 20 * second_ms;
  for (TimeMs t = ping_interval; t <= duration; t += ping_interval) rec.add_text(t, "pong");
}

TimeMs recording_length(double duration_s) {
  if (!(duration_s > 0)) return 0;  // also NaN
  return static_cast<TimeMs>(std::llround(duration_s * 1000));
}

}  // namespace

std::vector<PlantedScenario> generate_market(const MarketGeneratorOptions& options,
                                             std::ostream& out) {
  const TimeMs duration = recording_length(options.duration_s);
  std::vector<std::string> bases;
  auto symbols = make_symbols(options, bases);
  const auto episodes = plan_episodes(options, duration, static_cast<int>(symbols.size()));

  recording rec;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    std::vector<const episode*> own;
    for (const auto& e : episodes) {
      if (e.symbol == static_cast<int>(i)) own.push_back(&e);
    }
    random_source walk_rng(options.seed, stream::walk + i);
    simulate_mid(symbols[i], own, duration, walk_rng);
    random_source flow_rng(options.seed, stream::flow + i);
    plant_background(rec, static_cast<int>(i), symbols[i], own, duration, flow_rng);
  }
  for (std::size_t k = 0; k < episodes.size(); ++k) {
    random_source rng(options.seed, stream::scenario + k);
    plant_scenario(rec, episodes[k], symbols[episodes[k].symbol], rng);
  }
  if (options.snapshots) plant_snapshots(rec, options, duration, bases, symbols, episodes);
  plant_pongs(rec, duration);
  random_source framing(options.seed, stream::framing);
  rec.write(out, options.start_time, symbols, framing);

  std::vector<PlantedScenario> planted;
  for (const auto& e : episodes) {
    planted.push_back(
        {std::string(e.kind->name), symbols[e.symbol].name, options.start_time + e.start});
  }
  std::stable_sort(planted.begin(), planted.end(),
                   [](const auto& a, const auto& b) { return a.start < b.start; });
  return planted;
}

}  // namespace teleglas
