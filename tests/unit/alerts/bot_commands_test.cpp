#include "teleglas/alerts/bot_commands.hpp"
#include "telegram_html_check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/alerts/formatter.hpp"

namespace teleglas {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr TimeMs minute_ms = 60'000;
constexpr TimeMs hour_ms = 60 * minute_ms;
constexpr TimeMs day_ms = 24 * hour_ms;
constexpr TimeMs t0 = 1'725'416'318'379;  // 2024-09-04 02:18:38.379 UTC

// ---- getUpdates ----

TEST(BotCommands, ReadsATextMessageShapedAsTelegramDocumentsIt) {
  const UpdatesAnswer answer = parse_get_updates(R"({
    "ok": true,
    "result": [{
      "update_id": 815042317,
      "message": {
        "message_id": 42,
        "from": {"id": 123456789, "is_bot": false, "first_name": "Ana", "username": "ana_trades",
                 "language_code": "en"},
        "chat": {"id": 123456789, "first_name": "Ana", "username": "ana_trades",
                 "type": "private"},
        "date": 1725416318,
        "text": "/status",
        "entities": [{"offset": 0, "length": 7, "type": "bot_command"}]
      }
    }]
  })");
  ASSERT_TRUE(answer.ok) << answer.description;
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].update_id, 815042317);
  EXPECT_EQ(answer.messages[0].chat_id, 123456789);
  EXPECT_EQ(answer.messages[0].from, "ana_trades");
  EXPECT_EQ(answer.messages[0].text, "/status");
  EXPECT_EQ(answer.next_offset, 815042318);
}

TEST(BotCommands, SenderWithoutUsernameIsNamedByFirstName) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": [{"update_id": 1,
    "message": {"message_id": 1, "from": {"id": 7, "is_bot": false, "first_name": "Ana"},
                "chat": {"id": 7, "type": "private"}, "date": 1725416318, "text": "/help"}}]})");
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].from, "Ana");
}

TEST(BotCommands, SenderNameCannotForgeALogLine) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": [{"update_id": 1,
    "message": {"message_id": 1, "from": {"id": 7, "is_bot": false, "first_name": "Ana\nERROR x"},
                "chat": {"id": 7, "type": "private"}, "date": 1725416318, "text": "/help"}}]})");
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].from, "Ana?ERROR x");
}

TEST(BotCommands, ChannelPostsCarryCommandsToo) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": [{"update_id": 9,
    "channel_post": {"message_id": 3, "sender_chat": {"id": -1001234567890, "title": "Desk",
                     "type": "channel"}, "chat": {"id": -1001234567890, "title": "Desk",
                     "type": "channel"}, "date": 1725416318, "text": "/stats"}}]})");
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].chat_id, -1001234567890);
  EXPECT_EQ(answer.messages[0].from, "Desk");
  EXPECT_EQ(answer.messages[0].text, "/stats");
}

TEST(BotCommands, SupergroupChatIdsBeyond32BitsArePreserved) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": [{"update_id": 5,
    "message": {"message_id": 1, "from": {"id": 7, "is_bot": false, "first_name": "A"},
                "chat": {"id": -1009876543210, "title": "Traders", "type": "supergroup"},
                "date": 1725416318, "text": "/mute 5"}}]})");
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].chat_id, -1009876543210);
}

TEST(BotCommands, OffsetAdvancesPastUpdatesThatCarryNoText) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": [
    {"update_id": 100, "message": {"message_id": 1, "chat": {"id": 7, "type": "private"},
                                   "date": 1725416318, "text": "/status"}},
    {"update_id": 101, "message": {"message_id": 2, "chat": {"id": 7, "type": "private"},
                                   "date": 1725416318, "photo": []}},
    {"update_id": 102, "edited_message": {"message_id": 1, "chat": {"id": 7, "type": "private"},
                                          "date": 1725416318, "text": "/mute 5"}},
    {"update_id": 104, "my_chat_member": {"chat": {"id": -100123, "type": "supergroup"}}}
  ]})");
  ASSERT_TRUE(answer.ok);
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].update_id, 100);
  EXPECT_EQ(answer.next_offset, 105);
}

TEST(BotCommands, EmptyResultKeepsOffsetZero) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": []})");
  EXPECT_TRUE(answer.ok);
  EXPECT_TRUE(answer.messages.empty());
  EXPECT_EQ(answer.next_offset, 0);
}

