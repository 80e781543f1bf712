#include "teleglas/app/health_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace teleglas {

namespace {

namespace json = boost::json;

// One metric family: its help, type and a single unlabeled sample.
void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value) {
  fmt::format_to(std::back_inserter(out),
                 "# HELP teleglas_{0} {1}\n# TYPE teleglas_{0} {2}\nteleglas_{0} {3}\n", name, help,
                 type, value);
}

}  // namespace

std::string_view stream_status(const DaemonHealth& h) {
  const std::size_t live = h.live_connections();
  if (live > 0 && live == h.connections.size()) return "ok";
  return live > 0 ? "degraded" : "down";
}

std::string health_json(const HealthReport& r) {
  const DaemonHealth& h = r.daemon;
  json::array connections;
  for (ConnectionState s : h.connections) connections.emplace_back(to_string(s));
  json::object feed{{"status", stream_status(h)},
                    {"url", h.feed_url},
                    {"connections", std::move(connections)},
                    {"down_since_ms", h.stream_down_since},
                    {"reconnects", h.reconnects},
                    {"gaps", h.gaps},
                    {"longest_gap_ms", h.longest_gap_ms},
                    {"frames", h.frames},
                    {"frames_last_minute", h.frames_last_minute},
                    {"events", h.events},
                    {"rejected", h.rejected},
                    {"notices", h.notices},
                    {"rest_ok", h.rest_successes},
                    {"rest_failed", h.rest_failures}};
  json::object signals{{"total", h.signals},
                       {"today", h.signals_today},
                       {"last_hour", h.signals_last_hour},
                       {"last_latency_us", h.last_signal_latency_us},
                       {"max_latency_us", h.max_signal_latency_us}};
  json::object out{{"status", stream_status(h)},
                   {"time_ms", r.now_ms},
                   {"uptime_s", h.started_ms > 0 ? (r.now_ms - h.started_ms) / 1000 : 0},
                   {"feed", std::move(feed)},
                   {"signals", std::move(signals)}};
  if (r.telegram) {
    const TelegramStats& t = r.telegram->stats;
    out["telegram"] = json::object{{"sent", t.sent},
                                   {"failed", t.failed},
                                   {"dropped", t.dropped},
                                   {"muted", t.muted},
                                   {"queued", r.telegram->queued_alerts},
                                   {"restored", t.restored},
                                   {"store_errors", t.store_errors},
                                   {"commands_answered", t.commands_answered},
                                   {"commands_ignored", t.commands_ignored}};
  } else {
    out["telegram"] = nullptr;
  }
  if (r.rss_bytes) {
    out["rss_bytes"] = *r.rss_bytes;
  } else {
    out["rss_bytes"] = nullptr;
  }
  if (h.recorded_frames > 0) out["recorded_frames"] = h.recorded_frames;
  return json::serialize(out) + "\n";
}

std::string prometheus_metrics(const HealthReport& r) {
  const DaemonHealth& h = r.daemon;
  std::string out;
  const auto d = [](auto v) { return static_cast<double>(v); };
  metric(out, "feed_connections_live", "gauge", "CoinGlass connections streaming now.",
         d(h.live_connections()));
  metric(out, "feed_connections", "gauge", "CoinGlass connections configured.",
         d(h.connections.size()));
  metric(out, "feed_frames_total", "counter", "WebSocket frames received.", d(h.frames));
  metric(out, "feed_frames_last_minute", "gauge", "Frames received in the last minute.",
         d(h.frames_last_minute));
  metric(out, "feed_events_total", "counter", "Market events parsed.", d(h.events));
  metric(out, "feed_rejected_total", "counter", "Frames or events rejected as malformed.",
         d(h.rejected));
  metric(out, "feed_reconnects_total", "counter", "Reconnect attempts.", d(h.reconnects));
  metric(out, "feed_gaps_total", "counter", "Outages in the stream.", d(h.gaps));
  metric(out, "rest_failures_total", "counter", "Failed REST polls.", d(h.rest_failures));
  metric(out, "signals_total", "counter", "Signals emitted.", d(h.signals));
  metric(out, "signals_last_hour", "gauge", "Signals emitted in the last hour.",
         d(h.signals_last_hour));
  metric(out, "signal_latency_max_seconds", "gauge",
         "Longest time from a frame received to its signals decided.",
         d(h.max_signal_latency_us) / 1e6);
  if (r.telegram) {
    const TelegramStats& t = r.telegram->stats;
    metric(out, "telegram_sent_total", "counter", "Messages Telegram accepted.", d(t.sent));
    metric(out, "telegram_failed_total", "counter", "sendMessage requests that failed.",
           d(t.failed));
    metric(out, "telegram_dropped_total", "counter", "Alerts given up (too old or refused).",
           d(t.dropped));
    metric(out, "telegram_queued", "gauge", "Alerts waiting to be sent.",
           d(r.telegram->queued_alerts));
  }
  if (r.rss_bytes) {
    metric(out, "resident_memory_bytes", "gauge", "Resident set size.", d(*r.rss_bytes));
  }
  return out;
}

}  // namespace teleglas
