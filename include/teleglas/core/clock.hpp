// The real clocks, in the milliseconds everything else counts in. The pure core never calls
// them: the shell passes `now`, or one of these as the default of an injectable clock.
#pragma once

#include "teleglas/core/types.hpp"

namespace teleglas {

TimeMs system_now_ms();  // Unix time: timestamps people read, ages that survive restarts
TimeMs steady_now_ms();  // monotonic: pacing, timeouts, how long something lasted

}  // namespace teleglas
