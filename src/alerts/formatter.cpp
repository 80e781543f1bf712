#include "teleglas/alerts/formatter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "teleglas/core/text.hpp"  // format_duration
#include "teleglas/signals/win_rate.hpp"  // track_record_line

// All number text goes through fmt without the `L` flag, which never consults std::locale, so a
// message is the same bytes on every machine.

namespace teleglas {

namespace {

// ---- numbers ------------------------------------------------------------------------------

// "+0.1532" / "-2.30" / "0.00"
std::string signed_fixed(double value, int decimals) {
  std::string text = format_fixed(value, decimals);
  if (text.front() != '-' && text.find_first_not_of("0.") != std::string::npos) {
    text.insert(0, 1, '+');
  }
  return text;
}

std::string percent_of_share(double share) {
  return format_fixed(share * 100.0, 1) + "%";
}

// Integral values as integers, anything else with six significant digits.
std::string generic_number(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e15) {
    return format_fixed(value, 0);
  }
  return fmt::format("{:.6g}", value);
}

// ---- UTF-8 and UTF-16 ---------------------------------------------------------------------

// Length of the sequence a lead byte announces; 0 for a byte that cannot start one.
std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Length of the valid UTF-8 sequence at text[i], or 0 (overlong, surrogate, > U+10FFFF, cut).
std::size_t valid_sequence_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const std::size_t length = utf8_sequence_length(byte(0));
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  if (length == 3 && byte(0) == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
  if (length == 3 && byte(0) == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
  if (length == 4 && byte(0) == 0xF0 && byte(1) < 0x90) return 0;   // overlong
  if (length == 4 && byte(0) == 0xF4 && byte(1) >= 0x90) return 0;  // beyond U+10FFFF
  return length;
}

// Telegram rejects a whole message over one bad byte; replacing it keeps the alert.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = valid_sequence_at(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

// Code points beyond the BMP take two UTF-16 code units (a surrogate pair); all others one.
std::size_t utf16_units_of_sequence(std::size_t utf8_length) {
  return utf8_length == 4 ? 2 : 1;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t length = std::max<std::size_t>(1, utf8_sequence_length(utf8[i]));
    units += utf16_units_of_sequence(length);
    i += length;
  }
  return units;
}

// ---- truncation -----------------------------------------------------------------------------

constexpr std::string_view ellipsis = "\u2026";  // one UTF-16 unit

std::string_view tag_name(std::string_view tag) {  // "<a href=..>" -> "a", "</b>" -> "b"
  std::size_t begin = tag.size() > 1 && tag[1] == '/' ? 2 : 1;
  const std::size_t end = tag.find_first_of(" \t\n/>", begin);
  return tag.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
}

std::string closing_tags(const std::vector<std::string_view>& open_tags) {
  std::string out;
  for (auto it = open_tags.rbegin(); it != open_tags.rend(); ++it) {
    out += "</";
    out += *it;
    out += '>';
  }
  return out;
}

// Cuts HTML to at most `limit` UTF-16 units, ending in "…". It cuts only between tokens (a tag,
// an entity, a whole UTF-8 sequence), closes the tags left open, and prefers ending at a line
// break when that keeps at least half the budget.
std::string truncate_html(std::string_view html, std::size_t limit) {
  if (utf16_length(html) <= limit) return std::string(html);
  std::vector<std::string_view> open_tags;
  std::size_t units = 0;
  std::size_t token_cut = 0;
  std::string token_cut_closers;
  std::size_t line_cut = std::string_view::npos;
  std::size_t line_cut_units = 0;
  for (std::size_t i = 0; i < html.size() && units <= limit;) {
    const std::string closers = closing_tags(open_tags);
    if (units + closers.size() + 1 <= limit) {
      token_cut = i;
      token_cut_closers = closers;
    }
    if (html[i] == '\n' && open_tags.empty() && units + 2 <= limit) {
      line_cut = i;
      line_cut_units = units;
    }
    std::size_t end = i + 1;
    std::size_t token_units = 1;
    if (html[i] == '<') {
      const std::size_t close = html.find('>', i);
      end = close == std::string_view::npos ? html.size() : close + 1;
      token_units = end - i;
      const std::string_view tag = html.substr(i, end - i);
      if (tag.size() > 1 && tag[1] == '/') {
        if (!open_tags.empty()) open_tags.pop_back();
      } else if (!tag.ends_with("/>")) {
        open_tags.push_back(tag_name(tag));
      }
    } else if (html[i] == '&') {
      const std::size_t semicolon = html.find(';', i);
      if (semicolon != std::string_view::npos && semicolon - i <= 8) end = semicolon + 1;
      token_units = end - i;
    } else {
      const std::size_t length = std::max<std::size_t>(1, utf8_sequence_length(html[i]));
      end = std::min(html.size(), i + length);
      token_units = utf16_units_of_sequence(length);
    }
    units += token_units;
    i = end;
  }
  if (line_cut != std::string_view::npos && line_cut_units >= limit / 2) {
    std::string_view kept = html.substr(0, line_cut);
    while (kept.ends_with('\n')) kept.remove_suffix(1);
    return std::string(kept) + "\n" + std::string(ellipsis);
  }
  return std::string(html.substr(0, token_cut)) + token_cut_closers + std::string(ellipsis);
}

// Our markup only ever escapes <, > and &; &quot; is decoded too in case a detail carries it.
std::string html_to_plain(std::string_view html) {
  static constexpr std::array<std::pair<std::string_view, char>, 4> entities = {
      {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}}};
  std::string out;
  out.reserve(html.size());
  for (std::size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      const std::size_t close = html.find('>', i);
      i = close == std::string_view::npos ? html.size() : close + 1;
      continue;
    }
    if (html[i] == '&') {
      const auto it = std::find_if(entities.begin(), entities.end(), [&](const auto& entity) {
        return html.substr(i).starts_with(entity.first);
      });
      if (it != entities.end()) {
        out += it->second;
        i += it->first.size();
        continue;
      }
    }
    out += html[i++];
  }
  return out;
}

