#include "teleglas/app/health_endpoint.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <vector>

#include "teleglas/core/clock.hpp"
#include "teleglas/ops/process.hpp"

namespace teleglas {

HealthReport current_health_report(const Daemon& daemon, const TelegramSink* telegram) {
  HealthReport r;
  r.version = TELEGLAS_VERSION;
  r.now_ms = system_now_ms();
  r.daemon = daemon.health();
  if (telegram) {
    r.telegram = TelegramHealth{telegram->stats(), telegram->queued_alerts(),
                                telegram->delivery_metrics()};
  }
  r.rss_bytes = resident_set_bytes();
  return r;
}

std::unique_ptr<HealthServer> start_health_endpoint(boost::asio::io_context& io,
                                                    const HttpConfig& http, const Daemon& daemon,
                                                    const TelegramSink* telegram) {
  // A convenience: a port already taken must not keep alerts from flowing, so a failure to
  // listen is logged, not fatal.
  try {
    const auto report = [&daemon, telegram] { return current_health_report(daemon, telegram); };
    std::vector<HealthEndpoint> endpoints{
        {"/health", "application/json", [report] { return health_json(report()); }},
        {"/metrics", "text/plain; version=0.0.4",
         [report] { return prometheus_metrics(report()); }}};
    auto server = std::make_unique<HealthServer>(
        io, HealthServerOptions{.listen = http.listen, .endpoints = std::move(endpoints)});
    server->start();
    spdlog::info("health endpoint: {0}/health (JSON), {0}/metrics (Prometheus)", server->url());
    return server;
  } catch (const std::exception& e) {
    spdlog::error("health endpoint disabled: {}", e.what());
    return nullptr;
  }
}

}  // namespace teleglas
