// The delivery decisions behind the Telegram sender: which alert goes next, when, what happens
// after each answer, what is too old to send and what gets merged into a digest. Pure: the
// sender passes `now` (a monotonic clock, never decreasing) and does the I/O.
//
// The sender's loop:   compact(now); expire(now) -> log + metric each;
//                      take_ready(now) -> send -> on_sent(id) | on_failed(id, failure);
//                      otherwise sleep until next_wakeup(now).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "teleglas/alerts/rate_limiter.hpp"
#include "teleglas/config/config.hpp"
#include "teleglas/core/signal.hpp"

namespace teleglas {

struct RetryPolicy {
  // The schedule: attempts 1..3 five seconds apart, then exponential backoff capped.
  int fixed_attempts = 3;
  TimeMs fixed_delay_ms = 5'000;
  TimeMs max_delay_ms = 60'000;
};

// The delay after the `failures`-th consecutive failure (1-based): fixed_delay while fewer than
// fixed_attempts attempts were made, then fixed_delay doubled per further failure, capped.
TimeMs retry_delay_ms(int failures, const RetryPolicy& policy);

struct OutboxConfig {
  RateLimits limits;
  TimeMs max_alert_age_ms = 900'000;
  RetryPolicy retry;
};

// telegram.max_per_minute and telegram.max_alert_age_s; the rest are Telegram's fixed limits.
OutboxConfig outbox_config_from(const TelegramConfig& telegram);

// One alert for one chat as enqueued: what a durable store keeps so that the alert can be
// queued again after a restart (Outbox::restore).
struct AlertRecord {
  std::uint64_t id = 0;
  ChatId chat_id = 0;
  Priority priority = Priority::none;
  SignalType type = SignalType::stop_hunt;
  std::string symbol;
  std::string text;      // Telegram HTML
  std::string headline;  // its line in a digest
  bool silent = false;
  // The deciding event's exchange time (Signal::time), for the event -> alert latency. 0:
  // unknown (alerts read back from a store after a restart do not keep it).
  TimeMs event_time = 0;
  // The alert's chart (a PNG), sent with sendPhoto; null: a text alert. Shared: the outbox,
  // the store's copy and the request all read the same bytes.
  std::shared_ptr<const std::string> photo;
};

// An alert a message carries, as the event -> alert latency needs it: a digest merges alerts
// of several priorities and times, and each is measured as itself.
struct CarriedAlert {
  Priority priority = Priority::none;
  TimeMs event_time = 0;  // 0: unknown

  bool operator==(const CarriedAlert&) const = default;
};

// One message for one chat: a single alert, a digest of several, or a notice (an operator
// notice or a command reply: never digested, carries no alert).
struct OutgoingAlert {
  enum class Kind { alert, notice };
  Kind kind = Kind::alert;
  std::uint64_t id = 0;
  ChatId chat_id = 0;
  Priority priority = Priority::none;
  SignalType type = SignalType::stop_hunt;
  std::string symbol;
  std::string text;         // Telegram HTML, at most telegram_max_message_chars
  TimeMs created = 0;       // enqueue time; a digest keeps its earliest alert's
  int attempts = 0;         // requests made with this message
  int failures = 0;         // consecutive server/transport failures (429s are not failures)
  TimeMs next_attempt = 0;  // not sent before this
  bool silent = false;      // disable_notification: INFO alerts do not ring
  int alert_count = 1;      // alerts this message carries (> 1 for a digest)
  std::vector<std::uint64_t> replaces;   // a digest: the queued messages it took the place of
  std::vector<std::uint64_t> alert_ids;  // the single alerts it carries (ids of AlertRecords)
  std::vector<CarriedAlert> carried;     // ... their priorities and event times, in that order
  // A single alert's chart: sent as a photo with the text as its caption when that fits
  // (telegram_max_caption_chars), else with `short_caption` and the text as a message after
  // it. Null for notices, digests, text alerts, and once the photo went (or was refused).
  std::shared_ptr<const std::string> photo;
  std::string short_caption;  // type, symbol and the alert's headline (Telegram HTML)
};

// What went wrong with one request, as the sender classified the answer.
struct SendFailure {
  enum class Kind { rate_limited, server_error, transport };
  Kind kind = Kind::transport;
  std::int64_t retry_after_s = 0;  // rate_limited: parameters.retry_after

