#include "teleglas/core/clock.hpp"

#include <chrono>

namespace teleglas {

namespace {

template <class Clock>
TimeMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

}  // namespace

TimeMs system_now_ms() {
  return now_ms<std::chrono::system_clock>();
}

TimeMs steady_now_ms() {
  return now_ms<std::chrono::steady_clock>();
}

}  // namespace teleglas
