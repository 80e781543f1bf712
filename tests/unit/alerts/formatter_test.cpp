#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <locale>
#include <string>
#include <string_view>
#include <vector>

#include "sample_signals.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "telegram_html_check.hpp"

namespace teleglas {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;
using ::testing::HasSubstr;
using ::testing::Not;

// ---- checkers written independently of the formatter ----

std::size_t utf8_length_at(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  const std::size_t length = lead < 0x80       ? 1
                             : lead >> 5 == 6  ? 2
                             : lead >> 4 == 14 ? 3
                             : lead >> 3 == 30 ? 4
                                               : 0;
  if (length == 0 || i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return length;
}

AssertionResult is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8_length_at(s, i);
    if (length == 0) return AssertionFailure() << "invalid UTF-8 at byte " << i;
    i += length;
  }
  return AssertionSuccess();
}

// What Telegram counts: code units of UTF-16.
std::size_t utf16_units(std::string_view s) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = std::max<std::size_t>(1, utf8_length_at(s, i));
    units += length == 4 ? 2 : 1;
    i += length;
  }
  return units;
}

Signal with_many_factors(int count) {
  Signal s = samples::stop_hunt_long();
  for (int i = 0; i < count; ++i) {
    s.factors.push_back({"confirmation", 1, "agrees & confirms \U0001F680 <strongly>"});
  }
  return s;
}

// ---- headline ----

TEST(TelegramHtml, HeadlineCarriesPriorityBadgeTypeSymbolExchangeDirectionAndConfidence) {
  const std::string html = format_telegram_html(samples::stop_hunt_long());
  EXPECT_TRUE(
      html.starts_with("\U0001F6A8 <b>URGENT · Stop hunt</b>\n"
                       "<b>BTCUSDT</b> · Binance · \U0001F7E2 <b>LONG</b> · 95/100\n"))
      << html;
}

TEST(TelegramHtml, EachPriorityHasItsOwnBadge) {
  EXPECT_TRUE(format_telegram_html(samples::accumulation()).starts_with("\u26A0\uFE0F <b>WATCH"));
  EXPECT_TRUE(
      format_telegram_html(samples::whale_accumulation()).starts_with("\u2139\uFE0F <b>INFO"));
}

TEST(TelegramHtml, EveryTypeIsNamedInWords) {
  const std::vector<std::pair<Signal, std::string>> expected = {
      {samples::stop_hunt_long(), "Stop hunt"},
      {samples::accumulation(), "Accumulation"},
      {samples::distribution(), "Distribution"},
      {samples::liquidation_cascade(), "Liquidation cascade"},
      {samples::whale_accumulation(), "Whale accumulation"},
      {samples::funding_extreme(), "Funding extreme"},
      {samples::oi_divergence(), "OI divergence"},
  };
  for (const auto& [signal, words] : expected) {
    EXPECT_THAT(format_telegram_html(signal), HasSubstr(" · " + words + "</b>\n"));
  }
}

TEST(TelegramHtml, EmptyExchangeReadsAllExchanges) {
  Signal s = samples::accumulation();
  s.exchange.clear();
  EXPECT_THAT(format_telegram_html(s), HasSubstr("<b>ETHUSDT</b> · all exchanges · "));
}

TEST(TelegramHtml, ShowsTheDecisionTimeInUtcAndTheWindowLength) {
  EXPECT_THAT(format_telegram_html(samples::stop_hunt_long()),
              HasSubstr("\n\U0001F552 2024-09-04 02:18:38 UTC · window 42 s\n"));
}

// ---- market logic (DESIGN.md §2) ----

TEST(TelegramHtml, StopHuntLongSaysLongsWereFlushedAndBuyersAbsorbed) {
  EXPECT_THAT(format_telegram_html(samples::stop_hunt_long()),
              HasSubstr("Longs were flushed ($2.40M forced selling) and large buyers absorbed "
                        "$452.0K — a LONG setup, stop below the hunt zone."));
}

TEST(TelegramHtml, StopHuntShortSaysShortsWereSqueezedAndSellersAbsorbed) {
  Signal s = samples::stop_hunt_long();
  s.direction = Direction::bearish;
  const std::string html = format_telegram_html(s);
  EXPECT_THAT(html, HasSubstr("Shorts were squeezed ($2.40M forced buying) and large sellers "
                              "absorbed $452.0K — a SHORT setup, stop above the hunt zone."));
  EXPECT_THAT(html, HasSubstr("Liquidated: <b>$2.40M</b> (76.0% shorts)"));
  EXPECT_THAT(html, HasSubstr("Absorbed: $452.0K by large sells"));
}

