#include "teleglas/simserver/venue_servers.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/parse.hpp>
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

std::string string_member(const boost::json::object& o, std::string_view name) {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Replies heartbeat_replies(const SimVenueFaults& faults, std::string pong) {
  Replies replies;
  replies.heartbeat = true;
  if (!faults.no_pong) {
    replies.heartbeat_answered = true;
    replies.texts.push_back(std::move(pong));
  }
  return replies;
}

VenueProtocol::VenueProtocol(const SimVenueOptions& options)
    : faults_(options.faults), instruments_(options.instruments) {}

StreamFaults VenueProtocol::stream_faults() const {
  const SimVenueFaults f = faults_.get();
  StreamFaults out = common_stream_faults(f);
  out.stall_reads = f.stall_reads;
  return out;
}

FrameInfo VenueProtocol::describe(std::string_view frame) const {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(frame, ec);
  if (ec || !v.is_object()) return {};
  return describe_object(v.get_object());
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
  impl_->server = sim_ws::Server::start(io, options.identity, port, sim_ws::stream_options(options),
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
  return sim_ws::local_wss_url(port(), impl_->protocol->ws_path());
}

std::string SimVenueServer::rest_url() const {
  return sim_ws::local_https_url(port());
}

SimVenueRecord SimVenueServer::record() const {
  sim_ws::ServerRecord r = impl_->server->record();
  SimVenueRecord out = sim_ws::common_record<SimVenueRecord>(r);
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
