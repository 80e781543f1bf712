#include "teleglas/core/money.hpp"

#include <cmath>
#include <cstdio>

namespace teleglas {

std::string compact_usd(double usd) {
  const char* sign = usd < 0 ? "-" : "";
  const double v = std::fabs(usd);
  char buf[48];
  if (v >= 1e9) {
    std::snprintf(buf, sizeof buf, "%s$%.2fB", sign, v / 1e9);
  } else if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%s$%.2fM", sign, v / 1e6);
  } else if (v >= 1e3) {
    std::snprintf(buf, sizeof buf, "%s$%.1fK", sign, v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%s$%.0f", sign, v);
  }
  return buf;
}

}  // namespace teleglas
