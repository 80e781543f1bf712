// The Telegram sink as a bot: the durable outbox over a real SQLite file, and the commands it
// answers by getUpdates long polling against the fake Bot API.
#include "../alerts/sample_signals.hpp"
#include "support/temp_dir.hpp"
#include "teleglas/storage/sqlite_store.hpp"
#include "telegram_sink_fixture.hpp"

namespace teleglas {
namespace {

using namespace std::chrono_literals;

class TelegramBotTest : public TelegramSinkTest {
 protected:
  TelegramBotTest() { config_.chat_ids = {-1001}; }

  std::unique_ptr<SqliteStore> open_store() {
    return SqliteStore::open((dir_ / "teleglas.db").string());
  }

  // A sink on its own wall clock, so that a restart can happen "later".
  std::unique_ptr<TelegramSink> make_sink_at(OutboxStore* store, const TimeMs* wall) {
    TelegramSinkOptions opts = options();
    opts.store = store;
    opts.wall_clock = [wall] { return *wall; };
    auto sink = std::make_unique<TelegramSink>(io_, config_, token, opts);
    sink->start();
    return sink;
  }

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

  testing::TempDir dir_;
};

// ---- the durable outbox ------------------------------------------------------------------

TEST_F(TelegramBotTest, AnAlertIsStoredBeforeItsFirstAttemptAndMarkedSentAfterTelegramsOk) {
  config_.commands = false;
  auto store = open_store();
  auto sink = make_sink(store.get());
  sink->on_signal(samples::stop_hunt_long());
  // Nothing has run yet: not a byte went to Telegram, and the alert is on disk.
  ASSERT_EQ(store->unsent_alerts().size(), 1u);
  EXPECT_EQ(store->unsent_alerts()[0].text, format_telegram_html(samples::stop_hunt_long()));
  EXPECT_EQ(store->unsent_alerts()[0].chat_id, -1001);

  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_TRUE(store->unsent_alerts().empty());
  EXPECT_EQ(store->counts().sent, 1u);
}

TEST_F(TelegramBotTest, AlertsUnsentWhenTheProcessEndsAreSentByTheNextStart) {
  config_.commands = false;
  const TelegramConfig reachable = config_;
  config_.api_url = "https://127.0.0.1:1";  // Telegram down: nothing listens there
  auto store = open_store();
  auto down = make_sink(store.get());
  down->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_for([&] { return down->stats().failed >= 1; }));
  shut_down(down);
  store.reset();

  config_ = reachable;
  auto reopened = open_store();
  auto sink = make_sink(reopened.get());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(sink->stats().restored, 1u);
  EXPECT_EQ(server_.delivered()[0].text, format_telegram_html(samples::stop_hunt_long()));
  EXPECT_EQ(reopened->counts().sent, 1u);
  EXPECT_EQ(reopened->counts().pending, 0u);
  settle();
  EXPECT_EQ(server_.delivered().size(), 1u) << "sent once";
}

TEST_F(TelegramBotTest, AlertsTooOldAtRestartAreDroppedAndTheAdminsAreTold) {
  config_.commands = false;
  config_.admin_chat_ids = {-42};
  const TelegramConfig reachable = config_;
  config_.api_url = "https://127.0.0.1:1";
  TimeMs wall = 1'725'416'318'379;
  auto store = open_store();
  auto down = make_sink_at(store.get(), &wall);
  down->on_signal(samples::stop_hunt_long());
  shut_down(down);

  config_ = reachable;
  wall += 900'001;  // telegram.max_alert_age_s (900) and a millisecond later
  auto sink = make_sink_at(store.get(), &wall);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  settle();
  const auto messages = server_.delivered();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chat_id, -42);
  EXPECT_NE(messages[0].text.find("1 alert(s) queued before the restart were older than 900 s"),
            std::string::npos)
      << messages[0].text;
  EXPECT_EQ(store->counts().dropped, 1u);
  EXPECT_EQ(store->counts().pending, 0u);
}

TEST_F(TelegramBotTest, ADigestMarksEveryAlertItCarriesAsSent) {
  config_.commands = false;
  config_.max_per_minute = 2;
  auto store = open_store();
  auto sink = make_sink(store.get());
  for (int i = 0; i < 5; ++i) sink->on_signal(samples::stop_hunt_long());
  ASSERT_EQ(store->unsent_alerts().size(), 5u);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  settle();
  ASSERT_EQ(server_.delivered().size(), 1u);
  EXPECT_NE(server_.delivered()[0].text.find("5 \u00D7 STOP_HUNT"), std::string::npos);
  EXPECT_EQ(store->counts().sent, 5u);
  EXPECT_TRUE(store->unsent_alerts().empty());
}

