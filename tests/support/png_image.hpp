// A PNG decoded back into pixels with cairo, for tests that check where a chart drew what.
#pragma once

#include <cairo.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "teleglas/charts/chart.hpp"

namespace teleglas::testing {

class PngImage {
 public:
  explicit PngImage(std::string_view png)
      : surface_(decode(png), &cairo_surface_destroy) {
    cairo_surface_flush(surface_.get());
  }

  bool ok() const { return cairo_surface_status(surface_.get()) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_.get()); }
  int height() const { return cairo_image_surface_get_height(surface_.get()); }

  // The colour at pixel (x, y), coordinates rounded down as the renderer's layout gives them.
  charts::Rgb at(double x, double y) const {
    const int column = static_cast<int>(std::floor(x));
    const int row = static_cast<int>(std::floor(y));
    if (column < 0 || row < 0 || column >= width() || row >= height()) return {-1, -1, -1};
    const unsigned char* data = cairo_image_surface_get_data(surface_.get());
    std::uint32_t pixel = 0;  // native-endian 0xAARRGGBB, in both RGB24 and ARGB32
    std::memcpy(&pixel,
                data + static_cast<std::ptrdiff_t>(row) * cairo_image_surface_get_stride(surface_.get()) +
                    static_cast<std::ptrdiff_t>(column) * 4,
                sizeof pixel);
    return {((pixel >> 16) & 0xFF) / 255.0, ((pixel >> 8) & 0xFF) / 255.0, (pixel & 0xFF) / 255.0};
  }

 private:
  struct Reader {
    std::string_view rest;
  };

  static cairo_status_t read(void* closure, unsigned char* out, unsigned int length) {
    auto* reader = static_cast<Reader*>(closure);
    if (reader->rest.size() < length) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(out, reader->rest.data(), length);
    reader->rest.remove_prefix(length);
    return CAIRO_STATUS_SUCCESS;
  }

  static cairo_surface_t* decode(std::string_view png) {
    Reader reader{png};
    return cairo_image_surface_create_from_png_stream(&read, &reader);
  }

  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_;
};

// Colour a over b with alpha: what a translucent fill turns the background into.
inline charts::Rgb blend(charts::Rgb over, charts::Rgb under, double alpha) {
  return {over.red * alpha + under.red * (1 - alpha), over.green * alpha + under.green * (1 - alpha),
          over.blue * alpha + under.blue * (1 - alpha)};
}

// Within `tolerance` (0..1) on each channel; antialiasing and PNG rounding need a little.
inline bool near(charts::Rgb a, charts::Rgb b, double tolerance = 0.05) {
  return std::fabs(a.red - b.red) <= tolerance && std::fabs(a.green - b.green) <= tolerance &&
         std::fabs(a.blue - b.blue) <= tolerance;
}

// Whether a line of `colour` crosses column x within two pixels of row y.
inline bool line_near(const PngImage& image, double x, double y, charts::Rgb colour) {
  for (double dy = -2; dy <= 2; dy += 1) {
    if (near(image.at(x, y + dy), colour, 0.08)) return true;
  }
  return false;
}

}  // namespace teleglas::testing
