// The bot: the commands it answers by getUpdates long polling against the fake Bot API, and
// the mutes it keeps, over a real SQLite file.
#include <stdexcept>

#include "../alerts/sample_signals.hpp"
#include "teleglas/core/clock.hpp"
#include "telegram_sink_fixture.hpp"

namespace teleglas {
namespace {

using namespace std::chrono_literals;

class TelegramBotTest : public TelegramSinkTest {
 protected:
  TelegramBotTest() { config_.chat_ids = {-1001}; }
};

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

TEST_F(TelegramBotTest, StatusNamesEachSourcesConnections) {
  auto sink = make_sink();
  sink->set_health_source([] {
    DaemonHealth h = live_feed();
    const TimeMs now = system_now_ms();
    h.connections = {ConnectionState::live, ConnectionState::live, ConnectionState::backing_off,
                     ConnectionState::live};
    h.connection_details = {{ConnectionState::live, now, 0, "bybit"},
                            {ConnectionState::live, now, 0, "binance"},
                            {ConnectionState::backing_off, 0, now - 125'000, "okx"},
                            {ConnectionState::live, now, 0, "binance"}};
    return h;
  });
  server_.push_update(-1001, "/status");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  const std::string text = server_.delivered()[0].text;
  EXPECT_NE(text.find("partly live (3/4 connections"), std::string::npos) << text;
  EXPECT_NE(text.find("Sources: bybit live · binance live · okx <b>down</b> for 2 min"),
            std::string::npos)
      << text;
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
  auto storage = open_storage();
  auto sink = make_sink(storage.get());
  server_.push_update(-1001, "/mute");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_NE(server_.delivered()[0].text.find("60 min"), std::string::npos)
      << "an hour by default: " << server_.delivered()[0].text;
  shut_down(sink);

  const std::size_t polls_before = server_.get_updates_calls().size();
  auto restarted = make_sink(storage.get());
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

TEST_F(TelegramBotTest, AlertsGoToTheConfiguredChatsThatAreNotMuted) {
  config_.chat_ids = {-1001, -1002};
  config_.commands = false;
  TimeMs wall = 1'725'416'318'379;
  auto storage = open_storage();
  ASSERT_TRUE(storage->call([&](Store* store) {
    return store->set_setting("telegram.muted_until.-1001", std::to_string(wall + 60'000));
  }));
  auto sender = std::make_shared<TelegramSender>(io_, config_, token);
  TelegramBot bot(
      io_, config_, token, sender,
      TelegramOptions{.wall_clock = [&wall] { return wall; }, .storage = storage.get()});
  bot.start();
  EXPECT_EQ(bot.recipients(samples::stop_hunt_long()), (std::vector<ChatId>{-1002}));
  EXPECT_EQ(bot.stats().muted, 1u);

  wall += 60'000;  // the mute has ended
  EXPECT_EQ(bot.recipients(samples::stop_hunt_long()), (std::vector<ChatId>{-1001, -1002}));
  EXPECT_EQ(bot.stats().muted, 1u);
}

TEST_F(TelegramBotTest, ABotAnswersThroughTheSenderItIsGiven) {
  auto sender = std::make_shared<TelegramSender>(io_, config_, token, options());
  TelegramBot bot(io_, config_, token, sender, options());
  sender->start();
  bot.start();
  server_.push_update(-1001, "/help");
  ASSERT_TRUE(wait_for([&] { return sender->stats().sent == 1 && !server_.delivered().empty(); }));
  EXPECT_EQ(bot.stats().commands_answered, 1u);
  EXPECT_EQ(server_.delivered()[0].chat_id, -1001);
  EXPECT_NE(server_.delivered()[0].text.find("/mute"), std::string::npos);
}

// ---- /stats over the stored history ---------------------------------------------------------

// A stop hunt `age_ms` before now, as the pipeline hands it to history (open: it has a setup).
SignalRecord stop_hunt_at(TimeMs time, int confidence) {
  Signal signal = samples::stop_hunt_long();
  signal.time = time;
  signal.confidence = confidence;
  return SignalRecord{signal, "{}"};
}

// What the outcome tracker later writes for it.
Outcome resolved_as(const SignalRecord& record, OutcomeState state) {
  Outcome o = initial_outcome(record.signal);
  o.state = state;
  o.resolved_time = record.signal.time + 60'000;
  return o;
}

TEST_F(TelegramBotTest, StatsShowsTheWinRatePerTypeAndTheCalibrationFromTheStoredHistory) {
  auto storage = open_storage();
  const TimeMs now = system_now_ms();
  HistoryBatch batch;
  for (int i = 0; i < 10; ++i) {
    batch.signals.push_back(stop_hunt_at(now - 3'600'000 + i, i < 4 ? 72 : 88));
    batch.outcomes.push_back(
        resolved_as(batch.signals.back(), i % 4 == 0 ? OutcomeState::loss : OutcomeState::win));
  }
  batch.signals.push_back(stop_hunt_at(now - 8 * 86'400'000LL, 91));  // before the lookback
  batch.outcomes.push_back(resolved_as(batch.signals.back(), OutcomeState::loss));
  ASSERT_TRUE(storage->call([&](Store* store) { return store->write(batch); }));

  TelegramOptions opts = options();
  opts.storage = storage.get();
  opts.stats_lookback_days = 7;
  auto sink = std::make_unique<TelegramSink>(io_, config_, token, opts);
  sink->start();
  sink->set_health_source(live_feed);
  server_.push_update(-1001, "/stats");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  const std::string reply = server_.delivered()[0].text;
  EXPECT_NE(reply.find("Signals today: <b>17</b>"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Signals and outcomes, last 7 days"), std::string::npos) << reply;
  // 10 stop hunts in the week, 3 lost (i = 0, 4, 8): 70 %; by confidence, 70-79 won 3 of 4 and
  // 80-89 won 4 of 6.
  EXPECT_NE(reply.find("STOP_HUNT                 10     7      3       0     0    70%"),
            std::string::npos)
      << reply;
  EXPECT_NE(reply.find("70-79             4     3       1        0     0   75%"), std::string::npos)
      << reply;
  EXPECT_NE(reply.find("80-89             6     4       2        0     0   67%"), std::string::npos)
      << reply;
  EXPECT_EQ(reply.find("90-100"), std::string::npos) << "older than the lookback: " << reply;
  EXPECT_LT(reply.size(), telegram_max_message_chars);
  EXPECT_EQ(sink->stats().commands_answered, 1u);
  EXPECT_EQ(sink->stats().store_errors, 0u);
}

TEST_F(TelegramBotTest, StatsWithoutStorageSaysNoHistoryIsAvailable) {
  auto sink = make_sink();
  server_.push_update(-1001, "/stats");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_NE(server_.delivered()[0].text.find("No history is available"), std::string::npos)
      << server_.delivered()[0].text;
}

TEST_F(TelegramBotTest, StatsWhenTheHistoryCannotBeReadSaysNoHistoryIsAvailable) {
  StorageWriter storage(
      []() -> std::unique_ptr<Store> { throw std::runtime_error("the database server is away"); });
  auto sink = make_sink(&storage);
  const std::uint64_t errors_at_start = sink->stats().store_errors;
  server_.push_update(-1001, "/stats");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_NE(server_.delivered()[0].text.find("No history is available"), std::string::npos)
      << server_.delivered()[0].text;
  // The read, and the save of the getUpdates offset after the command.
  EXPECT_TRUE(wait_for([&] { return sink->stats().store_errors == errors_at_start + 2; }))
      << sink->stats().store_errors;
  EXPECT_NE(log_.str().find("/stats answered without history"), std::string::npos) << log_.str();
  expect_token_nowhere_in_logs();
}

}  // namespace
}  // namespace teleglas
