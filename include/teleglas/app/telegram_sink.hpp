// Telegram for the daemon: one AlertSink that delivers through a TelegramSender and answers
// commands through a TelegramBot, which also decides which chats are muted. The logic lives in
// those two; this only wires them together and sums their numbers.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "teleglas/alerts/outbox.hpp"
#include "teleglas/app/daemon.hpp"
#include "teleglas/app/telegram_bot.hpp"
#include "teleglas/app/telegram_common.hpp"
#include "teleglas/app/telegram_sender.hpp"
#include "teleglas/config/config.hpp"

namespace teleglas {

class TelegramSink : public AlertSink {
 public:
  // Throws std::invalid_argument for a bad api_url or unusable ca_file (startup errors).
  TelegramSink(boost::asio::io_context& io, const TelegramConfig& config, std::string bot_token,
               TelegramOptions options = {});
  ~TelegramSink() override;  // stops the sender and the poller
  TelegramSink(const TelegramSink&) = delete;
  TelegramSink& operator=(const TelegramSink&) = delete;

  // Queues again what the store holds unsent (dropping, with a notice, what is too old), then
  // starts the sender and, when telegram.commands is on, the command poller. Waits for the
  // storage writer's startup reads: on the io thread before or while it runs nothing else.
  void start();
  // Ends the sender and poller promptly, aborting requests in flight. Unsent alerts stay in
  // the store for the next start. Safe from any thread.
  void stop();

  void on_signal(const Signal& signal) override;
  void on_admin_notice(std::string_view text) override;

  // Where /status and /stats get the feed's numbers (the Daemon is created after the sink).
  void set_health_source(std::function<DaemonHealth()> health);

  // " telegram sent N failed N dropped N muted N queued N": for the minute health line.
  std::string health_summary() const;

  TelegramStats stats() const;
  OutboxStats outbox_stats() const;
  std::size_t queued_alerts() const;
  DeliveryMetrics delivery_metrics() const;

 private:
  std::shared_ptr<TelegramSender> sender_;
  TelegramBot bot_;
};

}  // namespace teleglas
