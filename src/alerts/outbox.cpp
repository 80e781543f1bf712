#include "teleglas/alerts/outbox.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <tuple>

#include "teleglas/alerts/formatter.hpp"
#include "teleglas/core/money.hpp"
#include "teleglas/core/text.hpp"

namespace teleglas {

namespace {

// Per chat and across chats: higher priority first, then FIFO (created, then id, which breaks
// ties between alerts enqueued in the same millisecond in enqueue order).
bool goes_before(const OutgoingAlert& a, const OutgoingAlert& b) {
  return std::tuple(-static_cast<int>(a.priority), a.created, a.id) <
         std::tuple(-static_cast<int>(b.priority), b.created, b.id);
}

bool is_silent(Priority priority) {
  return priority <= Priority::info;
}

// At most `max_bytes` of `text`, cut between UTF-8 sequences, then escaped. Feed strings are
// valid UTF-8 (simdjson validates) but their length is not bounded.
std::string clipped_html(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return html_escape(text.substr(0, cut)) + "\u2026";
  }
  return html_escape(text);
}

constexpr std::size_t max_name_bytes = 64;

// "URGENT · LONG · 95/100 · Binance · 2024-09-04 02:18:38 UTC · entry 95,850.0"
std::string headline_of(const Signal& signal) {
  std::string line = fmt::format("{} · {} · {}/100", to_string(signal.priority),
                                 to_string(signal.direction), signal.confidence);
  if (!signal.exchange.empty()) line += " · " + clipped_html(signal.exchange, max_name_bytes);
  line += " · " + format_utc(signal.time);
  if (signal.setup) line += " · entry " + format_price(signal.setup->entry);
  return line;
}

// The digest message. Lengths are counted in bytes: UTF-8 never takes fewer bytes than UTF-16
// code units, so a byte count within the cap keeps Telegram's character count within it too.
// What never fits is cut in this order: the latest alert's full text, then the oldest lines
// (still counted in the header and the "… and N earlier" line).
std::string digest_html(int alert_count, SignalType type, std::string_view symbol, TimeMs span_ms,
                        int max_per_minute, const std::vector<std::string>& lines_newest_first,
                        std::string_view latest_text) {
  constexpr std::size_t limit = telegram_max_message_chars;
  // Whole minutes, rounded up: "in the last 3 min", not "in the last 2 min 10 s".
  const TimeMs span_minutes_ms = std::max<TimeMs>(1, (span_ms + 59'999) / 60'000) * 60'000;
  const std::string header = fmt::format(
      "\U0001F501 <b>{} \u00D7 {} {}</b> in the last {}\n"
      "<i>Merged into one message: alerts are arriving faster than {} per minute.</i>\n\n"
      "<b>Each alert, newest first</b>",
      alert_count, to_string(type), clipped_html(symbol, max_name_bytes),
      format_duration(span_minutes_ms), max_per_minute);
  constexpr std::size_t more_reserve = 40;  // "\n… and 123456 earlier" with room to spare
  std::string latest = fmt::format("\n\n<b>Latest in full</b>\n{}", latest_text);
  constexpr std::size_t bullet = 4;  // "\n• ": the bullet is three bytes
  const std::size_t first_line =
      lines_newest_first.empty() ? 0 : bullet + lines_newest_first[0].size();
  if (header.size() + first_line + more_reserve + latest.size() > limit) latest.clear();

  std::string out = header;
  const std::size_t list_limit = limit - latest.size();
  std::size_t shown = 0;
  for (const std::string& line : lines_newest_first) {
    const bool last = shown + 1 == lines_newest_first.size();
    const std::size_t need = bullet + line.size() + (last ? 0 : more_reserve);
    if (out.size() + need > list_limit) break;
    out += "\n\u2022 " + line;
    ++shown;
  }
  if (shown < lines_newest_first.size()) {
    out += fmt::format("\n\u2026 and {} earlier", lines_newest_first.size() - shown);
  }
  return out + latest;
}

}  // namespace

TimeMs retry_delay_ms(int failures, const RetryPolicy& policy) {
  TimeMs delay = policy.fixed_delay_ms;
  // Failures 1..fixed_attempts-1 keep the fixed spacing; each one after doubles it.
  for (int i = std::max(policy.fixed_attempts, 1); i <= failures && delay < policy.max_delay_ms;
       ++i) {
    delay *= 2;
  }
  return std::min(delay, policy.max_delay_ms);
}

OutboxConfig outbox_config_from(const TelegramConfig& telegram) {
  OutboxConfig config;
  config.limits.max_per_window = telegram.max_per_minute;
  config.max_alert_age_ms = seconds_ms(telegram.max_alert_age_s);
  return config;
}

Outbox::Outbox(OutboxConfig config, std::uint64_t first_id)
    : config_(config), limiter_(config.limits), next_id_(std::max<std::uint64_t>(first_id, 1)) {
  config_.limits = limiter_.limits();  // as sanitised by the limiter
}

void Outbox::add(Entry entry) {
  const std::uint64_t id = entry.alert.id;
  entries_.emplace(id, std::move(entry));
}

std::vector<AlertRecord> Outbox::prepare(const Signal& signal,
                                         const std::vector<ChatId>& chat_ids,
                                         std::shared_ptr<const std::string> photo) {
  AlertRecord record;
  record.photo = std::move(photo);
  record.priority = signal.priority;
  record.type = signal.type;
  record.symbol = signal.symbol;
  record.text = format_telegram_html(signal);
  record.headline = headline_of(signal);
  record.silent = is_silent(signal.priority);
  record.event_time = signal.time;
  std::vector<AlertRecord> records;
  // A chat listed twice in the config would otherwise get every alert twice.
  std::set<ChatId> seen;
  for (const ChatId chat : chat_ids) {
    if (!seen.insert(chat).second) continue;
    // Taken now, not at restore(): notices queued meanwhile must not get the same id.
    record.id = next_id_++;
    record.chat_id = chat;
    records.push_back(record);
  }
  return records;
}

std::vector<AlertRecord> Outbox::enqueue(const Signal& signal, const std::vector<ChatId>& chat_ids,
                                         TimeMs now) {
  std::vector<AlertRecord> records = prepare(signal, chat_ids);
  for (const AlertRecord& record : records) restore(record, now, now);
  return records;
}

bool Outbox::restore(const AlertRecord& record, TimeMs created, TimeMs now) {
  if (entries_.contains(record.id)) return false;
  Entry entry;
  OutgoingAlert& alert = entry.alert;
  alert.id = record.id;
  alert.chat_id = record.chat_id;
  alert.priority = record.priority;
  alert.type = record.type;
  alert.symbol = record.symbol;
  alert.text = record.text;
  alert.created = created;
  alert.next_attempt = now;
  alert.silent = record.silent;
  alert.alert_ids = {record.id};
  alert.carried = {CarriedAlert{record.priority, record.event_time}};
  if (record.photo && !record.photo->empty()) {
    alert.photo = record.photo;
    // The picture names type and symbol too, but a caption is what a notification shows.
    alert.short_caption = fmt::format("<b>{} {}</b> · {}", in_words(record.type),
                                      clipped_html(record.symbol, max_name_bytes), record.headline);
  }
  entry.newest = created;
  entry.newest_alert_text = record.text;
  entry.headlines.push_back({created, record.headline});
  next_id_ = std::max(next_id_, record.id + 1);
  add(std::move(entry));
  ++stats_.enqueued;
  return true;
}

std::uint64_t Outbox::enqueue_notice(ChatId chat_id, std::string html, Priority priority,
                                     TimeMs now) {
  Entry entry;
  OutgoingAlert& notice = entry.alert;
  notice.kind = OutgoingAlert::Kind::notice;
  notice.id = next_id_++;
  notice.chat_id = chat_id;
  notice.priority = priority;
  notice.text = std::move(html);
  notice.created = now;
  notice.next_attempt = now;
  notice.alert_count = 0;
  entry.newest = now;
  add(std::move(entry));
  ++stats_.notices_enqueued;
  return notice.id;
}

// The message each idle chat would send next. A chat with a request in flight has none, which
// keeps its order strict (a failed URGENT is retried before its WATCH goes) and costs one
// request per chat, not one per alert, while Telegram is down.
std::map<ChatId, std::uint64_t> Outbox::heads() const {
  std::map<ChatId, std::uint64_t> heads;
  std::set<ChatId> busy;
  for (const auto& [id, entry] : entries_) {
    if (entry.in_flight) busy.insert(entry.alert.chat_id);
  }
  for (const auto& [id, entry] : entries_) {
    const ChatId chat = entry.alert.chat_id;
    if (busy.contains(chat)) continue;
    const auto [it, inserted] = heads.try_emplace(chat, id);
    if (!inserted && goes_before(entry.alert, entries_.at(it->second).alert)) it->second = id;
  }
  return heads;
}

std::optional<OutgoingAlert> Outbox::take_ready(TimeMs now) {
  Entry* best = nullptr;
  for (const auto& [chat, id] : heads()) {
    Entry& entry = entries_.at(id);
    if (entry.alert.next_attempt > now || !limiter_.can_send(chat, now)) continue;
    if (best == nullptr || goes_before(entry.alert, best->alert)) best = &entry;
  }
  if (best == nullptr) return std::nullopt;
  limiter_.on_send(best->alert.chat_id, now);
  best->in_flight = true;
  ++best->alert.attempts;
  return best->alert;
}

std::optional<TimeMs> Outbox::next_wakeup(TimeMs now) const {
  std::optional<TimeMs> earliest;
  for (const auto& [chat, id] : heads()) {
    const TimeMs at =
        std::max(entries_.at(id).alert.next_attempt, limiter_.next_send_time(chat, now));
    if (!earliest || at < *earliest) earliest = at;
  }
  if (earliest) earliest = std::max(*earliest, now);
  return earliest;
}

bool Outbox::on_sent(std::uint64_t id, TimeMs /*now*/) {
  const auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.in_flight) return false;
  if (it->second.alert.kind == OutgoingAlert::Kind::notice) {
    ++stats_.notices_sent;
    entries_.erase(it);
    return true;
  }
  ++stats_.sent;
  stats_.delivered += static_cast<std::uint64_t>(it->second.alert.alert_count);
  entries_.erase(it);
  return true;
}

