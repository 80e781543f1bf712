#include "teleglas/simserver/telegram_server.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <map>
#include <chrono>
#include <deque>
#include <functional>
#include <limits>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include "accept_loop.hpp"
#include "teleglas/net/tls_context.hpp"

namespace teleglas {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace urls = boost::urls;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto io_timeout = std::chrono::seconds(30);
// Telegram holds a long poll for at most about 50 s whatever timeout the bot asks for.
constexpr int max_poll_timeout_s = 50;
constexpr int max_updates_per_call = 100;
// Real update_ids are large and never start at 0; a base makes an offset of 0 distinguishable.
constexpr std::int64_t first_update_id = 1000;
// The sender of pushed group messages when no better id is known: any positive user id.
constexpr std::int64_t group_sender_base_id = 500'000'000;
constexpr std::string_view server_name = "teleglas-sim-telegram";
constexpr std::string_view conflict_description =
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running";

Response json_response(const Request& req, unsigned status, const json::value& body) {
  Response res;
  res.version(req.version());
  res.result(status);
  res.set(http::field::server, server_name);
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = json::serialize(body);
  res.prepare_payload();
  return res;
}


// Telegram's limit on a photo's caption, counted on the text shown.
constexpr std::size_t max_caption_chars = 1024;

// UTF-16 code units of UTF-8 text, as Telegram counts lengths: four-byte sequences are two.
std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (const char c : utf8) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) != 0x80) units += byte >= 0xF0 ? 2 : 1;
  }
  return units;
}

// The parts of a multipart/form-data body by name: {value, content type}. Empty when the body
// is not one.
std::map<std::string, std::pair<std::string, std::string>> form_parts(std::string_view content_type,
                                                                    std::string_view body) {
  std::map<std::string, std::pair<std::string, std::string>> parts;
  const std::size_t at = content_type.find("boundary=");
  if (!content_type.starts_with("multipart/form-data") || at == std::string_view::npos) {
    return parts;
  }
  std::string_view boundary = content_type.substr(at + 9);
  if (const std::size_t end = boundary.find(';'); end != std::string_view::npos) {
    boundary = boundary.substr(0, end);
  }
  if (boundary.size() >= 2 && boundary.front() == '"') boundary = boundary.substr(1, boundary.size() - 2);
  const std::string delimiter = "--" + std::string(boundary);
  std::size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") break;  // the closing delimiter
    const std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) break;
    const std::string_view headers = body.substr(pos, headers_end - pos);
    const std::size_t next = body.find("\r\n" + delimiter, headers_end + 4);
    if (next == std::string_view::npos) break;
    const std::string_view value = body.substr(headers_end + 4, next - headers_end - 4);
    std::string name;
    if (const std::size_t n = headers.find("name=\""); n != std::string_view::npos) {
      const std::size_t close = headers.find('"', n + 6);
      if (close != std::string_view::npos) name = std::string(headers.substr(n + 6, close - n - 6));
    }
    std::string type;
    if (const std::size_t t = headers.find("Content-Type: "); t != std::string_view::npos) {
      const std::size_t eol = headers.find("\r\n", t);
      type = std::string(headers.substr(t + 14, eol == std::string_view::npos ? eol : eol - t - 14));
    }
    if (!name.empty()) parts[name] = {std::string(value), type};
    pos = next + 2;
  }
  return parts;
}

json::object error_body(unsigned status, std::string_view description) {
  return {{"ok", false}, {"error_code", status}, {"description", description}};
}

json::object too_many_requests_body(int retry_after_s) {
  json::object body =
      error_body(429, "Too Many Requests: retry after " + std::to_string(retry_after_s));
  body["parameters"] = json::object{{"retry_after", retry_after_s}};
  return body;
}

// What Telegram says along with an injected failure status.
json::object injected_error_body(unsigned status) {
  switch (status) {
    case 400:
      return error_body(status, "Bad Request");
    case 401:
      return error_body(status, "Unauthorized");
    case 403:
      return error_body(status, "Forbidden");
    case 404:
      return error_body(status, "Not Found");
    case 409:
      return error_body(status, conflict_description);
    case 429:
      return too_many_requests_body(1);
    default:
      return error_body(status, "Internal Server Error");
  }
}

