// systemd integration for Type=notify services: readiness, stopping and the watchdog.
// Every call is a no-op when not started by systemd (NOTIFY_SOCKET unset).
#pragma once

#include <chrono>
#include <optional>

namespace teleglas {

void systemd_notify_ready();
void systemd_notify_stopping();
void systemd_notify_watchdog();
// Half the WatchdogSec= the unit configured, or nullopt when the watchdog is off.
std::optional<std::chrono::milliseconds> systemd_watchdog_period();

}  // namespace teleglas
