// The three venues' sides of the shared WebSocket machinery (ws_server.hpp): what each answers,
// which frames each session gets, and the connection-life rules each venue documents.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/simserver/venue_servers.hpp"
#include "ws_server.hpp"

namespace teleglas::sim_ws {

// What the venues share: faults tests change at run time, the listed instruments, and REST
// answers for the venues without a REST endpoint here.
class VenueProtocol : public Protocol {
 public:
  explicit VenueProtocol(const SimVenueOptions& options);

  void set_faults(const SimVenueFaults& faults) { faults_.set(faults); }
  SimVenueFaults faults() const { return faults_.get(); }
  const std::vector<VenueInstrument>& instruments() const { return instruments_; }

  StreamFaults stream_faults() const override;
  bool is_ws_path(std::string_view path) const override { return path == ws_path(); }
  // Every venue pushes JSON objects: one that is not is neither keyed nor timed.
  FrameInfo describe(std::string_view frame) const final;
  Response rest(const Request& req) override;  // 404 unless a venue serves REST
  Response refuse(const Request& req, unsigned status) override;

  // The venue's path of its public stream, for ws_url().
  virtual std::string_view ws_path() const = 0;
  // The venue's documented connection-life rules, before SimVenueOptions override them.
  virtual SessionRules documented_rules() const = 0;
  // The key and time of a frame that is a JSON object.
  virtual FrameInfo describe_object(const boost::json::object& frame) const = 0;

 private:
  Guarded<SimVenueFaults> faults_;
  const std::vector<VenueInstrument> instruments_;
};

std::shared_ptr<VenueProtocol> make_bybit_protocol(const SimVenueOptions& options);
std::shared_ptr<VenueProtocol> make_binance_protocol(const SimVenueOptions& options);
std::shared_ptr<VenueProtocol> make_okx_protocol(const SimVenueOptions& options);

// `text` as a JSON string literal, quotes included: client text echoed in an answer.
std::string json_quote(std::string_view text);

// The string member `name` of `o`, or "" when it is absent or no string.
std::string string_member(const boost::json::object& o, std::string_view name);

// The answer to a client's heartbeat (`pong`), unless the faults say to leave it unanswered.
Replies heartbeat_replies(const SimVenueFaults& faults, std::string pong);

}  // namespace teleglas::sim_ws
