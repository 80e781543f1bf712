#include "teleglas/app/telegram_sink.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <deque>

#include "teleglas/alerts/formatter.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {

namespace {

namespace net = boost::asio;
namespace json = boost::json;

// Long enough to be idle, short enough that a wrong clock never parks the sender for long.
constexpr TimeMs idle_wait_ms = 60'000;

TimeMs steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string send_message_body(ChatId chat_id, const std::string& text, bool silent) {
  return json::serialize(json::object{{"chat_id", chat_id},
                                      {"text", text},
                                      {"parse_mode", "HTML"},
                                      {"link_preview_options", json::object{{"is_disabled", true}}},
                                      {"disable_notification", silent}});
}

// parameters.retry_after of a 429 body; the Retry-After header, else 1 s, when it is missing.
std::int64_t retry_after_of(const HttpsResponse& res) {
  boost::system::error_code ec;
  const json::value body = json::parse(res.body, ec);
  if (!ec && body.is_object()) {
    if (const auto* params = body.get_object().if_contains("parameters");
        params != nullptr && params->is_object()) {
      if (const auto* v = params->get_object().if_contains("retry_after");
          v != nullptr && v->is_int64()) {
        return std::max<std::int64_t>(v->get_int64(), 0);
      }
    }
  }
  return res.retry_after ? res.retry_after->count() : 1;
}

// The description Telegram gave, for logs: it names the problem (chat not found, bot blocked)
// and, unlike the URL, never contains the token.
std::string description_of(const HttpsResponse& res) {
  boost::system::error_code ec;
  const json::value body = json::parse(res.body, ec);
  if (ec || !body.is_object()) return {};
  const auto* d = body.get_object().if_contains("description");
  return d != nullptr && d->is_string() ? std::string(d->get_string()) : std::string();
}

enum class Outcome { sent, retry, rejected };

}  // namespace

struct TelegramSink::Impl : std::enable_shared_from_this<TelegramSink::Impl> {
  // Operator notices bypass the Outbox, which formats signals only; they are rare.
  struct Notice {
    ChatId chat_id = 0;
    std::string html;
    TimeMs created = 0;
    TimeMs next_attempt = 0;
    int failures = 0;
  };

  Impl(net::io_context& io, const TelegramConfig& config, std::string bot_token,
       TelegramSinkOptions options)
      : io(io),
        config(config),
        target("/bot" + bot_token + "/sendMessage"),
        clock(options.monotonic_clock ? options.monotonic_clock : steady_now_ms),
        outbox(options.outbox ? *options.outbox : outbox_config_from(config)),
        outbox_config(options.outbox ? *options.outbox : outbox_config_from(config)),
        client(io.get_executor(), config.api_url,
               HttpsClientOptions{.ca_file = config.ca_file, .timeout = options.request_timeout}),
        wakeup(io) {}

  static net::awaitable<void> run(std::shared_ptr<Impl> self) {
    while (!self->stopped) {
      const TimeMs now = self->clock();
      self->housekeeping(now);
      if (auto notice = self->take_notice(now)) {
        co_await self->send_notice(std::move(*notice));
        continue;
      }
      if (auto alert = self->outbox.take_ready(now)) {
        co_await self->send_alert(*alert);
        continue;
      }
      TimeMs until = now + idle_wait_ms;
      if (auto next = self->outbox.next_wakeup(now)) until = std::min(until, *next);
      for (const Notice& n : self->notices) until = std::min(until, n.next_attempt);
      self->wakeup.expires_after(std::chrono::milliseconds(std::max<TimeMs>(until - now, 0)));
      co_await self->wakeup.async_wait(net::as_tuple(net::use_awaitable));
    }
  }

  void housekeeping(TimeMs now) {
    outbox.compact(now);
    for (const OutgoingAlert& old : outbox.expire(now)) {
      spdlog::warn("telegram: dropped {} alert(s) for chat {}: older than {} s", old.alert_count,
                   old.chat_id, outbox_config.max_alert_age_ms / 1000);
      stats.dropped += static_cast<std::uint64_t>(old.alert_count);
    }
    const auto too_old = [&](const Notice& n) {
      return now - n.created > outbox_config.max_alert_age_ms;
    };
    const auto old_notices = std::count_if(notices.begin(), notices.end(), too_old);
    if (old_notices > 0) {
      spdlog::warn("telegram: dropped {} admin notice(s): too old", old_notices);
      stats.dropped += static_cast<std::uint64_t>(old_notices);
      std::erase_if(notices, too_old);
    }
  }

  std::optional<Notice> take_notice(TimeMs now) {
    auto it = std::find_if(notices.begin(), notices.end(),
                           [&](const Notice& n) { return n.next_attempt <= now; });
    if (it == notices.end()) return std::nullopt;
    Notice n = std::move(*it);
    notices.erase(it);
    return n;
  }

