#include "teleglas/app/telegram_sink.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <set>
#include <stdexcept>

#include "teleglas/alerts/bot_commands.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {

namespace {

namespace net = boost::asio;
namespace json = boost::json;

// Long enough to be idle, short enough that a wrong clock never parks the sender for long.
constexpr TimeMs idle_wait_ms = 60'000;
constexpr TimeMs max_poll_retry_ms = 60'000;
// Against a server that answers getUpdates at once instead of holding it: commands still get
// answered within seconds, at a few requests per minute.
constexpr TimeMs max_quick_empty_wait_ms = 5'000;
constexpr std::string_view offset_key = "telegram.update_offset";
constexpr std::string_view mute_key_prefix = "telegram.muted_until.";

std::string send_message_body(ChatId chat_id, const std::string& text, bool silent) {
  return json::serialize(json::object{{"chat_id", chat_id},
                                      {"text", text},
                                      {"parse_mode", "HTML"},
                                      {"link_preview_options", json::object{{"is_disabled", true}}},
                                      {"disable_notification", silent}});
}

std::string get_updates_body(std::int64_t offset, int timeout_s) {
  json::object body{{"timeout", timeout_s},
                    {"allowed_updates", json::array{"message", "channel_post"}}};
  if (offset > 0) body["offset"] = offset;
  return json::serialize(body);
}

// parameters.retry_after of a 429 body; the Retry-After header, else 1 s, when it is missing.
std::int64_t retry_after_of(const HttpsResponse& res) {
  const UpdatesAnswer answer = parse_get_updates(res.body);  // reads any Bot API error body
  if (answer.retry_after_s > 0) return answer.retry_after_s;
  return res.retry_after ? res.retry_after->count() : 1;
}

// The description Telegram gave, for logs: it names the problem (chat not found, bot blocked)
// and, unlike the URL, never contains the token.
std::string description_of(const HttpsResponse& res) {
  return parse_get_updates(res.body).description;
}

// 401 and 404 mean the token itself is wrong: every request fails alike until it is fixed,
// so alerts wait (and age out) rather than being thrown away one by one.
bool is_token_problem(unsigned status) {
  return status == 401 || status == 404;
}

std::string bot_username_of(const std::string& get_me_body) {
  boost::system::error_code ec;
  const json::value v = json::parse(get_me_body, ec);
  if (ec || !v.is_object()) return {};
  const auto* result = v.get_object().if_contains("result");
  if (result == nullptr || !result->is_object()) return {};
  const auto* name = result->get_object().if_contains("username");
  return name != nullptr && name->is_string() ? std::string(name->get_string()) : std::string();
}

StoredAlert to_stored(const AlertRecord& r, TimeMs created_wall) {
  return StoredAlert{r.id,
                     r.chat_id,
                     static_cast<int>(r.priority),
                     std::string(to_string(r.type)),
                     r.symbol,
                     r.text,
                     r.headline,
                     r.silent,
                     created_wall};
}

std::optional<AlertRecord> from_stored(const StoredAlert& s) {
  const auto type = signal_type_from_string(s.type);
  if (!type || s.priority < static_cast<int>(Priority::none) ||
      s.priority > static_cast<int>(Priority::urgent)) {
    return std::nullopt;
  }
  return AlertRecord{s.id,       s.chat_id, static_cast<Priority>(s.priority),
                     *type,      s.symbol,  s.text,
                     s.headline, s.silent};
}

std::string stream_state(const DaemonHealth& h, TimeMs now) {
  const std::size_t live = h.live_connections();
  if (h.connections.empty()) return "not started";
  std::string state = live == h.connections.size() ? "live" : (live == 0 ? "down" : "partly live");
  state +=
      " (" + std::to_string(live) + "/" + std::to_string(h.connections.size()) + " connections";
  if (live == 0 && h.stream_down_since > 0) {
    state += ", for " + format_duration(now - h.stream_down_since);
  }
  state += ", " + std::to_string(h.reconnects) + " reconnects)";
  return state;
}

// Ids continue above every id the store has seen: a reused id would collide with an old row.
std::uint64_t first_alert_id(OutboxStore* store) {
  if (store == nullptr) return 1;
  const std::uint64_t max_id = store->max_alert_id();
  if (max_id == 0 && !store->last_error().empty()) {
    throw std::runtime_error("storage: cannot read the outbox: " + store->last_error());
  }
  return max_id + 1;
}

enum class Outcome { sent, retry, rejected };

}  // namespace

