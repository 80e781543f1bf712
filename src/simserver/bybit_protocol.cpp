// Bybit v5 public linear (docs: v5/ws/connect, v5/websocket/public/all-liquidation and trade).
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <set>

#include "venue_protocols.hpp"

namespace teleglas::sim_ws {

namespace {

using namespace std::chrono_literals;

constexpr std::string_view path = "/v5/public/linear";
// "for one public connection, you cannot have length of "args" array over 21,000 characters"
// (linear has no count limit; spot's 10 args per request does not apply).
constexpr std::size_t args_characters_limit = 21'000;

// Topic families of the public linear stream and how many dot-separated parts each has:
// allLiquidation.BTCUSDT, orderbook.50.BTCUSDT, ...
struct TopicFamily {
  std::string_view name;
  std::size_t parts;
};
constexpr TopicFamily families[] = {
    {"allLiquidation", 2}, {"publicTrade", 2}, {"tickers", 2}, {"orderbook", 3}, {"kline", 3}};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

std::string answer(bool success, std::string_view ret_msg, std::string_view conn_id,
                   std::string_view req_id, std::string_view op) {
  return fmt::format(R"({{"success":{},"ret_msg":{},"conn_id":{},"req_id":{},"op":{}}})", success,
                     json_quote(ret_msg), json_quote(conn_id), json_quote(req_id), json_quote(op));
}

class BybitSession : public Session {
 public:
  BybitSession(std::string conn_id, std::set<std::string, std::less<>> symbols,
               SimVenueFaults faults)
      : conn_id_(std::move(conn_id)), symbols_(std::move(symbols)), faults_(std::move(faults)) {}

  Replies on_text(std::string_view message) override {
    Replies replies;
    boost::system::error_code ec;
    const boost::json::value request = boost::json::parse(message, ec);
    if (ec || !request.is_object()) return replies;  // Bybit says nothing to what it cannot read
    const boost::json::object& o = request.get_object();
    const std::string op = string_member(o, "op");
    const std::string req_id = req_id_of(o);
    if (op == "ping") {
      return heartbeat_replies(faults_, answer(true, "pong", conn_id_, req_id, "ping"));
    }
    if (op != "subscribe" && op != "unsubscribe") {
      replies.texts.push_back(answer(false, "error:unsupported op " + op, conn_id_, req_id, op));
      return replies;
    }
    std::vector<std::string> topics;
    const boost::json::value* args = o.if_contains("args");
    if (args != nullptr && args->is_array()) {
      for (const boost::json::value& a : args->get_array()) {
        topics.emplace_back(a.is_string() ? std::string_view(a.get_string()) : "");
      }
    }
    if (op == "unsubscribe") {
      for (const std::string& t : topics) topics_.erase(t);
      replies.texts.push_back(answer(true, "", conn_id_, req_id, op));
      return replies;
    }
    ++replies.subscribe_requests;
    const std::string refusal = refusal_of(topics);
    if (!refusal.empty()) {
      ++replies.subscribe_errors;
      replies.texts.push_back(answer(false, refusal, conn_id_, req_id, op));
      return replies;
    }
    topics_.insert(topics.begin(), topics.end());
    replies.texts.push_back(answer(true, "", conn_id_, req_id, op));
    replies.subscribed = true;
    return replies;
  }

  bool wants(std::string_view key) const override { return topics_.contains(key); }

 private:
  // Bybit echoes req_id as a string, "" when there was none.
  static std::string req_id_of(const boost::json::object& o) {
    const boost::json::value* v = o.if_contains("req_id");
    if (v == nullptr) return {};
    if (v->is_string()) return std::string(v->get_string());
    if (v->is_int64()) return std::to_string(v->get_int64());
    if (v->is_uint64()) return std::to_string(v->get_uint64());
    return {};
  }

  // Why the whole request is refused, or "" when every topic is good.
  std::string refusal_of(const std::vector<std::string>& topics) const {
    if (faults_.reject_subscriptions) return "Params Error";
    if (topics.empty()) return "error:args must not be empty";
    std::size_t characters = 0;
    for (const std::string& t : topics_) characters += t.size();
    for (const std::string& topic : topics) {
      const std::vector<std::string_view> parts = split(topic, '.');
      const auto family =
          std::find_if(std::begin(families), std::end(families),
                       [&](const TopicFamily& f) { return f.name == parts.front(); });
      if (family == std::end(families) || parts.size() != family->parts) {
        return "error:handler not found,topic:" + topic;
      }
      if (!symbols_.contains(parts.back())) return "Invalid symbol :[" + topic + "]";
      if (!topics_.contains(topic)) characters += topic.size();
    }
    if (characters > args_characters_limit) {
      return fmt::format("error:args length exceeds {} characters", args_characters_limit);
    }
    return {};
  }

  const std::string conn_id_;
  const std::set<std::string, std::less<>> symbols_;
  const SimVenueFaults faults_;  // as they were at the upgrade
  std::set<std::string, std::less<>> topics_;
};

class BybitProtocol : public VenueProtocol {
 public:
  using VenueProtocol::VenueProtocol;

  std::string_view server_name() const override { return "teleglas-sim-bybit"; }
  std::string_view ws_path() const override { return path; }

  SessionRules documented_rules() const override {
    // "if there is no ping-pong and no stream data sent from server end, the connection will
    // be cut off after 10 minutes" — how is not documented: the connection just ends.
    SessionRules rules;
    rules.idle_timeout_ms = 10min / 1ms;
    return rules;
  }

  FrameInfo describe_object(const boost::json::object& o) const override {
    FrameInfo info;
    if (const auto* topic = o.if_contains("topic"); topic != nullptr && topic->is_string()) {
      info.key = topic->get_string();
    }
    if (const auto* ts = o.if_contains("ts"); ts != nullptr && ts->is_int64()) {
      info.time = ts->get_int64();
    }
    return info;
  }

  std::unique_ptr<Session> open_session(std::string_view, std::uint64_t connection) override {
    std::set<std::string, std::less<>> symbols;
    for (const VenueInstrument& i : instruments()) symbols.insert(i.symbol());
    return std::make_unique<BybitSession>(
        fmt::format("sim{:013x}-{}", connection + 1, connection % 100), std::move(symbols),
        faults());
  }
};

}  // namespace

std::shared_ptr<VenueProtocol> make_bybit_protocol(const SimVenueOptions& options) {
  return std::make_shared<BybitProtocol>(options);
}

}  // namespace teleglas::sim_ws
