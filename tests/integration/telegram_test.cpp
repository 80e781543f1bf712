// `teleglas run` as a black box between a stand-in CoinGlass and the fake Telegram Bot API:
// alerts survive Telegram outages and kill -9, bursts respect Telegram's limits, commands are
// answered to configured chats only.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include <fmt/format.h>

#include "cli_harness.hpp"
#include "support/postgres_test_support.hpp"
#include "teleglas/simserver/telegram_server.hpp"
#include "stand_ins.hpp"
#include "teleglas/simserver/coinglass_server.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;
using namespace std::chrono_literals;
namespace net = boost::asio;

constexpr const char* bot_token = "777000:SECRET-bot-token-xyz";

// A server with its own io_context and thread, so that one can start or stop mid-test.
template <class Server>
class Running {
 public:
  template <class... Args>
  explicit Running(Args&&... args)
      : server_(std::make_unique<Server>(io_, std::forward<Args>(args)...)),
        thread_([this] { io_.run_for(180s); }) {}
  ~Running() {
    net::post(io_, [this] { server_->stop(); });
    thread_.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  Server* operator->() { return server_.get(); }

 private:
  net::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// A loopback port nobody listens on (for now).
std::uint16_t free_port() {
  net::io_context io;
  net::ip::tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

std::size_t count_containing(const std::vector<SimTelegramMessage>& messages,
                             const std::string& text) {
  return static_cast<std::size_t>(std::count_if(
      messages.begin(), messages.end(),
      [&](const SimTelegramMessage& m) {
        // The HTML as sent: a message's text, or the caption of an alert's chart.
        const std::string& html = m.method == "sendPhoto" ? m.caption : m.text;
        return html.find(text) != std::string::npos;
      }));
}

class TelegramCli : public ::testing::Test {
 protected:
  TelegramCli() : identity(make_loopback_identity()) {
    write_file(dir / "ca.pem", identity.ca_cert_pem);
  }

  SimCoinglassOptions coinglass_with(std::vector<std::string> frames) {
    SimCoinglassOptions options;
    options.identity = identity;
    options.frames = std::move(frames);
    return options;
  }

  std::string write_config(SimCoinglassServer& coinglass, const std::string& telegram_url,
                           const std::string& telegram_extra = "") {
    return write_config(coinglass.ws_url(), coinglass.rest_url(), telegram_url, telegram_extra);
  }

  std::string write_config(const std::string& ws_url, const std::string& rest_url,
                           const std::string& telegram_url, const std::string& telegram_extra) {
    const std::string path = (dir / "teleglas.yaml").string();
    write_file(path, fmt::format(R"(sources: [coinglass]  # never the real exchanges
coinglass:
  ws_url: {}
  rest_url: {}
  ca_file: {}
  reconnect_initial_s: 0.1
symbols:
  - symbol: BTCUSDT
    exchanges: [Binance]
telegram:
  api_url: {}
  ca_file: {}
  chat_ids: [4242]
{}storage:
{}http:
  listen: 127.0.0.1:0
)",
                                 ws_url, rest_url, (dir / "ca.pem").string(), telegram_url,
                                 (dir / "ca.pem").string(), telegram_extra,
                                 storage.empty() ? "  path: " + (dir / "state" / "teleglas.db").string() + "\n"
                                                 : storage));
    return path;
  }

  std::vector<std::pair<std::string, std::string>> secrets() const {
    return {{"COINGLASS_API_KEY", secret_key}, {"TELEGRAM_BOT_TOKEN", bot_token}};
  }

  struct Delivery {
    bool delivered = false;  // Telegram got the stop hunt, once
    int exit_code = -1;      // of the daemon, stopped with SIGTERM after it
    std::string out, err;
  };
  // Runs the daemon on a stop hunt until Telegram has it once, then stops it.
  Delivery deliver_a_stop_hunt() {
    Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token});
    Running<SimCoinglassServer> coinglass(coinglass_with(stop_hunt_frames()));
    const auto config =
        write_config(*coinglass.operator->(), telegram->api_url(), "  commands: false\n");
    BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir);
    Delivery d;
    d.delivered = wait_until(
        [&] { return count_containing(telegram->delivered(), "Stop hunt") == 1; }, 20s);
    d.exit_code = daemon.stop(SIGTERM, 5s);
    d.out = daemon.out();
    d.err = daemon.err();
    return d;
  }

  TempDir dir;
  TlsIdentity identity;
  std::string storage;  // the storage section's lines; empty: a SQLite file in dir/state
};

