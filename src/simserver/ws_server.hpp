// The machinery every stand-in shares (CoinGlass, Bybit, Binance, OKX): a TLS listener on
// 127.0.0.1 that serves HTTPS requests and WebSocket sessions on one port, streams the server's
// frames to each session (pace, loop, resume), filtered by what that session subscribed to,
// sends server pings, cuts connections by age or idleness, and injects faults. What a venue
// says, and when, is its Protocol's business; the machinery only moves bytes and keeps count.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "teleglas/core/types.hpp"
#include "teleglas/net/tls_identity.hpp"

namespace teleglas::sim_ws {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// A JSON answer to `req` (its HTTP version and keep-alive), with our Server header.
Response json_response(const Request& req, unsigned status, std::string body,
                       std::string_view server_name);

// How the server ends a session it cuts: a WebSocket close frame with this code and reason,
// or, with code 0, no close frame at all (the TCP connection just ends).
struct CloseFrame {
  std::uint16_t code = 0;
  std::string reason;
};

// The faults the machinery injects, as they are when a session upgrades.
struct StreamFaults {
  int drop_after_frames = -1;  // TCP close (no WS close) after N streamed frames; -1 = never
  int garbage_every = 0;       // a non-JSON text frame before every Nth streamed frame
  int binary_every = 0;        // a binary frame before every Nth streamed frame
  std::size_t oversize_frame_bytes = 0;  // one text frame of this size when streaming starts
  int upgrade_status = 0;                // refuse the upgrade with this HTTP status
  // Stop reading once streaming starts: the client's ping frames go unanswered (Beast answers
  // them only while reading) and what it sends later is never seen.
  bool stall_reads = false;
};

// Connection-life rules of a server, fixed at construction; 0 = off.
struct SessionRules {
  std::int64_t ping_interval_ms = 0;  // the server sends WebSocket ping frames this often
  std::int64_t pong_timeout_ms = 0;   // a ping unanswered this long: the connection is dropped
  // Nothing pushed to the client for this long: the session is closed with `idle_close`. With
  // `idle_requires_subscription`, until something is subscribed nothing counts as a push
  // (pongs do not keep an idle session alive).
  std::int64_t idle_timeout_ms = 0;
  CloseFrame idle_close;
  bool idle_requires_subscription = false;
  std::int64_t max_age_ms = 0;  // sessions are closed with `max_age_close` at this age
  CloseFrame max_age_close;
  // Beast's suggested server timeouts (5 min idle with keep-alive pings) instead of the above.
  bool beast_timeouts = false;
};

// Everything the machinery counts, for the stand-ins' public records.
struct ServerRecord {
  std::vector<std::string> ws_targets;   // request target of each WebSocket upgrade
  std::vector<std::string> ws_messages;  // every text message received
  std::vector<std::string> rest_targets;
  std::vector<std::string> rest_header_values;  // the protocol's recorded_header() per request
  int ws_connections = 0;
  int rest_connections = 0;
  int tls_handshakes_failed = 0;
  std::uint64_t frames_sent = 0;
  int pings = 0;  // heartbeat messages (text)
  int pongs_sent = 0;
  int subscribe_requests = 0;
  int subscribe_errors = 0;
  int ping_frames_sent = 0;
  int pong_frames_received = 0;
  int ping_frames_received = 0;
  int max_age_cuts = 0;
  int idle_cuts = 0;
  int pong_timeout_cuts = 0;
};

// What a session answers to one text message.
struct Replies {
  std::vector<std::string> texts;   // sent back, in order
  bool subscribed = false;          // a subscription took: streaming starts, or looks again
  bool heartbeat = false;           // the message was a heartbeat ...
  bool heartbeat_answered = false;  // ... and was answered
  int subscribe_requests = 0;
  int subscribe_errors = 0;
};

// The protocol side of one WebSocket session: what it subscribed to, how it answers.
class Session {
 public:
  virtual ~Session() = default;
  virtual Replies on_text(std::string_view message) = 0;
  // Whether the frame with this key (FrameInfo::key) goes to this session now.
  virtual bool wants(std::string_view key) const = 0;
  // Streams from the upgrade on, without a subscribe message (Binance's URL streams).
  virtual bool streams_at_upgrade() const { return false; }
};

struct FrameInfo {
  std::string key;             // what Session::wants() is asked about
  std::optional<TimeMs> time;  // the event time that paces the frame
};

// A venue's side of the server. Called on the io thread, except stream_faults().
class Protocol {
 public:
  virtual ~Protocol() = default;
  virtual std::string_view server_name() const = 0;
  virtual bool is_ws_path(std::string_view path) const = 0;
  virtual FrameInfo describe(std::string_view frame) const = 0;
  // `connection` numbers sessions from 0 (for connection ids).
  virtual std::unique_ptr<Session> open_session(std::string_view target,
                                                std::uint64_t connection) = 0;
  virtual Response rest(const Request& req) = 0;
  // The answer to an upgrade refused with `status` (a fault, or 404 for an unknown path).
  virtual Response refuse(const Request& req, unsigned status) = 0;
  // Thread-safe: tests change faults from their own thread.
  virtual StreamFaults stream_faults() const = 0;
  // A request header whose value each REST request records (CoinGlass's API key).
  virtual std::string_view recorded_header() const { return {}; }
};

struct StreamOptions {
  std::vector<std::string> frames;  // streamed to each session that wants them, in order
  double pace = 0;  // 0 = as fast as possible; 1 = real time by the frames' times; 10 = 10x
  bool loop = false;
  // A new session picks the stream up after the last frame an earlier one reached, as a live
  // market goes on through an outage; off, every session starts at the first frame.
  bool resume = false;
};

class Server {
 public:
  // Listens on 127.0.0.1:`port` (0 = any free port); nothing runs until `io` runs.
  static std::shared_ptr<Server> start(boost::asio::io_context& io, const TlsIdentity& identity,
                                       std::uint16_t port, StreamOptions stream, SessionRules rules,
                                       std::shared_ptr<Protocol> protocol);
  virtual ~Server() = default;
  virtual std::uint16_t port() const = 0;
  virtual ServerRecord record() const = 0;  // a copy, safe from any thread
  // Closes every open connection abruptly (an outage); the listener stays open.
  virtual void drop_connections() = 0;
  // Stops listening and closes everything.
  virtual void stop() = 0;
};

// What every stand-in's options say about its stream (frames, pace, loop, resume), moved out
// for Server::start.
template <class StandInOptions>
StreamOptions stream_options(StandInOptions& options) {
  return {.frames = std::move(options.frames),
          .pace = options.pace,
          .loop = options.loop,
          .resume = options.resume};
}

// The faults every stand-in's own fault settings share with the machinery's; each stand-in
// adds those only it has.
template <class StandInFaults>
StreamFaults common_stream_faults(const StandInFaults& f) {
  StreamFaults out;
  out.drop_after_frames = f.drop_after_frames;
  out.garbage_every = f.garbage_every;
  out.binary_every = f.binary_every;
  out.upgrade_status = f.upgrade_status;
  return out;
}

// A stand-in's public record with the counts every stand-in keeps, taken from the machinery's;
// each stand-in adds those only it reports.
template <class StandInRecord>
StandInRecord common_record(ServerRecord& r) {
  StandInRecord out;
  out.ws_targets = std::move(r.ws_targets);
  out.ws_messages = std::move(r.ws_messages);
  out.rest_targets = std::move(r.rest_targets);
  out.ws_connections = r.ws_connections;
  out.rest_connections = r.rest_connections;
  out.tls_handshakes_failed = r.tls_handshakes_failed;
  out.frames_sent = r.frames_sent;
  out.pings = r.pings;
  out.pongs_sent = r.pongs_sent;
  return out;
}

// The URLs of a stand-in on 127.0.0.1:`port`: "wss://127.0.0.1:PORT<path>",
// "https://127.0.0.1:PORT".
std::string local_wss_url(std::uint16_t port, std::string_view path);
std::string local_https_url(std::uint16_t port);

// A value tests change from their thread while the io thread reads it.
template <class T>
class Guarded {
 public:
  explicit Guarded(T value) : value_(std::move(value)) {}
  T get() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  void set(T value) {
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
  }

 private:
  mutable std::mutex mutex_;
  T value_;
};

}  // namespace teleglas::sim_ws
