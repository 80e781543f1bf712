// Durable state of the daemon behind one interface, so SQLite (default) and PostgreSQL
// (later) are interchangeable. Data-path calls never throw: they return false / empty on a
// storage error and keep a message in last_error(); opening a store throws at startup.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/core/types.hpp"  // TimeMs (std::int64_t milliseconds)

namespace teleglas {

// One alert for one chat, as the durable outbox keeps it: enough to queue it again after a
// restart.
struct StoredAlert {
  std::uint64_t id = 0;  // the outbox's id, unique across restarts (the primary key), < 2^63
  std::int64_t chat_id = 0;
  int priority = 0;  // teleglas::Priority as int
  std::string type;  // signal type name, e.g. "STOP_HUNT"
  std::string symbol;
  std::string text;      // Telegram HTML, the message as sent
  std::string headline;  // one HTML line for digests
  bool silent = false;
  TimeMs created_ms = 0;  // wall clock, Unix ms
  bool operator==(const StoredAlert&) const = default;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Written (and committed) before the first attempt to send it. False on error. Saving an id
  // that is already stored keeps the first one and is not an error.
  virtual bool save_alert(const StoredAlert& alert) = 0;
  // Telegram accepted the message carrying these alerts. Unknown ids are ignored, and so are
  // ids already sent or dropped (an alert is resolved once). One transaction.
  virtual bool mark_sent(std::span<const std::uint64_t> ids, TimeMs at_ms) = 0;
  // Given up (too old, rejected by Telegram, chat muted): kept with the reason for the record.
  // Same rules as mark_sent.
  virtual bool mark_dropped(std::span<const std::uint64_t> ids, TimeMs at_ms,
                            std::string_view reason) = 0;
  // Alerts neither sent nor dropped, oldest first (created_ms, then id).
  virtual std::vector<StoredAlert> unsent_alerts() = 0;
  // The largest alert id ever stored (sent, dropped, pending or since purged); 0 when none.
  // New ids start above it. Also 0 on error: check last_error() before trusting a 0.
  virtual std::uint64_t max_alert_id() = 0;
  // Small key/value settings that must survive restarts (the Telegram update offset, mutes).
  virtual std::optional<std::string> setting(std::string_view key) = 0;
  virtual bool set_setting(std::string_view key, std::string_view value) = 0;
  // Deletes sent and dropped alerts resolved before cutoff_ms (retention). Returns how many;
  // pending ones are never deleted.
  virtual std::size_t purge_resolved_before(TimeMs cutoff_ms) = 0;
  // Counts by state, for health and /status.
  struct Counts {
    std::uint64_t pending = 0, sent = 0, dropped = 0;
    bool operator==(const Counts&) const = default;
  };
  virtual Counts counts() = 0;
  // What the last failed call failed at; empty before the first failure.
  virtual const std::string& last_error() const = 0;
};

}  // namespace teleglas