TEST_F(TelegramBotTest, AlertsDroppedForAgeAreReportedToTheAdmins) {
  config_.commands = false;
  config_.admin_chat_ids = {-42};
  server_.fail_next_with_status(3, 502);
  TelegramSinkOptions opts = options();
  opts.outbox->max_alert_age_ms = 300;
  auto store = open_store();
  opts.store = store.get();
  auto sink = std::make_unique<TelegramSink>(io_, config_, token, opts);
  sink->start();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_for([&] { return !delivered_to(-42).empty(); }));
  EXPECT_NE(delivered_to(-42)[0].text.find("1 alert(s) were dropped: still unsent after"),
            std::string::npos)
      << delivered_to(-42)[0].text;
  EXPECT_TRUE(delivered_to(-1001).empty());
  EXPECT_EQ(sink->stats().dropped, 1u);
  EXPECT_EQ(store->counts().dropped, 1u);
}

// ---- commands ------------------------------------------------------------------------------

DaemonHealth live_feed() {
  DaemonHealth h;
  h.connections = {ConnectionState::live};
  h.frames_last_minute = 4321;
  h.signals_today = 17;
  h.reconnects = 2;
  return h;
}

TEST_F(TelegramBotTest, StatusFromAConfiguredChatIsAnswered) {
  auto sink = make_sink();
  sink->set_health_source(live_feed);
  server_.push_update(-1001, "/status");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  const auto reply = server_.delivered()[0];
  EXPECT_EQ(reply.chat_id, -1001);
  EXPECT_EQ(reply.parse_mode, "HTML");
  EXPECT_NE(reply.text.find("live (1/1 connections, 2 reconnects)"), std::string::npos)
      << reply.text;
  EXPECT_NE(reply.text.find("17"), std::string::npos) << reply.text;
  EXPECT_EQ(sink->stats().commands_answered, 1u);
  expect_token_nowhere_in_logs();
}

TEST_F(TelegramBotTest, StrangersAreIgnoredAndLogged) {
  auto sink = make_sink();
  server_.push_update(555, "/status", "stranger");
  server_.push_update(-1001, "/help");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  settle();
  const auto messages = server_.delivered();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chat_id, -1001);
  EXPECT_NE(messages[0].text.find("/mute"), std::string::npos) << "help lists the commands";
  EXPECT_EQ(sink->stats().commands_ignored, 1u);
  EXPECT_NE(log_.str().find("ignored /status from chat 555 (@stranger)"), std::string::npos)
      << log_.str();
}

TEST_F(TelegramBotTest, MuteSilencesOnlyThatChatUntilUnmute) {
  config_.chat_ids = {-1001, -1002};
  auto sink = make_sink();
  server_.push_update(-1001, "/mute 30");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_NE(server_.delivered()[0].text.find("30 min"), std::string::npos);

  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(2, 5s, sink.get()));
  settle();
  EXPECT_EQ(delivered_to(-1001).size(), 1u) << "only the mute reply";
  EXPECT_EQ(delivered_to(-1002).size(), 1u);
  EXPECT_EQ(sink->stats().muted, 1u);

  server_.push_update(-1001, "/unmute");
  ASSERT_TRUE(wait_delivered(3, 5s, sink.get()));
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(5, 5s, sink.get()));
  EXPECT_EQ(delivered_to(-1001).size(), 3u);  // mute reply, unmute reply, the alert
}

TEST_F(TelegramBotTest, MuteAndUpdateOffsetSurviveARestart) {
  auto store = open_store();
  auto sink = make_sink(store.get());
  server_.push_update(-1001, "/mute");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_NE(server_.delivered()[0].text.find("60 min"), std::string::npos)
      << "an hour by default: " << server_.delivered()[0].text;
  shut_down(sink);

  const std::size_t polls_before = server_.get_updates_calls().size();
  auto restarted = make_sink(store.get());
  ASSERT_TRUE(wait_for([&] { return server_.get_updates_calls().size() > polls_before; }));
  const auto calls = server_.get_updates_calls();
  EXPECT_GT(calls.back().offset, calls.front().offset) << "confirmed updates are not re-read";
  restarted->on_signal(samples::stop_hunt_long());
  settle(300ms);
  EXPECT_EQ(server_.delivered().size(), 1u) << "still muted";
  EXPECT_EQ(restarted->stats().muted, 1u);
}

TEST_F(TelegramBotTest, APollerConflictIsLoggedOnceAndPollingGoesOn) {
  server_.fail_next_get_updates_with_status(3, 409);
  auto sink = make_sink();
  ASSERT_TRUE(wait_for([&] { return server_.get_updates_calls().size() >= 4; }));
  server_.push_update(-1001, "/help");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  const std::string log = log_.str();
  const auto first = log.find("getUpdates refused");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("getUpdates refused", first + 1), std::string::npos) << log;
  EXPECT_NE(log.find("getUpdates works again"), std::string::npos) << log;
}

}  // namespace
}  // namespace teleglas