// ---- wording --------------------------------------------------------------------------------

// Every dynamic string reaches the message through here.
std::string text(std::string_view dynamic) {
  return html_escape(valid_utf8(dynamic));
}

std::string bold(std::string_view html) {
  return fmt::format("<b>{}</b>", html);
}

std::string_view priority_badge(Priority priority) {
  switch (priority) {
    case Priority::urgent:
      return "\U0001F6A8";  // 🚨
    case Priority::watch:
      return "\u26A0\uFE0F";  // ⚠️
    case Priority::info:
      return "\u2139\uFE0F";  // ℹ️
    case Priority::none:
      return "\U0001F514";  // 🔔
  }
  return "\U0001F514";
}

std::string_view priority_word(Priority priority) {
  return priority == Priority::none ? "SIGNAL" : to_string(priority);
}

std::string_view direction_marker(Direction direction) {
  switch (direction) {
    case Direction::bullish:
      return "\U0001F7E2";  // 🟢
    case Direction::bearish:
      return "\U0001F534";  // 🔴
    case Direction::neutral:
      return "\u26AA";  // ⚪
  }
  return "\u26AA";
}

std::string setup_phrase(Direction direction) {
  if (direction == Direction::neutral) return "no directional setup";
  return fmt::format("a {} setup", to_string(direction));
}

std::string_view stop_side(Direction direction) {
  return direction == Direction::bullish ? "below" : "above";
}

// "over the last 5 min" when the signal looked at a window of time, else "".
std::string over_window(const Signal& signal) {
  const TimeMs window = signal.time - signal.window_start;
  return window >= 1000 ? " over the last " + format_duration(window) : "";
}

