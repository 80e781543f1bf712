// Alerts with their chart: a signal from the pipeline goes to the stand-in Bot API as a
// multipart sendPhoto, and the picture it receives shows the numbers where they belong.
#include "telegram_sink_fixture.hpp"

#include <fstream>

#include "../pipeline/tape.hpp"
#include "support/png_image.hpp"
#include "teleglas/charts/chart.hpp"

namespace teleglas {
namespace {

using namespace std::chrono_literals;
using testing::blend;
using testing::line_near;
using testing::near;
using testing::PngImage;

constexpr TimeMs t0 = 1'725'416'400'000;

// A stop hunt of longs decided by the real pipeline, carrying its chart data: twenty minutes
// of Binance trades near 96,000, three liquidations flushing down to 95,700, one large buy.
Signal charted_stop_hunt() {
  testing::Tape tape;
  tape.background(t0 - 1'200'000, t0 + 60'000);
  for (TimeMs t = t0 - 1'200'000; t < t0; t += 5'000) {
    tape.trade(t, Side::buy, 2'000, 96'100 + static_cast<double>((t / 5'000) % 5) * 10);
  }
  tape.liquidation(t0, Side::sell, 900'000, 95'900);
  tape.liquidation(t0 + 1'000, Side::sell, 900'000, 95'800);
  tape.liquidation(t0 + 2'000, Side::sell, 900'000, 95'700);
  tape.trade(t0 + 4'000, Side::buy, 150'000, 95'750);
  const Config config;
  Pipeline pipeline(config);
  pipeline.capture_charts(true);
  const auto hunts = testing::of_type(tape.run(pipeline, t0 + 60'000), SignalType::stop_hunt);
  EXPECT_EQ(hunts.size(), 1u);
  return hunts.empty() ? Signal{} : hunts.front();
}

std::vector<SimTelegramMessage> photos_of(const std::vector<SimTelegramMessage>& messages) {
  std::vector<SimTelegramMessage> out;
  for (const auto& m : messages) {
    if (m.method == "sendPhoto") out.push_back(m);
  }
  return out;
}

TEST_F(TelegramSinkTest, AStopHuntGoesAsItsChartWithTheAlertAsCaption) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  const Signal signal = charted_stop_hunt();
  ASSERT_NE(signal.chart, nullptr);
  ASSERT_TRUE(signal.setup.has_value());
  auto sink = make_sink();
  sink->on_signal(signal);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  const auto messages = server_.delivered();
  ASSERT_EQ(messages.size(), 1u) << "one message: the photo, its caption the whole alert";
  const SimTelegramMessage& m = messages[0];
  EXPECT_EQ(m.method, "sendPhoto");
  EXPECT_EQ(m.caption, format_telegram_html(signal));
  EXPECT_EQ(m.parse_mode, "HTML");
  EXPECT_FALSE(m.disable_notification) << "an URGENT alert rings";
  EXPECT_EQ(m.photo_content_type, "image/png");
  EXPECT_EQ(sink->stats().photos_sent, 1u);

  // The picture Telegram got, checked against where the renderer puts the signal's numbers.
  const PngImage image(m.photo);
  if (const char* dump = std::getenv("TELEGLAS_DUMP_CHART")) std::ofstream(dump) << m.photo;
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image.width(), 800);
  EXPECT_EQ(image.height(), 450);
  EXPECT_LT(m.photo.size(), 100u * 1024);
  const charts::ChartLayout layout = charts::render_chart(*signal.chart).layout;
  const charts::Palette colours = charts::palette(charts::Theme::dark);
  // The hunt zone: tinted where the price traded above it, ten minutes before.
  const double x = layout.x_of(t0 - 600'000 + 2'500);
  // (A third of the way up: the middle of this zone is a grid line.)
  const double middle = signal.zone_low + (signal.zone_high - signal.zone_low) / 3;
  EXPECT_LT(layout.y_of(96'100), layout.y_of(signal.zone_high) - 4) << "price above the zone";
  EXPECT_TRUE(near(image.at(x, layout.y_of(middle)),
                   blend(colours.zone, colours.background, colours.zone_alpha)));
  // The flushed longs: a red bar below the zero line at the flush, none above it.
  const double flush_x = layout.x_of(t0 + 2'500);  // the middle of the flush's bucket
  EXPECT_TRUE(near(image.at(flush_x, layout.liquidation_zero_y + 3), colours.down));
  EXPECT_TRUE(near(image.at(flush_x, layout.longs_bar_bottom(2'700'000) - 2), colours.down));
  EXPECT_FALSE(near(image.at(flush_x, layout.liquidation_zero_y - 3), colours.up));
  // Entry, stop and target at their rows.
  const double across = layout.price_plot.x + layout.price_plot.width * 0.4;
  EXPECT_TRUE(line_near(image, across, layout.y_of(signal.setup->entry), colours.entry));
  EXPECT_TRUE(line_near(image, across, layout.y_of(signal.setup->stop), colours.down));
  EXPECT_TRUE(line_near(image, across, layout.y_of(signal.setup->target), colours.up));
  expect_token_nowhere_in_logs();
}

TEST_F(TelegramSinkTest, AnAlertTooLongForACaptionFollowsItsPhoto) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  Signal signal = charted_stop_hunt();
  // Details long enough that the alert's text passes Telegram's 1024-character caption limit.
  for (int i = 0; i < 12; ++i) {
    signal.factors.push_back({"note" + std::to_string(i), 0, std::string(90, 'x')});
  }
  const std::string text = format_telegram_html(signal);
  ASSERT_GT(telegram_visible_length(text), telegram_max_caption_chars);
  auto sink = make_sink();
  sink->on_signal(signal);
  ASSERT_TRUE(wait_delivered(2, 5s, sink.get()));
  const auto messages = server_.delivered();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].method, "sendPhoto");
  EXPECT_LE(displayed_text(messages[0]).size(), 200u) << "a short caption: the headline";
  EXPECT_NE(displayed_text(messages[0]).find("Stop hunt"), std::string::npos)
      << displayed_text(messages[0]);
  EXPECT_EQ(messages[1].method, "sendMessage");
  EXPECT_EQ(messages[1].text, text) << "then the whole alert";
  EXPECT_EQ(sink->outbox_stats().delivered, 1u) << "one alert, delivered once";
  EXPECT_EQ(sink->stats().sent, 2u) << "two requests";
}

TEST_F(TelegramSinkTest, APhotoTelegramRefusesLeavesTheTextToGoAlone) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  server_.refuse_next_photos(1);
  const Signal signal = charted_stop_hunt();
  auto sink = make_sink();
  sink->on_signal(signal);
  ASSERT_TRUE(wait_for([&] { return delivered_to(-1001).size() == 1 && sink->stats().sent == 1; }));
  const auto delivered = delivered_to(-1001);
  EXPECT_EQ(delivered[0].method, "sendMessage");
  EXPECT_EQ(delivered[0].text, format_telegram_html(signal));
  EXPECT_EQ(sink->stats().photo_refusals, 1u);
  EXPECT_EQ(sink->stats().dropped, 0u) << "the alert is not lost with its picture";
  EXPECT_NE(log_.str().find("PHOTO_INVALID_DIMENSIONS"), std::string::npos) << log_.str();
}

TEST_F(TelegramSinkTest, AChartThatCannotBeDrawnLeavesTheTextToGoAloneAndIsCounted) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  Signal signal = charted_stop_hunt();
  auto broken = std::make_shared<charts::ChartData>(*signal.chart);
  broken->candle_ms = 0;  // the renderer refuses it
  signal.chart = broken;
  auto sink = make_sink();
  sink->on_signal(signal);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(server_.delivered()[0].method, "sendMessage");
  EXPECT_EQ(sink->stats().chart_failures, 1u);
  EXPECT_NE(sink->health_summary().find("charts refused 0 failed 1"), std::string::npos);
}

TEST_F(TelegramSinkTest, WithChartsOffADirectionalAlertIsText) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  config_.charts = false;
  auto sink = make_sink();
  sink->on_signal(charted_stop_hunt());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(server_.delivered()[0].method, "sendMessage");
  EXPECT_TRUE(photos_of(server_.messages()).empty());
}

TEST_F(TelegramSinkTest, AlertsKeepTheirOrderWhileAChartIsDrawn) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  const Signal charted = charted_stop_hunt();
  Signal plain = samples::stop_hunt_long();  // same priority, no chart: ready at once
  plain.priority = charted.priority;
  plain.symbol = "ETHUSDT";
  auto sink = make_sink();
  sink->on_signal(charted);
  sink->on_signal(plain);
  ASSERT_TRUE(wait_delivered(2, 5s, sink.get()));
  const auto messages = server_.delivered();
  EXPECT_EQ(messages[0].method, "sendPhoto") << "the first signal's alert goes first";
  EXPECT_EQ(messages[1].method, "sendMessage");
  EXPECT_NE(messages[1].text.find("ETHUSDT"), std::string::npos);
}

TEST_F(TelegramSinkTest, ASilentAlertsPhotoDoesNotRing) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  Signal signal = charted_stop_hunt();
  signal.priority = Priority::info;
  auto sink = make_sink();
  sink->on_signal(signal);
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(server_.delivered()[0].method, "sendPhoto");
  EXPECT_TRUE(server_.delivered()[0].disable_notification);
}

TEST_F(TelegramSinkTest, APhotoRateLimitedOrFailingIsRetriedLikeAnyMessage) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  server_.fail_next_with_429(1, 1);
  server_.fail_next_with_status(1, 502);
  auto sink = make_sink();
  sink->on_signal(charted_stop_hunt());
  ASSERT_TRUE(wait_delivered(1, 8s, sink.get()));
  const auto photos = photos_of(server_.messages());
  ASSERT_EQ(photos.size(), 3u) << "429, 502, then ok";
  EXPECT_EQ(photos[0].photo, photos[2].photo) << "the same picture each time";
  EXPECT_EQ(sink->stats().photos_sent, 1u);
}

// The PNG is stored with the alert: after a restart the same picture goes out, and once sent
// the store keeps it no longer.
TEST_F(TelegramSinkTest, AChartQueuedWhileTelegramIsDownGoesOutAfterARestart) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  const TelegramConfig reachable = config_;
  config_.api_url = "https://127.0.0.1:1";  // Telegram down: nothing listens there
  const Signal signal = charted_stop_hunt();
  const std::string drawn = charts::render_chart(*signal.chart).png;
  auto storage = open_storage();
  auto down = make_sink(storage.get());
  down->on_signal(signal);
  ASSERT_TRUE(wait_for([&] { return down->stats().failed >= 1; }));
  shut_down(down);
  storage.reset();
  const auto pending = open_store()->unsent_alerts();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].photo, drawn);

