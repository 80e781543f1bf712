#include "teleglas/app/health_report.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
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

TEST(HealthReport, PrometheusTextHasHelpTypeAndOneSamplePerMetric) {
  HealthReport r = sample_report();
  r.telegram = TelegramHealth{TelegramStats{.sent = 5}, 0};
  const std::string text = prometheus_metrics(r);
  std::istringstream lines(text);
  std::string line;
  int samples = 0;
  std::string last_type;
  while (std::getline(lines, line)) {
    if (line.starts_with("# TYPE ")) {
      last_type = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.starts_with("# HELP ")) continue;
    ++samples;
    const auto space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_EQ(line.substr(0, space), last_type) << "a sample follows its own TYPE line";
    EXPECT_NO_THROW((void)std::stod(line.substr(space + 1))) << line;
  }
  EXPECT_GE(samples, 15);
  EXPECT_NE(text.find("teleglas_feed_connections_live 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("teleglas_telegram_sent_total 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("teleglas_signal_latency_max_seconds 2.5e-05\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("teleglas_resident_memory_bytes 12582912\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace teleglas
