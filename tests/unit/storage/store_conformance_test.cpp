// What every Store does, whichever database is behind it: the same tests run on SQLite and on
// PostgreSQL (StoreConformance/Sqlite.*, StoreConformance/Postgres.*).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <tuple>

#include "store_backends.hpp"

namespace teleglas {
namespace {

using ::testing::ElementsAre;
using testing::every_byte_value;
using ::testing::HasSubstr;
using testing::ids;
using ::testing::IsEmpty;
using testing::large_photo;
using testing::opening_outcome;
using ::testing::Optional;
using testing::resolved_outcome;
using testing::sample_alert;
using testing::sample_event;
using testing::sample_signal;
using ::testing::UnorderedElementsAreArray;
using testing::with_photo;
using Counts = OutboxStore::Counts;
using HistoryCounts = HistoryStore::HistoryCounts;

template <typename Backend>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string unavailable = backend_.prepare();
    if (!unavailable.empty()) GTEST_FAIL() << unavailable;
    store_ = backend_.open();
  }

  Store& store() { return *store_; }
  void reopen() {
    store_.reset();
    store_ = backend_.open();
  }
  void write(const HistoryBatch& batch) {
    ASSERT_TRUE(store().write(batch)) << store().last_error();
  }
  std::vector<Outcome> signals_since(TimeMs since) {
    auto outcomes = store().signals_since(since);
    EXPECT_TRUE(outcomes.has_value()) << store().last_error();
    return outcomes.value_or(std::vector<Outcome>{});
  }
  std::vector<Outcome> open_outcomes() {
    auto outcomes = store().open_outcomes();
    EXPECT_TRUE(outcomes.has_value()) << store().last_error();
    return outcomes.value_or(std::vector<Outcome>{});
  }

  Backend backend_;
  std::unique_ptr<Store> store_;
};

struct BackendName {
  template <typename Backend>
  static std::string GetName(int) {
    return std::string(Backend::name);
  }
};

using Backends = ::testing::Types<testing::SqliteBackend, testing::PostgresBackend>;
TYPED_TEST_SUITE(StoreConformance, Backends, BackendName);

HistoryBatch signals_batch(std::initializer_list<SignalRecord> signals) {
  HistoryBatch batch;
  batch.signals.assign(signals.begin(), signals.end());
  return batch;
}

TYPED_TEST(StoreConformance, SignalWithASetupReadsBackAsAnOpenOutcomeWithItsJson) {
  const SignalRecord signal = sample_signal(1725416318379);
  this->write(signals_batch({signal}));
  EXPECT_THAT(this->signals_since(0), ElementsAre(opening_outcome(signal)));
  EXPECT_THAT(this->store().signal_json(signal.signal.time, signal.signal.type, "BTCUSDT",
                                        Direction::bullish),
              Optional(signal.json));
}

TYPED_TEST(StoreConformance, OutcomeUpdateRoundTripsEveryField) {
  const SignalRecord signal = sample_signal(1725416318379);
  this->write(signals_batch({signal}));
  HistoryBatch update;
  update.outcomes.push_back(resolved_outcome(signal));
  this->write(update);
  EXPECT_THAT(this->signals_since(0), ElementsAre(resolved_outcome(signal)));
  this->reopen();
  EXPECT_THAT(this->signals_since(0), ElementsAre(resolved_outcome(signal)));
}

TYPED_TEST(StoreConformance, OutcomeUpdateReplacesEveryOutcomeColumn) {
  const SignalRecord signal = sample_signal(1000);
  HistoryBatch first;
  first.signals.push_back(signal);
  first.outcomes.push_back(resolved_outcome(signal));
  this->write(first);
  // Back to open with no moves: every column set, including the NULLs.
  HistoryBatch second;
  Outcome reopened = opening_outcome(signal);
  reopened.observed_until = 5000;
  reopened.last_price = 95900;
  second.outcomes.push_back(reopened);
  this->write(second);
  EXPECT_THAT(this->signals_since(0), ElementsAre(reopened));
}

TYPED_TEST(StoreConformance, OutcomeUpdateFindsItsSignalInTheSameBatch) {
  const SignalRecord signal = sample_signal(1000);
  HistoryBatch batch;
  batch.signals.push_back(signal);
  batch.outcomes.push_back(resolved_outcome(signal));
  this->write(batch);
  EXPECT_THAT(this->signals_since(0), ElementsAre(resolved_outcome(signal)));
}

