#include "teleglas/simserver/coinglass_server.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <utility>

#include "teleglas/core/types.hpp"
#include "ws_server.hpp"

namespace teleglas {

namespace {

namespace http = boost::beast::http;
using sim_ws::Replies;
using sim_ws::Request;
using sim_ws::Response;

constexpr std::string_view ws_path = "/ws-api";
constexpr std::string_view funding_path = "/api/futures/funding-rate/exchange-list";
constexpr std::string_view open_interest_path = "/api/futures/open-interest/exchange-list";
constexpr std::string_view server_name = "teleglas-sim-coinglass";

std::optional<TimeMs> time_value(const boost::json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<TimeMs>(v.get_uint64());
  if (v.is_double()) return static_cast<TimeMs>(v.get_double());
  return std::nullopt;
}

// The event time that paces a frame: "time" of the first data element, else the top level's.
std::optional<TimeMs> event_time(std::string_view frame) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(frame, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::object& o = v.get_object();
  if (const auto* data = o.if_contains("data"); data != nullptr && data->is_array() &&
                                                !data->get_array().empty() &&
                                                data->get_array().front().is_object()) {
    if (const auto* t = data->get_array().front().get_object().if_contains("time")) {
      if (auto ms = time_value(*t)) return ms;
    }
  }
  if (const auto* t = o.if_contains("time")) return time_value(*t);
  return std::nullopt;
}

bool is_subscribe(std::string_view message) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(message, ec);
  if (ec || !v.is_object()) return false;
  const auto* method = v.get_object().if_contains("method");
  return method != nullptr && method->is_string() && method->get_string() == "subscribe";
}

std::string envelope(std::string_view data) {
  return R"({"code":"0","msg":"success","data":)" + std::string(data) + "}";
}

std::string error_envelope(unsigned status, std::string_view msg) {
  return R"({"code":")" + std::to_string(status) + R"(","msg":")" + std::string(msg) + R"("})";
}

Response json_response(const Request& req, unsigned status, std::string body) {
  return sim_ws::json_response(req, status, std::move(body), server_name);
}

std::string_view reason_of(unsigned status) {
  return http::obsolete_reason(http::int_to_status(status));
}

// CoinGlass streams everything to a connection that subscribed to anything.
class CoinglassSession : public sim_ws::Session {
 public:
  explicit CoinglassSession(SimCoinglassFaults faults) : faults_(std::move(faults)) {}

  Replies on_text(std::string_view message) override {
    Replies replies;
    if (message == "ping") {
      replies.heartbeat = true;
      if (!faults_.ignore_pings) {
        replies.heartbeat_answered = true;
        replies.texts.emplace_back("pong");
      }
      return replies;
    }
    if (!is_subscribe(message)) return replies;
    if (!faults_.plan_notice.empty()) replies.texts.push_back(faults_.plan_notice);
    replies.subscribed = true;
    return replies;
  }

  bool wants(std::string_view) const override { return true; }

 private:
  const SimCoinglassFaults faults_;  // as they were at the upgrade
};

class CoinglassProtocol : public sim_ws::Protocol {
 public:
  explicit CoinglassProtocol(const SimCoinglassOptions& options)
      : funding_data_(options.funding_data),
        open_interest_data_(options.open_interest_data),
        faults_(options.faults) {}

  void set_faults(const SimCoinglassFaults& faults) { faults_.set(faults); }

  std::string_view server_name() const override { return teleglas::server_name; }
  bool is_ws_path(std::string_view path) const override { return path == ws_path; }
  sim_ws::FrameInfo describe(std::string_view frame) const override {
    return {{}, event_time(frame)};
  }
  std::unique_ptr<sim_ws::Session> open_session(std::string_view, std::uint64_t) override {
    return std::make_unique<CoinglassSession>(faults_.get());
  }
  std::string_view recorded_header() const override { return "CG-API-KEY"; }

  sim_ws::StreamFaults stream_faults() const override {
    const SimCoinglassFaults f = faults_.get();
    sim_ws::StreamFaults out = sim_ws::common_stream_faults(f);
    out.oversize_frame_bytes = f.oversize_frame_bytes;
    return out;
  }

  Response refuse(const Request& req, unsigned status) override {
    return json_response(req, status,
                         error_envelope(status, status == 404 ? "not found" : reason_of(status)));
  }

  Response rest(const Request& req) override {
    const SimCoinglassFaults faults = faults_.get();
    if (faults.rest_status == 401) {
      return json_response(req, 401, error_envelope(401, "API key missing"));
    }
    if (faults.rest_status == 429) {
      Response res = json_response(req, 429, error_envelope(429, "Too Many Requests"));
      if (faults.rest_retry_after_s > 0) {
        res.set(http::field::retry_after, std::to_string(faults.rest_retry_after_s));
      }
      return res;
    }
    if (faults.rest_status != 200) {
      const auto status = static_cast<unsigned>(faults.rest_status);
      return json_response(req, status, error_envelope(status, reason_of(status)));
    }
    auto url = boost::urls::parse_origin_form(req.target());
    const std::string path = url ? std::string(url->path()) : std::string();
    if (path == funding_path) return json_response(req, 200, envelope(funding_data_));
    if (path == open_interest_path) {
      std::string base;
      if (auto it = url->params().find("symbol"); it != url->params().end() && (*it).has_value) {
        base = (*it).value;
      }
      const std::string data = open_interest_data_ ? open_interest_data_(base) : "[]";
      return json_response(req, 200, envelope(data));
    }
    return json_response(req, 404, error_envelope(404, "not found"));
  }

 private:
  const std::string funding_data_;
  const std::function<std::string(const std::string& base)> open_interest_data_;
  sim_ws::Guarded<SimCoinglassFaults> faults_;
};

}  // namespace

struct SimCoinglassServer::Impl {
  std::shared_ptr<CoinglassProtocol> protocol;
  std::shared_ptr<sim_ws::Server> server;
};

SimCoinglassServer::SimCoinglassServer(boost::asio::io_context& io, SimCoinglassOptions options,
                                       std::uint16_t port)
    : impl_(std::make_shared<Impl>()) {
  impl_->protocol = std::make_shared<CoinglassProtocol>(options);
  sim_ws::SessionRules rules;
  rules.beast_timeouts = true;  // as this stand-in always ran: Beast times idle sessions
  impl_->server = sim_ws::Server::start(io, options.identity, port, sim_ws::stream_options(options),
                                        std::move(rules), impl_->protocol);
}

SimCoinglassServer::~SimCoinglassServer() {
  impl_->server->stop();
}

std::uint16_t SimCoinglassServer::port() const {
  return impl_->server->port();
}

std::string SimCoinglassServer::ws_url() const {
  return sim_ws::local_wss_url(port(), ws_path);
}

std::string SimCoinglassServer::rest_url() const {
  return sim_ws::local_https_url(port());
}

SimCoinglassRecord SimCoinglassServer::record() const {
  sim_ws::ServerRecord r = impl_->server->record();
  SimCoinglassRecord out = sim_ws::common_record<SimCoinglassRecord>(r);
  out.rest_api_keys = std::move(r.rest_header_values);
  return out;
}

void SimCoinglassServer::set_faults(const SimCoinglassFaults& faults) {
  impl_->protocol->set_faults(faults);
}

void SimCoinglassServer::drop_connections() {
  impl_->server->drop_connections();
}

void SimCoinglassServer::stop() {
  impl_->server->stop();
}

}  // namespace teleglas
