// The sender: alerts and notices delivered to the fake Bot API (HTML, pacing, retries, 429,
// refusals), and the durable outbox over a real SQLite file.
#include "telegram_sink_fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <future>
#include <stdexcept>

#include "../alerts/sample_signals.hpp"
#include "../storage/storage_test_support.hpp"
#include "teleglas/alerts/formatter.hpp"

namespace teleglas {
namespace {

using namespace std::chrono_literals;

TEST_F(TelegramSinkTest, DeliversASignalToEveryChatAsHtmlWithoutLinkPreview) {
  auto sink = make_sink();
  const Signal signal = samples::stop_hunt_long();
  sink->on_signal(signal);
  ASSERT_TRUE(wait_delivered(2, 5s, sink.get()));

  auto messages = server_.delivered();
  ASSERT_EQ(messages.size(), 2u);
  std::vector<std::int64_t> chats{messages[0].chat_id, messages[1].chat_id};
  std::sort(chats.begin(), chats.end());
  EXPECT_EQ(chats, (std::vector<std::int64_t>{-1002, -1001}));
  for (const auto& m : messages) {
    EXPECT_EQ(m.token, token);
    EXPECT_EQ(m.text, format_telegram_html(signal));
    EXPECT_EQ(m.parse_mode, "HTML");
    EXPECT_EQ(m.link_preview_options, R"({"is_disabled":true})");
    EXPECT_FALSE(m.disable_notification);  // URGENT rings
  }
  sink->stop();
  sim_test::run_until(
      io_, [] { return false; }, 50ms);
  EXPECT_EQ(sink->stats().sent, 2u);
  EXPECT_EQ(sink->stats().failed, 0u);
  expect_token_nowhere_in_logs();
}

TEST_F(TelegramSinkTest, SummarisesItsCountersForTheHealthLine) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  server_.fail_next_with_status(1, 503);
  auto sink = make_sink();
  sink->on_signal(samples::stop_hunt_long());
  EXPECT_EQ(sink->health_summary(), " telegram sent 0 failed 0 dropped 0 muted 0 queued 1");
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(sink->health_summary(), " telegram sent 1 failed 1 dropped 0 muted 0 queued 0");
}

TEST_F(TelegramSinkTest, TimesEachAlertFromItsEventToTelegramsOkByPriority) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  Signal signal = samples::stop_hunt_long();
  ASSERT_EQ(signal.priority, Priority::urgent);
  const TimeMs wall = signal.time + 2'000;  // Telegram answers 2 s after the event
  auto sink = make_sink_at(nullptr, &wall);
  sink->on_signal(signal);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  const DeliveryMetrics m = sink->delivery_metrics();
  const Histogram& urgent = m.event_to_alert[static_cast<int>(Priority::urgent)];
  EXPECT_EQ(urgent.count(), 1u);
  EXPECT_DOUBLE_EQ(urgent.sum(), 2.0);
  EXPECT_EQ(m.event_to_alert[static_cast<int>(Priority::watch)].count(), 0u);
  EXPECT_EQ(m.alerts_last_hour, 1u);
}

TEST_F(TelegramSinkTest, SendsInfoAlertsSilently) {
  config_.chat_ids = {-1001};
  auto sink = make_sink();
  Signal signal = samples::stop_hunt_long();
  signal.priority = Priority::info;
  sink->on_signal(signal);
  ASSERT_TRUE(wait_delivered(1));
  EXPECT_TRUE(server_.delivered()[0].disable_notification);
}

TEST_F(TelegramSinkTest, WaitsRetryAfterOnTooManyRequestsThenDelivers) {
  config_.chat_ids = {-1001};
  server_.fail_next_with_429(1, 1);
  auto sink = make_sink();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));

  const auto messages = server_.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].status, 429u);
  EXPECT_EQ(messages[1].status, 200u);
  EXPECT_GE(messages[1].received_at - messages[0].received_at, 1s);
  EXPECT_EQ(sink->outbox_stats().rate_limited, 1u);
  EXPECT_EQ(sink->stats().failed, 1u);
  EXPECT_NE(log_.str().find("chat -1001 rate limited: retry after 1 s"), std::string::npos)
      << log_.str();
  expect_token_nowhere_in_logs();
}

