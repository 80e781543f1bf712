// libFuzzer target: any bytes given as a configuration file must come back as a result (with
// whatever problems), never as a crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "teleglas/config/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  try {
    const teleglas::ConfigLoadResult result = teleglas::load_config_from_string(yaml, "fuzz.yaml");
    for (const teleglas::ConfigProblem& problem : result.problems) {
      // Every report must be printable as one line of `check-config` output.
      const std::string line = problem.to_string();
      if (line.find('\n') != std::string::npos || problem.line < 0) std::abort();
    }
  } catch (...) {
    std::abort();  // the API promises that no exception escapes
  }
  return 0;
}