TEST_F(TelegramCli, AnAlertQueuedWhileTelegramIsDownSurvivesKillDashNine) {
  const std::uint16_t telegram_port = free_port();
  const std::string telegram_url = "https://127.0.0.1:" + std::to_string(telegram_port);
  {
    Running<SimCoinglassServer> coinglass(coinglass_with(stop_hunt_frames()));
    const auto config = write_config(*coinglass.operator->(), telegram_url);
    BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir, "first");
    ASSERT_TRUE(daemon.wait_for_output("Stop hunt", 15s)) << daemon.err();
    ASSERT_TRUE(daemon.wait_for_log("to chat 4242 failed", 15s)) << daemon.err();
    daemon.stop(SIGKILL, 5s);
  }

  // Telegram is back; the stand-in has nothing new to say, so whatever arrives was queued
  // by the killed process.
  Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token}, telegram_port);
  Running<SimCoinglassServer> quiet(coinglass_with({}));
  const auto config = write_config(*quiet.operator->(), telegram_url);
  BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir, "second");
  EXPECT_TRUE(wait_until([&] { return !telegram->delivered().empty(); }, 15s)) << daemon.err();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0) << daemon.err();

  const auto delivered = telegram->delivered();
  ASSERT_EQ(delivered.size(), 1u) << daemon.err();
  EXPECT_EQ(delivered[0].chat_id, 4242);
  EXPECT_EQ(delivered[0].method, "sendPhoto") << "the alert with its chart, kept in the store";
  EXPECT_NE(displayed_text(delivered[0]).find("Stop hunt"), std::string::npos)
      << displayed_text(delivered[0]);
  EXPECT_NE(daemon.err().find("1 alert(s) queued before the restart will be sent now"),
            std::string::npos)
      << daemon.err();
  EXPECT_EQ(daemon.err().find(bot_token), std::string::npos);
}

TEST_F(TelegramCli, TooManyRequestsIsWaitedOutAndServerErrorsAreRetried) {
  Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token});
  telegram->fail_next_with_429(1, 2);
  telegram->fail_next_with_status(1, 502);
  Running<SimCoinglassServer> coinglass(coinglass_with(stop_hunt_frames()));
  const auto config =
      write_config(*coinglass.operator->(), telegram->api_url(), "  commands: false\n");
  BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir);
  EXPECT_TRUE(wait_until([&] { return !telegram->delivered().empty(); }, 30s)) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);

  const auto messages = telegram->messages();
  ASSERT_GE(messages.size(), 3u) << daemon.err();
  EXPECT_EQ(messages[0].status, 429u);
  EXPECT_GE(messages[1].received_at - messages[0].received_at, 2s) << "waited retry_after";
  EXPECT_EQ(messages[1].status, 502u);
  EXPECT_EQ(messages[2].status, 200u);
  EXPECT_EQ(displayed_text(messages[2]), displayed_text(messages[0]));
  EXPECT_EQ(messages[2].photo, messages[0].photo) << "the same chart each attempt";
}

