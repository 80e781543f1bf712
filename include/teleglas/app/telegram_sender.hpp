// Delivers alerts and notices to Telegram: an Outbox per chat (each alert saved through the
// storage writer before its first attempt when there is one), and one sender coroutine that
// posts sendMessage through an HttpsClient, pacing, retrying and dropping as the Outbox
// decides. On one io_context, which never waits on the store after start(); the bot token
// never reaches a log.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/alerts/outbox.hpp"
#include "teleglas/app/telegram_common.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

class TelegramSender {
 public:
  // Throws std::invalid_argument for a bad api_url or unusable ca_file (startup errors).
  TelegramSender(boost::asio::io_context& io, const TelegramConfig& config,
                 const std::string& bot_token, TelegramOptions options = {});
  ~TelegramSender();  // stops the sender
  TelegramSender(const TelegramSender&) = delete;
  TelegramSender& operator=(const TelegramSender&) = delete;

  // Queues again what the store holds unsent (dropping, with a notice, what is too old), then
  // starts the sender. Waits for the storage writer to read the store: call it at startup,
  // on the io thread before or while the io_context runs nothing else. A store that cannot
  // be read is logged and counted; alerts then flow without the ones queued before.
  void start();
  // Ends the sender promptly, aborting a request in flight. Unsent alerts stay in the store
  // for the next start. Safe from any thread.
  void stop();

  // Queues the signal's alert for each chat (none: nothing happens), once the storage writer
  // has saved it (at once without storage). On the io thread.
  void send_alert(const Signal& signal, const std::vector<ChatId>& chats);
  // Queues a message already in Telegram HTML, such as a command's reply. On the io thread.
  void send_notice(ChatId chat, std::string html);
  // Queues plain text, escaped, for every admin chat (telegram.admin_chat_ids, else
  // telegram.chat_ids). On the io thread.
  void notify_admins(std::string_view text);

  TelegramStats stats() const;  // sent, failed, dropped, restored, store_errors
  OutboxStats outbox_stats() const;
  std::size_t queued_alerts() const;  // alerts waiting for Telegram, or for their save
  DeliveryMetrics delivery_metrics() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
