// What the health endpoint says: one snapshot of the daemon (feed, pipeline, Telegram sender,
// process) as JSON for people and scripts, and as Prometheus text for scrapers. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "teleglas/alerts/outbox.hpp"
#include "teleglas/app/daemon.hpp"
#include "teleglas/app/telegram_common.hpp"

namespace teleglas {

struct TelegramHealth {
  TelegramStats stats;
  std::size_t queued_alerts = 0;
  DeliveryMetrics delivery;
};

struct HealthReport {
  std::string version;  // teleglas_build_info
  TimeMs now_ms = 0;    // wall clock
  DaemonHealth daemon;
  std::optional<TelegramHealth> telegram;  // nullopt: alerts go to the log only
  std::optional<std::int64_t> rss_bytes;
};

// "ok" when every connection is live, "degraded" when some are, "down" when none is.
std::string_view stream_status(const DaemonHealth& h);

// A connection's state as health words it: "connected" when live (what a person or a probe
// looks for), otherwise to_string(state).
std::string_view health_word(ConnectionState state);

std::string health_json(const HealthReport& report);
std::string prometheus_metrics(const HealthReport& report);

}  // namespace teleglas
