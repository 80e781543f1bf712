// The bot's side of Telegram: one getUpdates long-poller that answers /status, /mute,
// /unmute, /stats and /help from the configured chats, and the mutes it keeps (in the durable
// store when there is one, reached through the storage writer: /stats reads the history
// there). Replies go out through the TelegramSender. On one io_context; the bot token never
// reaches a log.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "teleglas/app/daemon.hpp"
#include "teleglas/app/telegram_common.hpp"
#include "teleglas/app/telegram_sender.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

class TelegramBot {
 public:
  // Replies and /status numbers go through `sender`, which the bot shares so that a command
  // answered while shutting down never outlives it.
  // Throws std::invalid_argument for a bad api_url or unusable ca_file (startup errors).
  TelegramBot(boost::asio::io_context& io, const TelegramConfig& config,
              const std::string& bot_token, std::shared_ptr<TelegramSender> sender,
              TelegramOptions options = {});
  ~TelegramBot();  // stops the poller
  TelegramBot(const TelegramBot&) = delete;
  TelegramBot& operator=(const TelegramBot&) = delete;

  // Reads the mutes and the getUpdates offset back from the store, waiting for the storage
  // writer (startup: on the io thread before or while the io_context runs nothing else),
  // then, when telegram.commands is on, starts polling getUpdates.
  void start();
  // Ends the poller promptly, aborting a long poll in flight. Safe from any thread.
  void stop();

  // The configured chats the signal's alert goes to: telegram.chat_ids without the muted
  // ones (each left out is counted and logged). On the io thread.
  std::vector<ChatId> recipients(const Signal& signal);

  // Where /status and /stats get the feed's numbers (the Daemon is created after the bot).
  void set_health_source(std::function<DaemonHealth()> health);

  // muted, commands_answered, commands_ignored, update_polls_failed, store_errors
  TelegramStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