TYPED_TEST(StoreConformance, SavingAStoredSignalKeyKeepsTheFirst) {
  const SignalRecord first = sample_signal(1000);
  SignalRecord again = first;
  again.signal.confidence = 61;
  again.signal.exchange = "Bybit";
  again.signal.setup->entry = 1;
  again.json = R"({"again":true})";
  this->write(signals_batch({first}));
  this->write(signals_batch({again}));
  this->write(signals_batch({again, again}));
  EXPECT_THAT(this->signals_since(0), ElementsAre(opening_outcome(first)));
  EXPECT_THAT(this->store().signal_json(1000, SignalType::stop_hunt, "BTCUSDT", Direction::bullish),
              Optional(first.json));
  EXPECT_EQ(this->store().history_counts().signals, 1u);
}

TYPED_TEST(StoreConformance, TwoSignalsOfOneKeyInABatchKeepTheFirst) {
  const SignalRecord first = sample_signal(1000, "ETHUSDT");
  SignalRecord second = first;
  second.signal.confidence = 61;
  second.json = R"({"second":true})";
  HistoryBatch batch;
  batch.signals = {sample_signal(2000), first, second, sample_signal(500)};
  this->write(batch);
  EXPECT_THAT(this->signals_since(1000),
              ElementsAre(opening_outcome(first), opening_outcome(sample_signal(2000))));
  EXPECT_THAT(this->store().signal_json(1000, SignalType::stop_hunt, "ETHUSDT", Direction::bullish),
              Optional(first.json));
}

TYPED_TEST(StoreConformance, SavingAStoredSignalKeyKeepsItsOutcome) {
  const SignalRecord signal = sample_signal(1000);
  HistoryBatch batch;
  batch.signals.push_back(signal);
  batch.outcomes.push_back(resolved_outcome(signal));
  this->write(batch);
  this->write(signals_batch({signal}));  // a restart deciding the same signal again
  EXPECT_THAT(this->signals_since(0), ElementsAre(resolved_outcome(signal)));
}

TYPED_TEST(StoreConformance, OutcomeOfAnUnknownSignalIsIgnored) {
  HistoryBatch batch;
  batch.outcomes.push_back(resolved_outcome(sample_signal(1000)));
  EXPECT_TRUE(this->store().write(batch)) << this->store().last_error();
  EXPECT_THAT(this->signals_since(0), IsEmpty());
  EXPECT_EQ(this->store().history_counts(), HistoryCounts{});
}

TYPED_TEST(StoreConformance, SignalsWithoutASetupOrADirectionAreUntracked) {
  SignalRecord no_price = sample_signal(1000, "ETHUSDT");
  no_price.signal.setup.reset();
  no_price.signal.setup_missing = "no fresh price";
  SignalRecord neutral = sample_signal(2000, "BTCUSDT", SignalType::funding_extreme);
  neutral.signal.direction = Direction::neutral;  // keeps its setup: still nothing to follow
  this->write(signals_batch({no_price, neutral}));

  Outcome untracked_no_price = opening_outcome(sample_signal(1000, "ETHUSDT"));
  untracked_no_price.entry = untracked_no_price.stop = untracked_no_price.target = 0;
  untracked_no_price.state = OutcomeState::untracked;
  untracked_no_price.observed_until = 0;  // nothing is followed
  untracked_no_price.last_price = 0;
  Outcome untracked_neutral = untracked_no_price;
  untracked_neutral.signal_time = 2000;
  untracked_neutral.symbol = "BTCUSDT";
  untracked_neutral.type = SignalType::funding_extreme;
  untracked_neutral.direction = Direction::neutral;
  EXPECT_THAT(this->signals_since(0), ElementsAre(untracked_no_price, untracked_neutral));
  EXPECT_THAT(this->open_outcomes(), IsEmpty());
  EXPECT_EQ(this->store().history_counts().open_outcomes, 0u);
}

TYPED_TEST(StoreConformance, OpenOutcomesAreTheUnresolvedOnesOldestFirst) {
  const SignalRecord early = sample_signal(1000, "ETHUSDT");
  const SignalRecord middle = sample_signal(2000, "BTCUSDT");
  const SignalRecord late = sample_signal(3000, "SOLUSDT");
  this->write(signals_batch({late, early, middle}));
  HistoryBatch resolve_middle;
  resolve_middle.outcomes.push_back(resolved_outcome(middle));
  Outcome early_followed = opening_outcome(early);
  early_followed.max_favourable = 0.004;
  early_followed.observed_until = 1500;
  early_followed.last_price = 95900;
  resolve_middle.outcomes.push_back(early_followed);
  this->write(resolve_middle);
  EXPECT_THAT(this->open_outcomes(), ElementsAre(early_followed, opening_outcome(late)));
  EXPECT_EQ(this->store().history_counts().open_outcomes, 2u);
}

