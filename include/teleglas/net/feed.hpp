// The CoinGlass WebSocket feed as the rest of the daemon sees it: text frames with their
// receive time, connection states, server notices and gaps. Implemented by net/ws_feed.hpp.
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
  TimeMs length_ms() const { return to - from; }
};

class FeedListener {
 public:
  virtual ~FeedListener() = default;
  // Every text frame except "pong" (JSON data and server notices alike), verbatim.
  virtual void on_frame(std::string_view text, TimeMs receive_time) = 0;
  virtual void on_state(std::size_t connection, ConnectionState state) = 0;
  // Something the operator must see once: a plan notice, HTTP 401/403 at upgrade, auth error.
  virtual void on_alarm(std::string_view what) = 0;
  virtual void on_gap(const FeedGap& gap) = 0;
};

}  // namespace teleglas