Response not_found(const Request& req) {
  return json_response(req, 404, error_body(404, "Not Found"));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct BotCall {
  std::string token;
  std::string method;
};

// "/bot<TOKEN>/<method>" -> token and method; nullopt for any other path.
std::optional<BotCall> bot_call_of(std::string_view path) {
  constexpr std::string_view prefix = "/bot";
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  const auto slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size() ||
      path.find('/', slash + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return BotCall{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

std::int64_t int_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return 0;
}

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Parameters in a query string or form body arrive as strings and in a JSON body as typed
// values; Telegram takes 5 and "5" alike, so both kinds are read from one JSON object.
void add_form_params(urls::params_encoded_view params, json::object& out) {
  const urls::encoding_opts form{/*space_as_plus=*/true};
  for (const auto& param : params) {
    out[param.key.decode(form)] = param.has_value ? param.value.decode(form) : std::string();
  }
}

std::optional<std::int64_t> integer_param(const json::object& params, std::string_view key) {
  const json::value* v = params.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_string()) {
    const std::string_view s = v->get_string();
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size()) return n;
  }
  return std::nullopt;
}

// A JSON array of strings, or (from a query string or form) such an array serialized.
std::optional<std::vector<std::string>> string_list_param(const json::object& params,
                                                          std::string_view key) {
  const json::value* v = params.if_contains(key);
  if (v == nullptr) return std::nullopt;
  json::value parsed;
  if (v->is_string()) {
    boost::system::error_code ec;
    parsed = json::parse(v->get_string(), ec);
    if (ec) return std::nullopt;
    v = &parsed;
  }
  if (!v->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::value& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

SimGetUpdatesCall get_updates_call_of(const json::object& params) {
  SimGetUpdatesCall call;
  call.offset = integer_param(params, "offset").value_or(0);
  call.timeout_s = static_cast<int>(std::clamp<std::int64_t>(
      integer_param(params, "timeout").value_or(0), 0, std::numeric_limits<int>::max()));
  call.limit = static_cast<int>(std::clamp<std::int64_t>(
      integer_param(params, "limit").value_or(max_updates_per_call), 1, max_updates_per_call));
  call.allowed_updates = string_list_param(params, "allowed_updates");
  return call;
}

// Telegram leaves these out unless a bot asks for them by name.
bool wanted_by_default(std::string_view update_type) {
  return update_type != "chat_member" && update_type != "message_reaction" &&
         update_type != "message_reaction_count";
}

// A private chat is the user; in a group the sender needs an id of their own, stable per name.
std::int64_t sender_id(std::int64_t chat_id, const std::string& username) {
  if (chat_id > 0) return chat_id;
  return group_sender_base_id +
         static_cast<std::int64_t>(std::hash<std::string>{}(username) % 100'000'000);
}

// Clients find commands through this entity, not by looking at the text.
std::optional<json::object> bot_command_entity(std::string_view text) {
  if (!text.starts_with('/')) return std::nullopt;
  const std::size_t length = std::min(text.find_first_of(" \n\t"), text.size());
  return json::object{{"type", "bot_command"}, {"offset", 0}, {"length", length}};
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// The character an HTML entity body ("amp", "#8212", "#x1F4E1") stands for; nullopt for one
// Telegram does not know, which it would show as written.
std::optional<std::string> decode_entity(std::string_view name) {
  if (name == "lt") return "<";
  if (name == "gt") return ">";
  if (name == "amp") return "&";
  if (name == "quot") return "\"";
  if (!name.starts_with('#') || name.size() < 2) return std::nullopt;
  name.remove_prefix(1);
  int base = 10;
  if (name.starts_with('x') || name.starts_with('X')) {
    base = 16;
    name.remove_prefix(1);
  }
  std::uint32_t code_point = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), code_point, base);
  if (ec != std::errc() || end != name.data() + name.size() || code_point > 0x10FFFF) {
    return std::nullopt;
  }
  std::string out;
  append_utf8(out, code_point);
  return out;
}

struct QueuedUpdate {
  std::int64_t update_id = 0;
  json::object update;
};

}  // namespace

struct SimTelegramServer::Impl : std::enable_shared_from_this<SimTelegramServer::Impl> {
  Impl(net::io_context& io, SimTelegramOptions opts, std::uint16_t port)
      : io(io),
        options(std::move(opts)),
        tls(make_server_tls_context(options.identity)),
        acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)),
        port(acceptor.local_endpoint().port()) {}

  static net::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    co_await sim_ws::accept_connections(self->acceptor, [&self](tcp::socket socket) {
      auto stream = std::make_shared<TlsStream>(std::move(socket), self->tls);
      self->sessions.push_back(stream);
      net::co_spawn(self->io, serve(self, stream), net::detached);
    });
  }

  static net::awaitable<void> serve(std::shared_ptr<Impl> self, std::shared_ptr<TlsStream> stream) {
    auto& tcp_layer = beast::get_lowest_layer(*stream);
    tcp_layer.expires_after(io_timeout);
    auto [handshake_ec] = co_await stream->async_handshake(net::ssl::stream_base::server,
                                                           net::as_tuple(net::use_awaitable));
    if (handshake_ec) co_return;
    beast::flat_buffer buffer;
    for (;;) {
      Request req;
      tcp_layer.expires_after(io_timeout);
      auto [read_ec, read] =
          co_await http::async_read(*stream, buffer, req, net::as_tuple(net::use_awaitable));
      if (read_ec) co_return;  // the client went away, idled out or sent garbage
      std::optional<Response> res = co_await self->answer(req);
      if (!res) {
        tcp_layer.close();  // an injected drop, or stop() during a held answer
        co_return;
      }
      const bool keep_alive = res->keep_alive();
      // A held answer may have outlasted the deadline set before the read.
      tcp_layer.expires_after(io_timeout);
      auto [write_ec, written] =
          co_await http::async_write(*stream, *res, net::as_tuple(net::use_awaitable));
      if (write_ec || !keep_alive) break;
    }
    tcp_layer.expires_after(io_timeout);
    co_await stream->async_shutdown(net::as_tuple(net::use_awaitable));
  }

  // nullopt: close the connection without answering. Runs inside serve(), which keeps this
  // object and `req` alive across the suspensions.
  net::awaitable<std::optional<Response>> answer(const Request& req) {
    auto target = urls::parse_origin_form(req.target());
    const auto call = target ? bot_call_of(target->path()) : std::nullopt;
    if (!call) co_return not_found(req);
    if ((call->method == "sendMessage" || call->method == "sendPhoto") &&
        req.method() == http::verb::post) {
      co_return co_await send_message(req, call->token, call->method);
    }
    const bool get_or_post = req.method() == http::verb::post || req.method() == http::verb::get;
    if (!get_or_post) co_return not_found(req);
    json::object params;
    add_form_params(target->encoded_params(), params);
    if (!req.body().empty() && !read_body_params(req, params)) {
      co_return json_response(req, 400, error_body(400, "Bad Request: can't parse JSON"));
    }
    if (call->method == "getUpdates") {
      co_return co_await get_updates(req, call->token, get_updates_call_of(params));
    }
    if (call->method == "getMe") co_return get_me(req, call->token);
    if (call->method == "getChat") co_return get_chat(req, call->token, params);
    co_return not_found(req);
  }

  Response get_me(const Request& req, const std::string& token) const {
    if (token != options.token) return json_response(req, 401, error_body(401, "Unauthorized"));
    std::int64_t bot_id = 0;  // a token is "<bot id>:<secret>"
    std::from_chars(token.data(), token.data() + token.size(), bot_id);
    json::object result{{"id", bot_id},
                        {"is_bot", true},
                        {"first_name", "TELEGLAS test bot"},
                        {"username", "teleglas_test_bot"}};
    return json_response(req, 200, json::object{{"ok", true}, {"result", std::move(result)}});
  }

  // Every chat is reachable except options.unreachable_chats, which Telegram answers as it
  // does a chat the bot was never added to.
  Response get_chat(const Request& req, const std::string& token,
                    const json::object& params) const {
    if (token != options.token) return json_response(req, 401, error_body(401, "Unauthorized"));
    std::int64_t chat_id = int_field(params, "chat_id");
    if (const json::value* v = params.if_contains("chat_id"); v && v->is_string()) {
      const std::string_view text = v->get_string();
      std::from_chars(text.data(), text.data() + text.size(), chat_id);
    }
    if (chat_id == 0) {
      return json_response(req, 400, error_body(400, "Bad Request: chat_id is empty"));
    }
    std::lock_guard lock(mutex);
    if (std::find(unreachable_chats.begin(), unreachable_chats.end(), chat_id) !=
        unreachable_chats.end()) {
      return json_response(req, 400, error_body(400, "Bad Request: chat not found"));
    }
    json::object result{{"id", chat_id}, {"type", chat_id < 0 ? "supergroup" : "private"}};
    return json_response(req, 200, json::object{{"ok", true}, {"result", std::move(result)}});
  }

  // Adds a JSON or form body's parameters to `params`; false for a body that is neither.
  static bool read_body_params(const Request& req, json::object& params) {
    const std::string_view type = req[http::field::content_type];
    if (type.starts_with("application/x-www-form-urlencoded")) {
      auto form = urls::parse_query(req.body());
      if (!form) return false;
      add_form_params(*form, params);
      return true;
    }
    boost::system::error_code ec;
    json::value body = json::parse(req.body(), ec);
    if (ec || !body.is_object()) return false;
    for (auto& param : body.get_object()) params[param.key()] = std::move(param.value());
    return true;
  }

  net::awaitable<std::optional<Response>> send_message(const Request& req, std::string token,
                                                       std::string method) {
    const auto arrived = Clock::now();
    std::optional<Response> res =
        record_send_message(req, std::move(token), std::move(method), arrived);
    std::chrono::milliseconds delay{0};
    {
      std::lock_guard lock(mutex);
      delay = response_delay;
    }
    if (res && delay > std::chrono::milliseconds(0)) {
      co_await hold_until(arrived + delay, [] { return false; });
      if (stopped) res.reset();
    }
    co_return res;
  }

  // Reads the message, answers and records it, and shows it to on_delivered when delivered;
  // nullopt for an injected drop.
  std::optional<Response> record_send_message(const Request& req, std::string token,
                                              std::string method, Clock::time_point arrived) {
    SimTelegramMessage message;
    message.method = std::move(method);
    message.token = std::move(token);
    message.received_at = arrived;
    if (message.method == "sendPhoto") {
      const bool parsed = read_photo(req, message);
      std::optional<Response> res = answer_send_message(req, message, parsed);
      if (message.status == 200 && options.on_delivered) options.on_delivered(message);
      return res;
    }
    boost::system::error_code ec;
    const json::value body = json::parse(req.body(), ec);
    const bool parsed = !ec && body.is_object();
    if (parsed) {
      const json::object& o = body.get_object();
      message.chat_id = int_field(o, "chat_id");
      message.text = string_field(o, "text");
      message.parse_mode = string_field(o, "parse_mode");
      if (const json::value* v = o.if_contains("disable_notification"); v && v->is_bool()) {
        message.disable_notification = v->get_bool();
      }
      if (const json::value* v = o.if_contains("link_preview_options")) {
        message.link_preview_options = json::serialize(*v);
      }
    }

    std::optional<Response> res = answer_send_message(req, message, parsed);
    // Outside the lock: the callback may read messages().
    if (message.status == 200 && options.on_delivered) options.on_delivered(message);
    return res;
  }

  // A sendPhoto's form: false when it carries no photo (or is no form at all).
  static bool read_photo(const Request& req, SimTelegramMessage& message) {
    auto parts = form_parts(req[http::field::content_type], req.body());
    const auto field = [&](const char* name) {
      const auto it = parts.find(name);
      return it == parts.end() ? std::string() : it->second.first;
    };
    std::from_chars(field("chat_id").data(), field("chat_id").data() + field("chat_id").size(),
                    message.chat_id);
    message.caption = field("caption");
    message.parse_mode = field("parse_mode");
    message.disable_notification = field("disable_notification") == "true";
    const auto photo = parts.find("photo");
    if (photo == parts.end() || photo->second.first.empty()) return false;
    message.photo = std::move(photo->second.first);
    message.photo_content_type = photo->second.second;
    return true;
  }

  // Decides the answer and records `message` with its status; nullopt for an injected drop.
  std::optional<Response> answer_send_message(const Request& req, SimTelegramMessage& message,
                                              bool parsed) {
    std::lock_guard lock(mutex);
    if (drops_left > 0) {
      // The network lost it, whatever it said.
      --drops_left;
      message.status = 0;
      messages.push_back(message);
      return std::nullopt;
    }
    if (!parsed) {
      const char* what = message.method == "sendPhoto" ? "Bad Request: there is no photo in the request"
                                                       : "Bad Request: can't parse JSON";
      message.status = 400;
      messages.push_back(message);
      return json_response(req, 400, error_body(400, what));
    }
    Response res;
    if (message.token != options.token) {
      res = json_response(req, 401, error_body(401, "Unauthorized"));
    } else if (message.method == "sendPhoto" && photo_refusals_left > 0) {
      --photo_refusals_left;
      res = json_response(req, 400, error_body(400, photo_refusal));
    } else if (message.method == "sendPhoto" &&
               utf16_length(displayed_text(message)) > max_caption_chars) {
      res = json_response(req, 400, error_body(400, "Bad Request: message caption is too long"));
    } else if (rate_limited_left > 0) {
      --rate_limited_left;
      res = json_response(req, 429, too_many_requests_body(retry_after_s));
    } else if (server_errors_left > 0) {
      --server_errors_left;
      res = json_response(req, server_error_status, injected_error_body(server_error_status));
    } else {
      json::object result{{"message_id", next_message_id++},
                          {"chat", json::object{{"id", message.chat_id}}},
                          {"date", unix_now()},
                          {"text", message.text}};
      res = json_response(req, 200, json::object{{"ok", true}, {"result", std::move(result)}});
    }
    message.status = res.result_int();
    messages.push_back(message);
    return res;
  }

  net::awaitable<std::optional<Response>> get_updates(const Request& req, std::string token,
                                                      SimGetUpdatesCall call) {
    call.received_at = Clock::now();
    if (auto refused = start_get_updates(req, token, call)) co_return refused;

    // A newer poll ends this one, as only one poller per token may run.
    const std::uint64_t generation = ++poll_generation;
    wake_held();
    const auto hold_for = std::chrono::seconds(std::min(call.timeout_s, max_poll_timeout_s));
    co_await hold_until(call.received_at + hold_for, [this, generation] {
      if (poll_generation != generation) return true;
      std::lock_guard lock(mutex);
      return !updates.empty();
    });
    if (stopped) co_return std::nullopt;
    if (poll_generation != generation) co_return json_response(req, 409, injected_error_body(409));

    json::array result;
    {
      std::lock_guard lock(mutex);
      for (const QueuedUpdate& queued : updates) {
        if (result.size() >= static_cast<std::size_t>(call.limit)) break;
        result.push_back(queued.update);
      }
    }
    co_return json_response(req, 200, json::object{{"ok", true}, {"result", std::move(result)}});
  }

  // Records the call and applies its offset and allowed_updates; an answer when the call is
  // refused instead.
  std::optional<Response> start_get_updates(const Request& req, const std::string& token,
                                            const SimGetUpdatesCall& call) {
    std::lock_guard lock(mutex);
    get_updates_calls.push_back(call);
    if (token != options.token) return json_response(req, 401, error_body(401, "Unauthorized"));
    if (get_updates_failures_left > 0) {
      --get_updates_failures_left;
      return json_response(req, get_updates_failure_status,
                           injected_error_body(get_updates_failure_status));
    }
    if (call.offset > 0) {
      std::erase_if(updates, [&](const QueuedUpdate& u) { return u.update_id < call.offset; });
    } else if (call.offset < 0) {
      // -N: keep only the last N updates, forget the rest.
      const auto keep = static_cast<std::size_t>(-call.offset);
      if (updates.size() > keep) updates.erase(updates.begin(), updates.end() - keep);
    }
    if (call.allowed_updates) allowed_update_types = *call.allowed_updates;
    return std::nullopt;
  }

  // Suspends until `ready()`, `deadline` or stop(). Pushed updates, new polls and stop() wake
  // every holder to look again; a timer per holder keeps the deadline exact.
  net::awaitable<void> hold_until(Clock::time_point deadline, std::function<bool()> ready) {
    net::steady_timer timer(io);
    while (!stopped && !ready() && Clock::now() < deadline) {
      timer.expires_at(deadline);
      const auto entry = held.insert(held.end(), &timer);
      co_await timer.async_wait(net::as_tuple(net::use_awaitable));
      held.erase(entry);
    }
  }

  void wake_held() {
    // cancel() never resumes a holder inline, so `held` is not changed during the loop.
    for (net::steady_timer* timer : held) timer->cancel();
  }

  std::int64_t take_message_id() {
    std::lock_guard lock(mutex);
    return next_message_id++;
  }

  // Numbers and queues `fields` (an update without update_id) unless the bot's allowed_updates
  // filters its type out, then wakes held polls.
  std::optional<std::int64_t> enqueue(const json::object& fields) {
    const std::string type = fields.empty() ? std::string() : std::string(fields.begin()->key());
    std::int64_t update_id = 0;
    {
      std::lock_guard lock(mutex);
      const bool wanted =
          allowed_update_types.empty()
              ? wanted_by_default(type)
              : std::ranges::find(allowed_update_types, type) != allowed_update_types.end();
      if (!wanted) return std::nullopt;
      update_id = next_update_id++;
      json::object update{{"update_id", update_id}};
      for (const auto& field : fields) update[field.key()] = field.value();
      updates.push_back({update_id, std::move(update)});
    }
    // Holders belong to the io thread.
    net::post(io, [self = shared_from_this()] { self->wake_held(); });
    return update_id;
  }

  void close_all() {
    stopped = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto& weak : sessions) {
      if (auto s = weak.lock()) beast::get_lowest_layer(*s).close();
    }
    sessions.clear();
    wake_held();
  }

  net::io_context& io;
  const SimTelegramOptions options;
  net::ssl::context tls;
  tcp::acceptor acceptor;
  const std::uint16_t port;  // kept: the acceptor is not to be touched off the io thread

  // io thread only.
  std::list<std::weak_ptr<TlsStream>> sessions;
  std::list<net::steady_timer*> held;  // timers of held long polls and delayed answers
  bool stopped = false;
  std::uint64_t poll_generation = 0;  // bumped by every accepted getUpdates

  mutable std::mutex mutex;  // guards what tests read or change from their thread
  std::vector<std::int64_t> unreachable_chats;
  std::vector<SimTelegramMessage> messages;
  int rate_limited_left = 0;
  int retry_after_s = 0;
  int server_errors_left = 0;
  unsigned server_error_status = 500;
  int drops_left = 0;
  int photo_refusals_left = 0;
  std::string photo_refusal;
  std::chrono::milliseconds response_delay{0};
  std::int64_t next_message_id = 1;  // shared by sent and pushed messages, as in one chat
  std::deque<QueuedUpdate> updates;  // unconfirmed, in update_id order
  std::int64_t next_update_id = first_update_id;
  std::vector<std::string> allowed_update_types;  // the bot's last allowed_updates; empty = default
  std::vector<SimGetUpdatesCall> get_updates_calls;
  int get_updates_failures_left = 0;
  unsigned get_updates_failure_status = 500;
};