struct TelegramSink::Impl : std::enable_shared_from_this<TelegramSink::Impl> {
  Impl(net::io_context& io, const TelegramConfig& config, const std::string& bot_token,
       TelegramSinkOptions opts)
      : io(io),
        config(config),
        send_target("/bot" + bot_token + "/sendMessage"),
        updates_target("/bot" + bot_token + "/getUpdates"),
        me_target("/bot" + bot_token + "/getMe"),
        clock(opts.monotonic_clock ? opts.monotonic_clock : steady_now_ms),
        wall_clock(opts.wall_clock ? opts.wall_clock : system_now_ms),
        store(opts.store),
        health(std::move(opts.health)),
        poll_retry_ms(opts.poll_retry.count()),
        outbox_config(opts.outbox ? *opts.outbox : outbox_config_from(config)),
        outbox(outbox_config, first_alert_id(store)),
        client(io.get_executor(), config.api_url,
               HttpsClientOptions{.ca_file = config.ca_file, .timeout = opts.request_timeout}),
        // A long poll is held by Telegram for timeout seconds: allow for that plus a request.
        updates_client(io.get_executor(), config.api_url,
                       HttpsClientOptions{.ca_file = config.ca_file,
                                          .timeout = std::chrono::seconds(config.poll_timeout_s) +
                                                     opts.request_timeout}),
        wakeup(io),
        poll_wait(io),
        started_wall(wall_clock()) {}

  // ---- the durable outbox ---------------------------------------------------------------

  void restore_from_store() {
    if (store == nullptr) return;
    const TimeMs wall = wall_clock();
    const TimeMs now = clock();
    std::vector<std::uint64_t> too_old;
    for (const StoredAlert& stored : store->unsent_alerts()) {
      const TimeMs age = std::max<TimeMs>(0, wall - stored.created_ms);
      const auto record = from_stored(stored);
      if (!record) {
        spdlog::error("storage: queued alert {} is unreadable (type '{}'); dropped", stored.id,
                      stored.type);
        store->mark_dropped(std::span(&stored.id, 1), wall, "unreadable");
        continue;
      }
      if (age > outbox_config.max_alert_age_ms) {
        too_old.push_back(stored.id);
      } else if (outbox.restore(*record, now - age, now)) {
        ++stats.restored;
      }
    }
    if (stats.restored > 0) {
      spdlog::info("telegram: {} alert(s) queued before the restart will be sent now",
                   stats.restored);
    }
    if (!too_old.empty()) {
      store->mark_dropped(too_old, wall, "older than telegram.max_alert_age_s at restart");
      stats.dropped += too_old.size();
      const std::string what = fmt::format(
          "{} alert(s) queued before the restart were older than {} s and were not sent",
          too_old.size(), outbox_config.max_alert_age_ms / 1000);
      spdlog::warn("telegram: {}", what);
      notify_admins(what);
    }
  }

  void save(const std::vector<AlertRecord>& records) {
    if (store == nullptr) return;
    const TimeMs wall = wall_clock();
    for (const AlertRecord& r : records) {
      if (!store->save_alert(to_stored(r, wall))) {
        ++stats.store_errors;
        spdlog::error("storage: {}; alert {} for chat {} is queued in memory only",
                      store->last_error(), r.id, r.chat_id);
      }
    }
  }

  void mark_sent(const OutgoingAlert& alert) {
    if (store == nullptr || alert.alert_ids.empty()) return;
    if (!store->mark_sent(alert.alert_ids, wall_clock())) {
      ++stats.store_errors;
      spdlog::error("storage: {}; alert(s) {} may be sent again after a restart",
                    store->last_error(), fmt::join(alert.alert_ids, ","));
    }
  }

