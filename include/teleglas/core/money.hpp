// Compact money text for factor details and logs: "$950", "$12.5K", "$2.35M".
#pragma once

#include <string>

namespace teleglas {

std::string compact_usd(double usd);

}  // namespace teleglas