std::string displayed_text(const SimTelegramMessage& message) {
  const std::string& text = message.method == "sendPhoto" ? message.caption : message.text;
  if (message.parse_mode != "HTML") return text;
  std::string out;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t special = rest.find_first_of("<&");
    out += rest.substr(0, special);
    if (special == std::string_view::npos) break;
    rest.remove_prefix(special);
    const std::size_t end = rest.find(rest.front() == '<' ? '>' : ';');
    if (end == std::string_view::npos) {  // not markup after all: shown as written
      out += rest;
      break;
    }
    if (rest.front() == '&') {
      const auto decoded = decode_entity(rest.substr(1, end - 1));
      out += decoded ? *decoded : std::string(rest.substr(0, end + 1));
    }
    rest.remove_prefix(end + 1);
  }
  return out;
}

SimTelegramServer::SimTelegramServer(net::io_context& io, SimTelegramOptions options,
                                     std::uint16_t port)
    : impl_(std::make_shared<Impl>(io, std::move(options), port)) {
  net::co_spawn(io, Impl::accept_loop(impl_), net::detached);
}

SimTelegramServer::~SimTelegramServer() {
  stop();
}

std::uint16_t SimTelegramServer::port() const {
  return impl_->port;
}

std::string SimTelegramServer::api_url() const {
  return "https://127.0.0.1:" + std::to_string(port());
}