TEST_F(TelegramSinkTest, RetriesServerErrorsUntilDelivered) {
  config_.chat_ids = {-1001};
  server_.fail_next_with_status(2, 500);
  auto sink = make_sink();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));

  EXPECT_EQ(server_.messages().size(), 3u);
  EXPECT_EQ(sink->stats().failed, 2u);
  EXPECT_EQ(sink->stats().sent, 1u);
  EXPECT_EQ(sink->outbox_stats().retried, 2u);
  EXPECT_NE(log_.str().find("sendMessage to chat -1001 failed: HTTP 500"), std::string::npos)
      << log_.str();
  expect_token_nowhere_in_logs();
}

TEST_F(TelegramSinkTest, RetriesWhenTheConnectionDropsWithoutAnAnswer) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  server_.drop_next_connections(1);
  auto sink = make_sink();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  const auto messages = server_.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].status, 0u);  // read, then the connection closed
  EXPECT_EQ(messages[1].status, 200u);
  EXPECT_EQ(messages[1].text, messages[0].text);
  EXPECT_EQ(sink->outbox_stats().retried, 1u);
}

TEST_F(TelegramSinkTest, AnAnswerSlowerThanTheTimeoutIsRetriedNotLost) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  server_.set_response_delay(600ms);
  TelegramOptions opts = options();
  opts.request_timeout = 200ms;
  auto sink = std::make_unique<TelegramSink>(io_, config_, token, opts);
  sink->start();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(sim_test::run_until(io_, [&] { return sink->stats().failed >= 1; }));
  server_.set_response_delay(0ms);
  ASSERT_TRUE(sim_test::run_until(io_, [&] { return sink->stats().sent == 1; }));
  EXPECT_EQ(sink->queued_alerts(), 0u);
  // Telegram may have taken the timed-out request too: at most that one duplicate.
  EXPECT_LE(server_.delivered().size(), 2u);
}

TEST_F(TelegramSinkTest, HoldsAlertsWhileTheTokenIsRefusedWithoutLoggingIt) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  auto sink = std::make_unique<TelegramSink>(io_, config_, "999:WRONG-SECRET");
  sink->start();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(sim_test::run_until(io_, [&] { return sink->stats().failed == 1; }));
  sim_test::run_until(
      io_, [] { return false; }, 100ms);
  EXPECT_EQ(server_.messages()[0].status, 401u);
  EXPECT_EQ(sink->stats().dropped, 0u);
  EXPECT_EQ(sink->queued_alerts(), 1u);  // waits for a fixed token (or ages out)
  EXPECT_NE(log_.str().find("refused the bot token (HTTP 401 Unauthorized)"), std::string::npos)
      << log_.str();
  EXPECT_EQ(log_.str().find("WRONG"), std::string::npos) << log_.str();
}

TEST_F(TelegramSinkTest, DropsAnAlertTelegramRejectsAndTellsTheAdmins) {
  config_.chat_ids = {-1001};
  config_.admin_chat_ids = {-42};
  server_.fail_next_with_status(1, 400);
  auto sink = make_sink();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(sink->stats().dropped, 1u);
  const auto m = server_.delivered()[0];
  EXPECT_EQ(m.chat_id, -42);
  EXPECT_NE(m.text.find("Telegram refused an alert for chat -1001: HTTP 400"), std::string::npos)
      << m.text;
}

