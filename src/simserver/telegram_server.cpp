#include "teleglas/simserver/telegram_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <list>
#include <mutex>

#include "teleglas/net/tls_context.hpp"

namespace teleglas {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto io_timeout = std::chrono::seconds(30);
constexpr std::string_view server_name = "teleglas-sim-telegram";

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

json::object error_body(unsigned status, std::string_view description) {
  return {{"ok", false}, {"error_code", status}, {"description", description}};
}

// "/bot<TOKEN>/sendMessage" -> TOKEN; nullopt for any other path.
std::optional<std::string> token_of(std::string_view target) {
  constexpr std::string_view prefix = "/bot";
  constexpr std::string_view suffix = "/sendMessage";
  if (target.size() < prefix.size() + suffix.size() || !target.starts_with(prefix) ||
      !target.ends_with(suffix)) {
    return std::nullopt;
  }
  return std::string(target.substr(prefix.size(), target.size() - prefix.size() - suffix.size()));
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

}  // namespace

struct SimTelegramServer::Impl : std::enable_shared_from_this<SimTelegramServer::Impl> {
  Impl(net::io_context& io, SimTelegramOptions opts, std::uint16_t port)
      : io(io),
        options(std::move(opts)),
        tls(make_server_tls_context(options.identity)),
        acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), port)),
        port(acceptor.local_endpoint().port()) {}

  static net::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (!self->acceptor.is_open()) co_return;
      if (ec) {
        // E.g. out of descriptors: pause instead of spinning.
        net::steady_timer pause(self->io, std::chrono::milliseconds(50));
        co_await pause.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      auto stream = std::make_shared<TlsStream>(std::move(socket), self->tls);
      self->sessions.push_back(stream);
      net::co_spawn(self->io, serve(self, stream), net::detached);
    }
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
      Response res = self->answer(req);
      const bool keep_alive = res.keep_alive();
      auto [write_ec, written] =
          co_await http::async_write(*stream, res, net::as_tuple(net::use_awaitable));
      if (write_ec || !keep_alive) break;
    }
    tcp_layer.expires_after(io_timeout);
    co_await stream->async_shutdown(net::as_tuple(net::use_awaitable));
  }

  Response answer(const Request& req) {
    const auto token = token_of(req.target());
    if (req.method() != http::verb::post || !token) {
      return json_response(req, 404, error_body(404, "Not Found"));
    }
    SimTelegramMessage message;
    message.token = *token;
    message.received_at = std::chrono::steady_clock::now();
    boost::system::error_code ec;
    const json::value body = json::parse(req.body(), ec);
    if (ec || !body.is_object()) {
      return json_response(req, 400, error_body(400, "Bad Request: can't parse JSON"));
    }
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

    std::lock_guard lock(mutex);
    Response res;
    if (message.token != options.token) {
      res = json_response(req, 401, error_body(401, "Unauthorized"));
    } else if (rate_limited_left > 0) {
      --rate_limited_left;
      json::object b =
          error_body(429, "Too Many Requests: retry after " + std::to_string(retry_after_s));
      b["parameters"] = json::object{{"retry_after", retry_after_s}};
      res = json_response(req, 429, b);
    } else if (server_errors_left > 0) {
      --server_errors_left;
      res = json_response(req, server_error_status,
                          error_body(server_error_status, "Internal Server Error"));
    } else {
      const std::int64_t message_id = next_message_id++;
      json::object result{{"message_id", message_id},
                          {"chat", json::object{{"id", message.chat_id}}},
                          {"date", std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()},
                          {"text", message.text}};
      res = json_response(req, 200, json::object{{"ok", true}, {"result", std::move(result)}});
    }
    message.status = res.result_int();
    messages.push_back(std::move(message));
    return res;
  }

  void close_all() {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto& weak : sessions) {
      if (auto s = weak.lock()) beast::get_lowest_layer(*s).close();
    }
    sessions.clear();
  }

  net::io_context& io;
  const SimTelegramOptions options;
  net::ssl::context tls;
  tcp::acceptor acceptor;
  const std::uint16_t port;  // kept: the acceptor is not to be touched off the io thread
  std::list<std::weak_ptr<TlsStream>> sessions;  // io thread only

  mutable std::mutex mutex;  // guards what tests read or change from their thread
  std::vector<SimTelegramMessage> messages;
  int rate_limited_left = 0;
  int retry_after_s = 0;
  int server_errors_left = 0;
  unsigned server_error_status = 500;
  std::int64_t next_message_id = 1;
};

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

void SimTelegramServer::stop() {
  // The acceptor and sessions belong to the io thread.
  net::dispatch(impl_->io, [impl = impl_] { impl->close_all(); });
}

}  // namespace teleglas