  void mark_dropped(const OutgoingAlert& alert, std::string_view reason) {
    if (store == nullptr || alert.alert_ids.empty()) return;
    if (!store->mark_dropped(alert.alert_ids, wall_clock(), reason)) {
      ++stats.store_errors;
      spdlog::error("storage: {}", store->last_error());
    }
  }

  // ---- the sender -----------------------------------------------------------------------

  static net::awaitable<void> run_sender(std::shared_ptr<Impl> self) {
    while (!self->stopped) {
      const TimeMs now = self->clock();
      self->housekeeping(now);
      if (auto alert = self->outbox.take_ready(now)) {
        co_await self->send(*alert);
        continue;
      }
      TimeMs until = now + idle_wait_ms;
      if (auto next = self->outbox.next_wakeup(now)) until = std::min(until, *next);
      self->wakeup.expires_after(std::chrono::milliseconds(std::max<TimeMs>(until - now, 0)));
      co_await self->wakeup.async_wait(net::as_tuple(net::use_awaitable));
    }
  }

  void housekeeping(TimeMs now) {
    outbox.compact(now);
    std::size_t dropped_alerts = 0;
    for (const OutgoingAlert& old : outbox.expire(now)) {
      if (old.kind == OutgoingAlert::Kind::notice) {
        spdlog::warn("telegram: dropped a notice for chat {}: older than {} s", old.chat_id,
                     outbox_config.max_alert_age_ms / 1000);
        continue;
      }
      spdlog::warn("telegram: dropped {} alert(s) for chat {}: older than {} s", old.alert_count,
                   old.chat_id, outbox_config.max_alert_age_ms / 1000);
      stats.dropped += static_cast<std::uint64_t>(old.alert_count);
      dropped_alerts += static_cast<std::size_t>(old.alert_count);
      mark_dropped(old, "older than telegram.max_alert_age_s");
    }
    if (dropped_alerts > 0) {
      notify_admins(fmt::format(
          "{} alert(s) were dropped: still unsent after {} s (Telegram unreachable or rate "
          "limited)",
          dropped_alerts, outbox_config.max_alert_age_ms / 1000));
    }
  }

  net::awaitable<void> send(const OutgoingAlert& alert) {
    const auto [outcome, failure] = co_await post(alert.chat_id, alert.text, alert.silent);
    const TimeMs now = clock();
    switch (outcome) {
      case Outcome::sent:
        outbox.on_sent(alert.id, now);
        mark_sent(alert);
        break;
      case Outcome::retry:
        outbox.on_failed(alert.id, now, failure);
        break;
      case Outcome::rejected:
        // A 400 or 403 (chat not found, bot blocked) cannot succeed on retry: take it out of
        // the queue, which the Outbox only does on success, and count it as dropped.
        outbox.on_sent(alert.id, now);
        if (alert.kind == OutgoingAlert::Kind::alert) {
          stats.dropped += static_cast<std::uint64_t>(alert.alert_count);
          mark_dropped(alert, "rejected by Telegram");
          notify_admins(fmt::format("Telegram refused an alert for chat {}: {}", alert.chat_id,
                                    last_rejection));
        }
        break;
    }
  }

