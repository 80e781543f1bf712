// What the Telegram sender and bot have in common: the options they take besides the
// configuration, and the counters they keep.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "teleglas/alerts/outbox.hpp"
#include "teleglas/app/daemon.hpp"
#include "teleglas/core/types.hpp"
#include "teleglas/ops/histogram.hpp"
#include "teleglas/storage/writer.hpp"

namespace teleglas {

// The clocks, the durable store and the timeouts, injectable for tests. The sender and the
// bot each read the fields they need.
struct TelegramOptions {
  std::optional<OutboxConfig> outbox{};  // default: outbox_config_from(telegram config)
  // Per request; a getUpdates long poll may take telegram.poll_timeout_s more.
  std::chrono::milliseconds request_timeout{10'000};
  std::function<TimeMs()> monotonic_clock{};  // default: steady_clock in ms
  std::function<TimeMs()> wall_clock{};       // default: system_clock in Unix ms
  // The durable store, reached only through its writer thread, so the io thread never waits
  // on disk (startup reads excepted). The sender saves each alert before its first attempt,
  // marks it when Telegram accepts it, and queues it again after a restart; the bot keeps the
  // mutes and the getUpdates offset there and reads /stats from the history. Null: memory
  // only. Jobs post their results to the io_context: stop the writer before the io_context
  // is destroyed.
  StorageWriter* storage = nullptr;
  // The span of history /stats reports (outcomes.lookback_days).
  double stats_lookback_days = 7;
  // What /status and /stats report about the feed; unset: only the sender's own numbers.
  std::function<DaemonHealth()> health{};
  // Delay before polling getUpdates again after a failure (grows to 60 s).
  std::chrono::milliseconds poll_retry{1'000};
};

// Requests, alerts and commands: the sender and the bot each count what they do (both count
// store_errors); TelegramSink adds the two up.
struct TelegramStats {
  std::uint64_t sent = 0;      // requests Telegram accepted
  std::uint64_t failed = 0;    // requests that failed (429, 5xx, 4xx, transport)
  std::uint64_t dropped = 0;   // alerts given up: too old, or rejected with a 4xx
  std::uint64_t muted = 0;     // alerts not queued for a muted chat (the bot)
  std::uint64_t restored = 0;  // alerts queued again from the store at start
  std::uint64_t store_errors = 0;
  std::uint64_t commands_answered = 0;
  std::uint64_t commands_ignored = 0;  // from chats that are not configured
  std::uint64_t update_polls_failed = 0;
  std::uint64_t photos_sent = 0;     // charts Telegram accepted (sendPhoto)
  std::uint64_t photo_refusals = 0;  // charts Telegram refused: their text went alone
  std::uint64_t chart_failures = 0;  // charts that could not be drawn: the text went alone
};

// What the sender measures of each alert Telegram accepted (a digest counts every alert it
// carries).
struct DeliveryMetrics {
  // Seconds from the deciding event's exchange time (Signal::time) to Telegram's ok, indexed
  // by Priority. Alerts restored from the store after a restart are not measured: their
  // event time is not kept.
  std::vector<Histogram> event_to_alert = std::vector<Histogram>(
      static_cast<std::size_t>(Priority::urgent) + 1, event_to_alert_histogram());
  std::uint64_t alerts_last_hour = 0;
};

inline TelegramStats operator+(const TelegramStats& a, const TelegramStats& b) {
  return TelegramStats{.sent = a.sent + b.sent,
                       .failed = a.failed + b.failed,
                       .dropped = a.dropped + b.dropped,
                       .muted = a.muted + b.muted,
                       .restored = a.restored + b.restored,
                       .store_errors = a.store_errors + b.store_errors,
                       .commands_answered = a.commands_answered + b.commands_answered,
                       .commands_ignored = a.commands_ignored + b.commands_ignored,
                       .update_polls_failed = a.update_polls_failed + b.update_polls_failed,
                       .photos_sent = a.photos_sent + b.photos_sent,
                       .photo_refusals = a.photo_refusals + b.photo_refusals,
                       .chart_failures = a.chart_failures + b.chart_failures};
}

}  // namespace teleglas