TYPED_TEST(StoreConformance, SignalsSinceStartsAtTheCutoffInKeyOrder) {
  const SignalRecord before = sample_signal(1999);
  const SignalRecord at_btc_hunt = sample_signal(2000, "BTCUSDT", SignalType::stop_hunt);
  const SignalRecord at_eth_hunt_long = sample_signal(2000, "ETHUSDT", SignalType::stop_hunt);
  const SignalRecord at_eth_hunt_short =
      sample_signal(2000, "ETHUSDT", SignalType::stop_hunt, Direction::bearish);
  const SignalRecord at_cascade = sample_signal(2000, "SOLUSDT", SignalType::liquidation_cascade);
  const SignalRecord after = sample_signal(2001, "AAAUSDT");
  this->write(
      signals_batch({after, at_eth_hunt_short, at_btc_hunt, before, at_cascade, at_eth_hunt_long}));
  // Time, then the type's name, the symbol and the direction's name, bytewise.
  EXPECT_THAT(this->signals_since(2000),
              ElementsAre(opening_outcome(at_cascade), opening_outcome(at_btc_hunt),
                          opening_outcome(at_eth_hunt_long), opening_outcome(at_eth_hunt_short),
                          opening_outcome(after)));
  EXPECT_THAT(this->signals_since(2002), IsEmpty());
}

TYPED_TEST(StoreConformance, SignalJsonOfAnUnknownKeyIsAbsent) {
  this->write(signals_batch({sample_signal(1000)}));
  EXPECT_EQ(this->store().signal_json(1000, SignalType::stop_hunt, "BTCUSDT", Direction::bearish),
            std::nullopt);
  EXPECT_EQ(this->store().signal_json(1001, SignalType::stop_hunt, "BTCUSDT", Direction::bullish),
            std::nullopt);
  EXPECT_EQ(this->store().last_error(), "");
}

TYPED_TEST(StoreConformance, EventsAndGapsAreStoredWithEveryField) {
  HistoryBatch batch;
  for (TimeMs t = 1000; t < 1030; ++t) batch.events.push_back(sample_event(t));
  batch.events.push_back(StoredEvent{.time = 1725416318379,
                                     .kind = EventKind::liquidation,
                                     .side = Side::sell,
                                     .exchange = "Hyper\\liquid\ttab",
                                     .symbol = "1000PEPE\nUSDT",
                                     .price = 0.000012345678901234,
                                     .volume_usd = 3858.184});
  batch.gaps.push_back(StoredGap{.from = 900, .to = 999, .source = "coinglass/0"});
  batch.gaps.push_back(StoredGap{.from = 1500, .to = 2500, .source = "binance/1"});
  this->write(batch);
  EXPECT_THAT(this->backend_.stored_events(), UnorderedElementsAreArray(batch.events));
  EXPECT_THAT(this->backend_.stored_gaps(), UnorderedElementsAreArray(batch.gaps));
  EXPECT_EQ(this->store().history_counts(),
            (HistoryCounts{.signals = 0, .open_outcomes = 0, .gaps = 2, .events = 31}));
}

TYPED_TEST(StoreConformance, HistoryCountsCountEachKind) {
  HistoryBatch batch;
  batch.signals = {sample_signal(1000, "BTCUSDT"), sample_signal(1000, "ETHUSDT"),
                   sample_signal(1000, "SOLUSDT")};
  batch.outcomes.push_back(resolved_outcome(batch.signals[1]));
  batch.gaps.push_back(StoredGap{.from = 1, .to = 2, .source = "coinglass/0"});
  for (TimeMs t = 0; t < 5; ++t) batch.events.push_back(sample_event(t));
  this->write(batch);
  EXPECT_EQ(this->store().history_counts(),
            (HistoryCounts{.signals = 3, .open_outcomes = 2, .gaps = 1, .events = 5}));
}

