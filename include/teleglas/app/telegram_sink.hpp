// Delivers alerts to Telegram: an AlertSink that queues each signal in an Outbox per chat and
// one sender coroutine that posts sendMessage through an HttpsClient, pacing and retrying as
// the Outbox decides. Everything runs on one io_context; the bot token never reaches a log.
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

namespace teleglas {

struct TelegramSinkOptions {
  std::optional<OutboxConfig> outbox{};  // default: outbox_config_from(telegram config)
  std::chrono::milliseconds request_timeout{10'000};
  std::function<TimeMs()> monotonic_clock{};  // default: steady_clock in ms
};

// Requests and alerts, as the sender saw them.
struct TelegramSinkStats {
  std::uint64_t sent = 0;     // requests Telegram accepted
  std::uint64_t failed = 0;   // requests that failed (429, 5xx, 4xx, transport)
  std::uint64_t dropped = 0;  // alerts given up: too old, or rejected with a 4xx
};

class TelegramSink : public AlertSink {
 public:
  // Throws std::invalid_argument for a bad api_url or unusable ca_file (startup errors).
  TelegramSink(boost::asio::io_context& io, const TelegramConfig& config, std::string bot_token,
               TelegramSinkOptions options = {});
  ~TelegramSink() override;  // stops the sender
  TelegramSink(const TelegramSink&) = delete;
  TelegramSink& operator=(const TelegramSink&) = delete;

  // Starts the sender coroutine. on_signal/on_admin_notice/stats: on the io thread.
  void start();
  // Ends the sender promptly, aborting a request in flight; queued alerts are abandoned.
  // Safe from any thread.
  void stop();

  void on_signal(const Signal& signal) override;
  void on_admin_notice(std::string_view text) override;

  TelegramSinkStats stats() const;
  OutboxStats outbox_stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
