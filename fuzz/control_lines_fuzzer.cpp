// libFuzzer target for the recording's control lines. Beyond "no crash, no UB" it checks that
// the reader accepts exactly what the writer writes: whatever parses formats back to the very
// same bytes, and only lines in our namespace ever parse.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "teleglas/ingest/control_lines.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto parsed = teleglas::parse_control_line(line);
  if (!parsed) return 0;
  if (!teleglas::is_control_line(line)) std::abort();
  if (teleglas::format_control_line(*parsed) != line) std::abort();
  return 0;
}
