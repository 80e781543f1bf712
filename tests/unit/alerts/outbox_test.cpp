#include "teleglas/alerts/outbox.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sample_signals.hpp"
#include "teleglas/alerts/formatter.hpp"

namespace teleglas {
namespace {

constexpr TimeMs t0 = samples::decision_time;

Signal signal_of(SignalType type, std::string symbol, Priority priority) {
  Signal s = samples::stop_hunt_long();
  s.type = type;
  s.symbol = std::move(symbol);
  s.priority = priority;
  return s;
}

Signal stop_hunt(std::string symbol, Priority priority = Priority::watch) {
  return signal_of(SignalType::stop_hunt, std::move(symbol), priority);
}

OutboxConfig config_with(int max_per_minute) {
  OutboxConfig config;
  config.limits.max_per_window = max_per_minute;
  return config;
}

struct Delivery {
  TimeMs at;
  OutgoingAlert alert;
};

// The sender's loop against a Telegram that always answers ok, on a manual clock.
std::vector<Delivery> deliver_all(Outbox& outbox, TimeMs now, bool compact = false) {
  std::vector<Delivery> deliveries;
  for (int guard = 0; guard < 10'000; ++guard) {
    if (compact) outbox.compact(now);
    const auto wakeup = outbox.next_wakeup(now);
    if (!wakeup) break;
    now = *wakeup;
    auto alert = outbox.take_ready(now);
    if (!alert) {
      ADD_FAILURE() << "next_wakeup promised a message at +" << now - t0 << " ms";
      break;
    }
    EXPECT_TRUE(outbox.on_sent(alert->id, now));
    deliveries.push_back({now, std::move(*alert)});
  }
  return deliveries;
}

void expect_nothing_lost(const Outbox& outbox) {
  const OutboxStats& s = outbox.stats();
  EXPECT_EQ(s.enqueued, s.delivered + s.dropped_for_age + outbox.pending_alerts());
}

TEST(Outbox, UrgentBeforeWatchBeforeInfoAndFifoWithinAPriority) {
  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("INFO1", Priority::info), {7}, t0);
  outbox.enqueue(stop_hunt("WATCH1", Priority::watch), {7}, t0 + 1);
  outbox.enqueue(stop_hunt("URGENT1", Priority::urgent), {7}, t0 + 2);
  outbox.enqueue(stop_hunt("WATCH2", Priority::watch), {7}, t0 + 2);
  outbox.enqueue(stop_hunt("URGENT2", Priority::urgent), {7}, t0 + 3);
  std::vector<std::string> order;
  for (const Delivery& d : deliver_all(outbox, t0 + 3)) order.push_back(d.alert.symbol);
  EXPECT_EQ(order, (std::vector<std::string>{"URGENT1", "URGENT2", "WATCH1", "WATCH2", "INFO1"}));
}

TEST(Outbox, SpacesMessagesToOneChatOneSecondApart) {
  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  outbox.enqueue(stop_hunt("ETHUSDT"), {7}, t0);
  const auto first = outbox.take_ready(t0);
  ASSERT_TRUE(first);
  ASSERT_TRUE(outbox.on_sent(first->id, t0 + 100));
  EXPECT_FALSE(outbox.take_ready(t0 + 999));
  EXPECT_EQ(outbox.next_wakeup(t0 + 999), t0 + 1'000);
  EXPECT_TRUE(outbox.take_ready(t0 + 1'000));
}

TEST(Outbox, BurstOf25NeverExceeds20InAnyMinuteAndAllAreDelivered) {
  Outbox outbox(OutboxConfig{});
  // Five chats, so the rolling minute binds rather than each chat's one per second.
  for (int i = 0; i < 25; ++i) {
    outbox.enqueue(stop_hunt("SYM" + std::to_string(i)), {100 + i % 5}, t0);
  }
  const std::vector<Delivery> deliveries = deliver_all(outbox, t0);
  ASSERT_EQ(deliveries.size(), 25u);
  for (const Delivery& start : deliveries) {
    int in_window = 0;
    for (const Delivery& d : deliveries) {
      in_window += d.at >= start.at && d.at < start.at + 60'000 ? 1 : 0;
    }
    EXPECT_LE(in_window, 20) << "window starting at +" << start.at - t0 << " ms";
  }
  EXPECT_EQ(deliveries[20].at, t0 + 60'000);
  EXPECT_EQ(outbox.stats().delivered, 25u);
  expect_nothing_lost(outbox);
}

TEST(Outbox, BurstOfOneKindIsDigestedInsteadOfFallingBehind) {
  Outbox outbox(OutboxConfig{});
  for (int i = 0; i < 25; ++i) outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0 + i);
  const std::vector<Delivery> deliveries = deliver_all(outbox, t0 + 25, /*compact=*/true);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries[0].at, t0 + 25);  // not a minute late
  EXPECT_EQ(deliveries[0].alert.alert_count, 25);
  EXPECT_EQ(outbox.stats().delivered, 25u);
  EXPECT_EQ(outbox.stats().digested, 25u);
  expect_nothing_lost(outbox);
}

TEST(Outbox, RateLimitedHoldsExactlyRetryAfterForThatChatOnly) {
  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("BTCUSDT"), {1, 2}, t0);
  const auto to_chat_1 = outbox.take_ready(t0);
  ASSERT_TRUE(to_chat_1);
  ASSERT_EQ(to_chat_1->chat_id, 1);
  ASSERT_TRUE(outbox.on_failed(to_chat_1->id, t0 + 300, SendFailure::rate_limited(7)));

  const auto to_chat_2 = outbox.take_ready(t0 + 300);
  ASSERT_TRUE(to_chat_2);
  EXPECT_EQ(to_chat_2->chat_id, 2);
  ASSERT_TRUE(outbox.on_sent(to_chat_2->id, t0 + 400));

  EXPECT_EQ(outbox.next_wakeup(t0 + 400), t0 + 7'300);
  EXPECT_FALSE(outbox.take_ready(t0 + 7'299));
  const auto retry = outbox.take_ready(t0 + 7'300);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->id, to_chat_1->id);
  EXPECT_EQ(retry->attempts, 2);
  EXPECT_EQ(retry->failures, 0);  // Telegram's pacing is not a failure
  EXPECT_EQ(outbox.stats().rate_limited, 1u);
}

TEST(Outbox, ServerErrorsRetryThreeAttemptsFiveSecondsApartThenBackOff) {
  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  std::vector<TimeMs> attempts;
  TimeMs now = t0;
  for (int i = 0; i < 8; ++i) {
    const auto wakeup = outbox.next_wakeup(now);
    ASSERT_TRUE(wakeup);
    EXPECT_FALSE(outbox.take_ready(*wakeup - 1));
    now = *wakeup;
    const auto alert = outbox.take_ready(now);
    ASSERT_TRUE(alert);
    attempts.push_back((now - t0) / 1'000);
    ASSERT_TRUE(outbox.on_failed(alert->id, now, SendFailure::server_error()));
  }
  EXPECT_EQ(attempts, (std::vector<TimeMs>{0, 5, 10, 20, 40, 80, 140, 200}));
  EXPECT_EQ(outbox.stats().retried, 8u);
  EXPECT_EQ(outbox.size(), 1u);  // still queued: only an ok or old age removes it
}

TEST(Outbox, TransportErrorsFollowTheSameRetrySchedule) {
  RetryPolicy policy;
  EXPECT_EQ(retry_delay_ms(1, policy), 5'000);
  EXPECT_EQ(retry_delay_ms(2, policy), 5'000);
  EXPECT_EQ(retry_delay_ms(3, policy), 10'000);
  EXPECT_EQ(retry_delay_ms(1'000'000, policy), 60'000);

  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  const auto alert = outbox.take_ready(t0);
  ASSERT_TRUE(alert);
  ASSERT_TRUE(outbox.on_failed(alert->id, t0 + 2'000, SendFailure::transport()));
  EXPECT_EQ(outbox.next_wakeup(t0 + 2'000), t0 + 7'000);
}

TEST(Outbox, AFailedUrgentIsNotOvertakenByALaterWatchToTheSameChat) {
  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("URGENT", Priority::urgent), {7}, t0);
  outbox.enqueue(stop_hunt("WATCH", Priority::watch), {7}, t0);
  const auto urgent = outbox.take_ready(t0);
  ASSERT_TRUE(urgent);
  EXPECT_FALSE(outbox.take_ready(t0 + 1'000));  // in flight: the chat waits for its answer
  ASSERT_TRUE(outbox.on_failed(urgent->id, t0 + 1'000, SendFailure::server_error()));
  EXPECT_FALSE(outbox.take_ready(t0 + 2'000));
  const auto retry = outbox.take_ready(t0 + 6'000);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->symbol, "URGENT");
}

TEST(Outbox, AlertsOlderThanMaxAgeAreDroppedCountedAndReturned) {
  Outbox outbox(OutboxConfig{});  // max age 900 s
  outbox.enqueue(stop_hunt("BTCUSDT"), {1}, t0);
  outbox.enqueue(stop_hunt("ETHUSDT"), {2}, t0 + 100'000);
  const auto alert = outbox.take_ready(t0);
  ASSERT_TRUE(alert);
  ASSERT_TRUE(outbox.on_failed(alert->id, t0, SendFailure::rate_limited(3'600)));

  EXPECT_TRUE(outbox.expire(t0 + 900'000).empty());  // exactly the max age is not older
  const std::vector<OutgoingAlert> dropped = outbox.expire(t0 + 900'001);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].symbol, "BTCUSDT");
  EXPECT_EQ(outbox.stats().dropped_for_age, 1u);
  EXPECT_EQ(outbox.size(), 1u);
  expect_nothing_lost(outbox);
}

TEST(Outbox, AMessageInFlightIsNotExpiredBeforeItsAnswer) {
  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("BTCUSDT"), {1}, t0);
  const auto alert = outbox.take_ready(t0);
  ASSERT_TRUE(alert);
  EXPECT_TRUE(outbox.expire(t0 + 2'000'000).empty());
  EXPECT_TRUE(outbox.on_sent(alert->id, t0 + 2'000'000));
  EXPECT_EQ(outbox.stats().delivered, 1u);
}

TEST(Outbox, InfoAlertsAreSilentOthersRing) {
  Outbox outbox(OutboxConfig{});
  outbox.enqueue(stop_hunt("INFO", Priority::info), {1}, t0);
  outbox.enqueue(stop_hunt("WATCH", Priority::watch), {2}, t0);
  outbox.enqueue(stop_hunt("URGENT", Priority::urgent), {3}, t0);
  for (const Delivery& d : deliver_all(outbox, t0)) {
    EXPECT_EQ(d.alert.silent, d.alert.symbol == "INFO") << d.alert.symbol;
  }
}

TEST(Outbox, EachChatGetsItsOwnMessageOncePerSignal) {
  Outbox outbox(OutboxConfig{});
  const Signal signal = samples::stop_hunt_long();
  const std::vector<AlertRecord> records = outbox.enqueue(signal, {10, 20, 20, 30}, t0);
  ASSERT_EQ(records.size(), 3u);
  std::vector<ChatId> chats;
  for (const Delivery& d : deliver_all(outbox, t0)) {
    chats.push_back(d.alert.chat_id);
    EXPECT_EQ(d.alert.text, format_telegram_html(signal));
  }
  EXPECT_EQ(chats, (std::vector<ChatId>{10, 20, 30}));
}

TEST(Outbox, AnswersForUnknownOrIdleMessagesAreRejected) {
  Outbox outbox(OutboxConfig{});
  const auto records = outbox.enqueue(stop_hunt("BTCUSDT"), {1}, t0);
  EXPECT_FALSE(outbox.on_sent(records[0].id, t0));  // never taken
  EXPECT_FALSE(outbox.on_failed(999, t0, SendFailure::server_error()));
  EXPECT_EQ(outbox.size(), 1u);
}

TEST(Outbox, ConfigComesFromTheTelegramSection) {
  TelegramConfig telegram;
  telegram.max_per_minute = 12;
  telegram.max_alert_age_s = 60;
  const OutboxConfig config = outbox_config_from(telegram);
  EXPECT_EQ(config.limits.max_per_window, 12);
  EXPECT_EQ(config.max_alert_age_ms, 60'000);
}

TEST(Digest, LeavesTheQueueAloneWithinTheMinutesBudget) {
  Outbox outbox(config_with(5));
  for (int i = 0; i < 5; ++i) outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  EXPECT_TRUE(outbox.compact(t0).empty());
  EXPECT_EQ(outbox.size(), 5u);
}

TEST(Digest, MergesOnlyTheSameTypeAndSymbolInTheSameChat) {
  Outbox outbox(config_with(5));
  for (int i = 0; i < 4; ++i) outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0 + i);
  outbox.enqueue(stop_hunt("ETHUSDT"), {7}, t0);
  outbox.enqueue(stop_hunt("ETHUSDT"), {7}, t0);
  outbox.enqueue(signal_of(SignalType::accumulation, "BTCUSDT", Priority::watch), {7}, t0);
  outbox.enqueue(stop_hunt("BTCUSDT"), {8}, t0);  // another chat
  const std::vector<OutgoingAlert> digests = outbox.compact(t0 + 10);
  ASSERT_EQ(digests.size(), 2u);
  EXPECT_EQ(outbox.size(), 4u);  // BTC stop hunts, ETH stop hunts, BTC accumulation, chat 8
  for (const OutgoingAlert& d : digests) {
    EXPECT_EQ(d.type, SignalType::stop_hunt);
    EXPECT_EQ(d.chat_id, 7);
    EXPECT_EQ(d.alert_count, d.symbol == "BTCUSDT" ? 4 : 2);
    EXPECT_EQ(d.replaces.size(), static_cast<std::size_t>(d.alert_count));
  }
  EXPECT_EQ(outbox.stats().digested, 6u);
  expect_nothing_lost(outbox);
}

TEST(Digest, KeepsTheHighestPriorityAndTheEarliestPlaceInLine) {
  Outbox outbox(config_with(2));
  outbox.enqueue(stop_hunt("BTCUSDT", Priority::info), {7}, t0);
  outbox.enqueue(stop_hunt("BTCUSDT", Priority::urgent), {7}, t0 + 60'000);
  outbox.enqueue(stop_hunt("BTCUSDT", Priority::watch), {7}, t0 + 120'000);
  const std::vector<OutgoingAlert> digests = outbox.compact(t0 + 150'000);
  ASSERT_EQ(digests.size(), 1u);
  const OutgoingAlert& digest = digests[0];
  EXPECT_EQ(digest.priority, Priority::urgent);
  EXPECT_FALSE(digest.silent);
  EXPECT_EQ(digest.created, t0);
  EXPECT_NE(digest.text.find("3 \u00D7 STOP_HUNT BTCUSDT</b> in the last 3 min"), std::string::npos)
      << digest.text;
}

TEST(Digest, ListsEveryAlertAndStaysWithinTelegramsLimit) {
  Outbox outbox(OutboxConfig{});
  for (int i = 0; i < 300; ++i) outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0 + i * 1'000);
  const std::vector<OutgoingAlert> digests = outbox.compact(t0 + 300'000);
  ASSERT_EQ(digests.size(), 1u);
  const std::string& text = digests[0].text;
  EXPECT_LE(text.size(), telegram_max_message_chars);  // bytes >= UTF-16 units
  EXPECT_NE(text.find("300 \u00D7 STOP_HUNT BTCUSDT"), std::string::npos);
  std::size_t listed = 0;
  for (std::size_t at = text.find("\n\u2022 "); at != std::string::npos;
       at = text.find("\n\u2022 ", at + 1)) {
    ++listed;
  }
  const std::string more = "\n\u2026 and " + std::to_string(300 - listed) + " earlier";
  EXPECT_GT(listed, 10u);
  EXPECT_NE(text.find(more), std::string::npos) << "listed " << listed;
}

TEST(Digest, QuotesTheLatestAlertInFullWhenItFits) {
  Outbox outbox(config_with(1));
  Signal older = stop_hunt("BTCUSDT");
  Signal newer = stop_hunt("BTCUSDT");
  newer.confidence = 91;
  outbox.enqueue(older, {7}, t0);
  outbox.enqueue(newer, {7}, t0 + 1);
  const std::vector<OutgoingAlert> digests = outbox.compact(t0 + 2);
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_NE(digests[0].text.find(format_telegram_html(newer)), std::string::npos);
}

TEST(Digest, EscapesTheSymbol) {
  Outbox outbox(config_with(1));
  outbox.enqueue(stop_hunt("A<B&C"), {7}, t0);
  outbox.enqueue(stop_hunt("A<B&C"), {7}, t0);
  const std::vector<OutgoingAlert> digests = outbox.compact(t0);
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_NE(digests[0].text.find("A&lt;B&amp;C"), std::string::npos);
  EXPECT_EQ(digests[0].text.find("A<B"), std::string::npos);
}

TEST(Digest, ADigestAbsorbsLaterAlertsWithoutCountingItsOwnTwice) {
  Outbox outbox(config_with(1));
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  ASSERT_EQ(outbox.compact(t0).size(), 1u);
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0 + 1);
  const std::vector<OutgoingAlert> digests = outbox.compact(t0 + 1);
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0].alert_count, 3);
  EXPECT_EQ(outbox.stats().digested, 3u);
  expect_nothing_lost(outbox);
}

TEST(Digest, AMessageInFlightIsNeverMerged) {
  Outbox outbox(config_with(1));
  for (int i = 0; i < 3; ++i) outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  const auto in_flight = outbox.take_ready(t0);
  ASSERT_TRUE(in_flight);
  const std::vector<OutgoingAlert> digests = outbox.compact(t0);
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0].alert_count, 2);
  EXPECT_TRUE(outbox.on_sent(in_flight->id, t0 + 10));
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST(DurableOutbox, RecordsCarryWhatIsNeededToQueueTheAlertAgain) {
  Outbox outbox(OutboxConfig{}, 500);
  const Signal signal = stop_hunt("BTCUSDT", Priority::info);
  const std::vector<AlertRecord> records = outbox.enqueue(signal, {7, 8}, t0);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].id, 500u);
  EXPECT_EQ(records[1].id, 501u);
  EXPECT_EQ(records[1].chat_id, 8);
  EXPECT_EQ(records[0].text, format_telegram_html(signal));
  EXPECT_EQ(records[0].priority, Priority::info);
  EXPECT_EQ(records[0].type, SignalType::stop_hunt);
  EXPECT_EQ(records[0].symbol, "BTCUSDT");
  EXPECT_TRUE(records[0].silent);
  EXPECT_NE(records[0].headline.find("INFO · LONG"), std::string::npos) << records[0].headline;
  EXPECT_EQ(outbox.next_id(), 502u);
}

TEST(DurableOutbox, ARestoredAlertIsSentAsBeforeAndKeepsItsId) {
  Outbox before(OutboxConfig{});
  const AlertRecord record = before.enqueue(stop_hunt("BTCUSDT"), {7}, t0).front();

  Outbox after(OutboxConfig{});
  ASSERT_TRUE(after.restore(record, t0 + 5'000, t0 + 10'000));
  EXPECT_FALSE(after.restore(record, t0 + 5'000, t0 + 10'000));  // already queued
  EXPECT_EQ(after.next_id(), record.id + 1);
  const auto alert = after.take_ready(t0 + 10'000);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->id, record.id);
  EXPECT_EQ(alert->text, record.text);
  EXPECT_EQ(alert->alert_ids, std::vector<std::uint64_t>{record.id});
  EXPECT_TRUE(after.on_sent(alert->id, t0 + 10'000));
  expect_nothing_lost(after);
}

TEST(DurableOutbox, ARestoredAlertAgesFromItsOriginalCreation) {
  OutboxConfig config;
  config.max_alert_age_ms = 60'000;
  Outbox before(config);
  const AlertRecord record = before.enqueue(stop_hunt("BTCUSDT"), {7}, t0).front();
  Outbox after(config);
  after.restore(record, t0 - 50'000, t0);  // already 50 s old when restored
  EXPECT_TRUE(after.expire(t0 + 10'000).empty());
  const auto dropped = after.expire(t0 + 10'001);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].alert_ids, std::vector<std::uint64_t>{record.id});
}

TEST(DurableOutbox, PreparedAlertsHaveTheirIdsButWaitUntilRestored) {
  Outbox outbox(OutboxConfig{}, 500);
  const std::vector<AlertRecord> records = outbox.prepare(stop_hunt("BTCUSDT"), {7, 8, 7});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].id, 500u);
  EXPECT_EQ(records[1].id, 501u);
  EXPECT_EQ(outbox.size(), 0u);
  EXPECT_EQ(outbox.stats().enqueued, 0u);
  EXPECT_FALSE(outbox.next_wakeup(t0).has_value());

  for (const AlertRecord& record : records) ASSERT_TRUE(outbox.restore(record, t0, t0 + 30));
  EXPECT_EQ(outbox.pending_alerts(), 2u);
  EXPECT_EQ(deliver_all(outbox, t0 + 30).size(), 2u);
  expect_nothing_lost(outbox);
}

TEST(DurableOutbox, ANoticeQueuedWhileAnAlertIsBeingSavedGetsAnotherId) {
  Outbox outbox(OutboxConfig{});
  const AlertRecord record = outbox.prepare(stop_hunt("BTCUSDT"), {7}).front();
  const std::uint64_t notice = outbox.enqueue_notice(7, "reply", Priority::urgent, t0 + 1);
  EXPECT_NE(notice, record.id);
  EXPECT_TRUE(outbox.restore(record, t0, t0 + 2));
  EXPECT_EQ(outbox.size(), 2u);
}

TEST(DurableOutbox, IdsContinueAboveWhatTheStoreHasSeenAndNeverGoBack) {
  Outbox outbox(OutboxConfig{});
  outbox.continue_ids_after(41);
  EXPECT_EQ(outbox.prepare(stop_hunt("BTCUSDT"), {7}).front().id, 42u);
  outbox.continue_ids_after(10);
  EXPECT_EQ(outbox.next_id(), 43u);
}

TEST(DurableOutbox, ADigestCarriesTheIdsOfEveryAlertItMerged) {
  Outbox outbox(config_with(2));
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0 + i).front().id);
  }
  ASSERT_EQ(outbox.compact(t0 + 10).size(), 1u);
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0 + 20);
  ids.push_back(outbox.next_id() - 1);
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0 + 21);
  ids.push_back(outbox.next_id() - 1);
  const auto again = outbox.compact(t0 + 30);  // the digest is merged into a new one
  ASSERT_EQ(again.size(), 1u);
  std::vector<std::uint64_t> carried = again[0].alert_ids;
  std::sort(carried.begin(), carried.end());
  EXPECT_EQ(carried, ids);
  EXPECT_EQ(again[0].alert_count, 6);
}

TEST(DurableOutbox, AnAlertCarriesItsSignalsEventTimeAndPriority) {
  Outbox outbox(OutboxConfig{});
  Signal signal = stop_hunt("BTCUSDT", Priority::urgent);
  signal.time = t0 - 1'500;
  const AlertRecord record = outbox.enqueue(signal, {7}, t0).front();
  EXPECT_EQ(record.event_time, t0 - 1'500);
  const auto alert = outbox.take_ready(t0);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->carried, (std::vector<CarriedAlert>{{Priority::urgent, t0 - 1'500}}));
}

TEST(Digest, KeepsEachMergedAlertsOwnPriorityAndEventTime) {
  Outbox outbox(config_with(1));
  Signal first = stop_hunt("BTCUSDT", Priority::watch);
  first.time = t0 - 2'000;
  Signal second = stop_hunt("BTCUSDT", Priority::urgent);
  second.time = t0 - 1'000;
  outbox.enqueue(first, {7}, t0);
  outbox.enqueue(second, {7}, t0 + 1);
  const auto digests = outbox.compact(t0 + 2);
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0].priority, Priority::urgent);
  EXPECT_EQ(digests[0].carried, (std::vector<CarriedAlert>{{Priority::watch, t0 - 2'000},
                                                           {Priority::urgent, t0 - 1'000}}));
}

TEST(Notices, AreRateLimitedLikeAlertsButNeverDigestedNorCountedAsAlerts) {
  Outbox outbox(config_with(2));
  for (int i = 0; i < 3; ++i) outbox.enqueue_notice(7, "notice", Priority::urgent, t0);
  outbox.enqueue(stop_hunt("BTCUSDT"), {7}, t0);
  EXPECT_TRUE(outbox.compact(t0).empty());
  const std::vector<Delivery> deliveries = deliver_all(outbox, t0);
  ASSERT_EQ(deliveries.size(), 4u);
  EXPECT_EQ(deliveries[0].alert.kind, OutgoingAlert::Kind::notice);
  EXPECT_EQ(deliveries[0].alert.text, "notice");
  EXPECT_TRUE(deliveries[0].alert.alert_ids.empty());
  EXPECT_EQ(deliveries[3].alert.kind, OutgoingAlert::Kind::alert);
  EXPECT_GE(deliveries[2].at - deliveries[0].at, 60'000);  // two per minute
  EXPECT_EQ(outbox.stats().notices_enqueued, 3u);
  EXPECT_EQ(outbox.stats().notices_sent, 3u);
  EXPECT_EQ(outbox.stats().sent, 1u);
  EXPECT_EQ(outbox.stats().delivered, 1u);
  expect_nothing_lost(outbox);
}

}  // namespace
}  // namespace teleglas
