#include "teleglas/ingest/control_lines.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace teleglas {
namespace {

constexpr TimeMs t0 = 1'725'416'318'379;

TEST(ControlLines, ParsesTheThreeKindsAsWritten) {
  const auto recv = parse_control_line(R"({"channel":"teleglas.recv","time":1725416318379})");
  ASSERT_TRUE(recv);
  EXPECT_EQ(recv->kind, ControlKind::receive_time);
  EXPECT_EQ(recv->time, t0);

  const auto tick = parse_control_line(R"({"channel":"teleglas.tick","time":1725416319000})");
  ASSERT_TRUE(tick);
  EXPECT_EQ(tick->kind, ControlKind::tick);
  EXPECT_EQ(tick->time, 1'725'416'319'000);

  const auto gap =
      parse_control_line(R"({"channel":"teleglas.gap","from":1725416318379,"to":1725416320100})");
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->kind, ControlKind::gap);
  EXPECT_EQ(gap->from, t0);
  EXPECT_EQ(gap->to, 1'725'416'320'100);
}

TEST(ControlLines, FormatIsOneLineThatParsesBackToTheSameValues) {
  EXPECT_EQ(format_control_line({.kind = ControlKind::receive_time, .time = t0}),
            R"({"channel":"teleglas.recv","time":1725416318379})");
  EXPECT_EQ(format_control_line({.kind = ControlKind::tick, .time = 0}),
            R"({"channel":"teleglas.tick","time":0})");
  EXPECT_EQ(format_control_line({.kind = ControlKind::gap, .from = 5, .to = 7}),
            R"({"channel":"teleglas.gap","from":5,"to":7})");

  // Whatever the daemon hands the pipeline comes back unchanged, even an odd wall clock.
  constexpr TimeMs max = std::numeric_limits<TimeMs>::max();
  constexpr TimeMs min = std::numeric_limits<TimeMs>::min();
  for (const ControlLine line : {ControlLine{.kind = ControlKind::receive_time, .time = 0},
                                 ControlLine{.kind = ControlKind::tick, .time = max},
                                 ControlLine{.kind = ControlKind::tick, .time = -1},
                                 ControlLine{.kind = ControlKind::gap, .from = min, .to = max},
                                 ControlLine{.kind = ControlKind::gap, .from = t0, .to = t0 - 5}}) {
    const std::string text = format_control_line(line);
    EXPECT_TRUE(is_control_line(text)) << text;
    const auto parsed = parse_control_line(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(parsed->kind, line.kind) << text;
    EXPECT_EQ(parsed->time, line.time) << text;
    EXPECT_EQ(parsed->from, line.from) << text;
    EXPECT_EQ(parsed->to, line.to) << text;
  }
}

TEST(ControlLines, CoinglassFramesAreNotControlLines) {
  for (const char* frame : {R"({"channel":"liquidationOrders","data":[]})",
                            R"({"channel":"funding_rates","time":1725416318379,"data":[]})", "pong",
                            "liquidationOrders need upgrade plan", "", R"({"channel":"teleglas"})",
                            R"( {"channel":"teleglas.tick","time":1})"}) {
    EXPECT_FALSE(is_control_line(frame)) << frame;
    EXPECT_FALSE(parse_control_line(frame)) << frame;
  }
}

TEST(ControlLines, ASourceLineNamesTheFeedOfTheFramesAfterIt) {
  for (const Source source : {Source::coinglass, Source::bybit, Source::binance, Source::okx}) {
    const std::string text = format_control_line({.kind = ControlKind::source, .source = source});
    EXPECT_EQ(text, R"({"channel":"teleglas.source","name":")" + std::string(to_string(source)) +
                        R"("})");
    const auto parsed = parse_control_line(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(parsed->kind, ControlKind::source);
    EXPECT_EQ(parsed->source, source);
  }
}

TEST(ControlLines, MalformedControlLinesAreRejected) {
  for (const char* line : {
           R"({"channel":"teleglas.tick"})",                              // no time
           R"({"channel":"teleglas.tick","time":})",                      // empty number
           R"({"channel":"teleglas.tick","time":"1725416318379"})",       // a string
           R"({"channel":"teleglas.tick","time":1725416318379.5})",       // a fraction
           R"({"channel":"teleglas.tick","time":1e12})",                  // an exponent
           R"({"channel":"teleglas.tick","time":01})",                    // a leading zero
           R"({"channel":"teleglas.tick","time":-0})",                    // not how 0 is written
           R"({"channel":"teleglas.tick","time":-})",                     // a sign alone
           R"({"channel":"teleglas.tick","time":99999999999999999999})",  // overflows TimeMs
           R"({"channel":"teleglas.tick","time":1)",                      // truncated
           R"({"channel":"teleglas.tick","time":1} )",                    // trailing text
           R"({"channel":"teleglas.tick","time":1}{"channel":"teleglas.tick","time":2})",
           R"({"channel":"teleglas.tick", "time":1})",  // other spacing than ours
           R"({"channel":"teleglas.recv","at":1})", R"({"channel":"teleglas.gap","from":1})",
           R"({"channel":"teleglas.gap","from":1,"to":})",
           R"({"channel":"teleglas.gap","to":2,"from":1})",    // other member order than ours
           R"({"channel":"teleglas.sauce","name":"bybit"})",   // a kind we do not know
           R"({"channel":"teleglas.source","name":"ftx"})",    // a source we do not know
           R"({"channel":"teleglas.source","name":"Bybit"})",  // not how we spell it
           R"({"channel":"teleglas.source","name":"bybit})",   // unterminated
           R"({"channel":"teleglas.source","name":""})",
       }) {
    EXPECT_TRUE(is_control_line(line)) << line;
    EXPECT_FALSE(parse_control_line(line)) << line;
  }
}

}  // namespace
}  // namespace teleglas
