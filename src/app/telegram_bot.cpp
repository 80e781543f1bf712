#include "teleglas/app/telegram_bot.hpp"

#include <fmt/format.h>
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
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <utility>

#include "bot_api.hpp"
#include "storage_jobs.hpp"
#include "teleglas/alerts/bot_commands.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {

namespace {

namespace net = boost::asio;
namespace json = boost::json;

constexpr TimeMs max_poll_retry_ms = 60'000;
// Against a server that answers getUpdates at once instead of holding it: commands still get
// answered within seconds, at a few requests per minute.
constexpr TimeMs max_quick_empty_wait_ms = 5'000;
constexpr std::string_view offset_key = "telegram.update_offset";
constexpr std::string_view mute_key_prefix = "telegram.muted_until.";

std::string get_updates_body(std::int64_t offset, int timeout_s) {
  json::object body{{"timeout", timeout_s},
                    {"allowed_updates", json::array{"message", "channel_post"}}};
  if (offset > 0) body["offset"] = offset;
  return json::serialize(body);
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

// Each source's connections, in the order the daemon runs them.
std::vector<SourceStatus> source_states(const DaemonHealth& h) {
  std::vector<SourceStatus> out;
  for (const ConnectionHealth& c : h.connection_details) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const SourceStatus& s) { return s.name == c.source; });
    if (it == out.end()) it = out.insert(out.end(), SourceStatus{c.source});
    ++it->connections;
    if (c.state == ConnectionState::live) {
      ++it->live;
    } else {
      // Read only when none is live: since the last of them went down.
      it->down_since_ms = std::max(it->down_since_ms, c.down_since_ms);
    }
  }
  return out;
}

// The bot's settings as start() reads them back.
struct SavedSettings {
  bool store_open = true;               // false: the writer knows why (StorageWriter::describe)
  std::map<ChatId, std::string> mutes;  // chat -> the stored end of its mute, as text
  std::optional<std::string> offset;
  std::string error;
};

// Every configured chat's mute and the getUpdates offset, on the writer's thread.
SavedSettings read_saved_settings(Store* store, const std::vector<ChatId>& chats) {
  SavedSettings saved;
  if (store == nullptr) {
    saved.store_open = false;
    saved.error = "no store is open";
    return saved;
  }
  // last_error() keeps the last failure of any call: a change says these reads failed.
  const std::string before = store->last_error();
  for (ChatId chat : chats) {
    if (auto value = store->setting(std::string(mute_key_prefix) + std::to_string(chat))) {
      saved.mutes[chat] = std::move(*value);
    }
  }
  saved.offset = store->setting(offset_key);
  if (store->last_error() != before) saved.error = store->last_error();
  return saved;
}

// /stats over history: the statistics, or nullopt and why not.
struct HistoryRead {
  std::optional<HistoryStats> stats;
  std::string error;
};

HistoryRead read_history_stats(Store* store, TimeMs since) {
  if (store == nullptr) return {std::nullopt, "no store is open"};
  const auto rows = store->signals_since(since);
  if (!rows) return {std::nullopt, store->last_error()};
  return {compute_history_stats(*rows), {}};
}

}  // namespace

