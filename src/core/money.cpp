#include "teleglas/core/money.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>

namespace teleglas {

namespace {

// Exact powers of ten as doubles (all are exactly representable up to 1e22).
constexpr std::array<double, 16> powers_of_ten = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                  1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// Above this, counting in integer steps could overflow; such values are absurd anyway.
constexpr double max_exact_steps = 1e18;

// The text of steps / 10^decimals, e.g. (9585000, 2) -> "95850.00".
std::string steps_text(std::uint64_t steps, int decimals) {
  std::string digits = fmt::format("{}", steps);
  if (decimals == 0) return digits;
  const auto width = static_cast<std::size_t>(decimals) + 1;
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  digits.insert(digits.size() - static_cast<std::size_t>(decimals), 1, '.');
  return digits;
}

// "95850.0" -> "95,850.0"
std::string group_thousands(std::string number) {
  const std::size_t point = number.find('.');
  const std::size_t integer_end = point == std::string::npos ? number.size() : point;
  for (std::size_t i = integer_end; i > 3; i -= 3) number.insert(i - 3, 1, ',');
  return number;
}

// Fixed decimals that never read "-0.0": a value that rounds to zero has no sign.
}  // namespace

std::string format_fixed(double value, int decimals) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.front() == '-' && text.find_first_not_of("0.", 1) == std::string::npos) {
    text.erase(0, 1);
  }
  return text;
}

std::string format_grouped(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  std::string text = format_fixed(value, decimals);
  const bool negative = text.front() == '-';
  if (negative) text.erase(0, 1);
  return (negative ? "-" : "") + group_thousands(std::move(text));
}

// Tiers $, K, M, B with 0, 1, 2, 2 decimals. The value is rounded half away from zero at the
// tier's resolution, and a value that rounds up to 1000 of a tier moves to the next one, so
// 999,999 reads "$1.00M", never "$1000.0K".
std::string format_usd(double usd) {
  if (!std::isfinite(usd)) return "n/a";
  struct Tier {
    double resolution;  // dollars per step of the last shown digit
    int decimals;
    std::string_view suffix;
  };
  static constexpr std::array<Tier, 4> tiers = {
      {{1, 0, ""}, {1e2, 1, "K"}, {1e4, 2, "M"}, {1e7, 2, "B"}}};
  const double magnitude = std::fabs(usd);
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const Tier& tier = tiers[i];
    const double steps = std::round(magnitude / tier.resolution);
    const bool last = i + 1 == tiers.size();
    if (!last && steps >= 1000 * powers_of_ten[static_cast<std::size_t>(tier.decimals)]) continue;
    const std::string_view sign = usd < 0 && steps > 0 ? "-" : "";
    const std::string number = steps < max_exact_steps
                                   ? steps_text(static_cast<std::uint64_t>(steps), tier.decimals)
                                   : format_fixed(magnitude / 1e9, tier.decimals);
    return fmt::format("{}${}{}", sign, number, tier.suffix);
  }
  return "n/a";  // unreachable: the last tier always answers
}

namespace {

// A price shown with five significant digits but never fewer than one decimal, rounded half
// away from zero, is this many steps of 10^-decimals.
struct PriceSteps {
  double steps;
  int decimals;
};

PriceSteps price_steps(double magnitude) {
  const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  int decimals = std::clamp(4 - exponent, 1, 15);
  double steps = std::round(magnitude * powers_of_ten[static_cast<std::size_t>(decimals)]);
  // Rounding may carry into the next power of ten (0.999996 -> 1.00000): drop a decimal.
  if (decimals > 1 && steps >= 1e5) {
    --decimals;
    steps = std::round(magnitude * powers_of_ten[static_cast<std::size_t>(decimals)]);
  }
  return {steps, decimals};
}

}  // namespace

// 95850 -> "95,850.0", 152.3456 -> "152.35", 1.23456 -> "1.2346", 0.12874 -> "0.12874".
// Below 1e-11 the decimals stop at 15, so fewer digits show.
std::string format_price(double price) {
  if (!std::isfinite(price)) return "n/a";
  if (price == 0) return "0";
  const double magnitude = std::fabs(price);
  const std::string_view minus = price < 0 ? "-" : "";
  if (magnitude * 10 >= max_exact_steps) {
    return std::string(minus) + group_thousands(format_fixed(magnitude, 1));
  }
  const auto [steps, decimals] = price_steps(magnitude);
  return std::string(steps > 0 ? minus : "") +
         group_thousands(steps_text(static_cast<std::uint64_t>(steps), decimals));
}

double round_price(double price) {
  const double magnitude = std::fabs(price);
  if (!std::isfinite(price) || price == 0 || magnitude * 10 >= max_exact_steps) return price;
  const auto [steps, decimals] = price_steps(magnitude);
  return std::copysign(steps / powers_of_ten[static_cast<std::size_t>(decimals)], price);
}

}  // namespace teleglas