TEST(BotCommands, UpdatesWithoutAnIntegerIdAreSkippedNotFatal) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": [
    {"update_id": "7", "message": {"chat": {"id": 1}, "text": "/a"}},
    {"update_id": 7.5, "message": {"chat": {"id": 1}, "text": "/b"}},
    {"message": {"chat": {"id": 1}, "text": "/c"}},
    42,
    {"update_id": 8, "message": {"chat": {"id": 1}, "text": "/d"}}
  ]})");
  ASSERT_TRUE(answer.ok);
  ASSERT_EQ(answer.messages.size(), 1u);
  EXPECT_EQ(answer.messages[0].text, "/d");
  EXPECT_EQ(answer.next_offset, 9);
}

TEST(BotCommands, MessageWithAFractionalChatIdIsIgnored) {
  const UpdatesAnswer answer = parse_get_updates(
      R"({"ok": true, "result": [{"update_id": 3, "message": {"chat": {"id": 1.5}, "text": "/a"}}]})");
  EXPECT_TRUE(answer.messages.empty());
  EXPECT_EQ(answer.next_offset, 4);
}

TEST(BotCommands, TooManyRequestsCarriesRetryAfter) {
  const UpdatesAnswer answer = parse_get_updates(
      R"({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 17",
          "parameters": {"retry_after": 17}})");
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.error_code, 429);
  EXPECT_EQ(answer.retry_after_s, 17);
  EXPECT_EQ(answer.description, "Too Many Requests: retry after 17");
}

TEST(BotCommands, ConflictKeepsTelegramsDescription) {
  const UpdatesAnswer answer = parse_get_updates(
      R"({"ok": false, "error_code": 409, "description": "Conflict: terminated by other )"
      R"(getUpdates request; make sure that only one bot instance is running"})");
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.error_code, 409);
  EXPECT_THAT(answer.description, HasSubstr("only one bot instance"));
  EXPECT_EQ(answer.retry_after_s, 0);
}

TEST(BotCommands, MalformedJsonIsAnErrorNotAThrow) {
  for (const std::string_view body :
       {std::string_view(""), std::string_view("{\"ok\": tru"),
        std::string_view("<html>502</html>"), std::string_view("[1, 2]"),
        std::string_view("{\"result\": []}")}) {
    const UpdatesAnswer answer = parse_get_updates(body);
    EXPECT_FALSE(answer.ok) << body;
    EXPECT_THAT(answer.description, HasSubstr("malformed")) << body;
    EXPECT_EQ(answer.next_offset, 0) << body;
  }
}

TEST(BotCommands, ResultThatIsNotAnArrayIsAnError) {
  const UpdatesAnswer answer = parse_get_updates(R"({"ok": true, "result": {"update_id": 1}})");
  EXPECT_FALSE(answer.ok);
  EXPECT_THAT(answer.description, HasSubstr("result"));
}

// ---- commands ----

BotCommand command(std::string_view text, std::string_view bot = "TeleglasBot") {
  const auto parsed = parse_bot_command(text, bot);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(BotCommand{});
}

TEST(BotCommands, RecognisesEveryCommandWhateverItsCase) {
  EXPECT_EQ(command("/status").name, BotCommand::Name::status);
  EXPECT_EQ(command("/STATUS").name, BotCommand::Name::status);
  EXPECT_EQ(command("/Mute").name, BotCommand::Name::mute);
  EXPECT_EQ(command("/unmute").name, BotCommand::Name::unmute);
  EXPECT_EQ(command("/stats").name, BotCommand::Name::stats);
  EXPECT_EQ(command("/help").name, BotCommand::Name::help);
}

TEST(BotCommands, CommandAddressedToThisBotIsAccepted) {
  const BotCommand c = command("/status@teleglasbot", "TeleglasBot");
  EXPECT_EQ(c.name, BotCommand::Name::status);
  EXPECT_EQ(c.word, "/status@teleglasbot");
}

TEST(BotCommands, CommandAddressedToAnotherBotIsNotOurs) {
  EXPECT_FALSE(parse_bot_command("/status@OtherBot", "TeleglasBot"));
  EXPECT_FALSE(parse_bot_command("/mute@other_bot 15", "TeleglasBot"));
}

