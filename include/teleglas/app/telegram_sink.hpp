// Delivers alerts to Telegram and answers the bot's commands. An AlertSink that queues each
// signal in an Outbox per chat (written to the durable store first when there is one), one
// sender coroutine that posts sendMessage through an HttpsClient, pacing and retrying as the
// Outbox decides, and one getUpdates long-poller for /status, /mute, /unmute, /stats, /help.
// Everything runs on one io_context; the bot token never reaches a log.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "teleglas/alerts/outbox.hpp"
#include "teleglas/app/daemon.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/storage/store.hpp"

namespace teleglas {

struct TelegramSinkOptions {
  std::optional<OutboxConfig> outbox{};  // default: outbox_config_from(telegram config)
  std::chrono::milliseconds request_timeout{10'000};
  std::function<TimeMs()> monotonic_clock{};  // default: steady_clock in ms
  std::function<TimeMs()> wall_clock{};       // default: system_clock in Unix ms
  // The durable outbox: alerts are saved before their first attempt, marked when Telegram
  // accepts them, and queued again by start() after a restart. Null: memory only.
  OutboxStore* store = nullptr;
  // What /status and /stats report about the feed; unset: only the sender's own numbers.
  std::function<DaemonHealth()> health{};
  // Delay before polling getUpdates again after a failure (grows to 60 s).
  std::chrono::milliseconds poll_retry{1'000};
};

// Requests and alerts, as the sender saw them.
struct TelegramSinkStats {
  std::uint64_t sent = 0;      // requests Telegram accepted
  std::uint64_t failed = 0;    // requests that failed (429, 5xx, 4xx, transport)
  std::uint64_t dropped = 0;   // alerts given up: too old, or rejected with a 4xx
  std::uint64_t muted = 0;     // alerts not queued for a muted chat
  std::uint64_t restored = 0;  // alerts queued again from the store at start
  std::uint64_t store_errors = 0;
  std::uint64_t commands_answered = 0;
  std::uint64_t commands_ignored = 0;  // from chats that are not configured
  std::uint64_t update_polls_failed = 0;
};

class TelegramSink : public AlertSink {
 public:
  // Throws std::invalid_argument for a bad api_url or unusable ca_file (startup errors).
  TelegramSink(boost::asio::io_context& io, const TelegramConfig& config, std::string bot_token,
               TelegramSinkOptions options = {});
  ~TelegramSink() override;  // stops the sender and the poller
  TelegramSink(const TelegramSink&) = delete;
  TelegramSink& operator=(const TelegramSink&) = delete;

  // Queues again what the store holds unsent (dropping, with a notice, what is too old), then
  // starts the sender and, when telegram.commands is on, the command poller. On the io thread.
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

  TelegramSinkStats stats() const;
  OutboxStats outbox_stats() const;
  std::size_t queued_alerts() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