TEST(TelegramHtml, CascadeOfLongLiquidationsIsAPotentialLongReversal) {
  EXPECT_THAT(format_telegram_html(samples::liquidation_cascade()),
              HasSubstr("Longs are being liquidated in a cascade ($6.20M forced selling) — a "
                        "potential reversal: watch for a LONG setup, stop below the cascade zone. "
                        "Not yet absorbed; a stop hunt would confirm it."));
}

TEST(TelegramHtml, LiquidationsShowTheirVenueBreakdown) {
  EXPECT_THAT(format_telegram_html(samples::stop_hunt_long()),
              HasSubstr("Liquidations by venue: Binance 62% · OKX 25% · Bybit 13%"));
}

TEST(TelegramHtml, ASignalWithoutAFreshPriceSaysWhyItHasNoSetup) {
  Signal s = samples::stop_hunt_long();
  s.setup.reset();
  s.setup_missing = "no Binance price in the last 30 s (the last is 2.0 h old)";
  const std::string html = format_telegram_html(s);
  EXPECT_THAT(html, HasSubstr("<b>No setup:</b> no Binance price in the last 30 s (the last is "
                              "2.0 h old)."));
  EXPECT_THAT(html, Not(HasSubstr("Entry:")));
}

TEST(TelegramHtml, OrderFlowSaysWhichSideDominatedAndForHowLong) {
  EXPECT_THAT(format_telegram_html(samples::distribution()),
              HasSubstr("Sellers dominated the order flow over the last 5 min: $2.65M of "
                        "aggressive selling, 74.0% of the volume — a SHORT setup."));
}

TEST(TelegramHtml, PositiveFundingExtremeExplainsCrowdedLongs) {
  EXPECT_THAT(format_telegram_html(samples::funding_extreme()),
              HasSubstr("Funding is extreme at +0.1532% per 8 h: longs are crowded and paying "
                        "shorts — a contrarian SHORT setup."));
}

// ---- numbers ----

TEST(TelegramHtml, SetupShowsEntryStopTargetRiskAndRewardToRisk) {
  EXPECT_THAT(format_telegram_html(samples::stop_hunt_long()),
              HasSubstr("<b>Setup</b>\n"
                        "Entry: <code>95,850.0</code> (Binance price)\n"
                        "Stop: <code>95,650.0</code> (risk 0.21%)\n"
                        "Target: <code>96,250.0</code>\n"
                        "Reward : risk = 1 : 2.0\n"));
}

TEST(TelegramHtml, RewardToRiskIsDerivedFromThePrices) {
  Signal s = samples::stop_hunt_long();
  s.setup = teleglas::Setup{100.0, 98.0, 105.0};
  EXPECT_THAT(format_telegram_html(s), HasSubstr("(risk 2.00%)"));
  EXPECT_THAT(format_telegram_html(s), HasSubstr("Reward : risk = 1 : 2.5"));
}

TEST(TelegramHtml, SignalWithoutSetupHasNoSetupSection) {
  EXPECT_THAT(format_telegram_html(samples::oi_divergence()), Not(HasSubstr("Setup")));
  EXPECT_THAT(format_telegram_html(samples::oi_divergence()), Not(HasSubstr("Entry")));
}

TEST(TelegramHtml, ShowsVolumeDominantShareZoneAndAbsorption) {
  EXPECT_THAT(format_telegram_html(samples::stop_hunt_long()),
              HasSubstr("Liquidated: <b>$2.40M</b> (76.0% longs)\n"
                        "Hunt zone: 95,700.0 – 95,912.5\n"
                        "Absorbed: $452.0K by large buys\n"));
}

TEST(TelegramHtml, ZoneIsShownOnlyWhenNonZero) {
  EXPECT_THAT(format_telegram_html(samples::funding_extreme()), Not(HasSubstr("zone")));
  EXPECT_THAT(format_telegram_html(samples::funding_extreme()), Not(HasSubstr(" – ")));
}

