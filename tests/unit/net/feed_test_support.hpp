// What the feed tests share: a listener that records every callback, and a fixture with a
// loopback TLS identity, its CA in a file for ca_file, a counter clock for exact gap bounds,
// captured log lines, and io_context runs bounded by a deadline.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "teleglas/net/tls_identity.hpp"
#include "teleglas/net/ws_feed.hpp"

namespace teleglas::testing {

struct RecordingListener : FeedListener {
  struct Frame {
    std::string text;
    TimeMs time;
  };
  void on_frame(std::string_view text, TimeMs receive_time) override {
    frames.push_back({std::string(text), receive_time});
  }
  void on_state(std::size_t connection, ConnectionState state) override {
    states.emplace_back(connection, state);
  }
  void on_alarm(std::string_view what) override { alarms.emplace_back(what); }
  void on_gap(const FeedGap& gap) override { gaps.push_back(gap); }

  bool saw(ConnectionState state) const {
    for (const auto& [connection, s] : states) {
      if (s == state) return true;
    }
    return false;
  }
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& f : frames) out.push_back(f.text);
    return out;
  }

  std::vector<Frame> frames;
  std::vector<std::pair<std::size_t, ConnectionState>> states;
  std::vector<std::string> alarms;
  std::vector<FeedGap> gaps;
};

class FeedTestBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { identity_ = new TlsIdentity(make_loopback_identity()); }
  static void TearDownTestSuite() {
    delete identity_;
    identity_ = nullptr;
  }

  void SetUp() override {
    ca_path_ = std::filesystem::temp_directory_path() /
               ("teleglas_ws_feed_ca_" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_path_) << identity_->ca_cert_pem;
  }

  void TearDown() override { std::filesystem::remove(ca_path_); }

  // Receive times from a counter, so gaps can be checked exactly.
  WsFeedOptions feed_options() {
    WsFeedOptions options;
    options.wall_clock = [this] { return ++clock_ms_; };
    options.random = [] { return 0.5; };
    options.log = [this](FeedLogLevel, std::string_view line) {
      // TELEGLAS_TEST_LOG=1 shows what the feed logs, when a scenario needs explaining.
      if (std::getenv("TELEGLAS_TEST_LOG") != nullptr)
        std::fprintf(stderr, "  log: %.*s\n", static_cast<int>(line.size()), line.data());
      log_lines_.emplace_back(line);
    };
    options.handshake_timeout_s = 2;
    options.close_timeout_s = 0.3;
    return options;
  }

  // Runs the io_context until `done` holds or `limit` passes; returns `done()`.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(3)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (io_.stopped()) io_.restart();
      io_.run_for(std::chrono::milliseconds(5));
    }
    return done();
  }

  void run_for(std::chrono::milliseconds duration) {
    run_until([] { return false; }, duration);
  }

  bool all_stopped(const WsFeed& feed) const {
    for (const auto& c : feed.stats().connections) {
      if (c.state != ConnectionState::stopped) return false;
    }
    return true;
  }

  static TlsIdentity* identity_;
  boost::asio::io_context io_;
  std::filesystem::path ca_path_;
  RecordingListener listener_;
  std::vector<std::string> log_lines_;
  TimeMs clock_ms_ = 1'000'000;
};

inline TlsIdentity* FeedTestBase::identity_ = nullptr;

}  // namespace teleglas::testing
