#include "teleglas/charts/chart.hpp"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string_view>

#include "teleglas/core/money.hpp"
#include "teleglas/core/text.hpp"

namespace teleglas::charts {

namespace {

constexpr Rgb hex(unsigned value) {
  return {((value >> 16) & 0xFF) / 255.0, ((value >> 8) & 0xFF) / 255.0, (value & 0xFF) / 255.0};
}

// Outside these sizes the fonts and margins stop making sense (and memory stays bounded).
constexpr int min_side = 160;
constexpr int max_side = 4096;

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

enum class Align { left, center, right };

// Drawing with the chart's font and colours; sizes are given for an 800-pixel-wide chart and
// scaled to the actual width.
class Painter {
 public:
  Painter(cairo_t* cr, const ChartOptions& options, const Palette& colours)
      : cr_(cr), options_(options), colours_(colours), scale_(options.width / 800.0) {}

  double px(double size_at_800) const { return size_at_800 * scale_; }
  const Palette& colours() const { return colours_; }
  cairo_t* cr() const { return cr_; }

  void colour(Rgb c, double alpha = 1) const {
    cairo_set_source_rgba(cr_, c.red, c.green, c.blue, alpha);
  }

  void font(double size_at_800, bool bold) const {
    cairo_select_font_face(cr_, options_.font_family.c_str(), CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, px(size_at_800));
  }

  double width_of(std::string_view text, double size_at_800, bool bold) const {
    font(size_at_800, bold);
    const std::string owned(text);
    cairo_text_extents_t extents;
    cairo_text_extents(cr_, owned.c_str(), &extents);
    return extents.x_advance;
  }

  // Draws `text` with its middle at row y; returns its width.
  double text(std::string_view text, double x, double y, double size_at_800, bool bold, Rgb c,
              Align align = Align::left) const {
    const double width = width_of(text, size_at_800, bold);
    const double left = align == Align::left     ? x
                        : align == Align::center ? x - width / 2
                                                 : x - width;
    // DejaVu's capitals are 0.73 em tall: half of that below the middle is the baseline.
    cairo_move_to(cr_, left, y + px(size_at_800) * 0.365);
    colour(c);
    const std::string owned(text);
    cairo_show_text(cr_, owned.c_str());
    return width;
  }

  void rect(double x, double y, double width, double height, Rgb c, double alpha = 1) const {
    cairo_rectangle(cr_, x, y, width, height);
    colour(c, alpha);
    cairo_fill(cr_);
  }

  // A horizontal line of `width` pixels centred on row y, snapped so it stays crisp.
  void hline(double x0, double x1, double y, double width, Rgb c, double alpha = 1) const {
    const double snapped = std::lround(width) % 2 == 1 ? std::floor(y) + 0.5 : std::round(y);
    cairo_move_to(cr_, x0, snapped);
    cairo_line_to(cr_, x1, snapped);
    cairo_set_line_width(cr_, width);
    colour(c, alpha);
    cairo_stroke(cr_);
  }

  void vline(double x, double y0, double y1, double width, Rgb c, double alpha = 1) const {
    const double snapped = std::lround(width) % 2 == 1 ? std::floor(x) + 0.5 : std::round(x);
    cairo_move_to(cr_, snapped, y0);
    cairo_line_to(cr_, snapped, y1);
    cairo_set_line_width(cr_, width);
    colour(c, alpha);
    cairo_stroke(cr_);
  }

