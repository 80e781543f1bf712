// A simulated CoinGlass: a real TLS WebSocket + HTTPS server on 127.0.0.1 that speaks the
// CoinGlass protocol (DESIGN.md §3), records what clients send, streams a recording and
// injects faults. The integration tests use it as their fake; `teleglas demo` serves the
// generated market with it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "teleglas/net/tls_identity.hpp"

namespace teleglas {

struct SimCoinglassFaults {
  int drop_after_frames =
      -1;  // close each connection (TCP close, no WS close) after N frames; -1 = never
  bool ignore_pings = false;  // never answer "ping" with "pong"
  int garbage_every =
      0;  // every Nth streamed frame is preceded by a non-JSON garbage text frame; 0 = off
  int binary_every = 0;  // every Nth streamed frame is preceded by a binary frame; 0 = off
  std::size_t oversize_frame_bytes = 0;  // if > 0, send one text frame of this size after subscribe
  std::string plan_notice;  // if set, answer each subscribe with this text (e.g. "liquidationOrders
                            // need upgrade plan")
  int upgrade_status =
      0;  // if != 0 (e.g. 401, 403), refuse the WebSocket upgrade with this HTTP status
  int rest_status = 200;       // HTTP status of REST answers (200, 401, 429, 500)
  int rest_retry_after_s = 0;  // Retry-After header on 429 when > 0
};

struct SimCoinglassOptions {
  TlsIdentity identity;  // certificate served (tests may serve an untrusted one)
  std::vector<std::string>
      frames;         // streamed to every connection after its first subscribe, in order
  double pace = 0;    // 0 = as fast as possible; 1 = real time by the frames' event times; 10 = 10x
  bool loop = false;  // start over at the end (demo)
  // A new connection picks the stream up after the last frame an earlier one sent, as a live
  // market goes on through an outage; off, every connection starts at the first frame.
  bool resume = false;
  std::string funding_data = "[]";  // JSON `data` of /api/futures/funding-rate/exchange-list
  std::function<std::string(const std::string& base)>
      open_interest_data;  // `data` per ?symbol=; null -> "[]"
  SimCoinglassFaults faults;
};

// What a client did, for assertions. Copies, safe to read from another thread.
struct SimCoinglassRecord {
  std::vector<std::string> ws_targets;  // request target of each WebSocket upgrade (with query)
  std::vector<std::string>
      ws_messages;  // every text message received (subscribe JSON, "ping", ...)
  std::vector<std::string> rest_targets;   // request target of each REST request
  std::vector<std::string> rest_api_keys;  // CG-API-KEY header of each REST request
  int ws_connections = 0;                  // accepted WebSocket sessions
  int rest_connections = 0;                // TLS connections that carried REST requests
  int tls_handshakes_failed = 0;           // e.g. a client that refused our certificate
  std::uint64_t frames_sent = 0;           // streamed data frames (excluding faults)
  int pings = 0;
  int pongs_sent = 0;
};

class SimCoinglassServer {
 public:
  // Listens on 127.0.0.1:`port` (0 = any free port) on `io`; nothing runs until io runs.
  SimCoinglassServer(boost::asio::io_context& io, SimCoinglassOptions options,
                     std::uint16_t port = 0);
  ~SimCoinglassServer();
  SimCoinglassServer(const SimCoinglassServer&) = delete;
  SimCoinglassServer& operator=(const SimCoinglassServer&) = delete;

  std::uint16_t port() const;
  std::string ws_url() const;    // "wss://127.0.0.1:PORT/ws-api"
  std::string rest_url() const;  // "https://127.0.0.1:PORT"

  SimCoinglassRecord record() const;
  // Changes faults for new connections and requests (thread-safe).
  void set_faults(const SimCoinglassFaults& faults);
  // Closes every open connection abruptly (simulates an outage); the listener stays open.
  void drop_connections();
  // Stops listening and closes everything.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
