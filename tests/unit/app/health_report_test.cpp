#include "teleglas/app/health_report.hpp"

#include <gtest/gtest.h>

#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

namespace teleglas {
namespace {

namespace json = boost::json;

HealthReport sample_report() {
  HealthReport r;
  r.now_ms = 1'725'416'400'000;
  r.daemon.feed_url = "wss://open-ws.coinglass.com/ws-api?cg-api-key=***";
  r.daemon.connections = {ConnectionState::live, ConnectionState::backing_off};
  r.daemon.started_ms = r.now_ms - 90'000;
  r.daemon.frames = 1000;
  r.daemon.frames_last_minute = 420;
  r.daemon.signals = 7;
  r.daemon.signals_last_hour = 3;
  r.daemon.max_signal_latency_us = 25;
  r.daemon.reconnects = 2;
  r.rss_bytes = 12 << 20;
  return r;
}

TEST(HealthReport, StatusIsOkOnlyWhenEveryConnectionIsLive) {
  DaemonHealth h;
  h.connections = {ConnectionState::live, ConnectionState::live};
  EXPECT_EQ(stream_status(h), "ok");
  h.connections[1] = ConnectionState::backing_off;
  EXPECT_EQ(stream_status(h), "degraded");
  h.connections[0] = ConnectionState::connecting;
  EXPECT_EQ(stream_status(h), "down");
  h.connections.clear();
  EXPECT_EQ(stream_status(h), "down");
}

TEST(HealthReport, JsonCarriesFeedSignalsTelegramAndMemory) {
  HealthReport r = sample_report();
  r.telegram = TelegramHealth{TelegramStats{.sent = 5, .failed = 1, .dropped = 2}, 4};
  const json::value v = json::parse(health_json(r));
  EXPECT_EQ(v.at("status").as_string(), "degraded");
  EXPECT_EQ(v.at("uptime_s").as_int64(), 90);
  EXPECT_EQ(v.at("feed").at("connections").as_array().size(), 2u);
  EXPECT_EQ(v.at("feed").at("connections").at(1).as_string(), "backing_off");
  EXPECT_EQ(v.at("feed").at("frames_last_minute").to_number<int>(), 420);
  EXPECT_EQ(v.at("feed").at("url").as_string(), r.daemon.feed_url);
  EXPECT_EQ(v.at("signals").at("last_hour").to_number<int>(), 3);
  EXPECT_EQ(v.at("telegram").at("sent").to_number<int>(), 5);
  EXPECT_EQ(v.at("telegram").at("queued").to_number<int>(), 4);
  EXPECT_EQ(v.at("rss_bytes").to_number<std::int64_t>(), 12 << 20);
}

TEST(HealthReport, JsonSaysTelegramIsOffRatherThanLeavingItOut) {
  const json::value v = json::parse(health_json(sample_report()));
  EXPECT_TRUE(v.at("telegram").is_null());
}

// What a scraper needs of the text format (0.0.4): every sample `name{labels} value`, one HELP
// and one TYPE per family before its samples, and histograms whose buckets are cumulative,
// end in +Inf and agree with _count. Returns the problems found.
std::vector<std::string> prometheus_problems(const std::string& text) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> types;
  std::set<std::string> helps;
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // (le, count)
    std::optional<double> count;
    bool has_sum = false;
  };
  std::map<std::string, Series> histograms;  // by family and labels other than le
  const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$)");
  const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const std::string rest = line.substr(7);
      const std::string name = rest.substr(0, rest.find(' '));
      if (line[2] == 'H') {
        if (!helps.insert(name).second) problems.push_back("HELP twice: " + name);
      } else {
        const std::string type = rest.substr(rest.find(' ') + 1);
        if (type != "counter" && type != "gauge" && type != "histogram") {
          problems.push_back("unknown TYPE: " + line);
        }
        if (!types.emplace(name, type).second) problems.push_back("TYPE twice: " + name);
      }
      continue;
    }
    if (!std::regex_match(line, m, sample)) {
      problems.push_back("not a sample: " + line);
      continue;
    }
    std::string name = m[1];
    const std::string labels = m[3];
    const std::string value = m[4];
    std::string le;
    std::string other_labels;
    std::string rest = labels;
    for (std::smatch l; std::regex_search(rest, l, label);) {
      if (l.prefix().length() > 0 && l.prefix() != ",") problems.push_back("bad labels: " + line);
      if (l[1] == "le") {
        le = l[2];
      } else {
        other_labels += l.str() + ",";
      }
      rest = l.suffix();
    }
    if (!rest.empty() && rest != ",") problems.push_back("bad labels: " + line);
    double number = 0;
    try {
      number = value == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(value);
    } catch (const std::exception&) {
      problems.push_back("bad value: " + line);
    }
    std::string family = name;
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      const std::string base = name.substr(0, name.size() - std::min(name.size(), suffix.size()));
      if (name.ends_with(suffix) && types.contains(base) && types[base] == "histogram") {
        family = base;
      }
    }
    if (!types.contains(family) || !helps.contains(family)) {
      problems.push_back("sample before its HELP and TYPE: " + line);
      continue;
    }
    if (types[family] != "histogram") continue;
    Series& series = histograms[family + "{" + other_labels + "}"];
    if (name.ends_with("_bucket")) {
      if (le.empty()) problems.push_back("bucket without le: " + line);
      series.buckets.emplace_back(
          le == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(le), number);
    } else if (name.ends_with("_count")) {
      series.count = number;
    } else if (name.ends_with("_sum")) {
      series.has_sum = true;
    } else {
      problems.push_back("histogram sample that is no bucket, sum or count: " + line);
    }
  }
  for (const auto& [key, series] : histograms) {
    if (series.buckets.empty() || !std::isinf(series.buckets.back().first)) {
      problems.push_back(key + ": buckets do not end in +Inf");
      continue;
    }
    for (std::size_t i = 1; i < series.buckets.size(); ++i) {
      if (series.buckets[i].first <= series.buckets[i - 1].first) {
        problems.push_back(key + ": le not increasing");
      }
      if (series.buckets[i].second < series.buckets[i - 1].second) {
        problems.push_back(key + ": buckets not cumulative");
      }
    }
    if (!series.has_sum) problems.push_back(key + ": no _sum");
    if (series.count != series.buckets.back().second) {
      problems.push_back(key + ": _count is not the +Inf bucket");
    }
  }
  return problems;
}

