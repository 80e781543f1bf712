// The fixture of the Telegram sender and bot tests: the fake Telegram on its own thread; the
// sink (sender and bot) on the test thread's io_context, run in bounded slices. Logs are
// captured to prove the token never appears in them.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "../alerts/sample_signals.hpp"
#include "../simserver/sim_test_support.hpp"
#include "teleglas/simserver/telegram_server.hpp"
#include "teleglas/storage/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "teleglas/app/telegram_sink.hpp"
#include "teleglas/storage/sqlite_store.hpp"
#include "teleglas/storage/writer.hpp"

namespace teleglas {

namespace net = boost::asio;
using namespace std::chrono_literals;

inline const std::string token = "123456:SECRET-BOT-TOKEN";

class TelegramSinkTest : public ::testing::Test {
 protected:
  TelegramSinkTest()
      : identity_(make_loopback_identity()),
        ca_(identity_.ca_cert_pem),
        server_(server_io_, SimTelegramOptions{identity_, token}),
        work_(server_io_.get_executor()),
        thread_([this] { server_io_.run(); }),
        previous_logger_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    config_.api_url = server_.api_url();
    config_.ca_file = ca_.path();
    config_.chat_ids = {-1001, -1002};
  }
  ~TelegramSinkTest() override {
    spdlog::set_default_logger(previous_logger_);
    server_.stop();
    work_.reset();
    thread_.join();
  }

  TelegramOptions options() {
    OutboxConfig outbox = outbox_config_from(config_);
    outbox.retry.fixed_delay_ms = 100;  // keeps the retry tests short
    outbox.limits.per_chat_interval_ms = 100;
    return TelegramOptions{.outbox = outbox, .poll_retry = 50ms};
  }

  std::unique_ptr<TelegramSink> make_sink(StorageWriter* storage = nullptr) {
    TelegramOptions opts = options();
    opts.storage = storage;
    auto sink = std::make_unique<TelegramSink>(io_, config_, token, opts);
    sink->start();
    return sink;
  }

  // The fake records a message before its answer reaches the sink: wait for both sides, so
  // the sink's counters are settled too.
  bool wait_delivered(std::size_t count, std::chrono::milliseconds limit = 5s,
                      const TelegramSink* sink = nullptr) {
    return sim_test::run_until(
        io_,
        [&] {
          return server_.delivered().size() >= count && (!sink || sink->stats().sent >= count);
        },
        limit);
  }

  // A sink on its own wall clock, so that a restart can happen "later".
  std::unique_ptr<TelegramSink> make_sink_at(StorageWriter* storage, const TimeMs* wall) {
    TelegramOptions opts = options();
    opts.storage = storage;
    opts.wall_clock = [wall] { return *wall; };
    auto sink = std::make_unique<TelegramSink>(io_, config_, token, opts);
    sink->start();
    return sink;
  }

  std::string db_path() const { return dir_.file("teleglas.db"); }

  // The writer thread around a real SQLite file, as the daemon has it. Declare it before the
  // sink that uses it, so that it outlives the sink.
  std::unique_ptr<StorageWriter> open_storage(
      std::chrono::milliseconds busy_timeout = SqliteStore::default_busy_timeout) {
    return std::make_unique<StorageWriter>(
        std::unique_ptr<Store>(SqliteStore::open(db_path(), busy_timeout)));
  }

  // A second connection to the file: what is committed, as another process would see it.
  std::unique_ptr<SqliteStore> open_store() { return SqliteStore::open(db_path()); }

  void settle(std::chrono::milliseconds how_long = 100ms) {
    sim_test::run_until(
        io_, [] { return false; }, how_long);
  }

  // Stops a sink and lets its coroutines finish, as a process exit would.
  void shut_down(std::unique_ptr<TelegramSink>& sink) {
    sink->stop();
    settle(50ms);
    sink.reset();
  }

  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    return sim_test::run_until(io_, done, limit);
  }

  std::vector<SimTelegramMessage> delivered_to(ChatId chat) const {
    std::vector<SimTelegramMessage> out;
    for (auto& m : server_.delivered()) {
      if (m.chat_id == chat) out.push_back(m);
    }
    return out;
  }

  void expect_token_nowhere_in_logs() {
    EXPECT_EQ(log_.str().find(token), std::string::npos) << log_.str();
    EXPECT_EQ(log_.str().find("SECRET"), std::string::npos) << log_.str();
  }

  TlsIdentity identity_;
  sim_test::TempFile ca_;
  net::io_context server_io_;
  SimTelegramServer server_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_logger_;
  TelegramConfig config_;
  testing::TempDir dir_;
  net::io_context io_;
};

}  // namespace teleglas
