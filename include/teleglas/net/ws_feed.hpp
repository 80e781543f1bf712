// The live CoinGlass WebSocket client (DESIGN.md §3): one TLS WebSocket connection per group of
// channels, each subscribing, answering the text heartbeat and reconnecting with backoff
// forever. Frames, states, notices and gaps go to a FeedListener. Beast stays out of this
// header: the rest of the daemon only sees this class and feed.hpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"
#include "teleglas/net/feed.hpp"

namespace teleglas {

enum class FeedLogLevel : std::uint8_t { debug, info, warn, error };

struct WsFeedOptions {
  // Receive times and gap bounds (epoch ms). Default: the system clock.
  std::function<TimeMs()> wall_clock;
  // Uniform in [0, 1), for reconnect jitter. Default: a randomly seeded engine.
  std::function<double()> random;
  // Where log lines go. Default: spdlog. The API key is scrubbed from every line before it
  // gets here.
  std::function<void(FeedLogLevel, std::string_view)> log;
  // The backoff schedule starts over once a connection stayed subscribed this long.
  double healthy_reset_s = 30;
  // Bounds TCP connect plus TLS handshake, then again the WebSocket upgrade (DNS excepted:
  // getaddrinfo cannot be interrupted).
  double handshake_timeout_s = 10;
  // Bounds the WebSocket close handshake at stop() and after a dead heartbeat.
  double close_timeout_s = 0.5;
};

struct FeedConnectionStats {
  ConnectionState state = ConnectionState::stopped;
  std::size_t channels = 0;
  std::uint64_t frames = 0;  // text frames forwarded (data and notices)
  std::uint64_t bytes = 0;   // bytes of forwarded frames
  std::uint64_t pings = 0;   // "ping" frames sent
  std::uint64_t pongs = 0;
  std::uint64_t notices = 0;             // non-JSON text other than "pong"
  std::uint64_t connects = 0;            // connections that reached the subscribed state
  std::uint64_t reconnects = 0;          // attempts after the first
  std::uint64_t heartbeat_timeouts = 0;  // connections closed for a missing pong
  std::uint64_t dropped_binary = 0;
  std::uint64_t dropped_oversize = 0;  // over max_frame_bytes: drained unbuffered, connection kept
  std::uint64_t upgrade_refusals = 0;  // HTTP status other than 101 at upgrade
  std::uint64_t errors = 0;            // failed attempts and broken connections
  TimeMs last_frame_time = 0;
};

struct FeedStats {
  std::vector<FeedConnectionStats> connections;
  // Counters summed, last_frame_time the latest; state left at its default.
  FeedConnectionStats total() const;
};

class WsFeed {
 public:
  // Startup checks throw std::invalid_argument (bad or non-wss ws_url) or std::runtime_error
  // (unreadable ca_file); neither message contains the key. `listener` must outlive the feed.
  WsFeed(boost::asio::io_context& io, const CoinglassConfig& config,
         const std::vector<SymbolConfig>& symbols, std::string api_key, FeedListener& listener,
         WsFeedOptions options = {});
  // Stops abruptly (sockets closed, no close handshake) and calls the listener no more.
  ~WsFeed();
  WsFeed(const WsFeed&) = delete;
  WsFeed& operator=(const WsFeed&) = delete;

  // Starts every connection; once only. Safe from any thread.
  void start();
  // Closes every connection gracefully (bounded by close_timeout_s) and cancels reconnects;
  // each connection then reports ConnectionState::stopped. Safe from any thread.
  void stop();

  // Call on the io_context's thread (or while it is not running).
  FeedStats stats() const;
  std::size_t connection_count() const;
  // The endpoint with the key masked, for logs and health output.
  const std::string& redacted_url() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
