#include <gtest/gtest.h>

#include "sample_signals.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "teleglas/alerts/signal_json.hpp"

namespace teleglas {
namespace {

Signal degraded_hunt() {
  Signal s = samples::stop_hunt_long();
  s.degraded_gap_ms = 12'000;
  return s;
}

TEST(DegradedSignal, AlertSaysTheFeedWasDownAndForHowLong) {
  const std::string html = format_telegram_html(degraded_hunt());
  EXPECT_NE(html.find("Degraded"), std::string::npos) << html;
  EXPECT_NE(html.find("12 s"), std::string::npos) << html;
  EXPECT_NE(format_plain_text(degraded_hunt()).find("Degraded"), std::string::npos);
}

TEST(DegradedSignal, AGapUnderASecondReadsInMilliseconds) {
  Signal s = degraded_hunt();
  s.degraded_gap_ms = 400;
  const std::string html = format_telegram_html(s);
  EXPECT_NE(html.find("the feed was down for 400 ms inside this window"), std::string::npos)
      << html;
}

TEST(DegradedSignal, JsonCarriesTheGapOnlyWhenThereIsOne) {
  EXPECT_NE(signal_to_json(degraded_hunt()).find(R"("degraded_gap_ms":12000)"), std::string::npos);
  Signal clean = degraded_hunt();
  clean.degraded_gap_ms = 0;
  EXPECT_EQ(signal_to_json(clean).find("degraded_gap_ms"), std::string::npos);
  EXPECT_EQ(format_telegram_html(clean).find("Degraded"), std::string::npos);
}

}  // namespace
}  // namespace teleglas