bool Outbox::on_failed(std::uint64_t id, TimeMs now, const SendFailure& failure) {
  const auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.in_flight) return false;
  OutgoingAlert& alert = it->second.alert;
  it->second.in_flight = false;
  if (failure.kind == SendFailure::Kind::rate_limited) {
    // Telegram's own pacing, not a fault of this message: the retry schedule does not advance.
    limiter_.on_rate_limited(alert.chat_id, now, failure.retry_after_s);
    alert.next_attempt = limiter_.next_send_time(alert.chat_id, now);
    ++stats_.rate_limited;
  } else {
    ++alert.failures;
    alert.next_attempt = now + retry_delay_ms(alert.failures, config_.retry);
    ++stats_.retried;
  }
  return true;
}

bool Outbox::continue_as_text(std::uint64_t id, TimeMs now) {
  const auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.in_flight || !it->second.alert.photo) return false;
  OutgoingAlert& alert = it->second.alert;
  it->second.in_flight = false;
  alert.photo.reset();
  alert.short_caption.clear();
  alert.failures = 0;
  alert.next_attempt = now;
  ++stats_.photos_continued_as_text;
  return true;
}

std::vector<OutgoingAlert> Outbox::expire(TimeMs now) {
  std::vector<OutgoingAlert> dropped;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& entry = it->second;
    if (!entry.in_flight && now - entry.newest > config_.max_alert_age_ms) {
      stats_.dropped_for_age += static_cast<std::uint64_t>(entry.alert.alert_count);
      if (entry.alert.kind == OutgoingAlert::Kind::notice) ++stats_.notices_dropped_for_age;
      dropped.push_back(entry.alert);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

Outbox::Entry Outbox::merge(const std::vector<const Entry*>& group, TimeMs now) {
  Entry digest;
  OutgoingAlert& alert = digest.alert;
  const OutgoingAlert& first = group.front()->alert;
  alert.id = next_id_++;
  alert.chat_id = first.chat_id;
  alert.type = first.type;
  alert.symbol = first.symbol;
  alert.created = first.created;
  alert.alert_count = 0;
  const Entry* newest = group.front();
  for (const Entry* member : group) {
    const OutgoingAlert& m = member->alert;
    alert.priority = std::max(alert.priority, m.priority);
    alert.created = std::min(alert.created, m.created);
    alert.attempts += m.attempts;
    // Only a chat's head is ever tried, so these are the head's schedule: a digest does not
    // jump a backoff in progress.
    alert.failures = std::max(alert.failures, m.failures);
    alert.next_attempt = std::max(alert.next_attempt, m.next_attempt);
    alert.alert_count += m.alert_count;
    alert.replaces.push_back(m.id);
    alert.alert_ids.insert(alert.alert_ids.end(), m.alert_ids.begin(), m.alert_ids.end());
    alert.carried.insert(alert.carried.end(), m.carried.begin(), m.carried.end());
    if (m.alert_count == 1) ++stats_.digested;  // a digest's alerts were counted when merged
    if (member->newest >= newest->newest) newest = member;
    digest.headlines.insert(digest.headlines.end(), member->headlines.begin(),
                            member->headlines.end());
  }
  alert.silent = is_silent(alert.priority);
  digest.newest = newest->newest;
  digest.newest_alert_text = newest->newest_alert_text;
  std::stable_sort(digest.headlines.begin(), digest.headlines.end(),
                   [](const Headline& a, const Headline& b) { return a.created < b.created; });
  std::vector<std::string> lines;
  for (auto it = digest.headlines.rbegin(); it != digest.headlines.rend(); ++it) {
    lines.push_back(it->html);
  }
  alert.text = digest_html(alert.alert_count, alert.type, alert.symbol, now - alert.created,
                           config_.limits.max_per_window, lines, digest.newest_alert_text);
  return digest;
}

std::vector<OutgoingAlert> Outbox::compact(TimeMs now) {
  std::map<std::tuple<ChatId, SignalType, std::string>, std::vector<const Entry*>> groups;
  std::size_t waiting = 0;
  for (const auto& [id, entry] : entries_) {
    if (entry.in_flight) continue;  // its answer is still to come
    ++waiting;
    if (entry.alert.kind == OutgoingAlert::Kind::notice) continue;
    groups[{entry.alert.chat_id, entry.alert.type, entry.alert.symbol}].push_back(&entry);
  }
  if (waiting <= static_cast<std::size_t>(config_.limits.max_per_window)) return {};

  std::vector<OutgoingAlert> digests;
  for (const auto& [key, group] : groups) {
    if (group.size() < 2) continue;
    Entry digest = merge(group, now);
    for (const std::uint64_t id : digest.alert.replaces) entries_.erase(id);
    digests.push_back(digest.alert);
    add(std::move(digest));
  }
  return digests;
}

std::size_t Outbox::pending_alerts() const {
  std::size_t alerts = 0;
  for (const auto& [id, entry] : entries_)
    alerts += static_cast<std::size_t>(entry.alert.alert_count);
  return alerts;
}

}  // namespace teleglas
