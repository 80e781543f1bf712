#include "teleglas/app/telegram_sink.hpp"

#include <fmt/format.h>

#include <utility>

namespace teleglas {

TelegramSink::TelegramSink(boost::asio::io_context& io, const TelegramConfig& config,
                           std::string bot_token, TelegramOptions options)
    : sender_(std::make_shared<TelegramSender>(io, config, bot_token, options)),
      bot_(io, config, bot_token, sender_, std::move(options)) {}

TelegramSink::~TelegramSink() {
  stop();
}

void TelegramSink::start() {
  sender_->start();
  bot_.start();
}

void TelegramSink::stop() {
  bot_.stop();
  sender_->stop();
}

void TelegramSink::on_signal(const Signal& signal) {
  sender_->send_alert(signal, bot_.recipients(signal));
}

void TelegramSink::on_admin_notice(std::string_view text) {
  sender_->notify_admins(text);
}

void TelegramSink::set_health_source(std::function<DaemonHealth()> health) {
  bot_.set_health_source(std::move(health));
}

std::string TelegramSink::health_summary() const {
  const TelegramStats s = stats();
  return fmt::format(
      " telegram sent {} failed {} dropped {} muted {} queued {}{}{}", s.sent, s.failed, s.dropped,
      s.muted, queued_alerts(),
      s.store_errors > 0 ? fmt::format(" store errors {}", s.store_errors) : "",
      s.photo_refusals + s.chart_failures > 0
          ? fmt::format(" charts refused {} failed {}", s.photo_refusals, s.chart_failures)
          : "");
}

TelegramStats TelegramSink::stats() const {
  return sender_->stats() + bot_.stats();
}

OutboxStats TelegramSink::outbox_stats() const {
  return sender_->outbox_stats();
}

DeliveryMetrics TelegramSink::delivery_metrics() const {
  return sender_->delivery_metrics();
}

std::size_t TelegramSink::queued_alerts() const {
  return sender_->queued_alerts();
}

}  // namespace teleglas