HealthReport busy_report() {
  HealthReport r = sample_report();
  r.version = "1.2.3";
  r.daemon.rejected_by_reason = {{"invalid_json", 3}, {"stale_time", 1}};
  r.daemon.signals_by_type[static_cast<int>(SignalType::stop_hunt)] = 2;
  r.daemon.pings = 40;
  r.daemon.pongs = 39;
  for (double lag : {0.02, 0.2, 0.2, 45.0, -0.5}) r.daemon.exchange_lag.observe(lag);
  r.telegram = TelegramHealth{TelegramStats{.sent = 5}, 0};
  r.telegram->delivery.event_to_alert[static_cast<int>(Priority::urgent)].observe(0.7);
  r.telegram->delivery.event_to_alert[static_cast<int>(Priority::watch)].observe(3);
  return r;
}

TEST(HealthReport, PrometheusTextIsWellFormed) {
  const std::string text = prometheus_metrics(busy_report());
  EXPECT_THAT(prometheus_problems(text), ::testing::IsEmpty()) << text;
  EXPECT_THAT(prometheus_problems(prometheus_metrics(sample_report())), ::testing::IsEmpty());
}

TEST(HealthReport, TheWellFormednessCheckCatchesWhatAScraperWouldRefuse) {
  const std::string head = "# HELP teleglas_x_seconds x\n# TYPE teleglas_x_seconds histogram\n";
  EXPECT_THAT(prometheus_problems("teleglas_y 1\n"), ::testing::SizeIs(1));
  EXPECT_THAT(prometheus_problems(head + "teleglas_x_seconds_bucket{le=\"1\"} 2\n"
                                         "teleglas_x_seconds_bucket{le=\"+Inf\"} 1\n"
                                         "teleglas_x_seconds_sum 1\nteleglas_x_seconds_count 1\n"),
              ::testing::ElementsAre(::testing::HasSubstr("not cumulative")));
  EXPECT_THAT(prometheus_problems(head + "teleglas_x_seconds_bucket{le=\"+Inf\"} 1\n"
                                         "teleglas_x_seconds_sum 1\nteleglas_x_seconds_count 2\n"),
              ::testing::ElementsAre(::testing::HasSubstr("_count")));
}