struct TelegramBot::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context& io, const TelegramConfig& config, const std::string& bot_token,
       std::shared_ptr<TelegramSender> sender, TelegramOptions opts)
      : io(io),
        config(config),
        updates_target("/bot" + bot_token + "/getUpdates"),
        me_target("/bot" + bot_token + "/getMe"),
        sender(std::move(sender)),
        clock(opts.monotonic_clock ? opts.monotonic_clock : steady_now_ms),
        wall_clock(opts.wall_clock ? opts.wall_clock : system_now_ms),
        storage(opts.storage),
        stats_span_ms(std::llround(opts.stats_lookback_days * 86'400'000.0)),
        health(std::move(opts.health)),
        poll_retry_ms(opts.poll_retry.count()),
        // A long poll is held by Telegram for timeout seconds: allow for that plus a request.
        updates_client(io.get_executor(), config.api_url,
                       HttpsClientOptions{.ca_file = config.ca_file,
                                          .timeout = std::chrono::seconds(config.poll_timeout_s) +
                                                     opts.request_timeout}),
        poll_wait(io),
        started_wall(wall_clock()) {}

  // ---- mutes --------------------------------------------------------------------------------

  std::optional<TimeMs> muted_until(ChatId chat, TimeMs wall) const {
    const auto it = mutes.find(chat);
    if (it == mutes.end() || it->second <= wall) return std::nullopt;
    return it->second;
  }

  std::vector<ChatId> recipients(const Signal& signal) {
    const TimeMs wall = wall_clock();
    std::vector<ChatId> chats;
    for (ChatId chat : config.chat_ids) {
      if (muted_until(chat, wall)) {
        ++stats.muted;
        spdlog::info("telegram: chat {} is muted: {} {} not sent there", chat,
                     to_string(signal.type), signal.symbol);
      } else {
        chats.push_back(chat);
      }
    }
    return chats;
  }

  // Startup: the one place the io thread waits for the store.
  void load_settings() {
    if (storage == nullptr) return;
    const SavedSettings saved = storage->call(
        [chats = config.chat_ids](Store* store) { return read_saved_settings(store, chats); });
    if (!saved.error.empty()) {
      ++stats.store_errors;
      spdlog::error(
          "storage: cannot read the bot's settings: {}; mutes and the getUpdates offset may not "
          "carry over from the last run",
          saved.store_open ? saved.error : storage->describe());
    }
    const TimeMs wall = wall_clock();
    for (const auto& [chat, value] : saved.mutes) {
      try {
        const TimeMs until = std::stoll(value);
        if (until > wall) {
          mutes[chat] = until;
          spdlog::info("telegram: chat {} is muted until {}", chat, format_utc(until));
        }
      } catch (const std::exception&) {
        spdlog::warn("storage: ignoring unreadable mute of chat {}", chat);
      }
    }
    if (saved.offset) saved_offset = std::strtoll(saved.offset->c_str(), nullptr, 10);
  }

  void save_setting(std::string key, std::string value, std::string consequence) {
    if (storage == nullptr) return;
    write_on_storage(
        *storage, io.get_executor(), weak_from_this(),
        [key = std::move(key), value = std::move(value)](Store& store) {
          return store.set_setting(key, value);
        },
        std::move(consequence));
  }

  void save_mute(ChatId chat, TimeMs until) {
    save_setting(std::string(mute_key_prefix) + std::to_string(chat), std::to_string(until),
                 fmt::format("the mute of chat {} will not survive a restart", chat));
  }

  // ---- commands -----------------------------------------------------------------------------

  void reply(ChatId chat, std::string html) {
    sender->send_notice(chat, std::move(html));
    ++stats.commands_answered;
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
      s.sources = source_states(h);
      s.messages_per_min = static_cast<double>(h.frames_last_minute);
      s.signals_today = h.signals_today;
      if (h.started_ms > 0) s.started_ms = h.started_ms;
    } else {
      s.connection = "unknown";
    }
    s.queue_depth = sender->queued_alerts();
    s.muted_until = muted_until(chat, s.now_ms);
    s.alerts_sent = sender->outbox_stats().delivered;
    s.alerts_dropped = sender->stats().dropped;
    return s;
  }

  StatsSnapshot stats_snapshot() const {
    StatsSnapshot s;
    s.history_span_ms = stats_span_ms;
    if (health) {
      const DaemonHealth h = health();
      s.signals_today = h.signals_today;
      s.signals_total = h.signals;
    }
    return s;
  }

  // The counts are taken now; the history is read and tallied on the writer's thread, and the
  // reply goes out when it is back.
  void answer_stats(ChatId chat) {
    StatsSnapshot snapshot = stats_snapshot();
    if (storage == nullptr) return reply(chat, stats_reply(snapshot));
    on_storage(
        *storage, io.get_executor(), weak_from_this(),
        [since = wall_clock() - stats_span_ms](Store* store) {
          return read_history_stats(store, since);
        },
        [chat, snapshot](Impl& self, HistoryRead read) mutable {
          if (self.stopped) return;
          if (!read.stats) {
            ++self.stats.store_errors;
            spdlog::error("storage: {}; /stats answered without history", read.error);
          }
          snapshot.history = std::move(read.stats);
          self.reply(chat, stats_reply(snapshot));
        });
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
        return answer_stats(update.chat_id);
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

  // ---- the poller ---------------------------------------------------------------------------

  // The single getUpdates poller. The offset is saved after the batch is handled, so a crash
  // in between answers a command twice rather than never.
  static net::awaitable<void> run_poller(std::shared_ptr<Impl> self) {
    std::int64_t offset = self->saved_offset;
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
          self->save_setting(std::string(offset_key), std::to_string(offset),
                             "commands of this batch may be answered again after a restart");
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

  void stop() {
    stopped = true;
    poll_wait.cancel();
    updates_client.close();
  }

  net::io_context& io;
  const TelegramConfig config;
  const std::string updates_target;  // secret: these hold the token
  const std::string me_target;
  const std::shared_ptr<TelegramSender> sender;
  std::function<TimeMs()> clock;
  std::function<TimeMs()> wall_clock;
  StorageWriter* storage;
  TimeMs stats_span_ms;  // /stats reports this much history
  std::function<DaemonHealth()> health;
  TimeMs poll_retry_ms;
  HttpsClient updates_client;  // its own connection: a long poll holds it for seconds
  net::steady_timer poll_wait;
  TimeMs started_wall;
  std::map<ChatId, TimeMs> mutes;  // wall-clock end of each chat's mute
  std::int64_t saved_offset = 0;   // the getUpdates offset the store had at start
  std::string bot_username;
  TelegramStats stats;
  bool stopped = false;
  bool started = false;
};

TelegramBot::TelegramBot(net::io_context& io, const TelegramConfig& config,
                         const std::string& bot_token, std::shared_ptr<TelegramSender> sender,
                         TelegramOptions options)
    : impl_(std::make_shared<Impl>(io, config, bot_token, std::move(sender), std::move(options))) {}

TelegramBot::~TelegramBot() {
  stop();
}

void TelegramBot::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->load_settings();
  if (impl_->config.commands) net::co_spawn(impl_->io, Impl::run_poller(impl_), net::detached);
}

void TelegramBot::stop() {
  net::dispatch(impl_->io, [impl = impl_] { impl->stop(); });
}

std::vector<ChatId> TelegramBot::recipients(const Signal& signal) {
  return impl_->recipients(signal);
}

void TelegramBot::set_health_source(std::function<DaemonHealth()> health) {
  impl_->health = std::move(health);
}

TelegramStats TelegramBot::stats() const {
  return impl_->stats;
}

}  // namespace teleglas