// The market logic of the signal in one sentence (DESIGN.md §2).
std::string market_logic(const Signal& signal) {
  const Direction d = signal.direction;
  const bool up = d == Direction::bullish;
  const std::string volume = format_usd(signal.volume_usd);
  const std::string share = percent_of_share(signal.dominant_share);
  switch (signal.type) {
    case SignalType::stop_hunt:
      if (d == Direction::neutral) {
        return fmt::format("Liquidations of {} met {} of large opposite trades — {}.", volume,
                           format_usd(signal.absorption_usd), setup_phrase(d));
      }
      // Long liquidations are forced sells, absorbed by large buys; shorts the mirror image.
      return fmt::format("{} ({} forced {}) and large {} absorbed {} — {}, stop {} the hunt zone.",
                         up ? "Longs were flushed" : "Shorts were squeezed", volume,
                         up ? "selling" : "buying", up ? "buyers" : "sellers",
                         format_usd(signal.absorption_usd), setup_phrase(d), stop_side(d));
    case SignalType::accumulation:
    case SignalType::distribution:
      if (d == Direction::neutral) return "Order flow was one-sided — " + setup_phrase(d) + ".";
      return fmt::format(
          "{} dominated the order flow{}: {} of aggressive {}, {} of the volume — {}.",
          up ? "Buyers" : "Sellers", over_window(signal), volume, up ? "buying" : "selling", share,
          setup_phrase(d));
    case SignalType::liquidation_cascade:
      if (d == Direction::neutral) {
        return fmt::format("Liquidations are cascading ({}) — {}.", volume, setup_phrase(d));
      }
      // A flush of longs (forced sells) can exhaust the sellers: watch for the bounce. No
      // absorption yet; a stop hunt is the confirmed form.
      return fmt::format(
          "{} are being liquidated in a cascade ({} forced {}) — a potential reversal: watch "
          "for {}, stop {} the cascade zone. Not yet absorbed; a stop hunt would confirm it.",
          up ? "Longs" : "Shorts", volume, up ? "selling" : "buying", setup_phrase(d),
          stop_side(d));
    case SignalType::whale_accumulation: {
      const auto range = metric_of(signal, "price_range_pct");
      const std::string held =
          range ? "within a " + format_fixed(*range, 2) + "% range" : "in a tight range";
      return fmt::format(
          "Whales {} {} in large trades{} while price held {} — quiet {}, {}.",
          up || d == Direction::neutral ? "bought" : "sold", volume, over_window(signal), held,
          up || d == Direction::neutral ? "accumulation" : "distribution", setup_phrase(d));
    }
    case SignalType::funding_extreme: {
      const auto rate = metric_of(signal, "funding_rate_8h_pct");
      const std::string level = rate ? " at " + signed_fixed(*rate, 4) + "% per 8 h" : "";
      if (d == Direction::neutral)
        return "Funding is extreme" + level + " — " + setup_phrase(d) + ".";
      // Positive funding: longs pay shorts, the crowd is long, the contrarian trade is SHORT.
      return fmt::format(
          "Funding is extreme{}: {} are crowded and paying {} — a contrarian {} setup.", level,
          up ? "shorts" : "longs", up ? "longs" : "shorts", to_string(d));
    }
    case SignalType::oi_divergence: {
      const auto rising = metric_of(signal, "max_change_pct");
      const auto falling = metric_of(signal, "min_change_pct");
      const std::string changes =
          rising && falling ? fmt::format(": {}% on one, {}% on another", signed_fixed(*rising, 2),
                                          signed_fixed(*falling, 2))
                            : "";
      return fmt::format(
          "Open interest is moving in opposite directions across exchanges{} — positioning "
          "disagrees, expect volatility; {}.",
          changes, setup_phrase(d));
    }
  }
  return setup_phrase(d) + ".";
}

// ---- metrics --------------------------------------------------------------------------------

enum class MetricStyle { count, ratio_percent, percent, signed_percent, usd, seconds };

struct KnownMetric {
  std::string_view name;
  std::string_view label;
  MetricStyle style;
  int decimals;
};

// The names the analyzers emit; anything else is shown as "name: value".
constexpr std::array<KnownMetric, 17> known_metrics = {{
    {"liquidations", "Liquidation orders", MetricStyle::count, 0},
    {"absorbing_trades", "Absorbing trades", MetricStyle::count, 0},
    {"absorption_delay_s", "Absorbed after", MetricStyle::seconds, 1},
    {"duration_s", "Duration", MetricStyle::seconds, 1},
    {"buy_ratio", "Buy ratio", MetricStyle::ratio_percent, 1},
    {"large_trades", "Large trades", MetricStyle::count, 0},
    {"trades", "Trades", MetricStyle::count, 0},
    {"buy_usd", "Buy volume", MetricStyle::usd, 0},
    {"sell_usd", "Sell volume", MetricStyle::usd, 0},
    {"whale_trades", "Whale trades", MetricStyle::count, 0},
    {"price_range_pct", "Price range", MetricStyle::percent, 2},
    {"funding_rate_8h_pct", "Funding (8 h)", MetricStyle::signed_percent, 4},
    {"threshold_pct", "Extreme threshold", MetricStyle::percent, 4},
    {"exchanges", "Exchanges", MetricStyle::count, 0},
    {"oi_spread_pct", "OI spread", MetricStyle::percent, 2},
    {"max_change_pct", "Largest OI change", MetricStyle::signed_percent, 2},
    {"min_change_pct", "Smallest OI change", MetricStyle::signed_percent, 2},
}};