TEST(TelegramHtml, KnownMetricsAreRenderedWithLabelsAndUnits) {
  const std::string flow = format_telegram_html(samples::accumulation());
  EXPECT_THAT(flow, HasSubstr("\nBuy ratio: 78.0%\nLarge trades: 23\n"));
  EXPECT_THAT(flow, HasSubstr("\nSell volume: $1.16M\n"));
  EXPECT_THAT(format_telegram_html(samples::funding_extreme()),
              HasSubstr("\nFunding (8 h): +0.1532%\nExtreme threshold: 0.1000%\nExchanges: 3\n"));
  EXPECT_THAT(format_telegram_html(samples::oi_divergence()),
              HasSubstr("\nSmallest OI change: -2.30%\n"));
}

TEST(TelegramHtml, UnknownMetricIsRenderedGenerically) {
  Signal s = samples::stop_hunt_long();
  s.metrics = {{"spoof_score", 1.25}, {"venues", 7}};
  EXPECT_THAT(format_telegram_html(s), HasSubstr("\nspoof_score: 1.25\nvenues: 7\n"));
}

// ---- confidence ----

TEST(TelegramHtml, ConfidenceListsEachFactorWithSignedPointsAndDetail) {
  Signal s = samples::stop_hunt_long();
  s.factors.push_back({"stale_book", -5, ""});
  s.confidence = 90;
  EXPECT_THAT(format_telegram_html(s),
              HasSubstr("<b>Confidence 90/100</b>\n"
                        "base 50\n"
                        "+10 volume ($2.40M &gt; $2M)\n"
                        "+10 one_sided (76% long liquidations &gt; 70%)\n"
                        "+25 absorption ($452.0K absorbed by buys &gt;= $300K)\n"
                        "-5 stale_book"));
}

TEST(TelegramHtml, CappedScoreSaysSo) {
  Signal s = samples::stop_hunt_long();
  s.factors.push_back({"win_rate", 10, "72% wins"});
  s.confidence = 99;
  EXPECT_TRUE(format_telegram_html(s).ends_with("\n+10 win_rate (72% wins)\n= 105, capped at 99"));
}

// ---- escaping and UTF-8 ----

TEST(TelegramHtml, HostileStringsAreEscapedEverywhere) {
  Signal s = samples::stop_hunt_long();
  s.symbol = R"(<b>&")";
  s.exchange = "<script>";
  s.metrics = {{"<i>m", 1}};
  s.factors = {{"a<b", 5, "x > y & z"}};
  const std::string html = format_telegram_html(s);
  EXPECT_TRUE(testing::is_telegram_html(html)) << html;
  EXPECT_THAT(html, HasSubstr(R"(<b>&lt;b&gt;&amp;"</b> · &lt;script&gt; · )"));
  EXPECT_THAT(html, HasSubstr("\n&lt;i&gt;m: 1\n"));
  EXPECT_THAT(html, HasSubstr("\n+5 a&lt;b (x &gt; y &amp; z)"));
}

TEST(TelegramHtml, InvalidUtf8IsReplacedSoTelegramAcceptsTheMessage) {
  Signal s = samples::stop_hunt_long();
  s.symbol = "BTC\xFF\xC0USDT";
  s.exchange = "Bin\xE2\x82";  // a cut three-byte sequence
  const std::string html = format_telegram_html(s);
  EXPECT_TRUE(is_valid_utf8(html));
  EXPECT_THAT(html, HasSubstr("<b>BTC\uFFFD\uFFFDUSDT</b> · Bin\uFFFD\uFFFD · "));
}

// ---- the 4096-character cap ----

TEST(TelegramHtml, EverySampleFitsUntruncated) {
  for (const auto& sample : samples::all_types()) {
    const std::string html = format_telegram_html(sample.signal);
    EXPECT_LT(utf16_units(html), telegram_max_message_chars) << sample.name;
    EXPECT_THAT(html, Not(HasSubstr("\u2026"))) << sample.name;
    EXPECT_TRUE(testing::is_telegram_html(html)) << sample.name;
  }
}

TEST(TelegramHtml, ThousandsOfFactorsAreCappedAt4096Utf16Units) {
  const Signal s = with_many_factors(2000);
  const std::string html = format_telegram_html(s);
  EXPECT_GT(utf16_units(format_plain_text(s)), 4 * telegram_max_message_chars);
  EXPECT_LE(utf16_units(html), telegram_max_message_chars);
  EXPECT_GT(utf16_units(html), telegram_max_message_chars - 100);  // the budget is used
  EXPECT_TRUE(testing::is_telegram_html(html));
  EXPECT_TRUE(is_valid_utf8(html));
}

