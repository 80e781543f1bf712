// Money and price text, locale-independent, used by factor details, alerts and logs.
#pragma once

#include <string>

namespace teleglas {

// "$950", "$12.5K", "$2.35M", "$1.20B"; rounded half away from zero, and a value that rounds
// to 1000 of a unit moves up one ("$1.00M", never "$1000.0K"). NaN/inf -> "n/a".
std::string format_usd(double usd);

// Five significant digits, at least one decimal, thousands separated:
// 95850 -> "95,850.0", 152.3456 -> "152.35", 0.12874 -> "0.12874".
std::string format_price(double price);

// The price format_price shows, as a number: alerts and JSON then carry the same values.
double round_price(double price);

// Fixed decimals that never read "-0.0".
std::string format_fixed(double value, int decimals);

// Fixed decimals, thousands separated, for a column of numbers one step apart (a chart's
// price axis): (95050, 0) -> "95,050", (0.0000102, 7) -> "0.0000102".
std::string format_grouped(double value, int decimals);

}  // namespace teleglas