TYPED_TEST(StoreConformance, PurgeDeletesEventsAndGapsBeforeTheCutoffButKeepsSignals) {
  HistoryBatch batch;
  batch.signals = {sample_signal(100), sample_signal(5000, "ETHUSDT")};
  batch.outcomes.push_back(resolved_outcome(batch.signals[0]));
  for (TimeMs t = 995; t < 1005; ++t) batch.events.push_back(sample_event(t));
  batch.gaps.push_back(StoredGap{.from = 100, .to = 999, .source = "coinglass/0"});
  batch.gaps.push_back(StoredGap{.from = 900, .to = 1000, .source = "coinglass/0"});  // ends at it
  this->write(batch);
  EXPECT_EQ(this->store().purge_history_before(1000), 6u);  // 5 events, 1 gap
  EXPECT_THAT(this->backend_.stored_events(),
              UnorderedElementsAreArray(batch.events.begin() + 5, batch.events.end()));
  EXPECT_THAT(this->backend_.stored_gaps(), ElementsAre(batch.gaps[1]));
  EXPECT_THAT(this->signals_since(0),
              ElementsAre(resolved_outcome(batch.signals[0]), opening_outcome(batch.signals[1])));
  EXPECT_EQ(this->store().purge_history_before(1000), 0u);
}

TYPED_TEST(StoreConformance, AFailedBatchWritesNothing) {
  const SignalRecord stored = sample_signal(500);
  this->write(signals_batch({stored}));
  this->backend_.reject_events_of("POISON");

  HistoryBatch batch;
  batch.signals = {sample_signal(1000), sample_signal(1000, "ETHUSDT")};
  batch.outcomes.push_back(resolved_outcome(stored));
  batch.gaps.push_back(StoredGap{.from = 1, .to = 2, .source = "coinglass/0"});
  for (TimeMs t = 0; t < 1000; ++t) batch.events.push_back(sample_event(t));
  batch.events.push_back(sample_event(1000, "POISON"));
  EXPECT_FALSE(this->store().write(batch));
  EXPECT_THAT(this->store().last_error(), HasSubstr("write (events): "));

  EXPECT_THAT(this->signals_since(0), ElementsAre(opening_outcome(stored)));
  EXPECT_EQ(this->store().history_counts(),
            (HistoryCounts{.signals = 1, .open_outcomes = 1, .gaps = 0, .events = 0}));
  batch.events.pop_back();  // the store goes on with the next batch
  EXPECT_TRUE(this->store().write(batch)) << this->store().last_error();
  EXPECT_EQ(this->store().history_counts(),
            (HistoryCounts{.signals = 3, .open_outcomes = 2, .gaps = 1, .events = 1000}));
}

TYPED_TEST(StoreConformance, HistorySurvivesReopening) {
  HistoryBatch batch;
  batch.signals = {sample_signal(1000), sample_signal(2000, "ETHUSDT")};
  batch.outcomes.push_back(resolved_outcome(batch.signals[1]));
  batch.events.push_back(sample_event(1000));
  this->write(batch);
  this->reopen();
  EXPECT_THAT(this->signals_since(0),
              ElementsAre(opening_outcome(batch.signals[0]), resolved_outcome(batch.signals[1])));
  EXPECT_THAT(this->open_outcomes(), ElementsAre(opening_outcome(batch.signals[0])));
  EXPECT_EQ(this->store().history_counts().events, 1u);
}

TYPED_TEST(StoreConformance, EmptyBatchIsWrittenAsNothing) {
  EXPECT_TRUE(this->store().write(HistoryBatch{})) << this->store().last_error();
  EXPECT_EQ(this->store().history_counts(), HistoryCounts{});
}

// Tens of thousands of events per batch is the daemon's busy hour; prints the rate.
TYPED_TEST(StoreConformance, WritesALargeBatchOfEventsInOneGo) {
  constexpr int events = 50'000;
  HistoryBatch batch;
  batch.signals.push_back(sample_signal(1));
  for (TimeMs t = 0; t < events; ++t) batch.events.push_back(sample_event(1'000'000 + t));
  const auto start = std::chrono::steady_clock::now();
  this->write(batch);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ rate     ] %s: %d events in one batch in %.3f s = %.0f rows/s\n",
              std::string(TypeParam::name).c_str(), events, seconds, events / seconds);
  EXPECT_EQ(this->store().history_counts().events, static_cast<std::uint64_t>(events));
  EXPECT_LT(seconds, 15.0);  // generous: sanitizers and a shared machine
}

// The outbox behaves the same on both.