TEST(BotCommands, AnyBotSuffixIsAcceptedWhileOurNameIsUnknown) {
  const auto c = parse_bot_command("/mute@bot 15", "");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, BotCommand::Name::mute);
  EXPECT_EQ(c->minutes, 15);
}

TEST(BotCommands, TextThatIsNotACommandIsIgnored) {
  EXPECT_FALSE(parse_bot_command("hello /status", ""));
  EXPECT_FALSE(parse_bot_command("", ""));
  EXPECT_FALSE(parse_bot_command("/", ""));
  EXPECT_FALSE(parse_bot_command("/ status", ""));
}

TEST(BotCommands, SurroundingWhitespaceIsIgnored) {
  const BotCommand c = command("  /Mute 30 \n");
  EXPECT_EQ(c.name, BotCommand::Name::mute);
  EXPECT_EQ(c.word, "/Mute");
  EXPECT_EQ(c.minutes, 30);
  EXPECT_FALSE(c.bad_argument);
}

TEST(BotCommands, MuteWithoutMinutesMutesForTheDefault) {
  const BotCommand c = command("/mute");
  EXPECT_EQ(c.minutes, default_mute_minutes);
  EXPECT_FALSE(c.bad_argument);
}

TEST(BotCommands, MuteAcceptsTheWholeRange) {
  EXPECT_EQ(command("/mute 1").minutes, 1);
  EXPECT_EQ(command(std::string("/mute ") + std::to_string(max_mute_minutes)).minutes,
            max_mute_minutes);
}

TEST(BotCommands, MuteRefusesMinutesThatAreNotAPlainNumberInRange) {
  for (const std::string_view text :
       {"/mute abc", "/mute 0", "/mute -5", "/mute +5", "/mute 999999",
        "/mute 99999999999999999999", "/mute 1.5", "/mute 30m", "/mute 5 10"}) {
    const BotCommand c = command(text);
    EXPECT_EQ(c.name, BotCommand::Name::mute) << text;
    EXPECT_TRUE(c.bad_argument) << text;
    EXPECT_FALSE(c.minutes) << text;
  }
  EXPECT_TRUE(command(std::string("/mute ") + std::to_string(max_mute_minutes + 1)).bad_argument);
}

TEST(BotCommands, UnknownCommandKeepsTheWordAsTyped) {
  const BotCommand c = command("/Foo bar");
  EXPECT_EQ(c.name, BotCommand::Name::unknown);
  EXPECT_EQ(c.word, "/Foo");
  EXPECT_EQ(c.argument, "bar");
}

TEST(BotCommands, ArgumentsOfOtherCommandsAreKeptButHarmless) {
  const BotCommand c = command("/status now please");
  EXPECT_EQ(c.name, BotCommand::Name::status);
  EXPECT_EQ(c.argument, "now please");
  EXPECT_FALSE(c.bad_argument);
}

// ---- replies ----

StatusSnapshot live_status() {
  StatusSnapshot s;
  s.connection = "live (2/2 connections, 0 reconnects)";
  s.now_ms = t0;
  s.started_ms = t0 - (3 * day_ms + 4 * hour_ms + 5 * minute_ms);
  s.messages_per_min = 412;
  s.signals_today = 17;
  s.queue_depth = 3;
  s.alerts_sent = 250;
  s.alerts_dropped = 2;
  return s;
}

TEST(BotCommands, StatusShowsEveryValueGiven) {
  const std::string reply = status_reply(live_status());
  EXPECT_THAT(reply, HasSubstr("live (2/2 connections, 0 reconnects)"));
  EXPECT_THAT(reply, HasSubstr("3 d 4 h"));
  EXPECT_THAT(reply, HasSubstr("412 messages/min"));
  EXPECT_THAT(reply, HasSubstr("<b>17</b>"));
  EXPECT_THAT(reply, HasSubstr("3 queued · 250 sent · 2 dropped"));
  EXPECT_THAT(reply, HasSubstr("<b>on</b>"));
}

TEST(BotCommands, StatusShowsEachSourceLivePartlyOrDownSinceWhen) {
  StatusSnapshot s = live_status();
  EXPECT_THAT(status_reply(s), Not(HasSubstr("Sources:"))) << "none known, no line";
  s.sources = {{"bybit", 1, 1, 0},
               {"binance", 2, 1, 0},
               {"okx", 1, 0, s.now_ms - 3 * minute_ms},
               {"coinglass", 2, 0, 0}};
  const std::string reply = status_reply(s);
  EXPECT_THAT(reply, HasSubstr("Sources: bybit live · binance 1/2 live · okx <b>down</b> for 3 min"
                               " · coinglass <b>down</b>\n"));
  EXPECT_THAT(reply, Not(HasSubstr("CoinGlass:"))) << "the rate is every source's";
}