 private:
  cairo_t* cr_;
  const ChartOptions& options_;
  const Palette& colours_;
  double scale_;
};

// Font sizes at 800 pixels wide: big enough to read when a phone shows the picture at half size.
constexpr double title_size = 24;
constexpr double label_size = 17;
constexpr double small_size = 15;

TimeMs time_start_of(const ChartData& data) {
  return data.decided_at - std::max<TimeMs>(data.window_ms, 60'000);
}

// A little room right of the decision, so the last candle does not touch the frame.
TimeMs time_end_of(const ChartData& data) {
  return data.decided_at + std::max<TimeMs>(data.window_ms, 60'000) / 15;
}

bool has_zone(const ChartData& data) {
  return data.zone_low > 0 && data.zone_high > 0 && std::isfinite(data.zone_low) &&
         std::isfinite(data.zone_high);
}

bool shown(const AbsorbingTrade& t, TimeMs start, TimeMs end) {
  return t.time >= start && t.time <= end && std::isfinite(t.price);
}

bool visible(const ChartLayout& layout, TimeMs start, TimeMs end) {
  return end > layout.time_start && start < layout.time_end;
}

// Everything the price axis must show: the candles in view, the absorbing trades, the zone and
// the setup, even when the setup lies outside the traded range.
ValueRange price_range_of(const ChartData& data, TimeMs start, TimeMs end) {
  ExtentBuilder extent;
  for (const Candle& c : data.candles) {
    if (c.start + data.candle_ms <= start || c.start >= end) continue;
    extent.add(c.low);
    extent.add(c.high);
  }
  for (const AbsorbingTrade& t : data.absorbing_trades) {
    if (shown(t, start, end)) extent.add(t.price);
  }
  if (has_zone(data)) {
    extent.add(data.zone_low);
    extent.add(data.zone_high);
  }
  if (data.setup) {
    extent.add(data.setup->entry);
    extent.add(data.setup->stop);
    extent.add(data.setup->target);
  }
  return padded_price_range(extent.extent());
}

Rgb direction_colour(Direction d, const Palette& colours) {
  switch (d) {
    case Direction::bullish:
      return colours.up;
    case Direction::bearish:
      return colours.down;
    case Direction::neutral:
      return colours.text;
  }
  return colours.text;
}

// "14:32" from "2025-01-27 14:32:05 UTC".
std::string hours_minutes(TimeMs time) {
  const std::string utc = format_utc(time);
  return utc.size() >= 16 ? utc.substr(11, 5) : utc;
}

void draw_title(const Painter& p, const ChartData& data, double width, double middle_y) {
  const Palette& colours = p.colours();
  const std::string date = format_utc(data.decided_at);
  const std::string separator = "  ·  ";
  const std::string direction(to_string(data.direction));
  struct Part {
    std::string text;
    Rgb colour;
    bool bold;
  };
  std::vector<Part> parts = {{data.symbol, colours.text, true},
                             {separator, colours.muted_text, false},
                             {std::string(in_words(data.type)), colours.text, false},
                             {separator, colours.muted_text, false},
                             {direction, direction_colour(data.direction, colours), true}};
  if (!data.exchange.empty()) {
    parts.push_back({separator, colours.muted_text, false});
    parts.push_back({data.exchange, colours.muted_text, false});
  }
  const double left = p.px(12);
  const double date_width = p.width_of(date, small_size, false);
  // Shrink a long title (a long symbol or venue name) until it fits beside the date.
  double size = title_size;
  const auto total_width = [&](double s) {
    double sum = 0;
    for (const Part& part : parts) sum += p.width_of(part.text, s, part.bold);
    return sum;
  };
  const double room_with_date = width - 2 * left - date_width - p.px(16);
  while (size > small_size && total_width(size) > room_with_date) size -= 1;
  const bool show_date = total_width(size) <= room_with_date;
  double x = left;
  for (const Part& part : parts) x += p.text(part.text, x, middle_y, size, part.bold, part.colour);
  if (show_date) {
    p.text(date, width - left, middle_y, small_size, false, colours.muted_text, Align::right);
  }
}

// `taken_rows`: rows of the setup's price labels, which a tick label would collide with.
void draw_price_grid(const Painter& p, const ChartLayout& layout, double step,
                     const std::vector<double>& taken_rows) {
  const Palette& colours = p.colours();
  const int decimals = decimals_for_step(step);
  for (const double tick : ticks_within(layout.price_range, step)) {
    const double y = layout.y_of(tick);
    p.hline(layout.price_plot.x, layout.price_plot.right(), y, 1, colours.grid);
    const bool taken = std::any_of(taken_rows.begin(), taken_rows.end(), [&](double row) {
      return std::fabs(row - y) < p.px(label_size + 4);
    });
    if (taken) continue;
    p.text(format_grouped(tick, decimals), layout.price_plot.right() + p.px(8), y, label_size,
           false, colours.muted_text);
  }
}

void draw_time_grid(const Painter& p, const ChartLayout& layout, double labels_y) {
  const Palette& colours = p.colours();
  const TimeMs span = layout.time_end - layout.time_start;
  const int max_labels = std::max(2, static_cast<int>(layout.price_plot.width / p.px(95)));
  const TimeMs step = time_tick_step(span, max_labels);
  for (const TimeMs tick : time_ticks_within(layout.time_start, layout.time_end, step)) {
    const double x = layout.x_of(tick);
    p.vline(x, layout.price_plot.y, layout.price_plot.bottom(), 1, colours.grid);
    p.vline(x, layout.liquidation_plot.y, layout.liquidation_plot.bottom(), 1, colours.grid);
    const std::string label = step < 60'000 ? format_utc(tick).substr(11, 8) : hours_minutes(tick);
    // A label cut by the frame would read as another time: skip those at the edges.
    const double half = p.width_of(label, label_size, false) / 2;
    if (x - half < layout.price_plot.x || x + half > layout.price_plot.right()) continue;
    p.text(label, x, labels_y, label_size, false, colours.muted_text, Align::center);
  }
  p.text("UTC", layout.price_plot.right() + p.px(8), labels_y, label_size, false,
         colours.muted_text);
}

void draw_zone(const Painter& p, const ChartData& data, const ChartLayout& layout) {
  if (!has_zone(data)) return;
  const Palette& colours = p.colours();
  const double top = layout.y_of(std::max(data.zone_low, data.zone_high));
  const double bottom = layout.y_of(std::min(data.zone_low, data.zone_high));
  // A zone of one price still shows, as a band two pixels high.
  const double height = std::max(bottom - top, 2.0);
  const Rect& plot = layout.price_plot;
  p.rect(plot.x, top, plot.width, height, colours.zone, colours.zone_alpha);
  p.hline(plot.x, plot.right(), top, 1, colours.zone, 0.7);
  p.hline(plot.x, plot.right(), top + height, 1, colours.zone, 0.7);
  p.text(zone_in_words(data.type), plot.x + p.px(8), top + p.px(small_size) * 0.5 + p.px(4), small_size, true, colours.zone);
}

void draw_candles(const Painter& p, const ChartData& data, const ChartLayout& layout) {
  const Palette& colours = p.colours();
  const double bucket_width = layout.x_of(layout.time_start + data.candle_ms) - layout.price_plot.x;
  if (bucket_width >= 2.5) {
    const double body = std::max(1.0, std::floor(bucket_width * 0.7));
    for (const Candle& c : data.candles) {
      if (!visible(layout, c.start, c.start + data.candle_ms)) continue;
      const Rgb colour = c.close >= c.open ? colours.up : colours.down;
      const double centre = layout.x_of(c.start) + bucket_width / 2;
      p.vline(centre, layout.y_of(c.high), layout.y_of(c.low), 1, colour);
      // Whole pixels: a flat candle is then one crisp row, not two faint ones.
      const double top = std::floor(layout.y_of(std::max(c.open, c.close)));
      const double bottom = std::ceil(layout.y_of(std::min(c.open, c.close)));
      p.rect(std::round(centre - body / 2), top, body, std::max(bottom - top, 1.0), colour);
    }
    return;
  }
  // Too narrow for candles: the closes as a line, broken where buckets are missing.
  cairo_t* cr = p.cr();
  const Candle* previous = nullptr;
  for (const Candle& c : data.candles) {
    const double x = layout.x_of(c.start) + bucket_width / 2;
    const double y = layout.y_of(c.close);
    if (previous && c.start - previous->start <= 2 * data.candle_ms) {
      cairo_line_to(cr, x, y);
    } else {
      cairo_move_to(cr, x, y);
    }
    previous = &c;
  }
  cairo_set_line_width(cr, p.px(2));
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  p.colour(colours.text);
  cairo_stroke(cr);
}

// Which trades absorbed the flow: buys absorb flushed longs (a long setup), sells absorb
// squeezed shorts (a short setup).
std::string_view absorbing_legend(Direction d) {
  switch (d) {
    case Direction::bullish:
      return "● absorbing buys";
    case Direction::bearish:
      return "● absorbing sells";
    case Direction::neutral:
      return "● absorbing trades";
  }
  return "● absorbing trades";
}

bool any_absorbing_trade_shown(const ChartData& data, TimeMs start, TimeMs end) {
  return std::any_of(data.absorbing_trades.begin(), data.absorbing_trades.end(),
                     [&](const AbsorbingTrade& t) { return shown(t, start, end); });
}

double legend_height(const Painter& p) {
  return p.px(small_size + 8);
}

void draw_absorbing_trades(const Painter& p, const ChartData& data, const ChartLayout& layout) {
  double largest = 0;
  for (const AbsorbingTrade& t : data.absorbing_trades) largest = std::max(largest, t.usd);
  cairo_t* cr = p.cr();
  for (const AbsorbingTrade& t : data.absorbing_trades) {
    if (!shown(t, layout.time_start, layout.time_end)) continue;
    // Area grows with size, so a trade twice as large does not look four times larger.
    const double share = largest > 0 && t.usd > 0 ? std::sqrt(t.usd / largest) : 0;
    const double radius = p.px(3) + p.px(5) * share;
    cairo_arc(cr, layout.x_of(t.time), layout.y_of(t.price), radius, 0, 2 * M_PI);
    p.colour(p.colours().absorbing_trade, 0.8);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, p.px(1.5));
    p.colour(p.colours().background);
    cairo_stroke(cr);
  }
  if (!any_absorbing_trade_shown(data, layout.time_start, layout.time_end)) return;
  const std::string_view legend = absorbing_legend(data.direction);
  const Rect& plot = layout.price_plot;
  const double height = legend_height(p);
  p.rect(plot.x, plot.y, p.width_of(legend, small_size, false) + p.px(12), height,
         p.colours().background, 0.85);
  p.text(legend, plot.x + p.px(6), plot.y + height / 2, small_size, false,
         p.colours().absorbing_trade);
}

struct Tag {
  std::string word;
  std::string price;
  double line_y;
  double label_y;
  Rgb colour;
};

double tag_height(const Painter& p) {
  return p.px(label_size + 8);
}

// Entry, stop and target, each with the row of its line and of its label. Labels of prices
// close together are moved apart so that each stays legible.
std::vector<Tag> setup_tags(const Painter& p, const ChartData& data, const ChartLayout& layout) {
  if (!data.setup) return {};
  const Palette& colours = p.colours();
  const SetupLevels& setup = *data.setup;
  std::vector<Tag> tags = {
      {"Target", format_price(setup.target), layout.y_of(setup.target), 0, colours.up},
      {"Entry", format_price(setup.entry), layout.y_of(setup.entry), 0, colours.entry},
      {"Stop", format_price(setup.stop), layout.y_of(setup.stop), 0, colours.down},
  };
  std::erase_if(tags, [](const Tag& t) { return !std::isfinite(t.line_y); });
  std::sort(tags.begin(), tags.end(), [](const Tag& a, const Tag& b) { return a.line_y < b.line_y; });
  const Rect& plot = layout.price_plot;
  const double height = tag_height(p);
  for (std::size_t i = 0; i < tags.size(); ++i) {
    tags[i].label_y = tags[i].line_y;
    if (i > 0) tags[i].label_y = std::max(tags[i].label_y, tags[i - 1].label_y + height);
  }
  // Pushed past the bottom: shift up from the end.
  for (std::size_t i = tags.size(); i-- > 0;) {
    const double limit =
        i + 1 < tags.size() ? tags[i + 1].label_y - height : plot.bottom() - height / 2;
    tags[i].label_y = std::min(tags[i].label_y, limit);
  }
  return tags;
}

// The setup's lines across the plot, named inside it and priced on the axis.
void draw_setup(const Painter& p, const ChartLayout& layout, const std::vector<Tag>& tags) {
  const Palette& colours = p.colours();
  const Rect& plot = layout.price_plot;
  const double height = tag_height(p);
  for (const Tag& tag : tags) p.hline(plot.x, plot.right(), tag.line_y, p.px(2), tag.colour);
  for (const Tag& tag : tags) {
    const double top = tag.label_y - height / 2;
    // The price on the axis, in a box of the line's colour.
    const double price_width = p.width_of(tag.price, label_size, true) + p.px(10);
    p.rect(plot.right(), top, price_width, height, tag.colour);
    p.text(tag.price, plot.right() + p.px(5), tag.label_y, label_size, true, colours.background);
    // The word inside the plot, on a patch of background so that candles do not cross it.
    const double word_width = p.width_of(tag.word, label_size, true) + p.px(10);
    p.rect(plot.right() - word_width, top, word_width, height, colours.background, 0.85);
    p.text(tag.word, plot.right() - p.px(5), tag.label_y, label_size, true, tag.colour, Align::right);
  }
}

void draw_liquidations(const Painter& p, const ChartData& data, const ChartLayout& layout) {
  const Palette& colours = p.colours();
  const Rect& panel = layout.liquidation_plot;
  p.hline(panel.x, panel.right(), layout.liquidation_zero_y, 1, colours.muted_text);
  const double axis_x = panel.right() + p.px(8);
  if (layout.liquidation_scale_usd <= 0) {
    p.text("no liquidations", panel.x + panel.width / 2, panel.y + panel.height / 4, small_size,
           false, colours.muted_text, Align::center);
    return;
  }
  const double bucket_width = layout.x_of(layout.time_start + data.liquidation_bucket_ms) - panel.x;
  const double bar = std::max(1.0, std::floor(bucket_width * 0.8));
  for (const LiquidationBucket& b : data.liquidations) {
    if (!visible(layout, b.start, b.start + data.liquidation_bucket_ms)) continue;
    const double left = std::round(layout.x_of(b.start) + (bucket_width - bar) / 2);
    if (b.shorts_usd > 0) {
      const double top = layout.shorts_bar_top(b.shorts_usd);
      p.rect(left, top, bar, std::max(layout.liquidation_zero_y - top, 1.0), colours.up);
    }
    if (b.longs_usd > 0) {
      const double bottom = layout.longs_bar_bottom(b.longs_usd);
      p.rect(left, layout.liquidation_zero_y, bar,
             std::max(bottom - layout.liquidation_zero_y, 1.0), colours.down);
    }
  }
  const std::string scale = format_usd(layout.liquidation_scale_usd);
  p.text(scale, axis_x, panel.y + p.px(8), small_size, false, colours.up);
  p.text(scale, axis_x, panel.bottom() - p.px(8), small_size, false, colours.down);
  p.text("shorts liquidated", panel.x + p.px(6), panel.y + p.px(9), small_size, false, colours.up);
  p.text("longs liquidated", panel.x + p.px(6), panel.bottom() - p.px(9), small_size, false,
         colours.down);
}

cairo_status_t append_png(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// The widest price label the axis will carry, so the plot leaves room for it.
double price_axis_width(const Painter& p, const ChartData& data, ValueRange range, double step) {
  double widest = p.width_of("UTC", label_size, false);
  const int decimals = decimals_for_step(step);
  for (const double tick : ticks_within(range, step)) {
    widest = std::max(widest, p.width_of(format_grouped(tick, decimals), label_size, false));
  }
  if (data.setup) {
    for (const double price : {data.setup->entry, data.setup->stop, data.setup->target}) {
      widest = std::max(widest, p.width_of(format_price(price), label_size, true) + p.px(2));
    }
  }
  return widest + p.px(16);
}

}  // namespace

Palette palette(Theme theme) {
  if (theme == Theme::light) {
    return {.background = hex(0xFFFFFF),
            .text = hex(0x131722),
            .muted_text = hex(0x5D606B),
            .grid = hex(0xE6E8EE),
            .up = hex(0x089981),
            .down = hex(0xE53935),
            .entry = hex(0x2A2E39),
            .zone = hex(0x7E57C2),
            .zone_alpha = 0.22,
            .absorbing_trade = hex(0xD97706)};
  }
  return {.background = hex(0x131722),
          .text = hex(0xE1E3EA),
          .muted_text = hex(0x9598A1),
          .grid = hex(0x262A35),
          .up = hex(0x26A69A),
          .down = hex(0xEF5350),
          .entry = hex(0xE1E3EA),
          .zone = hex(0xB39DDB),
          .zone_alpha = 0.25,
          .absorbing_trade = hex(0xFFB300)};
}

double ChartLayout::x_of(TimeMs time) const {
  const double span = static_cast<double>(time_end - time_start);
  return price_plot.x + static_cast<double>(time - time_start) / span * price_plot.width;
}

double ChartLayout::y_of(double price) const {
  return price_plot.y +
         (price_range.high - price) / (price_range.high - price_range.low) * price_plot.height;
}

double ChartLayout::shorts_bar_top(double usd) const {
  if (liquidation_scale_usd <= 0) return liquidation_zero_y;
  return liquidation_zero_y - usd / liquidation_scale_usd * (liquidation_zero_y - liquidation_plot.y);
}

double ChartLayout::longs_bar_bottom(double usd) const {
  if (liquidation_scale_usd <= 0) return liquidation_zero_y;
  return liquidation_zero_y +
         usd / liquidation_scale_usd * (liquidation_plot.bottom() - liquidation_zero_y);
}

RenderedChart render_chart(const ChartData& data, const ChartOptions& options) {
  RenderedChart chart;
  if (options.width < min_side || options.width > max_side || options.height < min_side ||
      options.height > max_side) {
    chart.error = fmt::format("chart size {}x{} is outside {}..{} pixels", options.width,
                              options.height, min_side, max_side);
    return chart;
  }
  if (data.candle_ms <= 0 || data.liquidation_bucket_ms <= 0) {
    chart.error = "candle and liquidation buckets must last longer than 0 ms";
    return chart;
  }
  const SurfacePtr surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, options.width, options.height),
      &cairo_surface_destroy);
  const ContextPtr context(cairo_create(surface.get()), &cairo_destroy);
  cairo_t* cr = context.get();
  const Palette colours = palette(options.theme);
  const Painter p(cr, options, colours);
  const double width = options.width;
  const double height = options.height;