TEST(HealthReport, PrometheusTextCarriesTheCountersTheIssueAsksFor) {
  const std::string text = prometheus_metrics(busy_report());
  for (const char* sample : {
           "teleglas_build_info{version=\"1.2.3\"} 1\n",
           "teleglas_uptime_seconds 90\n",
           "teleglas_feed_connections_live 1\n",
           "teleglas_feed_frames_total 1000\n",
           "teleglas_rejected_total{reason=\"invalid_json\"} 3\n",
           "teleglas_rejected_total{reason=\"stale_time\"} 1\n",
           "teleglas_feed_pings_total 40\n",
           "teleglas_feed_pongs_total 39\n",
           "teleglas_signals_emitted_total{type=\"STOP_HUNT\"} 2\n",
           "teleglas_signals_emitted_total{type=\"OI_DIVERGENCE\"} 0\n",
           "teleglas_telegram_sent_total 5\n",
           "teleglas_signal_latency_max_seconds 2.5e-05\n",
           "teleglas_resident_memory_bytes 12582912\n",
           "teleglas_exchange_lag_seconds_bucket{le=\"0.01\"} 1\n",
           "teleglas_exchange_lag_seconds_bucket{le=\"0.025\"} 2\n",
           "teleglas_exchange_lag_seconds_bucket{le=\"0.25\"} 4\n",
           "teleglas_exchange_lag_seconds_bucket{le=\"30\"} 4\n",
           "teleglas_exchange_lag_seconds_bucket{le=\"+Inf\"} 5\n",
           "teleglas_exchange_lag_seconds_count 5\n",
           "teleglas_exchange_lag_negative_total 1\n",
           "teleglas_event_to_alert_seconds_bucket{priority=\"URGENT\",le=\"0.5\"} 0\n",
           "teleglas_event_to_alert_seconds_bucket{priority=\"URGENT\",le=\"1\"} 1\n",
           "teleglas_event_to_alert_seconds_count{priority=\"URGENT\"} 1\n",
           "teleglas_event_to_alert_seconds_sum{priority=\"WATCH\"} 3\n",
           "teleglas_event_to_alert_seconds_count{priority=\"INFO\"} 0\n",
       }) {
    EXPECT_NE(text.find(sample), std::string::npos) << sample << "\n" << text;
  }
  EXPECT_EQ(text.find("priority=\"NONE\""), std::string::npos) << "no alert has no priority";
}

TEST(HealthReport, WithoutTelegramThereIsNoDeliveryLatency) {
  const std::string text = prometheus_metrics(sample_report());
  EXPECT_EQ(text.find("event_to_alert"), std::string::npos) << text;
}

TEST(HealthReport, JsonSaysConnectedWithEachConnectionsFrameAgeAndOpenGap) {
  HealthReport r = sample_report();
  r.daemon.connection_details = {
      {ConnectionState::live, r.now_ms - 1'200, 0},
      {ConnectionState::backing_off, r.now_ms - 30'000, r.now_ms - 25'000}};
  r.telegram = TelegramHealth{TelegramStats{}, 3};
  r.telegram->delivery.alerts_last_hour = 4;
  const json::value v = json::parse(health_json(r));
  const json::array& connections = v.at("connections").as_array();
  ASSERT_EQ(connections.size(), 2u);
  EXPECT_EQ(connections[0].at("state").as_string(), "connected");
  EXPECT_EQ(connections[0].at("last_frame_age_ms").to_number<int>(), 1'200);
  EXPECT_EQ(connections[0].at("open_gap_ms").to_number<int>(), 0);
  EXPECT_EQ(connections[1].at("state").as_string(), "backing_off");
  EXPECT_EQ(connections[1].at("open_gap_ms").to_number<int>(), 25'000);
  EXPECT_EQ(v.at("last_frame_age_ms").to_number<int>(), 1'200);
  EXPECT_EQ(v.at("open_gap_ms").to_number<int>(), 0) << "one connection is live";
  EXPECT_EQ(v.at("queue_depth").to_number<int>(), 3);
  EXPECT_EQ(v.at("alerts_last_hour").to_number<int>(), 4);
  EXPECT_EQ(v.at("uptime_s").to_number<int>(), 90);
  EXPECT_EQ(v.at("feed").at("connections").at(0).as_string(), "live") << "the old key is kept";
}

TEST(HealthReport, JsonCountsTheOpenGapWhileTheStreamIsDown) {
  HealthReport r = sample_report();
  r.daemon.connections = {ConnectionState::connecting};
  r.daemon.connection_details = {{ConnectionState::connecting, 0, r.now_ms - 7'000}};
  r.daemon.stream_down_since = r.now_ms - 7'000;
  const json::value v = json::parse(health_json(r));
  EXPECT_EQ(v.at("open_gap_ms").to_number<int>(), 7'000);
  EXPECT_TRUE(v.at("last_frame_age_ms").is_null()) << "no frame yet";
  EXPECT_TRUE(v.at("connections").at(0).at("last_frame_age_ms").is_null());
  EXPECT_EQ(v.at("queue_depth").to_number<int>(), 0);
}

}  // namespace
}  // namespace teleglas
