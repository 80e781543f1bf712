// What makes one venue's WebSocket stream differ from another's, as plain data: where each
// connection goes, what it sends once open, how it is kept alive and how its control frames
// look. WsFeed (ws_feed.hpp) runs any of them with one machinery; venues.hpp builds them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace teleglas {

enum class FeedFrameKind : std::uint8_t {
  data,     // market data: forwarded, bounds gaps
  pong,     // the answer to our heartbeat: consumed
  control,  // subscription acks and other protocol chatter: consumed, logged if it says something
  notice,   // plain text from the server (CoinGlass' "... need upgrade plan"): forwarded, alarmed
            // once, and the next reconnect waits the longest delay
  refusal,  // the venue refused (part of) a subscription: forwarded, alarmed once
};

struct FeedFrameClass {
  FeedFrameKind kind = FeedFrameKind::data;
  std::string message;  // what a notice, refusal or control frame says, for logs and alarms
};

// Runs on every frame, so data frames must be recognised without parsing them.
using FeedFrameClassifier = FeedFrameClass (*)(std::string_view text);

enum class PingStyle : std::uint8_t {
  text,     // a text frame (ping_text)
  control,  // a WebSocket ping control frame, answered by a pong control frame
};

struct HeartbeatPlan {
  double interval_s = 20;  // <= 0: no heartbeat
  double pong_timeout_s = 10;
  PingStyle style = PingStyle::text;
  std::string ping_text = "ping";
  // Ping only after interval_s without any frame (OKX), rather than every interval_s.
  bool only_when_idle = false;
  // Any frame after a ping proves the peer alive, not only its pong (OKX, Binance): a busy
  // stream may answer late, and what arrives answers the question the ping asked.
  bool any_frame_answers = false;
};

struct FeedConnectionPlan {
  std::string url;                     // wss://...; the CoinGlass key is added by the feed
  std::vector<std::string> subscribe;  // text frames sent once the WebSocket is open, in order
  std::size_t streams = 0;             // channels, topics or streams it carries
};

struct FeedProtocol {
  // "coinglass", "bybit", "binance", "okx": logs ("feed[bybit 0]"), stats and gaps. Must point
  // to storage that outlives the feed (the names in config/sources.hpp, or a literal).
  std::string_view source;
  std::string venue;   // as people write it, for alarms: "CoinGlass", "Bybit"
  std::string ws_url;  // the configured endpoint, for logs and health
  // CoinGlass' key: added to every connection's URL as cg-api-key and masked in every log
  // line, alarm and error. Empty for the keyless venues.
  std::string api_key;
  std::string ca_file;
  std::vector<FeedConnectionPlan> connections;
  HeartbeatPlan heartbeat;
  double reconnect_initial_s = 1;
  double reconnect_max_s = 60;
  // > 0: a connection this old is replaced by a successor opened beside it (Binance's 24 h
  // cut); see WsFeed for the overlap rule.
  double max_connection_age_s = 0;
  int max_frame_bytes = 1 << 20;
  FeedFrameClassifier classify = nullptr;  // null: every frame is data
  std::string auth_hint;  // follows the alarm of an HTTP 401/403 refusal at upgrade
  // What the builder had to leave out (a symbol the venue cannot name), logged at start.
  std::vector<std::string> warnings;
};

}  // namespace teleglas