  ChartLayout& layout = chart.layout;
  layout.time_start = time_start_of(data);
  layout.time_end = time_end_of(data);
  layout.price_range = price_range_of(data, layout.time_start, layout.time_end);

  // Rows: title, price plot, liquidation panel, time labels. The price plot's height decides
  // how many price ticks fit, and its right edge how wide their labels are.
  const double title_height = p.px(44);
  const double labels_height = p.px(26);
  const double gap = p.px(10);
  const double plots_height = height - title_height - labels_height - gap - p.px(4);
  const double price_height = std::floor(plots_height * 0.72);
  if (any_absorbing_trade_shown(data, layout.time_start, layout.time_end)) {
    // Headroom for the legend in the plot's top left corner, so no line or candle runs under it.
    const double legend_share = legend_height(p) / price_height;
    layout.price_range.high += (layout.price_range.high - layout.price_range.low) * legend_share /
                               (1 - legend_share);
  }
  const double price_span = layout.price_range.high - layout.price_range.low;
  const double step = nice_step(price_span, std::max(2, static_cast<int>(price_height / p.px(45))));
  const double axis_width = std::min(price_axis_width(p, data, layout.price_range, step), width / 3);
  const double left = p.px(10);
  const double plot_width = width - left - axis_width;
  layout.price_plot = {left, title_height, plot_width, price_height};
  layout.liquidation_plot = {left, title_height + price_height + gap, plot_width,
                             plots_height - price_height};
  layout.liquidation_zero_y =
      std::round(layout.liquidation_plot.y + layout.liquidation_plot.height / 2);
  for (const LiquidationBucket& b : data.liquidations) {
    if (!visible(layout, b.start, b.start + data.liquidation_bucket_ms)) continue;
    for (const double usd : {b.longs_usd, b.shorts_usd}) {
      if (std::isfinite(usd)) layout.liquidation_scale_usd = std::max(layout.liquidation_scale_usd, usd);
    }
  }

