// A market-data WebSocket feed as the rest of the daemon sees it: text frames with their
// receive time, connection states, server notices and gaps. Implemented by net/ws_feed.hpp,
// one WsFeed per source (coinglass, bybit, binance, okx).
#pragma once

#include <cstddef>
#include <string_view>

#include "teleglas/core/types.hpp"

namespace teleglas {

enum class ConnectionState : std::uint8_t { connecting, subscribing, live, backing_off, stopped };
std::string_view to_string(ConnectionState s);

// An outage: from the last frame received before it to the first frame after resubscribing.
struct FeedGap {
  std::size_t connection = 0;
  TimeMs from = 0;
  TimeMs to = 0;
  std::string_view source;  // the feed's source ("bybit"); static storage
  TimeMs length_ms() const { return to - from; }
};

// One listener per feed: each callback comes from the feed it was given to, so a listener
// knows its source (SourceTagger below serves several feeds with one receiver).
class FeedListener {
 public:
  virtual ~FeedListener() = default;
  // Every data frame, notice and refusal, verbatim; heartbeat replies and subscription acks
  // are the feed's own business and not passed on.
  virtual void on_frame(std::string_view text, TimeMs receive_time) = 0;
  // A frame whose buffer goes on after it: `readable` bytes from text.data() on may be read
  // (at least text.size() + 64), so a parser can read past its end (simdjson's padding) instead
  // of copying it. By default it is on_frame.
  virtual void on_padded_frame(std::string_view text, TimeMs receive_time, std::size_t readable) {
    (void)readable;
    on_frame(text, receive_time);
  }
  virtual void on_state(std::size_t connection, ConnectionState state) = 0;
  // Something the operator must see once: a plan notice, HTTP 401/403 at upgrade, a refused
  // subscription.
  virtual void on_alarm(std::string_view what) = 0;
  virtual void on_gap(const FeedGap& gap) = 0;
};

// The receiver of several feeds: every callback names the source it came from.
class SourcedFeedListener {
 public:
  virtual ~SourcedFeedListener() = default;
  virtual void on_frame(std::string_view source, std::string_view text, TimeMs receive_time) = 0;
  // As FeedListener::on_padded_frame.
  virtual void on_padded_frame(std::string_view source, std::string_view text, TimeMs receive_time,
                               std::size_t readable) {
    (void)readable;
    on_frame(source, text, receive_time);
  }
  virtual void on_state(std::string_view source, std::size_t connection, ConnectionState state) = 0;
  virtual void on_alarm(std::string_view source, std::string_view what) = 0;
  virtual void on_gap(std::string_view source, const FeedGap& gap) = 0;
};

// The FeedListener of one source's WsFeed, passing each callback on with the source's name.
class SourceTagger final : public FeedListener {
 public:
  // `source` must outlive the tagger (the names in config/sources.hpp do).
  SourceTagger(std::string_view source, SourcedFeedListener& receiver)
      : source_(source), receiver_(&receiver) {}

  void on_frame(std::string_view text, TimeMs receive_time) override {
    receiver_->on_frame(source_, text, receive_time);
  }
  void on_padded_frame(std::string_view text, TimeMs receive_time, std::size_t readable) override {
    receiver_->on_padded_frame(source_, text, receive_time, readable);
  }
  void on_state(std::size_t connection, ConnectionState state) override {
    receiver_->on_state(source_, connection, state);
  }
  void on_alarm(std::string_view what) override { receiver_->on_alarm(source_, what); }
  void on_gap(const FeedGap& gap) override { receiver_->on_gap(source_, gap); }

  std::string_view source() const { return source_; }

 private:
  std::string_view source_;
  SourcedFeedListener* receiver_;
};

}  // namespace teleglas
