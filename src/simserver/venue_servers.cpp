#include "teleglas/simserver/venue_servers.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <utility>

#include "venue_protocols.hpp"

namespace teleglas {

namespace sim_ws {

namespace http = boost::beast::http;

std::string json_quote(std::string_view text) {
  return boost::json::serialize(boost::json::string(text));
}

VenueProtocol::VenueProtocol(const SimVenueOptions& options)
    : faults_(options.faults), instruments_(options.instruments) {}

StreamFaults VenueProtocol::stream_faults() const {
  const SimVenueFaults f = faults_.get();
  StreamFaults out;
  out.drop_after_frames = f.drop_after_frames;
  out.garbage_every = f.garbage_every;
  out.binary_every = f.binary_every;
  out.upgrade_status = f.upgrade_status;
  out.stall_reads = f.stall_reads;
  return out;
}

Response VenueProtocol::rest(const Request& req) {
  return refuse(req, 404);
}

Response VenueProtocol::refuse(const Request& req, unsigned status) {
  const std::string_view reason = http::obsolete_reason(http::int_to_status(status));
  return json_response(req, status,
                       R"({"code":)" + std::to_string(status) + R"(,"msg":)" +
                           json_quote(reason.empty() ? "error" : reason) + "}",
                       server_name());
}

}  // namespace sim_ws

namespace {

std::shared_ptr<sim_ws::VenueProtocol> make_protocol(Venue venue, const SimVenueOptions& options) {
  switch (venue) {
    case Venue::bybit:
      return sim_ws::make_bybit_protocol(options);
    case Venue::binance:
      return sim_ws::make_binance_protocol(options);
    case Venue::okx:
      return sim_ws::make_okx_protocol(options);
  }
  return sim_ws::make_bybit_protocol(options);
}

// The venue's documented rules, with what the options set instead.
sim_ws::SessionRules rules_for(const sim_ws::VenueProtocol& protocol,
                               const SimVenueOptions& options) {
  sim_ws::SessionRules rules = protocol.documented_rules();
  if (options.ping_interval_ms) rules.ping_interval_ms = *options.ping_interval_ms;
  if (options.pong_timeout_ms) rules.pong_timeout_ms = *options.pong_timeout_ms;
  if (options.idle_timeout_ms) rules.idle_timeout_ms = *options.idle_timeout_ms;
  if (options.max_connection_age_ms) rules.max_age_ms = *options.max_connection_age_ms;
  if (rules.max_age_close.code == 0 && rules.max_age_ms > 0) {
    rules.max_age_close = {1001, ""};  // going away, as Binance's 24 h cut reads to clients
  }
  return rules;
}

}  // namespace

struct SimVenueServer::Impl {
  Venue venue{};
  std::shared_ptr<sim_ws::VenueProtocol> protocol;
  std::shared_ptr<sim_ws::Server> server;
};

SimVenueServer::SimVenueServer(boost::asio::io_context& io, Venue venue, SimVenueOptions options,
                               std::uint16_t port)
    : impl_(std::make_shared<Impl>()) {
  impl_->venue = venue;
  impl_->protocol = make_protocol(venue, options);
  sim_ws::SessionRules rules = rules_for(*impl_->protocol, options);
  impl_->server = sim_ws::Server::start(io, options.identity, port,
                                        {.frames = std::move(options.frames),
                                         .pace = options.pace,
                                         .loop = options.loop,
                                         .resume = options.resume},
                                        std::move(rules), impl_->protocol);
}

SimVenueServer::~SimVenueServer() {
  impl_->server->stop();
}

Venue SimVenueServer::venue() const {
  return impl_->venue;
}

std::uint16_t SimVenueServer::port() const {
  return impl_->server->port();
}

std::string SimVenueServer::ws_url() const {
  return "wss://127.0.0.1:" + std::to_string(port()) + std::string(impl_->protocol->ws_path());
}

std::string SimVenueServer::rest_url() const {
  return "https://127.0.0.1:" + std::to_string(port());
}

SimVenueRecord SimVenueServer::record() const {
  sim_ws::ServerRecord r = impl_->server->record();
  SimVenueRecord out;
  out.ws_targets = std::move(r.ws_targets);
  out.ws_messages = std::move(r.ws_messages);
  out.rest_targets = std::move(r.rest_targets);
  out.ws_connections = r.ws_connections;
  out.rest_connections = r.rest_connections;
  out.tls_handshakes_failed = r.tls_handshakes_failed;
  out.frames_sent = r.frames_sent;
  out.pings = r.pings;
  out.pongs_sent = r.pongs_sent;
  out.subscribe_requests = r.subscribe_requests;
  out.subscribe_errors = r.subscribe_errors;
  out.ping_frames_sent = r.ping_frames_sent;
  out.pong_frames_received = r.pong_frames_received;
  out.ping_frames_received = r.ping_frames_received;
  out.max_age_cuts = r.max_age_cuts;
  out.idle_cuts = r.idle_cuts;
  out.pong_timeout_cuts = r.pong_timeout_cuts;
  return out;
}

void SimVenueServer::set_faults(const SimVenueFaults& faults) {
  impl_->protocol->set_faults(faults);
}

void SimVenueServer::drop_connections() {
  impl_->server->drop_connections();
}

void SimVenueServer::stop() {
  impl_->server->stop();
}

}  // namespace teleglas
