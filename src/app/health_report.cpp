#include "teleglas/app/health_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace teleglas {

namespace {

namespace json = boost::json;

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP teleglas_{0} {1}\n# TYPE teleglas_{0} {2}\n",
                 name, help, type);
}

// One metric family with a single unlabeled sample.
void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double value) {
  family(out, name, type, help);
  fmt::format_to(std::back_inserter(out), "teleglas_{} {}\n", name, value);
}

// Label values are ours (reason and type names, the version), but a version string comes from
// the build: escape as the text format asks rather than trust it.
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// `labels`: "" or `name="value",` pairs ending in a comma, placed before `le`.
void histogram_samples(std::string& out, std::string_view name, const std::string& labels,
                       const Histogram& h) {
  const std::vector<double>& bounds = h.upper_bounds();
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    const std::string le = i < bounds.size() ? fmt::format("{}", bounds[i]) : "+Inf";
    fmt::format_to(std::back_inserter(out), "teleglas_{}_bucket{{{}le=\"{}\"}} {}\n", name, labels,
                   le, h.cumulative_count(i));
  }
  const std::string braces = labels.empty() ? "" : "{" + labels.substr(0, labels.size() - 1) + "}";
  fmt::format_to(std::back_inserter(out), "teleglas_{0}_sum{1} {2}\nteleglas_{0}_count{1} {3}\n",
                 name, braces, h.sum(), h.count());
}

TimeMs age_ms(TimeMs now, TimeMs since) {
  return since > 0 ? std::max<TimeMs>(0, now - since) : 0;
}

}  // namespace

std::string_view stream_status(const DaemonHealth& h) {
  const std::size_t live = h.live_connections();
  if (live > 0 && live == h.connections.size()) return "ok";
  return live > 0 ? "degraded" : "down";
}

std::string_view health_word(ConnectionState state) {
  return state == ConnectionState::live ? "connected" : to_string(state);
}

