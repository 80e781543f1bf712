// Stand-ins for the exchanges' own public streams: Bybit v5 public linear, Binance USD-M market
// streams (the 2026 `/market` route) and OKX v5 public, each a real TLS WebSocket server on
// 127.0.0.1 speaking the venue's protocol — its subscribe and answers, heartbeats, which frames
// go to whom, how it ends connections — plus OKX's instruments endpoint. Each records what
// clients did and injects faults. They run on the CoinGlass stand-in's machinery.
//
// What each stand-in does, from the venues' documentation (and captures where the docs are
// silent, noted):
//   Bybit  `/v5/public/linear`: {"op":"subscribe","args":[topics],"req_id":..} answered
//          {"success":..,"ret_msg":..,"conn_id":..,"req_id":..,"op":"subscribe"}; a request is
//          refused whole for a topic it does not know ("error:handler not found,topic:T"), a
//          symbol not listed ("Invalid symbol :[T]"), or args beyond 21,000 characters on the
//          connection (the documented limit; linear has no count limit). {"op":"ping"} gets
//          {"success":true,"ret_msg":"pong",..,"op":"ping"}. Only subscribed topics stream.
//          Quiet for 10 min (no stream data, no ping-pong): dropped.
//   Binance `/market/stream?streams=a/b`: streams the URL's streams (names compared
//          case-insensitively), plus JSON SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS
//          ({"result":null,"id":N}; errors {"error":{"code":2,"msg":..},"id":N}). Ping frames
//          every 3 min; no pong within 10 min: dropped; every connection closed at 24 h with a
//          1001 (going away) close frame (the docs say only "expect to be disconnected"; 1001
//          is what clients report). `/public/stream` and the retired `/stream` accept the
//          upgrade but push no market stream, as Binance's do since 2026-04-23.
//   OKX    `/ws/v5/public`: {"op":"subscribe","args":[{..}]} answered per arg with
//          {"event":"subscribe","arg":{..},"connId":..} or {"event":"error","code":"60018",..};
//          `liquidation-orders` is instType-wide (instId dropped from the ack, as OKX does),
//          `trades` per listed instId. Text "ping" gets "pong". No subscription, or nothing
//          pushed, for 30 s: closed with 4004 "No data received in 30s". HTTPS
//          `GET /api/v5/public/instruments?instType=SWAP` lists `instruments` with their ctVal.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "teleglas/net/tls_identity.hpp"
#include "teleglas/sim/venue_frames.hpp"

namespace teleglas {

struct SimVenueFaults {
  int drop_after_frames = -1;  // close each connection (TCP close, no WS close) after N frames
  bool no_pong = false;        // leave text heartbeats unanswered (Bybit {"op":"ping"}, OKX "ping")
  // Stop reading once streaming starts: the client's WebSocket ping frames go unanswered (Beast
  // answers them only while it reads), and what the client sends later is never seen.
  bool stall_reads = false;
  int garbage_every = 0;  // a non-JSON text frame before every Nth streamed frame; 0 = off
  int binary_every = 0;   // a binary frame before every Nth streamed frame; 0 = off
  // Every subscribe is refused with the venue's error (Bybit "Params Error", Binance
  // "Invalid request: invalid stream", OKX 60018).
  bool reject_subscriptions = false;
  int upgrade_status = 0;      // refuse the WebSocket upgrade with this HTTP status
  int rest_status = 200;       // HTTP status of REST answers (OKX instruments)
  int rest_retry_after_s = 0;  // Retry-After on 429 when > 0
  std::string rest_body;       // when set, REST answers carry this body instead (garbage)
};

struct SimVenueOptions {
  TlsIdentity identity;
  // The venue's frames (sim/venue_frames), in order; each session gets those it subscribed to.
  std::vector<std::string> frames;
  double pace = 0;  // 0 = as fast as possible; 1 = real time by the frames' times; 10 = 10x
  bool loop = false;
  // A new connection picks the stream up after the last frame an earlier one reached; off,
  // every connection starts at the first frame.
  bool resume = false;
  // What the venue lists: subscriptions to other symbols fail (Bybit, OKX); OKX serves these
  // on its instruments endpoint.
  std::vector<VenueInstrument> instruments = default_venue_instruments();
  // Connection-life rules in ms: unset = the venue's documented value, 0 = off.
  std::optional<std::int64_t> ping_interval_ms;       // server ping frames: Binance 180 000
  std::optional<std::int64_t> pong_timeout_ms;        // Binance 600 000
  std::optional<std::int64_t> idle_timeout_ms;        // OKX 30 000, Bybit 600 000
  std::optional<std::int64_t> max_connection_age_ms;  // Binance 86 400 000 (the 24 h cut)
  SimVenueFaults faults;
};

// What clients did, for assertions. Copies, safe to read from another thread.
struct SimVenueRecord {
  std::vector<std::string> ws_targets;   // request target of each upgrade (with query)
  std::vector<std::string> ws_messages;  // every text message received (subscribes, pings)
  std::vector<std::string> rest_targets;
  int ws_connections = 0;
  int rest_connections = 0;
  int tls_handshakes_failed = 0;
  std::uint64_t frames_sent = 0;  // streamed frames (not answers, not faults)
  int pings = 0;                  // text heartbeats received
  int pongs_sent = 0;
  int subscribe_requests = 0;
  int subscribe_errors = 0;  // refused requests (Bybit, Binance) or args (OKX)
  int ping_frames_sent = 0;  // WebSocket ping frames from the server
  int pong_frames_received = 0;
  int ping_frames_received = 0;  // WebSocket ping frames from clients
  int max_age_cuts = 0;
  int idle_cuts = 0;
  int pong_timeout_cuts = 0;
};

class SimVenueServer {
 public:
  // Listens on 127.0.0.1:`port` (0 = any free port) on `io`; nothing runs until io runs.
  SimVenueServer(boost::asio::io_context& io, Venue venue, SimVenueOptions options,
                 std::uint16_t port = 0);
  ~SimVenueServer();
  SimVenueServer(const SimVenueServer&) = delete;
  SimVenueServer& operator=(const SimVenueServer&) = delete;

  Venue venue() const;
  std::uint16_t port() const;
  // "wss://127.0.0.1:PORT/v5/public/linear", ".../market/stream", ".../ws/v5/public"
  std::string ws_url() const;
  std::string rest_url() const;  // "https://127.0.0.1:PORT"

  SimVenueRecord record() const;
  // Changes faults for new connections and requests (thread-safe).
  void set_faults(const SimVenueFaults& faults);
  // Closes every open connection abruptly (an outage); the listener stays open.
  void drop_connections();
  // Stops listening and closes everything.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
