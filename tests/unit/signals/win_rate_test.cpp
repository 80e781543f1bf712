#include "teleglas/signals/win_rate.hpp"

#include <gtest/gtest.h>

#include "teleglas/signals/scorer.hpp"

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'725'416'400'000;
constexpr TimeMs day = 86'400'000;

Outcome resolved(SignalType type, OutcomeState state, TimeMs at) {
  Outcome o;
  o.type = type;
  o.state = state;
  o.signal_time = at - 60'000;
  o.resolved_time = at;
  return o;
}

// `wins` wins then `losses` losses of `type`, resolved a minute apart from `from`.
void add_record(WinRateBook& book, SignalType type, int wins, int losses, TimeMs from = t0) {
  for (int i = 0; i < wins + losses; ++i) {
    book.add(resolved(type, i < wins ? OutcomeState::win : OutcomeState::loss, from + i * 60'000));
  }
}

int points_of(const Signal& s, std::string_view name) {
  for (const ScoreFactor& f : s.factors) {
    if (f.name == name) return f.points;
  }
  return 0;
}

const ScoreFactor* factor(const Signal& s, std::string_view name) {
  for (const ScoreFactor& f : s.factors) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(WinRateBook, CountsWinsLossesAndExpiredPerType) {
  WinRateBook book(7 * day, 3);
  add_record(book, SignalType::stop_hunt, 2, 1);
  book.add(resolved(SignalType::stop_hunt, OutcomeState::expired, t0 + 600'000));
  book.add(resolved(SignalType::distribution, OutcomeState::win, t0));
  Outcome still_open = resolved(SignalType::stop_hunt, OutcomeState::open, t0);
  book.add(still_open);
  const TrackRecord hunts = book.record(SignalType::stop_hunt);
  EXPECT_EQ(hunts.wins, 2);
  EXPECT_EQ(hunts.losses, 1);
  EXPECT_EQ(hunts.expired, 1);
  EXPECT_EQ(hunts.resolved(), 4);
  EXPECT_DOUBLE_EQ(*book.win_rate(SignalType::stop_hunt), 0.5) << "expired counts as not won";
  EXPECT_EQ(book.record(SignalType::distribution).wins, 1);
  EXPECT_FALSE(book.win_rate(SignalType::distribution)) << "below the minimum sample";
  EXPECT_FALSE(book.win_rate(SignalType::accumulation));
}

TEST(WinRateBook, ForgetsWhatLeavesTheLookbackAsEventTimeMoves) {
  WinRateBook book(day, 1);
  add_record(book, SignalType::stop_hunt, 1, 0, t0);
  add_record(book, SignalType::stop_hunt, 0, 1, t0 + 12 * 3'600'000);
  book.advance(t0 + day);
  EXPECT_EQ(book.record(SignalType::stop_hunt).resolved(), 2) << "exactly a day old still counts";
  book.advance(t0 + day + 1);
  EXPECT_EQ(book.record(SignalType::stop_hunt).wins, 0);
  EXPECT_EQ(book.record(SignalType::stop_hunt).losses, 1);
  book.advance(t0 + 2 * day);
  EXPECT_EQ(book.record(SignalType::stop_hunt).resolved(), 0);
  // An outcome resolved before the lookback (restored history) is not counted at all.
  book.add(resolved(SignalType::stop_hunt, OutcomeState::win, t0));
  EXPECT_EQ(book.record(SignalType::stop_hunt).resolved(), 0);
}

TEST(WinRateBook, OutOfOrderHistoryExpiresInResolvedOrder) {
  WinRateBook book(day, 1);
  book.add(resolved(SignalType::whale_accumulation, OutcomeState::win, t0 + 3'600'000));
  book.add(resolved(SignalType::whale_accumulation, OutcomeState::loss, t0));
  book.advance(t0 + day + 1);
  EXPECT_EQ(book.record(SignalType::whale_accumulation).losses, 0);
  EXPECT_EQ(book.record(SignalType::whale_accumulation).wins, 1);
}

TEST(TrackRecordLine, SaysWinsOfResolvedOverTheLookback) {
  TrackRecord r{12, 5, 2, 7};
  EXPECT_EQ(track_record_line(SignalType::stop_hunt, r), "Stop hunts, last 7 days: 12 of 19 won");
  EXPECT_EQ(track_record_line(SignalType::distribution, TrackRecord{0, 0, 0, 1}),
            "Distribution calls, last day: none resolved yet");
}

Signal accumulation_signal() {
  Signal s;
  s.type = SignalType::accumulation;
  s.symbol = "BTCUSDT";
  s.direction = Direction::bullish;
  s.time = t0;
  return s;
}

TEST(Scorer, WinRateAboveTheMinimumAddsTheBonusOnceTheSampleIsBigEnough) {
  AnalysisConfig analysis;  // win_rate_min 0.7 -> +10, floor 0.4 -> -10
  WinRateBook book(7 * day, 20);
  add_record(book, SignalType::accumulation, 15, 4);  // 19 resolved: not enough yet
  Signal s = accumulation_signal();
  Scorer(book).score(s, analysis);
  EXPECT_EQ(points_of(s, "win_rate"), 0);
  EXPECT_EQ(s.confidence, 50);

  add_record(book, SignalType::accumulation, 0, 1, t0 + day);  // 15 of 20 = 75 %
  Signal t = accumulation_signal();
  Scorer(book).score(t, analysis);
  ASSERT_NE(factor(t, "win_rate"), nullptr);
  EXPECT_EQ(factor(t, "win_rate")->points, 10);
  EXPECT_EQ(factor(t, "win_rate")->detail,
            "Accumulation calls, last 7 days: 15 of 20 won (75% > 70%)");
  EXPECT_EQ(t.confidence, 60);
}

TEST(Scorer, WinRateAtTheMinimumEarnsNothingAndBelowTheFloorCosts) {
  AnalysisConfig analysis;
  WinRateBook exactly(7 * day, 10);
  add_record(exactly, SignalType::accumulation, 7, 3);  // 70 %: not above 70 %
  Signal a = accumulation_signal();
  Scorer(exactly).score(a, analysis);
  EXPECT_EQ(points_of(a, "win_rate"), 0);

  WinRateBook poor(7 * day, 10);
  add_record(poor, SignalType::accumulation, 3, 7);  // 30 % < 40 %
  Signal b = accumulation_signal();
  Scorer(poor).score(b, analysis);
  EXPECT_EQ(points_of(b, "win_rate"), -10);
  EXPECT_EQ(b.confidence, 40);

  WinRateBook at_floor(7 * day, 10);
  add_record(at_floor, SignalType::accumulation, 4, 6);  // 40 %: not below 40 %
  Signal c = accumulation_signal();
  Scorer(at_floor).score(c, analysis);
  EXPECT_EQ(points_of(c, "win_rate"), 0);
}

TEST(Scorer, WinRateOfOneTypeNeverScoresAnother) {
  WinRateBook book(7 * day, 5);
  add_record(book, SignalType::stop_hunt, 5, 0);
  Signal s = accumulation_signal();
  Scorer(book).score(s, AnalysisConfig{});
  EXPECT_EQ(points_of(s, "win_rate"), 0);
}

}  // namespace
}  // namespace teleglas
