#include "teleglas/ops/process.hpp"

#include <unistd.h>

#include <fstream>

namespace teleglas {

std::optional<std::int64_t> resident_set_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size_pages = 0;
  std::int64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return std::nullopt;
  return resident_pages * page;
}

}  // namespace teleglas