  net::awaitable<void> send_notice(Notice notice) {
    const auto [outcome, failure] = co_await post(notice.chat_id, notice.html, false);
    if (outcome != Outcome::retry) co_return;
    const TimeMs now = clock();
    if (failure.kind == SendFailure::Kind::rate_limited) {
      notice.next_attempt = now + failure.retry_after_s * 1000;
    } else {
      notice.next_attempt = now + retry_delay_ms(++notice.failures, outbox_config.retry);
    }
    notices.push_back(std::move(notice));
  }

  net::awaitable<void> send_alert(const OutgoingAlert& alert) {
    const auto [outcome, failure] = co_await post(alert.chat_id, alert.text, alert.silent);
    const TimeMs now = clock();
    switch (outcome) {
      case Outcome::sent:
        outbox.on_sent(alert.id, now);
        break;
      case Outcome::retry:
        outbox.on_failed(alert.id, now, failure);
        break;
      case Outcome::rejected:
        // Retrying a 4xx (chat not found, bot blocked, bad token) cannot succeed: take it out
        // of the queue, which the Outbox only does on success, and count it as dropped.
        outbox.on_sent(alert.id, now);
        stats.dropped += static_cast<std::uint64_t>(alert.alert_count);
        break;
    }
  }

  // One sendMessage. Logs name the chat and the status, never the URL: the token is in it.
  net::awaitable<std::pair<Outcome, SendFailure>> post(ChatId chat_id, const std::string& html,
                                                       bool silent) {
    const HttpsResponse res = co_await client.request(
        "POST", target, {}, send_message_body(chat_id, html, silent), "application/json");
    if (stopped) co_return std::pair{Outcome::retry, SendFailure::transport()};
    if (res.ok()) {
      ++stats.sent;
      co_return std::pair{Outcome::sent, SendFailure{}};
    }
    ++stats.failed;
    if (res.error) {
      spdlog::warn("telegram: sendMessage to chat {} failed: {}", chat_id, res.error.message());
      co_return std::pair{Outcome::retry, SendFailure::transport()};
    }
    if (res.status == 429) {
      const std::int64_t retry_after_s = retry_after_of(res);
      spdlog::warn("telegram: sendMessage to chat {} rate limited: retry after {} s", chat_id,
                   retry_after_s);
      co_return std::pair{Outcome::retry, SendFailure::rate_limited(retry_after_s)};
    }
    if (res.status >= 500) {
      spdlog::warn("telegram: sendMessage to chat {} failed: HTTP {}", chat_id, res.status);
      co_return std::pair{Outcome::retry, SendFailure::server_error()};
    }
    spdlog::error("telegram: sendMessage to chat {} rejected: HTTP {} {}", chat_id, res.status,
                  description_of(res));
    co_return std::pair{Outcome::rejected, SendFailure{}};
  }

  void wake() { wakeup.cancel(); }

  void stop() {
    stopped = true;
    wakeup.cancel();
    client.close();
  }

  net::io_context& io;
  const TelegramConfig config;
  const std::string target;  // secret: holds the token
  std::function<TimeMs()> clock;
  Outbox outbox;
  OutboxConfig outbox_config;
  HttpsClient client;
  net::steady_timer wakeup;  // the sender sleeps on it; cancelled when there is new work
  std::deque<Notice> notices;
  TelegramSinkStats stats;
  bool stopped = false;
  bool started = false;
};

TelegramSink::TelegramSink(net::io_context& io, const TelegramConfig& config, std::string bot_token,
                           TelegramSinkOptions options)
    : impl_(std::make_shared<Impl>(io, config, std::move(bot_token), std::move(options))) {}

TelegramSink::~TelegramSink() {
  stop();
}

void TelegramSink::start() {
  if (impl_->started) return;
  impl_->started = true;
  net::co_spawn(impl_->io, Impl::run(impl_), net::detached);
}

void TelegramSink::stop() {
  net::dispatch(impl_->io, [impl = impl_] { impl->stop(); });
}

void TelegramSink::on_signal(const Signal& signal) {
  impl_->outbox.enqueue(signal, impl_->config.chat_ids, impl_->clock());
  impl_->wake();
}

void TelegramSink::on_admin_notice(std::string_view text) {
  const auto& chats =
      impl_->config.admin_chat_ids.empty() ? impl_->config.chat_ids : impl_->config.admin_chat_ids;
  const TimeMs now = impl_->clock();
  // Cut before escaping, so that no entity is split; an entity is at most 5 characters.
  const std::string html = html_escape(text.substr(0, telegram_max_message_chars / 5));
  for (ChatId chat : chats) impl_->notices.push_back({chat, html, now, now, 0});
  impl_->wake();
}

TelegramSinkStats TelegramSink::stats() const {
  return impl_->stats;
}

OutboxStats TelegramSink::outbox_stats() const {
  return impl_->outbox.stats();
}

}  // namespace teleglas
