#include "teleglas/ops/systemd.hpp"

#include <systemd/sd-daemon.h>

namespace teleglas {

void systemd_notify_ready() { sd_notify(0, "READY=1"); }
void systemd_notify_stopping() { sd_notify(0, "STOPPING=1"); }
void systemd_notify_watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::milliseconds> systemd_watchdog_period() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::milliseconds(usec / 2000);
}

}  // namespace teleglas
