// The live WebSocket feed of one source (CoinGlass, Bybit, Binance or OKX), driven by its
// FeedProtocol (feed_protocol.hpp): one TLS WebSocket connection per planned group of streams,
// each subscribing, keeping the venue's heartbeat and reconnecting with backoff forever.
// Frames, states, notices and gaps go to a FeedListener. Beast stays out of this header: the
// rest of the daemon only sees this class and feed.hpp.
//
// Rotation (Binance cuts every connection at 24 h): when a connection reaches the protocol's
// max_connection_age_s, a successor to the same URL is opened beside it. Once the successor is
// live both run for rotation_overlap_s, then the old one is closed; the connection stays live
// throughout and no gap is reported. From the moment the successor starts connecting until
// the old one is gone, a data frame whose text equals one the other connection already
// delivered in that time is dropped (counted as duplicates_dropped): the same event fanned
// out to both connections is delivered once, and nothing only one of them saw is lost.
// Matching is by a 64-bit hash of the text over a bounded window of recent frames.
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
#include "teleglas/net/feed_protocol.hpp"

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
  // Bounds the WebSocket close handshake at stop(), after a dead heartbeat and at rotation.
  double close_timeout_s = 0.5;
  // How long a rotated connection and its successor both run (see above).
  double rotation_overlap_s = 5;
};

struct FeedConnectionStats {
  std::string_view source;  // the feed's source ("bybit"); static storage
  ConnectionState state = ConnectionState::stopped;
  std::size_t channels = 0;              // channels, topics or streams carried
  std::uint64_t frames = 0;              // text frames forwarded (data, notices and refusals)
  std::uint64_t bytes = 0;               // bytes of forwarded frames
  std::uint64_t pings = 0;               // heartbeat pings sent (text or control frames)
  std::uint64_t pongs = 0;               // heartbeat replies (text, JSON or control frames)
  std::uint64_t notices = 0;             // CoinGlass: non-JSON text other than "pong"
  std::uint64_t refusals = 0;            // subscriptions the venue refused
  std::uint64_t control_frames = 0;      // subscription acks and other protocol replies
  std::uint64_t connects = 0;            // connections that reached the subscribed state
  std::uint64_t reconnects = 0;          // attempts after the first (rotations excluded)
  std::uint64_t rotations = 0;           // successors that took over from an aged connection
  std::uint64_t duplicates_dropped = 0;  // frames both connections of a rotation delivered
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
  // Startup checks throw std::invalid_argument (a bad or non-wss URL) or std::runtime_error
  // (unreadable ca_file); neither message contains the key. `listener` must outlive the feed.
  WsFeed(boost::asio::io_context& io, FeedProtocol protocol, FeedListener& listener,
         WsFeedOptions options = {});
  // CoinGlass: the same as with coinglass_protocol(config, symbols, api_key).
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
  // The source this feed serves ("coinglass", "bybit", ...).
  std::string_view source() const;
  // The endpoint with the key masked, for logs and health output.
  const std::string& redacted_url() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
