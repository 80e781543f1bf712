#include "teleglas/app/telegram_sender.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <deque>
#include <set>
#include <utility>

#include "bot_api.hpp"
#include "storage_jobs.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "teleglas/alerts/send_photo.hpp"
#include "teleglas/app/chart_renderer.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {

namespace {

namespace net = boost::asio;
namespace json = boost::json;

// Long enough to be idle, short enough that a wrong clock never parks the sender for long.
constexpr TimeMs idle_wait_ms = 60'000;

std::string send_message_body(ChatId chat_id, const std::string& text, bool silent) {
  return json::serialize(json::object{{"chat_id", chat_id},
                                      {"text", text},
                                      {"parse_mode", "HTML"},
                                      {"link_preview_options", json::object{{"is_disabled", true}}},
                                      {"disable_notification", silent}});
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

StoredAlert to_stored(const AlertRecord& r, TimeMs created_wall) {
  return StoredAlert{r.id,
                     r.chat_id,
                     static_cast<int>(r.priority),
                     std::string(to_string(r.type)),
                     r.symbol,
                     r.text,
                     r.headline,
                     r.silent,
                     created_wall,
                     r.photo ? *r.photo : std::string()};
}

std::optional<AlertRecord> from_stored(const StoredAlert& s) {
  const auto type = signal_type_from_string(s.type);
  if (!type || s.priority < static_cast<int>(Priority::none) ||
      s.priority > static_cast<int>(Priority::urgent)) {
    return std::nullopt;
  }
  AlertRecord record{s.id,       s.chat_id, static_cast<Priority>(s.priority),
                     *type,      s.symbol,  s.text,
                     s.headline, s.silent};
  // The picture the alert was saved with: the same chart goes out after a restart.
  if (!s.photo.empty()) record.photo = std::make_shared<const std::string>(s.photo);
  return record;
}

// What start() reads back from the outbox. An error means the ids the store has used are
// unknown.
struct SavedOutbox {
  bool store_open = true;  // false: the writer knows why (StorageWriter::describe)
  std::uint64_t max_id = 0;
  std::vector<StoredAlert> unsent;
  std::string error;
};

SavedOutbox read_saved_outbox(Store* store) {
  SavedOutbox saved;
  if (store == nullptr) {
    saved.store_open = false;
    saved.error = "no store is open";
    return saved;
  }
  // last_error() keeps the last failure of any call: a change says these reads failed, and
  // after an earlier failure a 0 cannot be trusted.
  const std::string before = store->last_error();
  saved.max_id = store->max_alert_id();
  saved.unsent = store->unsent_alerts();
  if (store->last_error() != before || (saved.max_id == 0 && !before.empty())) {
    saved.error = store->last_error();
  }
  return saved;
}

// Which of a batch of alerts could not be saved, and why (the first reason).
struct SaveResult {
  std::vector<std::uint64_t> failed;
  std::string error;
};

enum class SendResult { sent, retry, rejected };

// A signal waiting for its chart before it is queued, so alerts keep their order.
struct WaitingAlert {
  std::uint64_t ticket = 0;
  Signal signal;
  std::vector<ChatId> chats;
  std::shared_ptr<const std::string> photo;
  bool ready = false;
};

}  // namespace

struct TelegramSender::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::io_context& io, const TelegramConfig& config, const std::string& bot_token,
       TelegramOptions opts)
      : io(io),
        config(config),
        send_target("/bot" + bot_token + "/sendMessage"),
        photo_target("/bot" + bot_token + "/sendPhoto"),
        clock(opts.monotonic_clock ? opts.monotonic_clock : steady_now_ms),
        wall_clock(opts.wall_clock ? opts.wall_clock : system_now_ms),
        storage(opts.storage),
        outbox_config(opts.outbox ? *opts.outbox : outbox_config_from(config)),
        outbox(outbox_config),
        client(io.get_executor(), config.api_url,
               HttpsClientOptions{.ca_file = config.ca_file, .timeout = opts.request_timeout}),
        wakeup(io) {
    if (config.charts) renderer = std::make_unique<ChartRenderer>(io.get_executor());
  }

  // ---- the durable outbox ---------------------------------------------------------------

  // Startup: the one place the io thread waits for the store.
  void restore_from_store() {
    if (storage == nullptr) return;
    const SavedOutbox saved = storage->call(read_saved_outbox);
    const TimeMs wall = wall_clock();
    if (!saved.error.empty()) {
      // Rows written before cannot be seen, so ids must not collide with any of them: ids
      // from a millisecond clock times 1000 stay above every earlier run's (fewer than 1000
      // alerts a millisecond) and far below 2^63.
      const std::uint64_t base = static_cast<std::uint64_t>(std::max<TimeMs>(wall, 0)) * 1000;
      outbox.continue_ids_after(base);
      ++stats.store_errors;
      spdlog::error(
          "storage: cannot read the outbox: {}; alerts queued before the restart are not sent "
          "now, new alert ids start above {}",
          saved.store_open ? saved.error : storage->describe(), base);
      return;
    }
    outbox.continue_ids_after(saved.max_id);
    const TimeMs now = clock();
    std::vector<std::uint64_t> too_old;
    std::vector<std::uint64_t> unreadable;
    for (const StoredAlert& stored : saved.unsent) {
      const TimeMs age = std::max<TimeMs>(0, wall - stored.created_ms);
      const auto record = from_stored(stored);
      if (!record) {
        spdlog::error("storage: queued alert {} is unreadable (type '{}'); dropped", stored.id,
                      stored.type);
        unreadable.push_back(stored.id);
        continue;
      }
      if (age > outbox_config.max_alert_age_ms) {
        too_old.push_back(stored.id);
      } else if (outbox.restore(*record, now - age, now)) {
        ++stats.restored;
      }
    }
    if (!unreadable.empty()) mark_dropped(std::move(unreadable), "unreadable");
    if (stats.restored > 0) {
      spdlog::info("telegram: {} alert(s) queued before the restart will be sent now",
                   stats.restored);
    }
    if (!too_old.empty()) {
      stats.dropped += too_old.size();
      const std::string what = fmt::format(
          "{} alert(s) queued before the restart were older than {} s and were not sent",
          too_old.size(), outbox_config.max_alert_age_ms / 1000);
      mark_dropped(std::move(too_old), "older than telegram.max_alert_age_s at restart");
      spdlog::warn("telegram: {}", what);
      notify_admins(what);
    }
  }

  // The records are saved on the writer's thread and queued when that is done, so an alert is
  // on disk before its first attempt while the io thread goes on. A failed save still queues
  // it: the alert matters more than its durability.
  void save_then_queue(std::vector<AlertRecord> records) {
    const TimeMs created = clock();
    const TimeMs wall = wall_clock();
    std::vector<StoredAlert> rows;
    for (const AlertRecord& r : records) rows.push_back(to_stored(r, wall));
    saving += records.size();
    on_storage(
        *storage, io.get_executor(), weak_from_this(),
        [rows = std::move(rows)](Store* store) {
          SaveResult result;
          for (const StoredAlert& row : rows) {
            const WriteError error =
                write_error(store, [&row](Store& s) { return s.save_alert(row); });
            if (!error) continue;
            result.failed.push_back(row.id);
            if (result.error.empty()) result.error = *error;
          }
          return result;
        },
        [records = std::move(records), created](Impl& self, const SaveResult& result) {
          self.saving -= records.size();
          for (const AlertRecord& r : records) {
            if (std::find(result.failed.begin(), result.failed.end(), r.id) ==
                result.failed.end()) {
              continue;
            }
            ++self.stats.store_errors;
            spdlog::error("storage: {}; alert {} for chat {} is queued in memory only",
                          result.error, r.id, r.chat_id);
          }
          self.queue(records, created);
        });
  }

  void queue(const std::vector<AlertRecord>& records, TimeMs created) {
    const TimeMs now = clock();
    for (const AlertRecord& r : records) outbox.restore(r, created, now);
    wake();
  }

  void mark_sent(const OutgoingAlert& alert) {
    if (storage == nullptr || alert.alert_ids.empty()) return;
    write_on_storage(
        *storage, io.get_executor(), weak_from_this(),
        [ids = alert.alert_ids, at = wall_clock()](Store& store) {
          return store.mark_sent(ids, at);
        },
        fmt::format("alert(s) {} may be sent again after a restart",
                    fmt::join(alert.alert_ids, ",")));
  }

  // The picture is done with and only the text is left, in the queue and in the store: a
  // restart must not send it again.
  void continue_as_text(const OutgoingAlert& alert, TimeMs now) {
    outbox.continue_as_text(alert.id, now);
    if (storage == nullptr || alert.alert_ids.empty()) return;
    write_on_storage(
        *storage, io.get_executor(), weak_from_this(),
        [ids = alert.alert_ids](Store& store) { return store.forget_photos(ids); },
        fmt::format("the chart of alert(s) {} may be sent again after a restart",
                    fmt::join(alert.alert_ids, ",")));
  }

  void mark_dropped(std::vector<std::uint64_t> ids, std::string_view reason) {
    if (storage == nullptr || ids.empty()) return;
    std::string consequence =
        fmt::format("alert(s) {} may be queued again after a restart", fmt::join(ids, ","));
    write_on_storage(
        *storage, io.get_executor(), weak_from_this(),
        [ids = std::move(ids), at = wall_clock(), reason = std::string(reason)](Store& store) {
          return store.mark_dropped(ids, at, reason);
        },
        std::move(consequence));
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
    while (!delivered_at.empty() && now - delivered_at.front() >= hour_ms) {
      delivered_at.pop_front();
    }
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
      mark_dropped(old.alert_ids, "older than telegram.max_alert_age_s");
    }
    if (dropped_alerts > 0) {
      notify_admins(fmt::format(
          "{} alert(s) were dropped: still unsent after {} s (Telegram unreachable or rate "
          "limited)",
          dropped_alerts, outbox_config.max_alert_age_ms / 1000));
    }
  }

  net::awaitable<void> send(const OutgoingAlert& alert) {
    if (alert.photo) co_return co_await send_photo(alert);
    const auto [outcome, failure] = co_await post(alert.chat_id, alert.text, alert.silent);
    const TimeMs now = clock();
    switch (outcome) {
      case SendResult::sent:
        outbox.on_sent(alert.id, now);
        mark_sent(alert);
        if (alert.kind == OutgoingAlert::Kind::alert) measure_delivery(alert, now);
        break;
      case SendResult::retry:
        outbox.on_failed(alert.id, now, failure);
        break;
      case SendResult::rejected:
        // A 400 or 403 (chat not found, bot blocked) cannot succeed on retry: take it out of
        // the queue, which the Outbox only does on success, and count it as dropped.
        outbox.on_sent(alert.id, now);
        if (alert.kind == OutgoingAlert::Kind::alert) {
          stats.dropped += static_cast<std::uint64_t>(alert.alert_count);
          mark_dropped(alert.alert_ids, "rejected by Telegram");
          notify_admins(fmt::format("Telegram refused an alert for chat {}: {}", alert.chat_id,
                                    last_rejection));
        }
        break;
    }
  }

  // The chart with the alert's text as its caption when Telegram allows that much, else with
  // its headline and the text as the next message. A photo Telegram refuses (a 4xx) leaves the
  // text to go alone; transient failures are retried like any message.
  net::awaitable<void> send_photo(const OutgoingAlert& alert) {
    const bool caption_fits = telegram_visible_length(alert.text) <= telegram_max_caption_chars;
    const MultipartRequest request = send_photo_request(
        alert.chat_id, *alert.photo, caption_fits ? alert.text : alert.short_caption, alert.silent);
    const auto [outcome, failure] =
        co_await post("sendPhoto", photo_target, alert.chat_id, request.body, request.content_type);
    const TimeMs now = clock();
    switch (outcome) {
      case SendResult::sent:
        ++stats.photos_sent;
        if (caption_fits) {
          outbox.on_sent(alert.id, now);
          mark_sent(alert);
          if (alert.kind == OutgoingAlert::Kind::alert) measure_delivery(alert, now);
        } else {
          continue_as_text(alert, now);
        }
        break;
      case SendResult::retry:
        outbox.on_failed(alert.id, now, failure);
        break;
      case SendResult::rejected:
        ++stats.photo_refusals;
        spdlog::warn("telegram: the chart of alert {} was refused ({}); its text goes alone",
                     alert.id, last_rejection);
        continue_as_text(alert, now);
        break;
    }
  }

  // Timed at the ok, not at the request: what matters is when the chat has the message.
  void measure_delivery(const OutgoingAlert& alert, TimeMs now) {
    const TimeMs wall = wall_clock();
    for (const CarriedAlert& carried : alert.carried) {
      delivered_at.push_back(now);
      if (carried.event_time <= 0) continue;
      delivery.event_to_alert[static_cast<std::size_t>(carried.priority)].observe(
          static_cast<double>(wall - carried.event_time) / 1000.0);
    }
  }

  DeliveryMetrics delivery_metrics() const {
    DeliveryMetrics m = delivery;
    const TimeMs now = clock();
    m.alerts_last_hour = static_cast<std::uint64_t>(std::count_if(
        delivered_at.begin(), delivered_at.end(), [&](TimeMs t) { return now - t < hour_ms; }));
    return m;
  }

  // One sendMessage.
  net::awaitable<std::pair<SendResult, SendFailure>> post(ChatId chat_id, const std::string& html,
                                                          bool silent) {
    co_return co_await post("sendMessage", send_target, chat_id,
                            send_message_body(chat_id, html, silent), "application/json");
  }

  // One Bot API request that sends a message. Logs name the method, the chat and the status,
  // never the URL: the token is in it.
  net::awaitable<std::pair<SendResult, SendFailure>> post(std::string_view method,
                                                          const std::string& target, ChatId chat_id,
                                                          const std::string& body,
                                                          const std::string& content_type) {
    const HttpsResponse res = co_await client.request("POST", target, {}, body, content_type);
    if (stopped) co_return std::pair{SendResult::retry, SendFailure::transport()};
    if (res.ok()) {
      ++stats.sent;
      token_refused = false;
      co_return std::pair{SendResult::sent, SendFailure{}};
    }
    ++stats.failed;
    if (res.error) {
      spdlog::warn("telegram: {} to chat {} failed: {}", method, chat_id, res.error.message());
      co_return std::pair{SendResult::retry, SendFailure::transport()};
    }
    if (res.status == 429) {
      const std::int64_t retry_after_s = retry_after_of(res);
      spdlog::warn("telegram: {} to chat {} rate limited: retry after {}", method, chat_id,
                   format_duration(retry_after_s * 1000));
      co_return std::pair{SendResult::retry, SendFailure::rate_limited(retry_after_s)};
    }
    if (res.status >= 500) {
      spdlog::warn("telegram: {} to chat {} failed: HTTP {}", method, chat_id, res.status);
      co_return std::pair{SendResult::retry, SendFailure::server_error()};
    }
    if (is_token_problem(res.status)) {
      if (!token_refused) {
        spdlog::error(
            "telegram: the Bot API refused the bot token (HTTP {} {}): check TELEGRAM_BOT_TOKEN; "
            "alerts stay queued until they are {} s old",
            res.status, description_of(res), outbox_config.max_alert_age_ms / 1000);
      }
      token_refused = true;
      co_return std::pair{SendResult::retry, SendFailure::server_error()};
    }
    last_rejection = fmt::format("HTTP {} {}", res.status, description_of(res));
    spdlog::error("telegram: {} to chat {} rejected: {}", method, chat_id, last_rejection);
    co_return std::pair{SendResult::rejected, SendFailure{}};
  }

  // ---- what others queue --------------------------------------------------------------------

  // A signal with chart data waits for its picture (drawn on the renderer's thread); alerts
  // behind it wait their turn, so the order of alerts is the order of signals.
  void send_alert(const Signal& signal, const std::vector<ChatId>& chats) {
    if (chats.empty()) return;
    const std::uint64_t ticket = ++last_ticket;
    const bool draw = renderer && signal.chart;
    waiting.push_back(WaitingAlert{ticket, signal, chats, nullptr, !draw});
    if (draw) {
      renderer->render(signal.chart,
                       [weak = weak_from_this(), ticket](charts::RenderedChart chart) {
                         if (auto self = weak.lock()) self->on_chart(ticket, std::move(chart));
                       });
    }
    queue_waiting();
  }

  void on_chart(std::uint64_t ticket, charts::RenderedChart chart) {
    for (WaitingAlert& w : waiting) {
      if (w.ticket != ticket) continue;
      if (chart.ok()) {
        w.photo = std::make_shared<const std::string>(std::move(chart.png));
      } else {
        ++stats.chart_failures;
        spdlog::warn(
            "telegram: the chart of a {} {} alert could not be drawn ({}); the text goes "
            "alone",
            to_string(w.signal.type), w.signal.symbol, chart.error);
      }
      w.ready = true;
    }
    queue_waiting();
  }

  // Queues the alerts at the front whose charts are done; `all`: the rest too, as text (stop).
  void queue_waiting(bool all = false) {
    while (!waiting.empty() && (waiting.front().ready || all)) {
      WaitingAlert& w = waiting.front();
      if (storage != nullptr) {
        save_then_queue(outbox.prepare(w.signal, w.chats, w.photo));
      } else {
        for (const AlertRecord& r : outbox.prepare(w.signal, w.chats, w.photo)) {
          outbox.restore(r, clock(), clock());
        }
        wake();
      }
      waiting.pop_front();
    }
  }

  void send_notice(ChatId chat, std::string html) {
    outbox.enqueue_notice(chat, std::move(html), Priority::urgent, clock());
    wake();
  }

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

  void wake() { wakeup.cancel(); }

  void stop() {
    // Alerts still waiting for a chart are saved as text: stopping must not lose them.
    queue_waiting(true);
    stopped = true;
    wakeup.cancel();
    client.close();
  }

  net::io_context& io;
  const TelegramConfig config;
  const std::string send_target;   // secret: it holds the token
  const std::string photo_target;  // secret too
  std::function<TimeMs()> clock;
  std::function<TimeMs()> wall_clock;
  StorageWriter* storage;
  OutboxConfig outbox_config;
  Outbox outbox;
  std::size_t saving = 0;  // alerts prepared, waiting for the writer to save them
  HttpsClient client;
  net::steady_timer wakeup;  // the sender sleeps on it; cancelled when there is new work
  std::string last_rejection;
  TelegramStats stats;
  DeliveryMetrics delivery;         // alerts_last_hour is counted from delivered_at on demand
  std::deque<TimeMs> delivered_at;  // monotonic time of each alert delivered, the last hour
  static constexpr TimeMs hour_ms = 3'600'000;
  bool token_refused = false;
  bool stopped = false;
  bool started = false;
  std::deque<WaitingAlert> waiting;  // signals waiting for their chart, in order
  std::uint64_t last_ticket = 0;
  std::unique_ptr<ChartRenderer> renderer;  // telegram.charts; last, so it stops first
};