TEST_F(TelegramSinkTest, SendsAdminNoticesAsEscapedTextToTheAdminChats) {
  config_.admin_chat_ids = {-42};
  auto sink = make_sink();
  sink->on_admin_notice("CoinGlass auth failed: <401> & retrying");
  ASSERT_TRUE(wait_delivered(1));
  const auto m = server_.delivered()[0];
  EXPECT_EQ(m.chat_id, -42);
  EXPECT_EQ(m.text, "CoinGlass auth failed: &lt;401&gt; &amp; retrying");
  EXPECT_EQ(m.parse_mode, "HTML");
}

TEST_F(TelegramSinkTest, StopEndsTheSenderPromptly) {
  config_.chat_ids = {-1001};
  server_.fail_next_with_status(100, 500);
  auto sink = make_sink();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(sim_test::run_until(io_, [&] { return sink->stats().failed >= 1; }));
  sink->stop();
  const auto started = std::chrono::steady_clock::now();
  io_.restart();
  io_.run_for(2s);  // returns early only if the sender and everything else has finished
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(TelegramSinkTest, ASenderOnItsOwnDeliversAndNeverAsksForUpdates) {
  TelegramSender sender(io_, config_, token, options());
  sender.start();
  sender.send_alert(samples::stop_hunt_long(), {-1002});
  ASSERT_TRUE(wait_for([&] { return sender.stats().sent == 1 && !server_.delivered().empty(); }));
  settle();
  ASSERT_EQ(server_.delivered().size(), 1u);
  EXPECT_EQ(server_.delivered()[0].chat_id, -1002);
  EXPECT_EQ(sender.queued_alerts(), 0u);
  EXPECT_TRUE(server_.get_updates_calls().empty());
}

TEST_F(TelegramSinkTest, AnAlertForNoChatQueuesNothing) {
  TelegramSender sender(io_, config_, token);
  sender.start();
  sender.send_alert(samples::stop_hunt_long(), {});
  EXPECT_EQ(sender.queued_alerts(), 0u);
  EXPECT_EQ(sender.outbox_stats().enqueued, 0u);
}

// ---- the durable outbox ------------------------------------------------------------------

class TelegramOutboxTest : public TelegramSinkTest {
 protected:
  TelegramOutboxTest() { config_.chat_ids = {-1001}; }
};

TEST_F(TelegramOutboxTest, AnAlertIsStoredBeforeItsFirstAttemptAndMarkedSentAfterTelegramsOk) {
  config_.commands = false;
  auto storage = open_storage();
  auto sink = make_sink(storage.get());
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(storage->flush());
  // The save is committed; its completion waits for the io thread, which has not run since:
  // not a byte went to Telegram, and the alert is on disk.
  auto disk = open_store();
  ASSERT_EQ(disk->unsent_alerts().size(), 1u);
  EXPECT_EQ(disk->unsent_alerts()[0].text, format_telegram_html(samples::stop_hunt_long()));
  EXPECT_EQ(disk->unsent_alerts()[0].chat_id, -1001);
  EXPECT_TRUE(server_.messages().empty());
  EXPECT_EQ(sink->queued_alerts(), 1u);

  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  ASSERT_TRUE(storage->flush());
  EXPECT_TRUE(disk->unsent_alerts().empty());
  EXPECT_EQ(disk->counts().sent, 1u);
}

TEST_F(TelegramOutboxTest, NothingIsSentBeforeTheSaveCommitsAndTheIoThreadGoesOnMeanwhile) {
  config_.commands = false;
  config_.admin_chat_ids = {-42};
  auto storage = open_storage();
  auto sink = make_sink(storage.get());
  // A slow disk: the writer is stuck in a job until the test lets it go.
  std::promise<void> disk_ready;
  storage->submit([ready = disk_ready.get_future().share()](Store*) { ready.wait(); });
  sink->on_signal(samples::stop_hunt_long());

  sink->on_admin_notice("the io thread is free");
  bool timer_fired = false;
  net::steady_timer timer(io_, 50ms);
  timer.async_wait([&](boost::system::error_code) { timer_fired = true; });
  ASSERT_TRUE(wait_for([&] { return timer_fired && !delivered_to(-42).empty(); }));
  settle(200ms);
  EXPECT_EQ(server_.messages().size(), 1u) << "no request for the alert while it is unsaved";
  EXPECT_EQ(sink->queued_alerts(), 1u);
  EXPECT_TRUE(open_store()->unsent_alerts().empty());

  disk_ready.set_value();
  ASSERT_TRUE(storage->flush());
  // Committed, and still not sent: only the io thread sends, and it has not run since.
  EXPECT_EQ(open_store()->unsent_alerts().size(), 1u);
  EXPECT_TRUE(delivered_to(-1001).empty());
  ASSERT_TRUE(wait_for([&] { return !delivered_to(-1001).empty(); }));
  EXPECT_EQ(server_.messages().size(), 2u);
}

TEST_F(TelegramOutboxTest, AnAlertWhoseSaveFailsIsDeliveredAndCounted) {
  config_.commands = false;
  auto storage = open_storage(50ms);
  auto sink = make_sink(storage.get());
  // Another connection holds the file's write lock: every write of the store fails.
  testing::RawConnection other(db_path());
  other.execute("BEGIN EXCLUSIVE");
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  ASSERT_TRUE(storage->flush());
  settle();
  EXPECT_EQ(server_.delivered()[0].text, format_telegram_html(samples::stop_hunt_long()));
  EXPECT_EQ(sink->stats().store_errors, 2u) << "the save, then the mark as sent";
  EXPECT_NE(log_.str().find("for chat -1001 is queued in memory only"), std::string::npos)
      << log_.str();
  EXPECT_NE(log_.str().find("may be sent again after a restart"), std::string::npos) << log_.str();
  other.execute("ROLLBACK");
  EXPECT_EQ(open_store()->counts(), OutboxStore::Counts{});
  expect_token_nowhere_in_logs();
}

TEST_F(TelegramOutboxTest, WithoutAStoreAtStartAlertsFlowAndTheirIdsNeverCollideWithOldRows) {
  config_.commands = false;
  TimeMs wall = 1'725'416'318'379;
  {
    auto earlier = open_store();  // a row an earlier run left, which this run cannot see
    StoredAlert row;
    row.id = 1;
    row.chat_id = -1001;
    row.type = "STOP_HUNT";
    row.text = "earlier";
    row.created_ms = wall;
    ASSERT_TRUE(earlier->save_alert(row));
  }
  bool disk_back = false;
  StorageWriterOptions retry;
  retry.retry_initial = 20ms;
  retry.retry_max = 20ms;
  auto storage = std::make_unique<StorageWriter>(
      [this, &disk_back]() -> std::unique_ptr<Store> {
        if (!disk_back) throw std::runtime_error("the data directory is not mounted");
        return SqliteStore::open(db_path());
      },
      retry);
  auto sink = make_sink_at(storage.get(), &wall);
  EXPECT_EQ(sink->stats().store_errors, 2u) << "neither the outbox nor the bot's settings read";
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  ASSERT_TRUE(wait_for([&] { return sink->stats().store_errors == 4u; }))
      << "its save and its mark as sent failed too: " << sink->stats().store_errors;

  storage->call([&](Store*) { disk_back = true; });
  ASSERT_TRUE(wait_for([&] { return storage->stats().available; }));
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_delivered(2, 5s, sink.get()));
  ASSERT_TRUE(storage->flush());
  auto disk = open_store();
  EXPECT_GT(disk->max_alert_id(), static_cast<std::uint64_t>(wall) * 1000);
  EXPECT_EQ(disk->counts().sent, 1u);
  ASSERT_EQ(disk->unsent_alerts().size(), 1u);
  EXPECT_EQ(disk->unsent_alerts()[0].text, "earlier") << "never overwritten";
  EXPECT_NE(log_.str().find("cannot read the outbox: the data directory is not mounted"),
            std::string::npos)
      << log_.str();
}

