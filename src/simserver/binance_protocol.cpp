// Binance USD-M futures market streams on the 2026 `/market` route (docs: derivatives/
// usds-margined-futures/websocket-market-streams and its Important WebSocket Change Notice;
// the JSON request format and errors as in binance-spot-api-docs web-socket-streams.md).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <chrono>

#include "venue_protocols.hpp"

namespace teleglas::sim_ws {

namespace {

using namespace std::chrono_literals;

// Market streams (aggTrade, forceOrder, markPrice, ...) are served on /market only; /public
// carries the high-frequency book streams, and the legacy routes were retired on 2026-04-23:
// both still accept a connection that asks them for market streams, and push nothing.
constexpr std::string_view market_path = "/market/stream";
constexpr std::string_view silent_paths[] = {"/public/stream", "/stream"};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "<symbol>@<type>[@<option>]" or "!<type>@arr": Binance refuses names without both halves.
bool is_stream_name(std::string_view name) {
  const auto at = name.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == name.size()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '@' || c == '_' || c == '!' ||
           c == '-';
  });
}

std::string error(int code, std::string_view msg, std::string_view id_json) {
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"msg":)" + json_quote(msg) +
         R"(},"id":)" + std::string(id_json) + "}";
}

std::string result(std::string_view result_json, std::string_view id_json) {
  return R"({"result":)" + std::string(result_json) + R"(,"id":)" + std::string(id_json) + "}";
}

// "a 64-bit signed integer, an alphanumeric string (max length 36), or null"
bool is_request_id(const boost::json::value& id) {
  if (id.is_null() || id.is_int64() || id.is_uint64()) return true;
  if (!id.is_string() || id.get_string().size() > 36) return false;
  const std::string_view s = id.get_string();
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

class BinanceSession : public Session {
 public:
  BinanceSession(bool serves_market_streams, std::vector<std::string> url_streams,
                 SimVenueFaults faults)
      : serves_(serves_market_streams), faults_(std::move(faults)) {
    for (std::string& s : url_streams) add(std::move(s));
  }

  bool streams_at_upgrade() const override { return !streams_.empty(); }
  bool wants(std::string_view key) const override {
    return serves_ && std::find(keys_.begin(), keys_.end(), key) != keys_.end();
  }

  Replies on_text(std::string_view message) override {
    Replies replies;
    boost::system::error_code ec;
    const boost::json::value request = boost::json::parse(message, ec);
    if (ec) {
      replies.texts.push_back(error(3, "Invalid JSON: expected value at line 1 column 1", "null"));
      return replies;
    }
    if (!request.is_object()) {
      replies.texts.push_back(error(2, "Invalid request: expected a JSON object", "null"));
      return replies;
    }
    const boost::json::object& o = request.get_object();
    const boost::json::value* id = o.if_contains("id");
    if (id == nullptr || !is_request_id(*id)) {
      replies.texts.push_back(
          error(2, "Invalid request: request ID must be an unsigned integer", "null"));
      return replies;
    }
    const std::string id_json = boost::json::serialize(*id);
    const boost::json::value* method = o.if_contains("method");
    if (method == nullptr || !method->is_string()) {
      replies.texts.push_back(error(2, "Invalid request: missing field `method`", id_json));
      return replies;
    }
    const std::string_view name = method->get_string();
    if (name == "LIST_SUBSCRIPTIONS") {
      boost::json::array list;
      for (const std::string& s : streams_) list.emplace_back(s);
      replies.texts.push_back(result(boost::json::serialize(list), id_json));
      return replies;
    }
    if (name == "GET_PROPERTY") {
      replies.texts.push_back(result("true", id_json));  // "combined": always, on /stream
      return replies;
    }
    if (name == "SET_PROPERTY") {
      replies.texts.push_back(result("null", id_json));
      return replies;
    }
    if (name != "SUBSCRIBE" && name != "UNSUBSCRIBE") {
      replies.texts.push_back(error(2,
                                    "Invalid request: unknown variant `" + std::string(name) +
                                        "`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, "
                                        "`LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
                                    id_json));
      return replies;
    }
    const bool subscribe = name == "SUBSCRIBE";
    if (subscribe) ++replies.subscribe_requests;
    std::vector<std::string> params;
    bool valid = !(subscribe && faults_.reject_subscriptions);
    const boost::json::value* p = o.if_contains("params");
    if (p == nullptr || !p->is_array() || p->get_array().empty()) valid = false;
    if (valid) {
      for (const boost::json::value& v : p->get_array()) {
        if (!v.is_string() || !is_stream_name(v.get_string())) valid = false;
        if (v.is_string()) params.emplace_back(v.get_string());
      }
    }
    if (!valid) {
      if (subscribe) ++replies.subscribe_errors;
      replies.texts.push_back(error(2, "Invalid request: invalid stream", id_json));
      return replies;
    }
    for (std::string& s : params) {
      if (subscribe) {
        add(std::move(s));
      } else {
        remove(s);
      }
    }
    replies.texts.push_back(result("null", id_json));
    replies.subscribed = subscribe;
    return replies;
  }

 private:
  void add(std::string stream) {
    std::string key = lowercase(stream);
    if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) return;
    keys_.push_back(std::move(key));
    streams_.push_back(std::move(stream));
  }
  void remove(std::string_view stream) {
    const std::string key = lowercase(stream);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == key) {
        keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(i));
        streams_.erase(streams_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
    }
  }

  const bool serves_;
  const SimVenueFaults faults_;       // as they were at the upgrade
  std::vector<std::string> streams_;  // as the client named them, for LIST_SUBSCRIPTIONS
  std::vector<std::string> keys_;     // the same, lowercase: stream names match ignoring case
};