TYPED_TEST(StoreConformance, SavedAlertComesBackWithEveryField) {
  const StoredAlert alert{
      .id = (std::uint64_t{1} << 62) + 7,
      .chat_id = -1001987654321,
      .priority = 3,
      .type = "LIQUIDATION_CASCADE",
      .symbol = "ETHUSDT",
      .text = "<b>🚨 Cascade</b> ETHUSDT\nlongs −$4.2M &amp; 'rising' \\ \"x\" — 中文",
      .headline = "",
      .silent = true,
      .created_ms = 1725416318379,
      .photo = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)};
  ASSERT_TRUE(this->store().save_alert(alert)) << this->store().last_error();
  EXPECT_THAT(this->store().unsent_alerts(), ElementsAre(alert));
  EXPECT_EQ(this->store().max_alert_id(), alert.id);
}

TYPED_TEST(StoreConformance, AlertsAreResolvedOnceAndSavedOnce) {
  Store& store = this->store();
  for (std::uint64_t id = 1; id <= 4; ++id) ASSERT_TRUE(store.save_alert(sample_alert(id, 100)));
  StoredAlert again = sample_alert(2, 900);
  again.text = "another text";
  ASSERT_TRUE(store.save_alert(again));
  ASSERT_TRUE(store.mark_sent(ids(1, 3, 99), 200)) << store.last_error();
  ASSERT_TRUE(store.mark_dropped(ids(3, 4), 300, "older than 10 minutes")) << store.last_error();
  EXPECT_THAT(store.unsent_alerts(), ElementsAre(sample_alert(2, 100)));
  EXPECT_EQ(store.counts(), (Counts{.pending = 1, .sent = 2, .dropped = 1}));
  EXPECT_EQ(store.last_error(), "");
}

TYPED_TEST(StoreConformance, UnsentAlertsAreOldestFirstThenById) {
  Store& store = this->store();
  ASSERT_TRUE(store.save_alert(sample_alert(4, 300)));
  ASSERT_TRUE(store.save_alert(sample_alert(3, 100)));
  ASSERT_TRUE(store.save_alert(sample_alert(2, 300)));
  ASSERT_TRUE(store.save_alert(sample_alert(1, 200)));
  EXPECT_THAT(store.unsent_alerts(), ElementsAre(sample_alert(3, 100), sample_alert(1, 200),
                                                 sample_alert(2, 300), sample_alert(4, 300)));
}

TYPED_TEST(StoreConformance, MaxAlertIdOutlivesThePurgeAndTheStore) {
  Store& store = this->store();
  EXPECT_EQ(store.max_alert_id(), 0u);
  ASSERT_TRUE(store.save_alert(sample_alert(9, 0)));
  ASSERT_TRUE(store.save_alert(sample_alert(5, 0)));
  ASSERT_TRUE(store.save_alert(sample_alert(7, 0)));
  ASSERT_TRUE(store.mark_sent(ids(5, 9), 100));
  EXPECT_EQ(store.purge_resolved_before(101), 2u);  // 7 stays pending
  EXPECT_EQ(store.max_alert_id(), 9u);
  this->reopen();
  EXPECT_EQ(this->store().max_alert_id(), 9u);
  EXPECT_THAT(this->store().unsent_alerts(), ElementsAre(sample_alert(7, 0)));
}

TYPED_TEST(StoreConformance, SettingsAreOverwrittenAndEmptyIsNotMissing) {
  Store& store = this->store();
  EXPECT_EQ(store.setting("telegram.update_offset"), std::nullopt);
  ASSERT_TRUE(store.set_setting("telegram.update_offset", "41"));
  ASSERT_TRUE(store.set_setting("telegram.update_offset", "42"));
  ASSERT_TRUE(store.set_setting("mutes", ""));
  this->reopen();
  EXPECT_EQ(this->store().setting("telegram.update_offset"), "42");
  EXPECT_EQ(this->store().setting("mutes"), "");
}

TYPED_TEST(StoreConformance, BackendAndWhereNameTheDatabase) {
  EXPECT_EQ(this->store().backend(), TypeParam::name == "Sqlite" ? "sqlite" : "postgres");
  EXPECT_THAT(this->store().where(), ::testing::Not(IsEmpty()));
}

// The photo (the alert's chart) is kept while the alert is pending, and only then.

TYPED_TEST(StoreConformance, PhotoOfEveryByteValueComesBackExactly) {
  const StoredAlert alert = with_photo(sample_alert(1, 100), every_byte_value());
  ASSERT_TRUE(this->store().save_alert(alert)) << this->store().last_error();
  EXPECT_THAT(this->store().unsent_alerts(), ElementsAre(alert));
}