  // One sendMessage. Logs name the chat and the status, never the URL: the token is in it.
  net::awaitable<std::pair<Outcome, SendFailure>> post(ChatId chat_id, const std::string& html,
                                                       bool silent) {
    const HttpsResponse res = co_await client.request(
        "POST", send_target, {}, send_message_body(chat_id, html, silent), "application/json");
    if (stopped) co_return std::pair{Outcome::retry, SendFailure::transport()};
    if (res.ok()) {
      ++stats.sent;
      token_refused = false;
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
    if (is_token_problem(res.status)) {
      if (!token_refused) {
        spdlog::error(
            "telegram: the Bot API refused the bot token (HTTP {} {}): check TELEGRAM_BOT_TOKEN; "
            "alerts stay queued until they are {} s old",
            res.status, description_of(res), outbox_config.max_alert_age_ms / 1000);
      }
      token_refused = true;
      co_return std::pair{Outcome::retry, SendFailure::server_error()};
    }
    last_rejection = fmt::format("HTTP {} {}", res.status, description_of(res));
    spdlog::error("telegram: sendMessage to chat {} rejected: {}", chat_id, last_rejection);
    co_return std::pair{Outcome::rejected, SendFailure{}};
  }

  // ---- notices, mutes, commands ---------------------------------------------------------

  const std::vector<ChatId>& admin_chats() const {
    return config.admin_chat_ids.empty() ? config.chat_ids : config.admin_chat_ids;
  }

  void notify_admins(std::string_view text) {
    // Cut before escaping, so that no entity is split; an entity is at most 5 characters.
    const std::string html = html_escape(text.substr(0, telegram_max_message_chars / 5));
    const TimeMs now = clock();
    for (ChatId chat : std::set<ChatId>(admin_chats().begin(), admin_chats().end())) {
      outbox.enqueue_notice(chat, html, Priority::urgent, now);
    }
    wake();
  }

  void reply(ChatId chat, std::string html) {
    outbox.enqueue_notice(chat, std::move(html), Priority::urgent, clock());
    ++stats.commands_answered;
    wake();
  }

  std::optional<TimeMs> muted_until(ChatId chat, TimeMs wall) const {
    const auto it = mutes.find(chat);
    if (it == mutes.end() || it->second <= wall) return std::nullopt;
    return it->second;
  }

  void load_mutes() {
    if (store == nullptr) return;
    const TimeMs wall = wall_clock();
    for (ChatId chat : config.chat_ids) {
      const auto value = store->setting(std::string(mute_key_prefix) + std::to_string(chat));
      if (!value) continue;
      try {
        const TimeMs until = std::stoll(*value);
        if (until > wall) {
          mutes[chat] = until;
          spdlog::info("telegram: chat {} is muted until {}", chat, format_utc(until));
        }
      } catch (const std::exception&) {
        spdlog::warn("storage: ignoring unreadable mute of chat {}", chat);
      }
    }
  }

  void save_mute(ChatId chat, TimeMs until) {
    if (store == nullptr) return;
    if (!store->set_setting(std::string(mute_key_prefix) + std::to_string(chat),
                            std::to_string(until))) {
      ++stats.store_errors;
      spdlog::error("storage: {}; the mute of chat {} will not survive a restart",
                    store->last_error(), chat);
    }
  }

  bool allowed(ChatId chat) const {
    const auto listed = [chat](const std::vector<ChatId>& chats) {
      return std::find(chats.begin(), chats.end(), chat) != chats.end();
    };
    return listed(config.chat_ids) || listed(config.admin_chat_ids);
  }

  StatusSnapshot status_of(ChatId chat) const {
    StatusSnapshot s;
    s.now_ms = wall_clock();
    s.started_ms = started_wall;
    if (health) {
      const DaemonHealth h = health();
      s.connection = stream_state(h, s.now_ms);
      s.messages_per_min = static_cast<double>(h.frames_last_minute);
      s.signals_today = h.signals_today;
      if (h.started_ms > 0) s.started_ms = h.started_ms;
    } else {
      s.connection = "unknown";
    }
    s.queue_depth = outbox.pending_alerts();
    s.muted_until = muted_until(chat, s.now_ms);
    s.alerts_sent = outbox.stats().delivered;
    s.alerts_dropped = stats.dropped;
    return s;
  }

  StatsSnapshot stats_snapshot() const {
    StatsSnapshot s;
    if (health) {
      const DaemonHealth h = health();
      s.signals_today = h.signals_today;
      s.signals_total = h.signals;
    }
    return s;  // win rates need recorded outcomes, which the store does not keep yet
  }

  void handle(const BotUpdate& update) {
    const auto command = parse_bot_command(update.text, bot_username);
    if (!command) return;  // chatter in a group, not for us
    if (!allowed(update.chat_id)) {
      ++stats.commands_ignored;
      spdlog::warn("telegram: ignored {} from chat {} (@{}): not in telegram.chat_ids",
                   command->word, update.chat_id, update.from);
      return;
    }
    spdlog::info("telegram: {} from chat {} (@{})", command->word, update.chat_id, update.from);
    const TimeMs wall = wall_clock();
    switch (command->name) {
      case BotCommand::Name::status:
        return reply(update.chat_id, status_reply(status_of(update.chat_id)));
      case BotCommand::Name::stats:
        return reply(update.chat_id, stats_reply(stats_snapshot()));
      case BotCommand::Name::help:
        return reply(update.chat_id, help_reply());
      case BotCommand::Name::mute: {
        if (command->bad_argument) return reply(update.chat_id, bad_argument_reply(*command));
        const int minutes = command->minutes.value_or(default_mute_minutes);
        const TimeMs until = wall + static_cast<TimeMs>(minutes) * 60'000;
        mutes[update.chat_id] = until;
        save_mute(update.chat_id, until);
        return reply(update.chat_id, mute_reply(until, minutes));
      }
      case BotCommand::Name::unmute: {
        const bool was_muted = muted_until(update.chat_id, wall).has_value();
        mutes.erase(update.chat_id);
        save_mute(update.chat_id, 0);
        return reply(update.chat_id, unmute_reply(was_muted));
      }
      case BotCommand::Name::unknown:
        return reply(update.chat_id, unknown_command_reply(*command));
    }
  }

  // The single getUpdates poller. The offset is saved after the batch is handled, so a crash
  // in between answers a command twice rather than never.
  static net::awaitable<void> run_poller(std::shared_ptr<Impl> self) {
    std::int64_t offset = 0;
    if (self->store != nullptr) {
      if (const auto saved = self->store->setting(offset_key)) {
        offset = std::strtoll(saved->c_str(), nullptr, 10);
      }
    }
    {
      const HttpsResponse me = co_await self->updates_client.request("POST", self->me_target);
      if (self->stopped) co_return;
      if (me.ok()) self->bot_username = bot_username_of(me.body);
    }
    TimeMs retry_ms = self->poll_retry_ms;
    TimeMs quick_empty_wait_ms = self->poll_retry_ms;
    bool failing = false;
    while (!self->stopped) {
      const TimeMs asked = self->clock();
      const HttpsResponse res = co_await self->updates_client.request(
          "POST", self->updates_target, {}, get_updates_body(offset, self->config.poll_timeout_s),
          "application/json");
      if (self->stopped) co_return;
      const UpdatesAnswer answer = res.error ? UpdatesAnswer{} : parse_get_updates(res.body);
      if (!res.error && res.ok() && answer.ok) {
        if (failing) spdlog::info("telegram: getUpdates works again");
        failing = false;
        retry_ms = self->poll_retry_ms;
        for (const BotUpdate& update : answer.messages) self->handle(update);
        if (answer.next_offset > offset) {
          quick_empty_wait_ms = self->poll_retry_ms;
          offset = answer.next_offset;
          if (self->store != nullptr &&
              !self->store->set_setting(offset_key, std::to_string(offset))) {
            ++self->stats.store_errors;
            spdlog::error("storage: {}", self->store->last_error());
          }
          continue;
        }
        // Nothing new, and sooner than a long poll would have waited: a server that does not
        // hold long polls. Pause rather than spin, a little longer each time it happens.
        if (self->clock() - asked < self->config.poll_timeout_s * 500LL) {
          self->poll_wait.expires_after(std::chrono::milliseconds(quick_empty_wait_ms));
          co_await self->poll_wait.async_wait(net::as_tuple(net::use_awaitable));
          quick_empty_wait_ms = std::min(quick_empty_wait_ms * 2, max_quick_empty_wait_ms);
        } else {
          quick_empty_wait_ms = self->poll_retry_ms;
        }
        continue;
      }
      ++self->stats.update_polls_failed;
      TimeMs wait_ms = retry_ms;
      if (!failing) {
        // Logged once per outage: a poller fails every few seconds while Telegram is down.
        if (res.error) {
          spdlog::warn("telegram: getUpdates failed: {}; commands wait", res.error.message());
        } else if (res.status == 409) {
          spdlog::error(
              "telegram: getUpdates refused: {} (another program polls this bot, or a webhook "
              "is set); commands are not answered meanwhile",
              answer.description);
        } else {
          spdlog::warn("telegram: getUpdates failed: HTTP {} {}", res.status, answer.description);
        }
      }
      failing = true;
      if (!res.error && res.status == 429)
        wait_ms = std::max<TimeMs>(1, retry_after_of(res)) * 1000;
      retry_ms = std::min(retry_ms * 2, max_poll_retry_ms);
      self->poll_wait.expires_after(std::chrono::milliseconds(wait_ms));
      co_await self->poll_wait.async_wait(net::as_tuple(net::use_awaitable));
    }
  }

  void wake() { wakeup.cancel(); }

  void stop() {
    stopped = true;
    wakeup.cancel();
    poll_wait.cancel();
    client.close();
    updates_client.close();
  }

  net::io_context& io;
  const TelegramConfig config;
  const std::string send_target;  // secret: these hold the token
  const std::string updates_target;
  const std::string me_target;
  std::function<TimeMs()> clock;
  std::function<TimeMs()> wall_clock;
  OutboxStore* store;
  std::function<DaemonHealth()> health;
  TimeMs poll_retry_ms;
  OutboxConfig outbox_config;
  Outbox outbox;
  HttpsClient client;
  HttpsClient updates_client;  // its own connection: a long poll holds it for seconds
  net::steady_timer wakeup;    // the sender sleeps on it; cancelled when there is new work
  net::steady_timer poll_wait;
  TimeMs started_wall;
  std::map<ChatId, TimeMs> mutes;  // wall-clock end of each chat's mute
  std::string bot_username;
  std::string last_rejection;
  TelegramSinkStats stats;
  bool token_refused = false;
  bool stopped = false;
  bool started = false;
};

TelegramSink::TelegramSink(net::io_context& io, const TelegramConfig& config, std::string bot_token,
                           TelegramSinkOptions options)
    : impl_(std::make_shared<Impl>(io, config, bot_token, std::move(options))) {}

TelegramSink::~TelegramSink() {
  stop();
}

void TelegramSink::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->load_mutes();
  impl_->restore_from_store();
  net::co_spawn(impl_->io, Impl::run_sender(impl_), net::detached);
  if (impl_->config.commands) net::co_spawn(impl_->io, Impl::run_poller(impl_), net::detached);
}