TEST_F(TelegramOutboxTest, AlertsUnsentWhenTheProcessEndsAreSentByTheNextStart) {
  config_.commands = false;
  const TelegramConfig reachable = config_;
  config_.api_url = "https://127.0.0.1:1";  // Telegram down: nothing listens there
  auto storage = open_storage();
  auto down = make_sink(storage.get());
  down->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_for([&] { return down->stats().failed >= 1; }));
  shut_down(down);
  storage.reset();

  config_ = reachable;
  auto reopened = open_storage();
  auto sink = make_sink(reopened.get());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(sink->stats().restored, 1u);
  EXPECT_EQ(server_.delivered()[0].text, format_telegram_html(samples::stop_hunt_long()));
  settle();
  ASSERT_TRUE(reopened->flush());
  EXPECT_EQ(open_store()->counts().sent, 1u);
  EXPECT_EQ(open_store()->counts().pending, 0u);
  EXPECT_EQ(server_.delivered().size(), 1u) << "sent once";
}

TEST_F(TelegramOutboxTest, AlertsTooOldAtRestartAreDroppedAndTheAdminsAreTold) {
  config_.commands = false;
  config_.admin_chat_ids = {-42};
  const TelegramConfig reachable = config_;
  config_.api_url = "https://127.0.0.1:1";
  TimeMs wall = 1'725'416'318'379;
  auto storage = open_storage();
  auto down = make_sink_at(storage.get(), &wall);
  down->on_signal(samples::stop_hunt_long());
  shut_down(down);

  config_ = reachable;
  wall += 900'001;  // telegram.max_alert_age_s (900) and a millisecond later
  auto sink = make_sink_at(storage.get(), &wall);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  settle();
  const auto messages = server_.delivered();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].chat_id, -42);
  EXPECT_NE(messages[0].text.find("1 alert(s) queued before the restart were older than 900 s"),
            std::string::npos)
      << messages[0].text;
  ASSERT_TRUE(storage->flush());
  EXPECT_EQ(open_store()->counts().dropped, 1u);
  EXPECT_EQ(open_store()->counts().pending, 0u);
}

