// The JSON object of one signal, as `teleglas replay --json` prints it (DESIGN.md §6).
#pragma once

#include <string>

#include "teleglas/core/signal.hpp"

namespace teleglas {

// One line, no trailing newline. Deterministic: same signal, same bytes.
std::string signal_to_json(const Signal& signal);

}  // namespace teleglas
