// Facts about this process that the health endpoint reports.
#pragma once

#include <cstdint>
#include <optional>

namespace teleglas {

// Resident set size in bytes, from /proc/self/statm; nullopt where that is unreadable.
std::optional<std::int64_t> resident_set_bytes();

}  // namespace teleglas