TEST_F(TelegramCli, ABurstOf25AlertsNeverExceeds20PerMinuteAndNothingIsLost) {
  std::vector<std::string> frames;
  for (int i = 0; i < 25; ++i) {
    for (std::string& f : stop_hunt_frames("C" + std::to_string(i) + "USDT", i == 0)) {
      frames.push_back(std::move(f));
    }
  }
  Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token});
  Running<SimCoinglassServer> coinglass(coinglass_with(std::move(frames)));
  const auto config =
      write_config(*coinglass.operator->(), telegram->api_url(), "  commands: false\n");
  BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir);
  const auto alerts_delivered = [&] {
    return count_containing(telegram->delivered(), "Stop hunt");
  };
  EXPECT_TRUE(wait_until([&] { return alerts_delivered() >= 25; }, 100s))
      << alerts_delivered() << " delivered\n"
      << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);

  const auto messages = telegram->messages();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < messages.size(); ++j) {
      if (messages[j].received_at - messages[i].received_at < 60s) ++in_window;
    }
    ASSERT_LE(in_window, 20u) << "requests in the minute from request " << i;
  }
  // Every symbol's alert arrived, alone (different symbols are never merged).
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(count_containing(telegram->delivered(), "<b>C" + std::to_string(i) + "USDT</b>"), 1u)
        << "C" << i << "USDT";
  }
}

TEST_F(TelegramCli, StatusIsAnsweredToAConfiguredChatAndStrangersAreIgnored) {
  Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token});
  Running<SimCoinglassServer> coinglass(coinglass_with({}));
  const auto config = write_config(*coinglass.operator->(), telegram->api_url());
  BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir);
  // Asked once the stream is up, so that the answer has "live" to report.
  ASSERT_TRUE(daemon.wait_for_log("feed[coinglass 0]: live", 15s)) << daemon.err();
  telegram->push_update(31337, "/status", "stranger");
  telegram->push_update(4242, "/status", "owner");
  EXPECT_TRUE(wait_until([&] { return !telegram->delivered().empty(); }, 15s)) << daemon.err();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);

  const auto delivered = telegram->delivered();
  ASSERT_EQ(delivered.size(), 1u) << daemon.err();
  EXPECT_EQ(delivered[0].chat_id, 4242);
  EXPECT_NE(delivered[0].text.find("live"), std::string::npos) << delivered[0].text;
  EXPECT_NE(delivered[0].text.find("Sources: coinglass live"), std::string::npos)
      << delivered[0].text;
  EXPECT_NE(daemon.err().find("ignored /status from chat 31337"), std::string::npos)
      << daemon.err();
  EXPECT_EQ(daemon.err().find(bot_token), std::string::npos);
}

TEST_F(TelegramCli, ALongCoinGlassOutageAndItsEndAreReportedToTheAdminChats) {
  Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token});
  const std::uint16_t coinglass_port = free_port();  // CoinGlass down: nothing listens yet
  const std::string host = "127.0.0.1:" + std::to_string(coinglass_port);
  const auto config =
      write_config("wss://" + host + "/ws-api", "https://" + host, telegram->api_url(),
                   "  commands: false\n  admin_chat_ids: [99]\n  outage_notice_s: 1\n");
  BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir);
  const auto notices = [&] { return count_containing(telegram->delivered(), "CoinGlass stream"); };
  ASSERT_TRUE(wait_until([&] { return notices() >= 1; }, 15s)) << daemon.err();
  EXPECT_EQ(telegram->delivered()[0].chat_id, 99);
  EXPECT_NE(telegram->delivered()[0].text.find("CoinGlass stream down for"), std::string::npos)
      << telegram->delivered()[0].text;

  Running<SimCoinglassServer> coinglass(coinglass_with({}), coinglass_port);
  EXPECT_TRUE(wait_until([&] { return notices() >= 2; }, 20s)) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);
  const auto delivered = telegram->delivered();
  ASSERT_EQ(delivered.size(), 2u) << "one notice each way, not one per reconnect attempt";
  EXPECT_NE(delivered[1].text.find("CoinGlass stream is back after"), std::string::npos)
      << delivered[1].text;
}

