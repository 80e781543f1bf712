// A picture of what the pipeline saw when it decided: the reference venue's price, the
// liquidations by side, the absorbing trades, the zone and the setup, as a PNG in memory.
// Pure: data in, bytes out, no I/O and no shared state, so any thread may render.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "teleglas/charts/axes.hpp"
#include "teleglas/core/chart_data.hpp"
#include "teleglas/core/types.hpp"

namespace teleglas::charts {

enum class Theme { dark, light };

struct ChartOptions {
  int width = 800;
  int height = 450;
  // The picture brings its own background, so either theme reads in both Telegram themes;
  // dark is the trading-terminal look and the default.
  Theme theme = Theme::dark;
  std::string font_family = "DejaVu Sans";
};

struct Rgb {
  double red = 0;  // 0..1
  double green = 0;
  double blue = 0;
};

// The colours of a theme. Public so tests can tell what a pixel shows.
struct Palette {
  Rgb background;
  Rgb text;
  Rgb muted_text;
  Rgb grid;
  Rgb up;    // rising candles, shorts squeezed, the target
  Rgb down;  // falling candles, longs flushed, the stop
  Rgb entry;
  Rgb zone;
  double zone_alpha = 0.25;
  Rgb absorbing_trade;
};
Palette palette(Theme theme);

struct Rect {
  double x = 0;
  double y = 0;
  double width = 0;
  double height = 0;
  double right() const { return x + width; }
  double bottom() const { return y + height; }
};

// Where the renderer put things, in pixels of the PNG, so a caller (or a test) can tell
// where a price or a time appears.
struct ChartLayout {
  Rect price_plot;
  Rect liquidation_plot;
  ValueRange price_range;  // price_range.high at the top edge of price_plot
  TimeMs time_start = 0;   // the left edge of both plots
  TimeMs time_end = 0;     // the right edge
  double liquidation_zero_y = 0;     // shorts squeezed above this row, longs flushed below
  double liquidation_scale_usd = 0;  // USD of a bar reaching the edge of the panel

  double x_of(TimeMs time) const;
  double y_of(double price) const;
  // The row a liquidation bar of `usd` ends at: above the zero line for shorts, below for longs.
  double shorts_bar_top(double usd) const;
  double longs_bar_bottom(double usd) const;
};

struct RenderedChart {
  std::string png;    // the bytes of a PNG file; empty when rendering failed
  std::string error;  // why it failed; empty on success
  ChartLayout layout;
  bool ok() const { return error.empty(); }
};

RenderedChart render_chart(const ChartData& data, const ChartOptions& options = {});

}  // namespace teleglas::charts