void SimTelegramServer::set_unreachable_chats(std::vector<std::int64_t> chats) {
  std::lock_guard lock(impl_->mutex);
  impl_->unreachable_chats = std::move(chats);
}

void SimTelegramServer::fail_next_with_429(int count, int retry_after_s) {
  std::lock_guard lock(impl_->mutex);
  impl_->rate_limited_left = count;
  impl_->retry_after_s = retry_after_s;
}

void SimTelegramServer::fail_next_with_status(int count, unsigned status) {
  std::lock_guard lock(impl_->mutex);
  impl_->server_errors_left = count;
  impl_->server_error_status = status;
}

void SimTelegramServer::set_response_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->response_delay = delay;
}

void SimTelegramServer::refuse_next_photos(int count, std::string description) {
  std::lock_guard lock(impl_->mutex);
  impl_->photo_refusals_left = count;
  impl_->photo_refusal = std::move(description);
}

void SimTelegramServer::drop_next_connections(int count) {
  std::lock_guard lock(impl_->mutex);
  impl_->drops_left = count;
}

std::vector<SimTelegramMessage> SimTelegramServer::messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->messages;
}

std::vector<SimTelegramMessage> SimTelegramServer::delivered() const {
  std::vector<SimTelegramMessage> out;
  for (auto& m : messages()) {
    if (m.status == 200) out.push_back(std::move(m));
  }
  return out;
}

