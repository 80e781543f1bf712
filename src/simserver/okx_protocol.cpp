// OKX v5 public WebSocket and the public instruments endpoint (docs: okx.com/docs-v5, "WebSocket
// > Connect", "Public Data > Get instruments", "Liquidation orders channel", "Trades channel";
// the 60018 text and the instType-wide liquidation ack as captured from OKX).
#include <fmt/format.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <set>

#include "venue_protocols.hpp"

namespace teleglas::sim_ws {

namespace {

namespace http = boost::beast::http;

constexpr std::string_view path = "/ws/v5/public";
constexpr std::string_view instruments_path = "/api/v5/public/instruments";
constexpr std::string_view liquidation_channel = "liquidation-orders";
constexpr std::string_view inst_types[] = {"SWAP", "FUTURES", "MARGIN", "OPTION"};
// Channels keyed by instrument that this stand-in knows but has no frames for: subscribing to
// them works, and nothing comes.
constexpr std::string_view instrument_channels[] = {"trades",     "tickers",      "books5",
                                                    "mark-price", "funding-rate", "open-interest"};

// The key a subscription and a frame share: "trades|BTC-USDT-SWAP", "liquidation-orders|SWAP".
std::string key_of(std::string_view channel, std::string_view scope) {
  return std::string(channel) + "|" + std::string(scope);
}

class OkxSession : public Session {
 public:
  OkxSession(std::string conn_id, std::set<std::string, std::less<>> inst_ids,
             SimVenueFaults faults)
      : conn_id_(std::move(conn_id)), inst_ids_(std::move(inst_ids)), faults_(std::move(faults)) {}

  bool wants(std::string_view key) const override { return keys_.contains(key); }

  Replies on_text(std::string_view message) override {
    if (message == "ping") return heartbeat_replies(faults_, "pong");
    Replies replies;
    boost::system::error_code ec;
    const boost::json::value request = boost::json::parse(message, ec);
    const boost::json::object* o = !ec && request.is_object() ? &request.get_object() : nullptr;
    const std::string op = o != nullptr ? string_member(*o, "op") : std::string();
    const boost::json::value* args = o != nullptr ? o->if_contains("args") : nullptr;
    if ((op != "subscribe" && op != "unsubscribe") || args == nullptr || !args->is_array() ||
        args->get_array().empty()) {
      replies.texts.push_back(error("60012", "Invalid request: " + std::string(message)));
      return replies;
    }
    if (op == "subscribe") ++replies.subscribe_requests;
    // One answer per arg: an ack with the arg as OKX keeps it, or an error.
    for (const boost::json::value& a : args->get_array()) {
      const std::optional<Subscription> s = a.is_object() ? read(a.get_object()) : std::nullopt;
      if (!s || (op == "subscribe" && faults_.reject_subscriptions)) {
        if (op == "subscribe") ++replies.subscribe_errors;
        replies.texts.push_back(error("60018", doesnt_exist(a)));
        continue;
      }
      if (op == "subscribe") {
        keys_.insert(s->key);
        replies.subscribed = true;
      } else {
        keys_.erase(s->key);
      }
      replies.texts.push_back(fmt::format(R"({{"event":"{}","arg":{},"connId":{}}})", op, s->arg,
                                          json_quote(conn_id_)));
    }
    return replies;
  }

 private:
  struct Subscription {
    std::string key;
    std::string arg;  // the arg as the ack shows it
  };

  std::optional<Subscription> read(const boost::json::object& arg) const {
    const std::string channel = string_member(arg, "channel");
    if (channel == liquidation_channel) {
      // instType-wide: an instId or instFamily is dropped, as OKX's ack shows.
      const std::string type = string_member(arg, "instType");
      if (std::find(std::begin(inst_types), std::end(inst_types), type) == std::end(inst_types)) {
        return std::nullopt;
      }
      return Subscription{key_of(channel, type),
                          fmt::format(R"({{"channel":"{}","instType":"{}"}})", channel, type)};
    }
    const std::string inst_id = string_member(arg, "instId");
    if (std::find(std::begin(instrument_channels), std::end(instrument_channels), channel) ==
            std::end(instrument_channels) ||
        !inst_ids_.contains(inst_id)) {
      return std::nullopt;
    }
    return Subscription{
        key_of(channel, inst_id),
        fmt::format(R"({{"channel":{},"instId":{}}})", json_quote(channel), json_quote(inst_id))};
  }