const KnownMetric* find_known_metric(std::string_view name) {
  for (const KnownMetric& known : known_metrics) {
    if (known.name == name) return &known;
  }
  return nullptr;
}

std::string metric_value_text(const KnownMetric& known, double value) {
  switch (known.style) {
    case MetricStyle::count:
      return generic_number(value);
    case MetricStyle::ratio_percent:
      return format_fixed(value * 100.0, known.decimals) + "%";
    case MetricStyle::percent:
      return format_fixed(value, known.decimals) + "%";
    case MetricStyle::signed_percent:
      return signed_fixed(value, known.decimals) + "%";
    case MetricStyle::usd:
      return format_usd(value);
    case MetricStyle::seconds:
      return format_fixed(value, known.decimals) + " s";
  }
  return generic_number(value);
}

std::string metric_line(const Metric& m) {
  if (const KnownMetric* known = find_known_metric(m.name)) {
    return fmt::format("{}: {}", known->label, metric_value_text(*known, m.value));
  }
  return fmt::format("{}: {}", text(m.name), generic_number(m.value));
}

// ---- sections -------------------------------------------------------------------------------

// What the dominant share is a share of, e.g. "longs" for a stop hunt that flushed longs.
std::string volume_line(const Signal& signal) {
  const bool up = signal.direction == Direction::bullish;
  std::string label = "Volume";
  std::string share_of = "dominant side";
  switch (signal.type) {
    case SignalType::stop_hunt:
    case SignalType::liquidation_cascade:
      // Both are reversal setups: a LONG follows a flush of longs.
      label = "Liquidated";
      share_of = up ? "longs" : "shorts";
      break;
    case SignalType::accumulation:
    case SignalType::distribution:
      label = up ? "Aggressive buys" : "Aggressive sells";
      share_of = "of the flow";
      break;
    case SignalType::whale_accumulation:
      label = up ? "Whale buys" : "Whale trades";
      share_of = "of large trades";
      break;
    default:
      break;
  }
  std::string line = fmt::format("{}: {}", label, bold(format_usd(signal.volume_usd)));
  if (signal.dominant_share > 0) {
    line += fmt::format(" ({} {})", percent_of_share(signal.dominant_share), share_of);
  }
  return line;
}

std::vector<std::string> what_happened(const Signal& signal) {
  std::vector<std::string> lines;
  if (signal.volume_usd != 0) lines.push_back(volume_line(signal));
  if (signal.zone_low != 0 || signal.zone_high != 0) {
    lines.push_back(fmt::format("{}: {} – {}", zone_in_words(signal.type),
                                format_price(signal.zone_low), format_price(signal.zone_high)));
  }
  if (signal.type == SignalType::stop_hunt || signal.absorption_usd != 0) {
    const std::string_view by = signal.direction == Direction::bearish ? "sells" : "buys";
    lines.push_back(fmt::format("Absorbed: {} by large {}", format_usd(signal.absorption_usd), by));
  }
  for (const Metric& m : signal.metrics) lines.push_back(metric_line(m));
  return lines;
}

std::vector<std::string> setup_lines(const Setup& setup, std::string_view venue) {
  const double risk = std::fabs(setup.entry - setup.stop);
  const double reward = std::fabs(setup.target - setup.entry);
  std::string stop = fmt::format("Stop: <code>{}</code>", format_price(setup.stop));
  if (setup.entry != 0)
    stop += fmt::format(" (risk {}%)", format_fixed(risk / std::fabs(setup.entry) * 100, 2));
  std::vector<std::string> lines = {
      fmt::format("Entry: <code>{}</code>{}", format_price(setup.entry),
                  venue.empty() ? std::string() : " (" + text(venue) + " price)"),
      stop,
      fmt::format("Target: <code>{}</code>", format_price(setup.target)),
  };
  if (risk > 0)
    lines.push_back(fmt::format("Reward : risk = 1 : {}", format_fixed(reward / risk, 1)));
  return lines;
}