TEST(TelegramHtml, CapEndsAtALineBreakWithAnEllipsis) {
  const std::string html = format_telegram_html(with_many_factors(2000));
  EXPECT_TRUE(html.ends_with("&lt;strongly&gt;)\n\u2026")) << html.substr(html.size() - 80);
  EXPECT_TRUE(html.starts_with("\U0001F6A8 <b>URGENT · Stop hunt</b>\n"));
}

// One endless line forces a cut between tokens; shifting it byte by byte makes the cut land on
// every kind of boundary: inside <b>, next to an entity, before a four-byte emoji.
TEST(TelegramHtml, CutInsideOneHugeLineNeverSplitsATagAnEntityOrAUtf8Sequence) {
  for (int shift = 0; shift < 12; ++shift) {
    Signal s = samples::stop_hunt_long();
    s.symbol = std::string(static_cast<std::size_t>(shift), 'x');
    for (int i = 0; i < 1500; ++i) s.symbol += "&\U0001F680<\u00e9";
    const std::string html = format_telegram_html(s);
    EXPECT_LE(utf16_units(html), telegram_max_message_chars) << "shift " << shift;
    EXPECT_TRUE(testing::is_telegram_html(html)) << "shift " << shift;
    EXPECT_TRUE(is_valid_utf8(html)) << "shift " << shift;
    EXPECT_TRUE(html.ends_with("</b>\u2026")) << "shift " << shift;
  }
}

// ---- plain text ----

TEST(PlainText, HasTheSameContentWithoutMarkup) {
  const std::string plain = format_plain_text(samples::stop_hunt_long());
  EXPECT_THAT(plain, Not(HasSubstr("<")));
  EXPECT_THAT(plain, HasSubstr("\U0001F6A8 URGENT · Stop hunt\nBTCUSDT · Binance · "));
  EXPECT_THAT(plain, HasSubstr("\nEntry: 95,850.0 (Binance price)\n"));
  EXPECT_THAT(plain, HasSubstr("\n+10 volume ($2.40M > $2M)\n"));
}

TEST(PlainText, ShowsHostileStringsVerbatim) {
  Signal s = samples::stop_hunt_long();
  s.symbol = R"(<b>&amp;")";
  const std::string plain = format_plain_text(s);
  EXPECT_THAT(plain, HasSubstr("\n<b>&amp;\" · Binance"));
}

TEST(PlainText, IsNotCapped) {
  EXPECT_GT(utf16_units(format_plain_text(with_many_factors(2000))), telegram_max_message_chars);
}

// ---- determinism ----

// A locale whose numbers read "95.850,0" would leak into any iostream or std::locale formatting.
struct CommaDecimal : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(TelegramHtml, SameSignalSameBytesWhateverTheGlobalLocale) {
  const Signal s = samples::stop_hunt_long();
  const std::string before = format_telegram_html(s);
  const std::locale previous =
      std::locale::global(std::locale(std::locale::classic(), new CommaDecimal));
  const std::string under_other_locale = format_telegram_html(s);
  const std::string plain_under_other_locale = format_plain_text(s);
  std::locale::global(previous);
  EXPECT_EQ(under_other_locale, before);
  EXPECT_EQ(plain_under_other_locale, format_plain_text(s));
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST(TelegramHtml, ShowsTheTypesTrackRecordInOneLine) {
  Signal s = samples::stop_hunt_long();
  EXPECT_THAT(format_telegram_html(s), Not(HasSubstr("won")));
  s.track_record = TrackRecord{12, 5, 2, 7};
  EXPECT_THAT(format_telegram_html(s), HasSubstr("Stop hunts, last 7 days: 12 of 19 won"));
  EXPECT_THAT(format_plain_text(s), HasSubstr("Stop hunts, last 7 days: 12 of 19 won"));
  s.track_record = TrackRecord{0, 0, 0, 7};
  EXPECT_THAT(format_telegram_html(s), HasSubstr("Stop hunts, last 7 days: none resolved yet"));
  // A signal that never has a setup is never followed: no record to show.
  s.setup.reset();
  s.setup_missing.clear();
  EXPECT_THAT(format_telegram_html(s), Not(HasSubstr("last 7 days")));
}

}  // namespace
}  // namespace teleglas
