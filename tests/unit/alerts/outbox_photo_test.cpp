// An alert's chart in the outbox: it travels with the alert, is never digested, and once sent
// (or refused) the text goes on alone, first in its chat.
#include <gtest/gtest.h>

#include "sample_signals.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "teleglas/alerts/outbox.hpp"
#include "teleglas/alerts/send_photo.hpp"

namespace teleglas {
namespace {

constexpr TimeMs t0 = samples::decision_time;

std::shared_ptr<const std::string> png(std::string bytes = std::string("\x89PNG\r\n\x1a\n\0\x01", 10)) {
  return std::make_shared<const std::string>(std::move(bytes));
}

TEST(OutboxPhoto, TheChartTravelsWithTheAlertAndItsShortCaptionNamesIt) {
  Outbox outbox(OutboxConfig{});
  const auto records = outbox.prepare(samples::stop_hunt_long(), {-1001}, png());
  ASSERT_EQ(records.size(), 1u);
  ASSERT_NE(records[0].photo, nullptr);
  outbox.restore(records[0], t0, t0);
  const auto taken = outbox.take_ready(t0);
  ASSERT_TRUE(taken.has_value());
  ASSERT_NE(taken->photo, nullptr);
  EXPECT_EQ(*taken->photo, *png());
  EXPECT_EQ(taken->text, format_telegram_html(samples::stop_hunt_long()));
  EXPECT_NE(taken->short_caption.find("Stop hunt BTCUSDT"), std::string::npos)
      << taken->short_caption;
  EXPECT_LE(telegram_visible_length(taken->short_caption), telegram_max_caption_chars);
}

TEST(OutboxPhoto, AfterThePhotoTheTextGoesNextAsTextAndIsDeliveredOnce) {
  Outbox outbox(OutboxConfig{});
  Signal watch = samples::stop_hunt_long();
  watch.priority = Priority::watch;
  outbox.enqueue(watch, {-1001}, t0);  // a text alert behind it, same chat
  auto records = outbox.prepare(samples::stop_hunt_long(), {-1001}, png());
  records[0].priority = Priority::urgent;
  outbox.restore(records[0], t0, t0);
  auto first = outbox.take_ready(t0);
  ASSERT_TRUE(first && first->photo);
  EXPECT_FALSE(outbox.continue_as_text(first->id + 1000, t0)) << "unknown id";
  ASSERT_TRUE(outbox.continue_as_text(first->id, t0));
  EXPECT_EQ(outbox.stats().delivered, 0u) << "the alert is not delivered before its text";
  // The chat's one-second pacing still applies to the second message.
  EXPECT_FALSE(outbox.take_ready(t0 + 10).has_value());
  auto text = outbox.take_ready(t0 + 1'000);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->id, first->id) << "the text of the same alert, before the one queued earlier";
  EXPECT_EQ(text->photo, nullptr);
  EXPECT_FALSE(outbox.continue_as_text(text->id, t0 + 1'000)) << "no photo left";
  EXPECT_TRUE(outbox.on_sent(text->id, t0 + 1'100));
  EXPECT_EQ(outbox.stats().delivered, 1u);
  EXPECT_EQ(outbox.stats().photos_continued_as_text, 1u);
}

TEST(OutboxPhoto, ADigestIsTextEvenWhenItsAlertsHadCharts) {
  OutboxConfig config;
  config.limits.max_per_window = 2;
  Outbox outbox(config);
  for (int i = 0; i < 4; ++i) {
    Signal s = samples::stop_hunt_long();
    s.time = t0 + i;
    for (const auto& r : outbox.prepare(s, {-1001}, png())) outbox.restore(r, t0, t0);
  }
  const auto digests = outbox.compact(t0);
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0].photo, nullptr);
  EXPECT_EQ(digests[0].alert_count, 4);
}

TEST(SendPhotoRequest, IsAMultipartFormWithEveryFieldAndTheBytesUntouched) {
  std::string bytes = *png();
  bytes += std::string(3000, '\0') + "--teleglas-";  // NULs and a boundary-like run
  const MultipartRequest request = send_photo_request(-1001, bytes, "<b>Stop hunt</b>", true);
  const std::string prefix = "multipart/form-data; boundary=";
  ASSERT_EQ(request.content_type.rfind(prefix, 0), 0u);
  const std::string boundary = request.content_type.substr(prefix.size());
  EXPECT_EQ(bytes.find(boundary), std::string::npos) << "the boundary occurs in no part";
  const std::string& body = request.body;
  EXPECT_NE(body.find("name=\"chat_id\"\r\n\r\n-1001\r\n"), std::string::npos);
  EXPECT_NE(body.find("name=\"caption\"\r\n\r\n<b>Stop hunt</b>\r\n"), std::string::npos);
  EXPECT_NE(body.find("name=\"parse_mode\"\r\n\r\nHTML\r\n"), std::string::npos);
  EXPECT_NE(body.find("name=\"disable_notification\"\r\n\r\ntrue\r\n"), std::string::npos);
  const std::string photo_head =
      "name=\"photo\"; filename=\"chart.png\"\r\nContent-Type: image/png\r\n\r\n";
  const std::size_t at = body.find(photo_head);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(body.substr(at + photo_head.size(), bytes.size()), bytes);
  EXPECT_TRUE(body.ends_with("\r\n--" + boundary + "--\r\n"));
  EXPECT_EQ(send_photo_request(-1001, bytes, "<b>Stop hunt</b>", true).body, body)
      << "the same request is built the same way";
}

TEST(TelegramVisibleLength, CountsWhatIsShownInUtf16Units) {
  EXPECT_EQ(telegram_visible_length("<b>ab</b> &lt;c&gt; &amp;"), 8u);  // "ab <c> &"
  EXPECT_EQ(telegram_visible_length("€"), 1u);
  EXPECT_EQ(telegram_visible_length("🚨"), 2u) << "beyond the BMP: a surrogate pair";
  EXPECT_EQ(telegram_visible_length(""), 0u);
}

}  // namespace
}  // namespace teleglas
