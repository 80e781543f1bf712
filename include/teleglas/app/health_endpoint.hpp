// The daemon's /health (JSON) and /metrics (Prometheus) served on http.listen: the one wiring
// `teleglas run` and `teleglas demo` share, so the demo shows exactly what a service serves.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "teleglas/app/daemon.hpp"
#include "teleglas/app/health_report.hpp"
#include "teleglas/app/telegram_sink.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/net/health_server.hpp"

namespace teleglas {

// The snapshot both endpoints render, taken now. `telegram` may be null (log-only alerts).
HealthReport current_health_report(const Daemon& daemon, const TelegramSink* telegram);

// Listens on http.listen and starts serving; the daemon and the sink must outlive the server.
// Null when it cannot listen, which is logged, not thrown.
std::unique_ptr<HealthServer> start_health_endpoint(boost::asio::io_context& io,
                                                    const HttpConfig& http, const Daemon& daemon,
                                                    const TelegramSink* telegram);

}  // namespace teleglas