  // "Wrong URL or channel:liquidation-orders,instId:BTC-USDT-SWAP doesn't exist. Please use the
  // correct URL, channel and parameters referring to API document."
  static std::string doesnt_exist(const boost::json::value& arg) {
    std::string what = "Wrong URL or channel:";
    if (arg.is_object()) {
      what += string_member(arg.get_object(), "channel");
      for (std::string_view k : {"instType", "instFamily", "instId"}) {
        const std::string v = string_member(arg.get_object(), k);
        if (v.empty()) continue;
        what += ',';
        what += k;
        what += ':';
        what += v;
      }
    }
    return what +
           " doesn't exist. Please use the correct URL, channel and parameters referring to API "
           "document.";
  }

  std::string error(std::string_view code, std::string_view msg) const {
    return fmt::format(R"({{"event":"error","code":"{}","msg":{},"connId":{}}})", code,
                       json_quote(msg), json_quote(conn_id_));
  }

  const std::string conn_id_;
  const std::set<std::string, std::less<>> inst_ids_;
  const SimVenueFaults faults_;  // as they were at the upgrade
  std::set<std::string, std::less<>> keys_;
};

std::string okx_error_body(std::string_view code, std::string_view msg) {
  return fmt::format(R"({{"code":"{}","msg":{},"data":[]}})", code, json_quote(msg));
}

class OkxProtocol : public VenueProtocol {
 public:
  using VenueProtocol::VenueProtocol;

  std::string_view server_name() const override { return "teleglas-sim-okx"; }
  std::string_view ws_path() const override { return path; }

  SessionRules documented_rules() const override {
    // "The connection will break automatically if the subscription is not established or data
    // has not been pushed for more than 30 seconds"; close frame 4004 "No data received in 30s".
    SessionRules rules;
    rules.idle_timeout_ms = 30'000;
    rules.idle_close = {4004, "No data received in 30s"};
    rules.idle_requires_subscription = true;
    return rules;
  }

  FrameInfo describe_object(const boost::json::object& o) const override {
    FrameInfo info;
    const boost::json::value* arg = o.if_contains("arg");
    if (arg == nullptr || !arg->is_object()) return info;
    const std::string channel = string_member(arg->get_object(), "channel");
    info.key = key_of(
        channel,
        string_member(arg->get_object(), channel == liquidation_channel ? "instType" : "instId"));
    // OKX writes times as strings: data[0].ts, or data[0].details[0].ts for liquidations.
    const boost::json::value* data = o.if_contains("data");
    if (data == nullptr || !data->is_array() || data->get_array().empty() ||
        !data->get_array().front().is_object()) {
      return info;
    }
    const boost::json::object* first = &data->get_array().front().get_object();
    if (const auto* details = first->if_contains("details");
        details != nullptr && details->is_array() && !details->get_array().empty() &&
        details->get_array().front().is_object()) {
      first = &details->get_array().front().get_object();
    }
    const std::string ts = string_member(*first, "ts");
    if (!ts.empty() && ts.find_first_not_of("0123456789") == std::string::npos) {
      info.time = std::stoll(ts);
    }
    return info;
  }

  std::unique_ptr<Session> open_session(std::string_view, std::uint64_t connection) override {
    std::set<std::string, std::less<>> inst_ids;
    for (const VenueInstrument& i : instruments()) inst_ids.insert(i.okx_inst_id());
    return std::make_unique<OkxSession>(fmt::format("{:08x}", 0x5e1a0000 + connection),
                                        std::move(inst_ids), faults());
  }

  Response rest(const Request& req) override {
    const SimVenueFaults f = faults();
    if (!f.rest_body.empty()) {
      return json_response(req, static_cast<unsigned>(f.rest_status), f.rest_body, server_name());
    }
    if (f.rest_status == 429) {
      Response res =
          json_response(req, 429, okx_error_body("50011", "Too Many Requests"), server_name());
      if (f.rest_retry_after_s > 0) {
        res.set(http::field::retry_after, std::to_string(f.rest_retry_after_s));
      }
      return res;
    }
    if (f.rest_status != 200) {
      return json_response(
          req, static_cast<unsigned>(f.rest_status),
          okx_error_body("50001", "Service temporarily unavailable. Please try again later."),
          server_name());
    }
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url || url->path() != instruments_path) return refuse(req, 404);
    std::string type;
    if (auto it = url->params().find("instType"); it != url->params().end() && (*it).has_value) {
      type = (*it).value;
    }
    if (type.empty()) {
      return json_response(
          req, 400, okx_error_body("50014", "Parameter instType can not be empty."), server_name());
    }
    // Only perpetual swaps are listed here; other types have none.
    const std::vector<VenueInstrument> none;
    return json_response(req, 200, okx_instruments_body(type == "SWAP" ? instruments() : none),
                         server_name());
  }
};

}  // namespace

std::shared_ptr<VenueProtocol> make_okx_protocol(const SimVenueOptions& options) {
  return std::make_shared<OkxProtocol>(options);
}

}  // namespace teleglas::sim_ws