void TelegramSink::stop() {
  net::dispatch(impl_->io, [impl = impl_] { impl->stop(); });
}

void TelegramSink::on_signal(const Signal& signal) {
  Impl& impl = *impl_;
  const TimeMs wall = impl.wall_clock();
  std::vector<ChatId> chats;
  for (ChatId chat : impl.config.chat_ids) {
    if (impl.muted_until(chat, wall)) {
      ++impl.stats.muted;
      spdlog::info("telegram: chat {} is muted: {} {} not sent there", chat, to_string(signal.type),
                   signal.symbol);
    } else {
      chats.push_back(chat);
    }
  }
  if (chats.empty()) return;
  impl.save(impl.outbox.enqueue(signal, chats, impl.clock()));
  impl.wake();
}

void TelegramSink::on_admin_notice(std::string_view text) {
  impl_->notify_admins(text);
}

void TelegramSink::set_health_source(std::function<DaemonHealth()> health) {
  impl_->health = std::move(health);
}

std::string TelegramSink::health_summary() const {
  const TelegramSinkStats& s = impl_->stats;
  return fmt::format(" telegram sent {} failed {} dropped {} muted {} queued {}{}", s.sent,
                     s.failed, s.dropped, s.muted, impl_->outbox.pending_alerts(),
                     s.store_errors > 0 ? fmt::format(" store errors {}", s.store_errors) : "");
}

TelegramSinkStats TelegramSink::stats() const {
  return impl_->stats;
}

OutboxStats TelegramSink::outbox_stats() const {
  return impl_->outbox.stats();
}

std::size_t TelegramSink::queued_alerts() const {
  return impl_->outbox.pending_alerts();
}

}  // namespace teleglas