std::string health_json(const HealthReport& r) {
  const DaemonHealth& h = r.daemon;
  // Per connection, with the ages a probe alarms on; null age: no frame yet.
  json::array details;
  TimeMs last_frame_ms = 0;
  for (const ConnectionHealth& c : h.connection_details) {
    last_frame_ms = std::max(last_frame_ms, c.last_frame_ms);
    json::object d{{"state", health_word(c.state)},
                   {"open_gap_ms", age_ms(r.now_ms, c.down_since_ms)}};
    if (!c.source.empty()) d["source"] = c.source;
    if (c.last_frame_ms > 0) {
      d["last_frame_age_ms"] = age_ms(r.now_ms, c.last_frame_ms);
    } else {
      d["last_frame_age_ms"] = nullptr;
    }
    details.emplace_back(std::move(d));
  }
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
                   {"version", r.version},
                   {"connections", std::move(details)},
                   {"open_gap_ms", age_ms(r.now_ms, h.stream_down_since)},
                   {"queue_depth", r.telegram ? r.telegram->queued_alerts : 0},
                   {"alerts_last_hour", r.telegram ? r.telegram->delivery.alerts_last_hour : 0},
                   {"feed", std::move(feed)},
                   {"signals", std::move(signals)}};
  if (last_frame_ms > 0) {
    out["last_frame_age_ms"] = age_ms(r.now_ms, last_frame_ms);
  } else {
    out["last_frame_age_ms"] = nullptr;
  }
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
                                   {"commands_ignored", t.commands_ignored},
                                   {"photos_sent", t.photos_sent},
                                   {"photo_refusals", t.photo_refusals},
                                   {"chart_failures", t.chart_failures}};
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
  family(out, "build_info", "gauge", "The running build; always 1.");
  fmt::format_to(std::back_inserter(out), "teleglas_build_info{{version=\"{}\"}} 1\n",
                 label_value(r.version));
  metric(out, "uptime_seconds", "gauge", "Seconds since the daemon started.",
         d(age_ms(r.now_ms, h.started_ms)) / 1000.0);
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
  family(out, "rejected_total", "counter",
         "Frames or events rejected, by the parser's or the pipeline's reason.");
  for (const auto& [reason, count] : h.rejected_by_reason) {
    fmt::format_to(std::back_inserter(out), "teleglas_rejected_total{{reason=\"{}\"}} {}\n",
                   label_value(reason), count);
  }
  metric(out, "feed_reconnects_total", "counter", "Reconnect attempts.", d(h.reconnects));
  metric(out, "feed_pings_total", "counter", "Heartbeat pings sent.", d(h.pings));
  metric(out, "feed_pongs_total", "counter", "Heartbeat pongs received.", d(h.pongs));
  metric(out, "feed_open_gap_seconds", "gauge",
         "How long no connection has been live; 0 while the stream is up.",
         d(age_ms(r.now_ms, h.stream_down_since)) / 1000.0);
  TimeMs last_frame_ms = 0;
  for (const ConnectionHealth& c : h.connection_details) {
    last_frame_ms = std::max(last_frame_ms, c.last_frame_ms);
  }
  if (last_frame_ms > 0) {
    metric(out, "feed_last_frame_age_seconds", "gauge", "Seconds since the newest frame.",
           d(age_ms(r.now_ms, last_frame_ms)) / 1000.0);
  }
  family(out, "exchange_lag_seconds", "histogram",
         "Receive time minus exchange time of each market event (clock skew included).");
  histogram_samples(out, "exchange_lag_seconds", "", h.exchange_lag);
  metric(out, "exchange_lag_negative_total", "counter",
         "Market events stamped later than received (our clock behind the exchange's).",
         d(h.exchange_lag.negative_count()));
  metric(out, "feed_gaps_total", "counter", "Outages in the stream.", d(h.gaps));
  metric(out, "rest_failures_total", "counter", "Failed REST polls.", d(h.rest_failures));
  metric(out, "signals_total", "counter", "Signals emitted.", d(h.signals));
  family(out, "signals_emitted_total", "counter", "Signals emitted, by type.");
  for (int i = 0; i < signal_type_count; ++i) {
    fmt::format_to(std::back_inserter(out), "teleglas_signals_emitted_total{{type=\"{}\"}} {}\n",
                   to_string(static_cast<SignalType>(i)), h.signals_by_type[i]);
  }
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
    metric(out, "telegram_photos_sent_total", "counter", "Alert charts Telegram accepted.",
           d(t.photos_sent));
    metric(out, "telegram_photo_refusals_total", "counter",
           "Alert charts Telegram refused (their text went alone).", d(t.photo_refusals));
    metric(out, "chart_failures_total", "counter",
           "Alert charts that could not be drawn (their text went alone).", d(t.chart_failures));
    metric(out, "telegram_queued", "gauge", "Alerts waiting to be sent.",
           d(r.telegram->queued_alerts));
    metric(out, "telegram_alerts_last_hour", "gauge", "Alerts Telegram accepted in the last hour.",
           d(r.telegram->delivery.alerts_last_hour));
    const std::vector<Histogram>& latency = r.telegram->delivery.event_to_alert;
    family(out, "event_to_alert_seconds", "histogram",
           "Deciding event's exchange time to Telegram's ok, per alert, by priority.");
    std::uint64_t negative = 0;
    for (std::size_t p = 0; p < latency.size(); ++p) {
      const auto priority = static_cast<Priority>(p);
      if (priority == Priority::none) continue;  // never alerted
      histogram_samples(out, "event_to_alert_seconds",
                        fmt::format("priority=\"{}\",", to_string(priority)), latency[p]);
      negative += latency[p].negative_count();
    }
    metric(out, "event_to_alert_negative_total", "counter",
           "Alerts delivered before their event's exchange time (clock skew).", d(negative));
  }
  if (r.rss_bytes) {
    metric(out, "resident_memory_bytes", "gauge", "Resident set size.", d(*r.rss_bytes));
  }
  return out;
}

}  // namespace teleglas