TYPED_TEST(StoreConformance, ChartSizedPhotoSurvivesReopening) {
  const StoredAlert alert = with_photo(sample_alert(1, 100), large_photo());
  ASSERT_TRUE(this->store().save_alert(alert)) << this->store().last_error();
  EXPECT_THAT(this->store().unsent_alerts(), ElementsAre(alert));
  this->reopen();
  EXPECT_THAT(this->store().unsent_alerts(), ElementsAre(alert));
}

TYPED_TEST(StoreConformance, AlertWithoutAPhotoComesBackWithoutOneAndStoresNone) {
  const StoredAlert text_alert = sample_alert(1, 100);
  const StoredAlert chart_alert = with_photo(sample_alert(2, 100), every_byte_value());
  ASSERT_TRUE(this->store().save_alert(text_alert));
  ASSERT_TRUE(this->store().save_alert(chart_alert));
  const std::vector<StoredAlert> unsent = this->store().unsent_alerts();
  EXPECT_THAT(unsent, ElementsAre(text_alert, chart_alert));
  ASSERT_EQ(unsent.size(), 2u);
  EXPECT_THAT(unsent[0].photo, IsEmpty());
  EXPECT_THAT(this->backend_.ids_with_photo(), ElementsAre(2u));
}

TYPED_TEST(StoreConformance, SentAndDroppedAlertsNoLongerKeepTheirPhotos) {
  Store& store = this->store();
  for (std::uint64_t id = 1; id <= 4; ++id) {
    ASSERT_TRUE(store.save_alert(with_photo(sample_alert(id, 100), large_photo(1000 + id))));
  }
  ASSERT_TRUE(store.mark_sent(ids(1), 200)) << store.last_error();
  ASSERT_TRUE(store.mark_dropped(ids(2, 3), 300, "older than 10 minutes")) << store.last_error();
  EXPECT_THAT(this->backend_.ids_with_photo(), ElementsAre(4u));
  EXPECT_THAT(store.unsent_alerts(),
              ElementsAre(with_photo(sample_alert(4, 100), large_photo(1004))));
  EXPECT_EQ(store.counts(), (Counts{.pending = 1, .sent = 1, .dropped = 2}));
  this->reopen();
  EXPECT_THAT(this->backend_.ids_with_photo(), ElementsAre(4u));
}

TYPED_TEST(StoreConformance, ForgottenPhotosLeaveTheirAlertsPendingAsTextAlone) {
  Store& store = this->store();
  for (std::uint64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(store.save_alert(with_photo(sample_alert(id, 100), large_photo(1000 + id))));
  }
  ASSERT_TRUE(store.mark_sent(ids(3), 200));
  ASSERT_TRUE(store.forget_photos(ids(1, 3, 99))) << store.last_error();
  EXPECT_THAT(this->backend_.ids_with_photo(), ElementsAre(2u));
  this->reopen();
  EXPECT_THAT(
      this->store().unsent_alerts(),
      ElementsAre(sample_alert(1, 100), with_photo(sample_alert(2, 100), large_photo(1002))))
      << "the first one's text is still to send; the sent one stays sent";
  EXPECT_EQ(this->store().counts(), (Counts{.pending = 2, .sent = 1, .dropped = 0}));
  EXPECT_TRUE(this->store().forget_photos({})) << "nothing to forget is no error";
}

TYPED_TEST(StoreConformance, SavingAStoredIdAgainKeepsTheFirstPhotoOrNone) {
  Store& store = this->store();
  ASSERT_TRUE(store.save_alert(with_photo(sample_alert(1, 100), "first")));
  ASSERT_TRUE(store.save_alert(with_photo(sample_alert(1, 100), "second")));
  ASSERT_TRUE(store.save_alert(sample_alert(1, 100)));
  // A resolved alert saved again stays resolved, and without a photo.
  ASSERT_TRUE(store.save_alert(with_photo(sample_alert(2, 100), "sent")));
  ASSERT_TRUE(store.mark_sent(ids(2), 200));
  ASSERT_TRUE(store.save_alert(with_photo(sample_alert(2, 100), "again")));
  EXPECT_THAT(store.unsent_alerts(), ElementsAre(with_photo(sample_alert(1, 100), "first")));
  EXPECT_THAT(this->backend_.ids_with_photo(), ElementsAre(1u));
}

}  // namespace
}  // namespace teleglas