std::optional<std::int64_t> SimTelegramServer::push_update(std::int64_t chat_id, std::string text,
                                                           std::string from_username) {
  const std::int64_t user_id = sender_id(chat_id, from_username);
  json::object chat{{"id", chat_id}};
  if (chat_id > 0) {
    chat["type"] = "private";
    chat["first_name"] = from_username;
    chat["username"] = from_username;
  } else {
    chat["type"] = "supergroup";
    chat["title"] = "Sim group " + std::to_string(chat_id);
  }
  json::object message{{"message_id", impl_->take_message_id()},
                       {"from", json::object{{"id", user_id},
                                             {"is_bot", false},
                                             {"first_name", from_username},
                                             {"username", from_username}}},
                       {"chat", std::move(chat)},
                       {"date", unix_now()},
                       {"text", text}};
  if (auto entity = bot_command_entity(text)) {
    json::array entities;
    entities.emplace_back(std::move(*entity));
    message["entities"] = std::move(entities);
  }
  return impl_->enqueue(json::object{{"message", std::move(message)}});
}

std::optional<std::int64_t> SimTelegramServer::push_raw_update(std::string update_json) {
  boost::system::error_code ec;
  const json::value update = json::parse(update_json, ec);
  if (ec || !update.is_object() || update.get_object().empty()) {
    throw std::invalid_argument("push_raw_update: not a non-empty JSON object: " + update_json);
  }
  if (update.get_object().contains("update_id")) {
    throw std::invalid_argument("push_raw_update: the server assigns update_id");
  }
  return impl_->enqueue(update.get_object());
}

std::size_t SimTelegramServer::pending_updates() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->updates.size();
}

void SimTelegramServer::fail_next_get_updates_with_status(int count, unsigned status) {
  std::lock_guard lock(impl_->mutex);
  impl_->get_updates_failures_left = count;
  impl_->get_updates_failure_status = status;
}

std::vector<SimGetUpdatesCall> SimTelegramServer::get_updates_calls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->get_updates_calls;
}

void SimTelegramServer::stop() {
  // The acceptor, sessions and holders belong to the io thread.
  net::dispatch(impl_->io, [impl = impl_] { impl->close_all(); });
}

}  // namespace teleglas