TEST(BotCommands, StatusEscapesTheConnectionText) {
  StatusSnapshot s = live_status();
  s.connection = "a<b> & c";
  const std::string reply = status_reply(s);
  EXPECT_THAT(reply, HasSubstr("a&lt;b&gt; &amp; c"));
  EXPECT_THAT(reply, Not(HasSubstr("a<b>")));
}

TEST(BotCommands, StatusOfAMutedChatShowsWhenTheMuteEnds) {
  StatusSnapshot s = live_status();
  s.muted_until = t0 + 30 * minute_ms;
  const std::string reply = status_reply(s);
  EXPECT_THAT(reply, HasSubstr("muted</b> until 2024-09-04 02:48 UTC (30 min left)"));
  EXPECT_THAT(reply, HasSubstr("/unmute"));
}

TEST(BotCommands, StatusTreatsAnExpiredMuteAsOn) {
  StatusSnapshot s = live_status();
  s.muted_until = t0 - 1;
  EXPECT_THAT(status_reply(s), HasSubstr("<b>on</b>"));
}

TEST(BotCommands, StatusStaysUnderTelegramsLimitWithHugeConnectionText) {
  StatusSnapshot s = live_status();
  s.connection = std::string(10'000, '<');
  EXPECT_LT(status_reply(s).size(), telegram_max_message_chars);
}

// A resolved outcome of `type` at `confidence`: a win or a loss.
Outcome resolved(SignalType type, int confidence, OutcomeState state) {
  Outcome o;
  o.signal_time = t0;
  o.type = type;
  o.symbol = "BTCUSDT";
  o.direction = Direction::bullish;
  o.confidence = confidence;
  o.entry = 100;
  o.state = state;
  o.resolved_time = t0 + minute_ms;
  return o;
}

// Every type, every confidence bucket, counts and excursions far beyond any real history.
HistoryStats fullest_history() {
  HistoryStats stats;
  OutcomeTally huge;
  huge.signals = huge.wins = huge.losses = huge.expired = huge.open = 2'000'000'000;
  huge.untracked = huge.crossed_gap = 2'000'000'000;
  huge.favourable_sum = huge.adverse_sum = 1e12;
  for (OutcomeTally& t : stats.by_type) t = huge;
  stats.total = huge;
  for (int low = 0; low <= 90; low += 10) {
    stats.calibration.push_back({low, low == 90 ? 100 : low + 9, huge});
  }
  return stats;
}

TEST(BotCommands, StatsWithoutHistorySaysPlainlyThatNoneIsAvailable) {
  StatsSnapshot s;
  s.signals_today = 4;
  s.signals_total = 31;
  const std::string reply = stats_reply(s);
  EXPECT_THAT(reply, HasSubstr("<b>4</b>"));
  EXPECT_THAT(reply, HasSubstr("since start: 31"));
  EXPECT_THAT(reply, HasSubstr("No history is available"));
  EXPECT_THAT(reply, Not(HasSubstr("%")));
}

TEST(BotCommands, StatsShowsTheWinRatePerTypeAndTheCalibrationTable) {
  std::vector<Outcome> rows(7, resolved(SignalType::stop_hunt, 87, OutcomeState::win));
  rows.insert(rows.end(), 3, resolved(SignalType::stop_hunt, 72, OutcomeState::loss));
  StatsSnapshot s;
  s.history = compute_history_stats(rows);
  s.history_span_ms = 7 * day_ms;
  const std::string reply = stats_reply(s);
  EXPECT_THAT(reply, HasSubstr("Signals and outcomes, last 7 days"));
  EXPECT_THAT(reply, HasSubstr("STOP_HUNT                 10     7      3       0     0    70%"));
  EXPECT_THAT(reply, HasSubstr("80-89             7     7       0        0     0  100%"));
  EXPECT_THAT(reply, HasSubstr("70-79             3     0       3        0     0    0%"));
}

TEST(BotCommands, StatsNamesThePeriodItCounts) {
  StatsSnapshot s;
  s.history = compute_history_stats(std::vector<Outcome>{});
  s.history_span_ms = day_ms;
  EXPECT_THAT(stats_reply(s), HasSubstr("no signals in last day"));
  s.history_span_ms = 12 * hour_ms;
  EXPECT_THAT(stats_reply(s), HasSubstr("no signals in last 12 h"));
}

TEST(BotCommands, StatsWithTheFullestHistoryStaysUnderTelegramsLimit) {
  StatsSnapshot s;
  s.signals_today = s.signals_total = std::numeric_limits<std::uint64_t>::max();
  s.history = fullest_history();
  const std::string reply = stats_reply(s);
  EXPECT_TRUE(testing::is_telegram_html(reply, {"b", "i", "pre"})) << reply;
  // Bytes never undercount Telegram's UTF-16 units.
  EXPECT_LT(reply.size(), telegram_max_message_chars) << reply.size();
}

TEST(BotCommands, HelpListsEveryCommand) {
  const std::string reply = help_reply();
  for (const std::string_view word : {"/status", "/mute [minutes]", "/unmute", "/stats", "/help"}) {
    EXPECT_THAT(reply, HasSubstr(word));
  }
  EXPECT_THAT(reply, HasSubstr(std::to_string(max_mute_minutes)));
}

TEST(BotCommands, MuteReplyNamesTheDurationAndTheEnd) {
  EXPECT_EQ(mute_reply(t0 + 30 * minute_ms, 30),
            "\U0001F515 Muted for 30 min, until 2024-09-04 02:48 UTC. /unmute to resume.");
}

TEST(BotCommands, UnmuteReplySaysWhetherAnythingChanged) {
  EXPECT_THAT(unmute_reply(true), HasSubstr("Unmuted"));
  EXPECT_THAT(unmute_reply(false), HasSubstr("not muted"));
}

TEST(BotCommands, BadArgumentReplyEchoesTheArgumentEscapedAndShowsUsage) {
  const BotCommand c = command("/mute <b>&");
  ASSERT_TRUE(c.bad_argument);
  const std::string reply = bad_argument_reply(c);
  EXPECT_THAT(reply, HasSubstr("<code>&lt;b&gt;&amp;</code> is not a number of minutes"));
  EXPECT_THAT(reply, HasSubstr("/mute [minutes]"));
  EXPECT_THAT(reply, HasSubstr(std::to_string(max_mute_minutes)));
}

TEST(BotCommands, UnknownCommandReplyNamesItEscapedAndPointsToHelp) {
  const std::string reply = unknown_command_reply(command("/foo<i>"));
  EXPECT_THAT(reply, HasSubstr("<code>/foo&lt;i&gt;</code>"));
  EXPECT_THAT(reply, HasSubstr("/help"));
}

TEST(BotCommands, EchoedTextIsClippedOnACharacterBoundary) {
  std::string long_word = "/x_";                        // odd, so byte 64 falls inside a character
  for (int i = 0; i < 100; ++i) long_word += "\u00e9";  // two bytes each
  const std::string reply = unknown_command_reply(command(long_word));
  EXPECT_LT(reply.size(), 200u);
  EXPECT_THAT(reply, HasSubstr("\u00e9\u2026</code>"));
}

TEST(BotCommands, EveryReplyIsTelegramHtmlUnderTheLimit) {
  StatusSnapshot muted = live_status();
  muted.connection = "a<b> & c";
  muted.muted_until = t0 + hour_ms;
  StatsSnapshot stats;
  stats.history = compute_history_stats(
      std::vector<Outcome>{resolved(SignalType::stop_hunt, 87, OutcomeState::win)});
  const std::vector<std::string> replies = {status_reply(live_status()),
                                            status_reply(muted),
                                            stats_reply(StatsSnapshot{}),
                                            stats_reply(stats),
                                            help_reply(),
                                            mute_reply(t0, default_mute_minutes),
                                            unmute_reply(true),
                                            unmute_reply(false),
                                            bad_argument_reply(command("/mute </code>")),
                                            unknown_command_reply(command("/x&y"))};
  for (const std::string& reply : replies) {
    EXPECT_TRUE(testing::is_telegram_html(reply, {"b", "i", "code", "pre"})) << reply;
    EXPECT_LT(reply.size(), telegram_max_message_chars) << reply;
  }
}

}  // namespace
}  // namespace teleglas