TEST_F(TelegramCli, CoinGlassRefusingTheKeyIsReportedToTheAdminChatsOnce) {
  Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token});
  SimCoinglassOptions refusing = coinglass_with({});
  refusing.faults.upgrade_status = 401;
  Running<SimCoinglassServer> coinglass(std::move(refusing));
  const auto config = write_config(*coinglass.operator->(), telegram->api_url(),
                                   "  commands: false\n  admin_chat_ids: [99]\n");
  BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir);
  EXPECT_TRUE(wait_until([&] { return !telegram->delivered().empty(); }, 15s)) << daemon.err();
  std::this_thread::sleep_for(1500ms);  // further refusals back off; none is reported again
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);
  const auto delivered = telegram->delivered();
  ASSERT_EQ(delivered.size(), 1u) << daemon.err();
  EXPECT_EQ(delivered[0].chat_id, 99);
  EXPECT_NE(delivered[0].text.find("401"), std::string::npos) << delivered[0].text;
  EXPECT_EQ(delivered[0].text.find(secret_key), std::string::npos);
}

TEST_F(TelegramCli, EveryFaultAtOnceLosesNoAlertAndDuplicatesNone) {
  std::vector<std::string> frames;
  for (int i = 0; i < 8; ++i) {
    for (std::string& f : stop_hunt_frames("F" + std::to_string(i) + "USDT", i == 0)) {
      frames.push_back(std::move(f));
    }
  }
  Running<SimTelegramServer> telegram(SimTelegramOptions{identity, bot_token});
  telegram->fail_next_with_429(1, 1);
  telegram->fail_next_with_status(2, 500);
  telegram->drop_next_connections(1);
  telegram->set_response_delay(200ms);
  Running<SimCoinglassServer> coinglass(coinglass_with(std::move(frames)));
  const auto config = write_config(*coinglass.operator->(), telegram->api_url());
  BackgroundTeleglas daemon({"run", "--config", config}, secrets(), dir);
  const auto delivered_symbols = [&] {
    std::size_t n = 0;
    for (int i = 0; i < 8; ++i) {
      n += count_containing(telegram->delivered(), "<b>F" + std::to_string(i) + "USDT</b>") > 0;
    }
    return n;
  };
  EXPECT_TRUE(wait_until([&] { return delivered_symbols() == 8; }, 60s)) << daemon.err();
  EXPECT_EQ(daemon.stop(SIGTERM, 5s), 0);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(count_containing(telegram->delivered(), "<b>F" + std::to_string(i) + "USDT</b>"), 1u)
        << "F" << i << "USDT";
  }
  const auto all = telegram->messages();
  EXPECT_GE(all.size(), 8u + 4u) << "every fault was met";
  EXPECT_EQ(daemon.err().find(bot_token), std::string::npos);
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

namespace fs = std::filesystem;
using namespace teleglas::testing;
using namespace std::chrono_literals;

// Storage that cannot be used never keeps an alert from Telegram: the daemon names the file
// or the (redacted) URL and sends on, keeping history in memory until it can write it.
TEST_F(TelegramCli, ADamagedDatabaseFileIsNamedAndAlertsStillGoOut) {
  fs::create_directories(dir / "state");
  const std::string db = (dir / "state" / "teleglas.db").string();
  write_file(db, std::string(4096, 'x'));
  const Delivery run = deliver_a_stop_hunt();
  EXPECT_TRUE(run.delivered) << run.err;
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(db), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("alerts are kept in memory until it opens"), std::string::npos)
      << run.err;
  EXPECT_EQ(read_file(db), std::string(4096, 'x')) << "a damaged file is left as it was";
}

TEST_F(TelegramCli, APostgresThatRefusesThePasswordIsNamedWithoutItAndAlertsStillGoOut) {
  const auto server = test_postgres_url();
  ASSERT_TRUE(server) << no_postgres_message();
  const std::string url = *server;
  ASSERT_FALSE(password_of(url).empty()) << "the test URL has user:password@";
  const std::string wrong_password = "Wr0ng-Pa55word-zz";
  const std::string wrong = with_password(url, wrong_password);
  storage = "  backend: postgres\n  postgres_url: \"" + wrong + "\"\n";
  const Delivery run = deliver_a_stop_hunt();
  EXPECT_TRUE(run.delivered) << run.err;
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find(with_password(url, "***")), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(wrong_password), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find(wrong_password), std::string::npos);
}

}  // namespace
}  // namespace teleglas
