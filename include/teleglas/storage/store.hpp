// Durable state of the daemon behind one interface, so SQLite (default) and PostgreSQL are
// interchangeable: the alert outbox and settings (OutboxStore), and the history of signals,
// their outcomes, gaps and market events (HistoryStore). Data-path calls never throw: they
// return false / empty on a storage error and keep a message in last_error(); opening a store
// throws with a message naming the file or the (redacted) URL. A store is used by one thread
// at a time (the storage writer's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/core/events.hpp"
#include "teleglas/core/outcome.hpp"
#include "teleglas/core/signal.hpp"
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
  // The alert's chart, a PNG (empty: a text alert). Kept while the alert is pending, so a
  // restart sends the same picture; cleared once the alert is sent or dropped.
  std::string photo;
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
  // The photos of these alerts are done with (sent with a short caption, or refused): what is
  // left to send is their text alone, so a restart must not send the picture again. Only
  // pending alerts change; unknown ids are ignored. One transaction.
  virtual bool forget_photos(std::span<const std::uint64_t> ids) = 0;
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

// A signal as history keeps it. Its key is (signal.time, signal.type, signal.symbol,
// signal.direction): saving a key that is already stored keeps the first row (a restart that
// decides the same signal again, two daemons that share a database) and is not an error.
// A signal with a setup starts with an open outcome; one without is `untracked`.
struct SignalRecord {
  Signal signal;
  std::string json;  // the whole signal, all fields and factors, as `replay --json` prints it
};

// A stream outage as the feed reported it.
struct StoredGap {
  TimeMs from = 0, to = 0;
  std::string source;  // e.g. "coinglass/0"
  bool operator==(const StoredGap&) const = default;
};

// A liquidation or a trade, kept for storage.retention_days.
struct StoredEvent {
  TimeMs time = 0;  // the exchange's time
  EventKind kind = EventKind::trade;
  Side side = Side::buy;
  std::string exchange, symbol;
  double price = 0, volume_usd = 0;
  bool operator==(const StoredEvent&) const = default;

  // What is kept of a parsed event (its views copied).
  static StoredEvent of(const MarketEvent& e) {
    return StoredEvent{e.exchange_time, e.kind,          e.side,       std::string(e.exchange),
                       std::string(e.symbol), e.price, e.volume_usd};
  }
};

// What one transaction writes, in this order: signals, then outcome updates (an update of a
// signal saved earlier in the same batch finds it), gaps, events.
struct HistoryBatch {
  std::vector<SignalRecord> signals;
  std::vector<Outcome> outcomes;  // the full current state of each, by its signal's key
  std::vector<StoredGap> gaps;
  std::vector<StoredEvent> events;
  bool empty() const {
    return signals.empty() && outcomes.empty() && gaps.empty() && events.empty();
  }
  std::size_t size() const { return signals.size() + outcomes.size() + gaps.size() + events.size(); }
  void clear() {
    signals.clear();
    outcomes.clear();
    gaps.clear();
    events.clear();
  }
};

class HistoryStore {
 public:
  virtual ~HistoryStore() = default;
  // One transaction: all of the batch or nothing. An outcome whose signal is not stored is
  // ignored. False on error (nothing written).
  virtual bool write(const HistoryBatch& batch) = 0;
  // Every signal of signal_time >= since with its outcome as an Outcome (untracked ones too:
  // state untracked, entry/stop/target 0), oldest first (signal_time, then type, symbol,
  // direction). nullopt on error.
  virtual std::optional<std::vector<Outcome>> signals_since(TimeMs since) = 0;
  // Outcomes still open, oldest first: followed on after a restart. nullopt on error.
  virtual std::optional<std::vector<Outcome>> open_outcomes() = 0;
  // The stored JSON of one signal, by its key; nullopt when absent or on error.
  virtual std::optional<std::string> signal_json(TimeMs time, SignalType type,
                                                 std::string_view symbol, Direction direction) = 0;
  // Deletes events and gaps before cutoff_ms (retention); signals and outcomes are kept.
  // Returns how many rows went.
  virtual std::size_t purge_history_before(TimeMs cutoff_ms) = 0;
  // Rows kept, for health and tests.
  struct HistoryCounts {
    std::uint64_t signals = 0, open_outcomes = 0, gaps = 0, events = 0;
    bool operator==(const HistoryCounts&) const = default;
  };
  virtual HistoryCounts history_counts() = 0;
};

// Both halves of a durable store: what the daemon opens (storage.backend).
class Store : public OutboxStore, public HistoryStore {
 public:
  // "sqlite" or "postgres".
  virtual std::string_view backend() const = 0;
  // Where it is: the file path, or the URL with its password redacted.
  virtual std::string where() const = 0;
};

}  // namespace teleglas