  static SendFailure rate_limited(std::int64_t retry_after_s) {
    return {Kind::rate_limited, retry_after_s};
  }
  static SendFailure server_error() { return {Kind::server_error, 0}; }  // 5xx
  static SendFailure transport() { return {Kind::transport, 0}; }  // timeout, connection error
};

// Counted in alerts (one alert for one chat), except `sent`, `retried` and `rate_limited`,
// which count requests. Nothing is lost: enqueued == delivered + dropped_for_age + pending.
struct OutboxStats {
  std::uint64_t enqueued = 0;
  std::uint64_t sent = 0;       // messages Telegram accepted
  std::uint64_t delivered = 0;  // alerts those messages carried
  std::uint64_t retried = 0;    // server/transport failures rescheduled
  std::uint64_t rate_limited = 0;
  std::uint64_t dropped_for_age = 0;
  std::uint64_t digested = 0;  // alerts folded into a digest rather than sent alone
  std::uint64_t notices_enqueued = 0;
  std::uint64_t notices_sent = 0;
  std::uint64_t notices_dropped_for_age = 0;
  std::uint64_t photos_continued_as_text = 0;  // photos sent or refused, their text to follow
};

class Outbox {
 public:
  // Ids start at first_id: a durable store passes one above every id it has seen.
  explicit Outbox(OutboxConfig config, std::uint64_t first_id = 1);

  // One record per distinct chat, text by format_telegram_html, each with its id taken from
  // this outbox's sequence but not queued: a durable sender stores them first, then hands
  // them to restore() with the time it prepared them as `created`.
  std::vector<AlertRecord> prepare(const Signal& signal, const std::vector<ChatId>& chat_ids,
                                   std::shared_ptr<const std::string> photo = nullptr);

  // prepare() and restore() at once, for a sender without a durable store. Returns the
  // records.
  std::vector<AlertRecord> enqueue(const Signal& signal, const std::vector<ChatId>& chat_ids,
                                   TimeMs now);

  // Queues again an alert enqueued before a restart, `created` on this outbox's clock (the
  // caller converts its age). False if its id is already queued.
  bool restore(const AlertRecord& record, TimeMs created, TimeMs now);

  // A message outside the signal flow (operator notice, command reply): rate limited and
  // retried like an alert, never digested. Counted in notice stats, not in alert stats.
  std::uint64_t enqueue_notice(ChatId chat_id, std::string html, Priority priority, TimeMs now);

  // The message to send now, if any: per chat, the highest priority first and FIFO within a
  // priority; across chats, the best head whose chat the rate limiter and whose own
  // next_attempt allow. Taking it spends the rate budget and marks it in flight: its chat
  // gets nothing else until on_sent/on_failed, so a failed URGENT is never overtaken.
  std::optional<OutgoingAlert> take_ready(TimeMs now);

  // When take_ready() may next return something; nullopt when nothing is waiting.
  std::optional<TimeMs> next_wakeup(TimeMs now) const;

  // Telegram answered ok: the message leaves the queue. False for an unknown id.
  bool on_sent(std::uint64_t id, TimeMs now);

  // The request failed: reschedule per the retry policy, or hold the chat for retry_after.
  bool on_failed(std::uint64_t id, TimeMs now, const SendFailure& failure);

  // The message's photo is done with — sent with a short caption, or refused by Telegram —
  // and its text still has to go: the message stays first in its chat's queue as text alone,
  // ready now (the rate limiter still paces it). False for an unknown id or one without photo.
  bool continue_as_text(std::uint64_t id, TimeMs now);

  // Drops and returns the waiting messages whose newest alert is older than max_alert_age, for
  // the caller to log and count. Messages in flight wait for their answer.
  std::vector<OutgoingAlert> expire(TimeMs now);

  // When more messages wait than the next minute's budget (limits.max_per_window), merges
  // the waiting messages of each (chat, type, symbol) into one digest. Returns the digests.
  std::vector<OutgoingAlert> compact(TimeMs now);

  std::size_t size() const { return entries_.size(); }  // messages, in flight included
  std::size_t pending_alerts() const;                   // alerts those messages carry
  std::uint64_t next_id() const { return next_id_; }
  // New ids (alerts and notices) go on above `last_used`: a durable store's largest, or a
  // base no earlier row can have reached. Never moves the sequence back.
  void continue_ids_after(std::uint64_t last_used) { next_id_ = std::max(next_id_, last_used + 1); }
  const OutboxStats& stats() const { return stats_; }
  const ChatRateLimiter& limiter() const { return limiter_; }

 private:
  // One line per alert, kept so that a digest can list every alert it carries.
  struct Headline {
    TimeMs created = 0;
    std::string html;
  };

  struct Entry {
    OutgoingAlert alert;
    bool in_flight = false;
    TimeMs newest = 0;              // created time of the newest alert carried: decides age
    std::string newest_alert_text;  // its full text, quoted by a digest
    std::vector<Headline> headlines;
  };

  std::map<ChatId, std::uint64_t> heads() const;
  Entry merge(const std::vector<const Entry*>& group, TimeMs now);
  void add(Entry entry);

  OutboxConfig config_;
  ChatRateLimiter limiter_;
  std::map<std::uint64_t, Entry> entries_;  // by id; queues hold tens of messages, scans are fine
  std::uint64_t next_id_ = 1;
  OutboxStats stats_;
};

}  // namespace teleglas