std::vector<std::string> confidence_lines(const Signal& signal) {
  std::vector<std::string> lines;
  int total = 0;
  for (const ScoreFactor& f : signal.factors) {
    total += f.points;
    std::string line = f.name == "base" ? fmt::format("base {}", f.points)
                                        : fmt::format("{:+} {}", f.points, text(f.name));
    if (!f.detail.empty()) line += fmt::format(" ({})", text(f.detail));
    lines.push_back(std::move(line));
  }
  if (!signal.factors.empty() && total > signal.confidence) {
    lines.push_back(fmt::format("= {}, capped at {}", total, signal.confidence));
  }
  return lines;
}

void append_section(std::string& out, std::string_view heading,
                    const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  out += "\n\n";
  out += heading;
  for (const std::string& line : lines) {
    out += '\n';
    out += line;
  }
}

// "Liquidations by venue: Binance 62% · OKX 25% · Bybit 13%" (at most five, then "others").
std::string venue_breakdown(const Signal& signal) {
  double total = 0;
  for (const VenueShare& v : signal.venues) total += v.usd;
  if (total <= 0) return {};
  std::string line =
      signal.type == SignalType::stop_hunt || signal.type == SignalType::liquidation_cascade
          ? "Liquidations by venue: "
          : "Volume by venue: ";
  double shown = 0;
  for (std::size_t i = 0; i < signal.venues.size() && i < 5; ++i) {
    if (i > 0) line += " · ";
    line += text(signal.venues[i].exchange) + " " +
            format_fixed(signal.venues[i].usd / total * 100.0, 0) + "%";
    shown += signal.venues[i].usd;
  }
  if (signal.venues.size() > 5)
    line += " · others " + format_fixed((total - shown) / total * 100.0, 0) + "%";
  return line;
}

// The whole message, uncapped; the HTML and plain forms are both cut from it.
std::string render_html(const Signal& signal) {
  const std::string exchange = signal.exchange.empty() ? "all exchanges" : text(signal.exchange);
  std::string out = fmt::format(
      "{} {}\n{} · {} · {} {} · {}/100\n\U0001F552 {}", priority_badge(signal.priority),
      bold(fmt::format("{} · {}", priority_word(signal.priority), in_words(signal.type))),
      bold(text(signal.symbol)), exchange, direction_marker(signal.direction),
      bold(to_string(signal.direction)), signal.confidence, format_utc(signal.time));
  if (signal.time - signal.window_start >= 1000) {
    out += " · window " + format_duration(signal.time - signal.window_start);
  }
  out += "\n\n" + market_logic(signal);
  if (signal.degraded_gap_ms > 0) {
    // The stream was down during the window: the numbers above may be incomplete.
    out += "\n\n\u26A0\uFE0F <b>Degraded:</b> the feed was down for " +
           format_duration(signal.degraded_gap_ms) + " inside this window; some data is missing.";
  }
  if (!signal.venues.empty()) out += "\n" + venue_breakdown(signal);
  if (signal.setup) {
    append_section(out, "\U0001F3AF <b>Setup</b>", setup_lines(*signal.setup, signal.exchange));
  } else if (!signal.setup_missing.empty()) {
    out += "\n\n\U0001F3AF <b>No setup:</b> " + text(signal.setup_missing) + ".";
  }
  append_section(out, "\U0001F4CA <b>What happened</b>", what_happened(signal));
  append_section(out, fmt::format("\U0001F9EE <b>Confidence {}/100</b>", signal.confidence),
                 confidence_lines(signal));
  // Only types that are followed to an outcome have a record to show (those with a setup).
  if (signal.track_record && signal.direction != Direction::neutral &&
      (signal.setup || !signal.setup_missing.empty())) {
    out += "\n\U0001F4D2 " + text(track_record_line(signal.type, *signal.track_record));
  }
  return out;
}

}  // namespace

std::size_t telegram_visible_length(std::string_view html) {
  return utf16_length(html_to_plain(html));
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Milliseconds are dropped (floor), so 02:18:38.999 reads 02:18:38.
// The cap counts UTF-16 code units, as Telegram does, over the HTML source. Telegram measures
// the text after parsing entities, which is never longer than the source, so this is safe.
std::string format_telegram_html(const Signal& signal) {
  return truncate_html(render_html(signal), telegram_max_message_chars);
}

std::string format_plain_text(const Signal& signal) {
  return html_to_plain(render_html(signal));
}

}  // namespace teleglas