class BinanceProtocol : public VenueProtocol {
 public:
  using VenueProtocol::VenueProtocol;

  std::string_view server_name() const override { return "teleglas-sim-binance"; }
  std::string_view ws_path() const override { return market_path; }
  bool is_ws_path(std::string_view p) const override {
    return p == market_path ||
           std::find(std::begin(silent_paths), std::end(silent_paths), p) != std::end(silent_paths);
  }

  SessionRules documented_rules() const override {
    // "The websocket server will send a ping frame every 3 minutes. If the websocket server
    // does not receive a pong frame back from the connection within a 10 minute period, the
    // connection will be disconnected." "A single connection is only valid for 24 hours."
    SessionRules rules;
    rules.ping_interval_ms = 3min / 1ms;
    rules.pong_timeout_ms = 10min / 1ms;
    rules.max_age_ms = 24h / 1ms;
    rules.max_age_close = {1001, ""};
    return rules;
  }

  FrameInfo describe_object(const boost::json::object& o) const override {
    FrameInfo info;
    if (const auto* stream = o.if_contains("stream"); stream != nullptr && stream->is_string()) {
      info.key = lowercase(stream->get_string());
    }
    if (const auto* data = o.if_contains("data"); data != nullptr && data->is_object()) {
      if (const auto* e = data->get_object().if_contains("E"); e != nullptr && e->is_int64()) {
        info.time = e->get_int64();
      }
    }
    return info;
  }

  std::unique_ptr<Session> open_session(std::string_view target, std::uint64_t) override {
    std::vector<std::string> streams;
    bool market = false;
    if (auto url = boost::urls::parse_origin_form(target)) {
      market = url->path() == market_path;
      if (auto it = url->params().find("streams"); it != url->params().end() && (*it).has_value) {
        const std::string value = (*it).value;  // a copy: *it is a temporary
        std::string_view list = value;
        while (!list.empty()) {
          const auto slash = list.find('/');
          if (slash != 0) streams.emplace_back(list.substr(0, slash));
          if (slash == std::string_view::npos) break;
          list.remove_prefix(slash + 1);
        }
      }
    }
    return std::make_unique<BinanceSession>(market, std::move(streams), faults());
  }
};

}  // namespace

std::shared_ptr<VenueProtocol> make_binance_protocol(const SimVenueOptions& options) {
  return std::make_shared<BinanceProtocol>(options);
}

}  // namespace teleglas::sim_ws