TelegramSender::TelegramSender(net::io_context& io, const TelegramConfig& config,
                               const std::string& bot_token, TelegramOptions options)
    : impl_(std::make_shared<Impl>(io, config, bot_token, std::move(options))) {}

TelegramSender::~TelegramSender() {
  stop();
}

void TelegramSender::start() {
  if (impl_->started) return;
  impl_->started = true;
  impl_->restore_from_store();
  net::co_spawn(impl_->io, Impl::run_sender(impl_), net::detached);
}

void TelegramSender::stop() {
  net::dispatch(impl_->io, [impl = impl_] { impl->stop(); });
}

void TelegramSender::send_alert(const Signal& signal, const std::vector<ChatId>& chats) {
  impl_->send_alert(signal, chats);
}

void TelegramSender::send_notice(ChatId chat, std::string html) {
  impl_->send_notice(chat, std::move(html));
}

void TelegramSender::notify_admins(std::string_view text) {
  impl_->notify_admins(text);
}

TelegramStats TelegramSender::stats() const {
  return impl_->stats;
}

OutboxStats TelegramSender::outbox_stats() const {
  return impl_->outbox.stats();
}

DeliveryMetrics TelegramSender::delivery_metrics() const {
  return impl_->delivery_metrics();
}

std::size_t TelegramSender::queued_alerts() const {
  return impl_->outbox.pending_alerts() + impl_->saving;
}

}  // namespace teleglas