  config_ = reachable;
  auto reopened = open_storage();
  auto sink = make_sink(reopened.get());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  EXPECT_EQ(sink->stats().restored, 1u);
  const SimTelegramMessage m = server_.delivered()[0];
  EXPECT_EQ(m.method, "sendPhoto");
  EXPECT_EQ(m.photo, drawn) << "the very picture drawn before the restart";
  EXPECT_EQ(m.caption, format_telegram_html(signal));
  settle();
  ASSERT_TRUE(reopened->flush());
  EXPECT_EQ(open_store()->counts().sent, 1u);
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

using namespace std::chrono_literals;

// Once its picture is done with (refused here; sent with a short caption likewise) only the
// alert's text is left to send, in the store too: a restart sends the text, not the chart again.
TEST_F(TelegramSinkTest, AfterItsChartIsDoneWithARestartSendsTheAlertsTextAlone) {
  config_.chat_ids = {-1001};
  config_.commands = false;
  const Signal signal = charted_stop_hunt();
  server_.refuse_next_photos(1);
  server_.fail_next_with_status(1'000'000, 502);  // then the text cannot get through
  auto storage = open_storage();
  auto first = make_sink(storage.get());
  first->on_signal(signal);
  ASSERT_TRUE(
      wait_for([&] { return first->stats().photo_refusals == 1 && first->stats().failed >= 1; }));
  shut_down(first);
  storage.reset();
  const auto pending = open_store()->unsent_alerts();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_TRUE(pending[0].photo.empty()) << "the refused chart is not kept for another try";

  server_.fail_next_with_status(0);
  auto reopened = open_storage();
  auto sink = make_sink(reopened.get());
  ASSERT_TRUE(wait_delivered(1, 5s, sink.get()));
  settle();
  const auto delivered = server_.delivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].method, "sendMessage");
  EXPECT_EQ(delivered[0].text, format_telegram_html(signal));
  EXPECT_EQ(photos_of(server_.messages()).size(), 1u) << "only the one refused before the restart";
}

}  // namespace
}  // namespace teleglas