TEST_F(TelegramOutboxTest, ADigestMarksEveryAlertItCarriesAsSent) {
  config_.commands = false;
  config_.max_per_minute = 2;
  auto storage = open_storage();
  auto sink = make_sink(storage.get());
  for (int i = 0; i < 5; ++i) sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(storage->flush());
  auto disk = open_store();
  ASSERT_EQ(disk->unsent_alerts().size(), 5u);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  settle();
  ASSERT_EQ(server_.delivered().size(), 1u);
  EXPECT_NE(server_.delivered()[0].text.find("5 \u00D7 STOP_HUNT"), std::string::npos);
  ASSERT_TRUE(storage->flush());
  EXPECT_EQ(disk->counts().sent, 5u);
  EXPECT_TRUE(disk->unsent_alerts().empty());
}

TEST_F(TelegramOutboxTest, AlertsDroppedForAgeAreReportedToTheAdmins) {
  config_.commands = false;
  config_.admin_chat_ids = {-42};
  server_.fail_next_with_status(3, 502);
  TelegramOptions opts = options();
  opts.outbox->max_alert_age_ms = 300;
  auto storage = open_storage();
  opts.storage = storage.get();
  auto sink = std::make_unique<TelegramSink>(io_, config_, token, opts);
  sink->start();
  sink->on_signal(samples::stop_hunt_long());
  ASSERT_TRUE(wait_for([&] { return !delivered_to(-42).empty(); }));
  EXPECT_NE(delivered_to(-42)[0].text.find("1 alert(s) were dropped: still unsent after"),
            std::string::npos)
      << delivered_to(-42)[0].text;
  EXPECT_TRUE(delivered_to(-1001).empty());
  EXPECT_EQ(sink->stats().dropped, 1u);
  ASSERT_TRUE(storage->flush());
  EXPECT_EQ(open_store()->counts().dropped, 1u);
}

}  // namespace
}  // namespace teleglas