  p.rect(0, 0, width, height, colours.background);
  draw_title(p, data, width, title_height / 2);
  const std::vector<Tag> tags = setup_tags(p, data, layout);
  std::vector<double> tag_rows;
  for (const Tag& tag : tags) tag_rows.push_back(tag.label_y);
  draw_price_grid(p, layout, step, tag_rows);
  draw_time_grid(p, layout, layout.liquidation_plot.bottom() + labels_height / 2 + p.px(2));

  // The plots' contents stay inside them.
  cairo_save(cr);
  const Rect& plot = layout.price_plot;
  cairo_rectangle(cr, plot.x, plot.y, plot.width, plot.height);
  cairo_clip(cr);
  draw_zone(p, data, layout);
  if (data.candles.empty()) {
    p.text("no price data", plot.x + plot.width / 2, plot.y + plot.height / 2, label_size, false,
           colours.muted_text, Align::center);
  }
  draw_candles(p, data, layout);
  draw_absorbing_trades(p, data, layout);
  // The decision: everything right of this line happened after it.
  const double decided_x = layout.x_of(data.decided_at);
  cairo_set_dash(cr, std::array<double, 2>{p.px(4), p.px(4)}.data(), 2, 0);
  p.vline(decided_x, plot.y, plot.bottom(), 1, colours.muted_text);
  cairo_set_dash(cr, nullptr, 0, 0);
  cairo_restore(cr);

  draw_setup(p, layout, tags);

  cairo_save(cr);
  const Rect& panel = layout.liquidation_plot;
  cairo_rectangle(cr, panel.x, panel.y, panel.width + axis_width, panel.height);
  cairo_clip(cr);
  draw_liquidations(p, data, layout);
  cairo_restore(cr);

  cairo_surface_flush(surface.get());
  if (const cairo_status_t status = cairo_status(cr); status != CAIRO_STATUS_SUCCESS) {
    chart.error = fmt::format("cairo: {}", cairo_status_to_string(status));
    return chart;
  }
  if (const cairo_status_t status =
          cairo_surface_write_to_png_stream(surface.get(), &append_png, &chart.png);
      status != CAIRO_STATUS_SUCCESS) {
    chart.png.clear();
    chart.error = fmt::format("PNG encoding: {}", cairo_status_to_string(status));
  }
  return chart;
}

}  // namespace teleglas::charts
