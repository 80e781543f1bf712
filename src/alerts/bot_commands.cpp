#include "teleglas/alerts/bot_commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "teleglas/alerts/formatter.hpp"  // html_escape, format_utc, telegram_max_message_chars
#include "teleglas/alerts/history_report.hpp"
#include "teleglas/core/money.hpp"  // format_fixed
#include "teleglas/core/text.hpp"   // trim, format_duration

namespace teleglas {

namespace {

namespace json = boost::json;

// ---- reading the Bot API answer -----------------------------------------------------------

UpdatesAnswer malformed(std::string_view why) {
  UpdatesAnswer answer;
  answer.description = fmt::format("malformed Bot API answer: {}", why);
  return answer;
}

const json::object* object_field(const json::object& parent, std::string_view key) {
  const json::value* v = parent.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

// Boost.JSON stores every integer that fits as int64, so a double or an out-of-range number
// (1e3, 1.5, 2^64) is refused here rather than silently rounded into another chat or update.
std::optional<std::int64_t> int_field(const json::object& parent, std::string_view key) {
  const json::value* v = parent.if_contains(key);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

std::optional<std::string_view> string_field(const json::object& parent, std::string_view key) {
  const json::value* v = parent.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

// Names are chosen by strangers and end up in log lines: no newline may forge one.
std::string printable(std::string_view name) {
  std::string out(name);
  std::replace_if(
      out.begin(), out.end(),
      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\x7f'; }, '?');
  return out;
}

std::string sender_name(const json::object& message) {
  if (const json::object* from = object_field(message, "from")) {
    if (auto name = string_field(*from, "username"); name && !name->empty())
      return printable(*name);
    if (auto name = string_field(*from, "first_name")) return printable(*name);
  }
  // Channel posts have no `from`; the channel speaks as sender_chat.
  if (const json::object* chat = object_field(message, "sender_chat")) {
    if (auto name = string_field(*chat, "username"); name && !name->empty())
      return printable(*name);
    if (auto name = string_field(*chat, "title")) return printable(*name);
  }
  return {};
}

// Edited messages are left out on purpose: editing an old "/mute 5" must not mute again.
std::optional<BotUpdate> text_message(const json::object& update, std::int64_t update_id) {
  const json::object* message = object_field(update, "message");
  if (message == nullptr) message = object_field(update, "channel_post");
  if (message == nullptr) return std::nullopt;
  const json::object* chat = object_field(*message, "chat");
  if (chat == nullptr) return std::nullopt;
  const auto chat_id = int_field(*chat, "id");
  const auto text = string_field(*message, "text");
  if (!chat_id || !text) return std::nullopt;
  return BotUpdate{update_id, *chat_id, sender_name(*message), std::string(*text)};
}

UpdatesAnswer error_answer(const json::object& root) {
  UpdatesAnswer answer;
  if (const auto code = int_field(root, "error_code");
      code && *code >= 0 && *code <= std::numeric_limits<int>::max()) {
    answer.error_code = static_cast<int>(*code);
  }
  if (const auto description = string_field(root, "description")) {
    answer.description = std::string(*description);
  } else {
    answer.description = fmt::format("error {} without a description", answer.error_code);
  }
  if (const json::object* parameters = object_field(root, "parameters")) {
    if (const auto retry = int_field(*parameters, "retry_after"); retry && *retry > 0) {
      answer.retry_after_s = *retry;
    }
  }
  return answer;
}

// ---- reading a command --------------------------------------------------------------------

// What Telegram itself accepts in a command name.
bool is_command_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char lower_ascii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower_ascii(x) == lower_ascii(y);
         });
}

struct CommandInfo {
  BotCommand::Name name;
  std::string_view word;  // without the '/'
  std::string_view usage;
  std::string_view description;
};

// One table for the parser and for /help, so the two cannot drift apart.
const std::array<CommandInfo, 5>& commands() {
  static const std::array<CommandInfo, 5> table = {{
      {BotCommand::Name::status, "status", "/status", "feed, uptime, queue and mute state"},
      {BotCommand::Name::mute, "mute", "/mute [minutes]",
       "pause alerts in this chat"},  // limits are appended from the constants
      {BotCommand::Name::unmute, "unmute", "/unmute", "resume alerts in this chat"},
      {BotCommand::Name::stats, "stats", "/stats", "signal counts and win rates"},
      {BotCommand::Name::help, "help", "/help", "this list"},
  }};
  return table;
}

BotCommand::Name command_named(std::string_view name) {
  for (const CommandInfo& info : commands()) {
    if (equal_ignoring_case(name, info.word)) return info.name;
  }
  return BotCommand::Name::unknown;
}

// Digits only, so "-5", "+5", "5.0" and "30m" are refused instead of half-understood.
std::optional<int> mute_minutes(std::string_view argument) {
  if (argument.empty()) return default_mute_minutes;
  int minutes = 0;
  const auto [end, ec] =
      std::from_chars(argument.data(), argument.data() + argument.size(), minutes);
  if (ec != std::errc() || end != argument.data() + argument.size()) return std::nullopt;
  if (minutes < 1 || minutes > max_mute_minutes) return std::nullopt;
  return minutes;
}

// ---- writing replies ----------------------------------------------------------------------

// Caps on free text inside a reply; together they keep every reply far below Telegram's limit
// even after escaping (each byte may become five).
constexpr std::size_t max_connection_bytes = 300;
constexpr std::size_t max_echo_bytes = 64;  // a command or argument echoed back

constexpr std::string_view ellipsis = "\u2026";

// Cuts between UTF-8 sequences: Telegram rejects a whole message over one broken byte.
std::string clipped(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + std::string(ellipsis);
}

// Every dynamic string reaches a reply through here.
std::string text(std::string_view dynamic, std::size_t max_bytes) {
  return html_escape(clipped(dynamic, max_bytes));
}

// "2024-09-04 02:48 UTC": a mute is set in minutes, seconds would be noise.
std::string utc_minutes(TimeMs time) {
  std::string out = format_utc(time);
  constexpr std::size_t seconds_at = 16;  // "2024-09-04 02:48:38 UTC"
  if (out.size() == 23 && out[seconds_at] == ':' && out.ends_with(" UTC")) out.erase(seconds_at, 3);
  return out;
}

std::string rate_text(double per_minute) {
  if (!std::isfinite(per_minute) || per_minute < 0) return "n/a";
  return format_fixed(per_minute, per_minute < 10 ? 1 : 0);
}

std::string mute_state(const StatusSnapshot& s) {
  if (!s.muted_until || *s.muted_until <= s.now_ms) {
    return "\U0001F514 Alerts here: <b>on</b>. /mute pauses them.";  // 🔔
  }
  return fmt::format("\U0001F515 Alerts here: <b>muted</b> until {} ({} left). /unmute resumes.",
                     utc_minutes(*s.muted_until), format_duration(*s.muted_until - s.now_ms));
}

// "last 7 days", "last day", "last 12 h": the span /stats counts over.
std::string history_period(TimeMs span_ms) {
  constexpr TimeMs day_ms = 86'400'000;
  if (span_ms == day_ms) return "last day";
  if (span_ms > 0 && span_ms % day_ms == 0) return fmt::format("last {} days", span_ms / day_ms);
  return "last " + format_duration(span_ms);
}

}  // namespace

UpdatesAnswer parse_get_updates(std::string_view body) {
  boost::system::error_code ec;
  const json::value root = json::parse(json::string_view(body.data(), body.size()), ec);
  if (ec) return malformed("not JSON");
  if (!root.is_object()) return malformed("not a JSON object");
  const json::object& answer_object = root.get_object();
  const json::value* ok = answer_object.if_contains("ok");
  if (ok == nullptr || !ok->is_bool()) return malformed("no boolean \"ok\"");
  if (!ok->get_bool()) return error_answer(answer_object);

  const json::value* result = answer_object.if_contains("result");
  if (result == nullptr || !result->is_array()) return malformed("\"result\" is not an array");
  UpdatesAnswer answer;
  answer.ok = true;
  for (const json::value& element : result->get_array()) {
    // An update without a usable id is skipped rather than failing the batch: failing would
    // return the same batch forever and stall every command behind it.
    if (!element.is_object()) continue;
    const json::object& update = element.get_object();
    const auto update_id = int_field(update, "update_id");
    if (!update_id || *update_id < 0 || *update_id == std::numeric_limits<std::int64_t>::max()) {
      continue;
    }
    answer.next_offset = std::max(answer.next_offset, *update_id + 1);
    if (auto message = text_message(update, *update_id))
      answer.messages.push_back(std::move(*message));
  }
  return answer;
}

std::optional<BotCommand> parse_bot_command(std::string_view text, std::string_view bot_username) {
  const std::string_view trimmed = trim(text);
  if (trimmed.size() < 2 || trimmed[0] != '/' || !is_command_char(trimmed[1])) return std::nullopt;
  const std::size_t word_end = trimmed.find_first_of(text_whitespace);
  const std::string_view word = trimmed.substr(0, word_end);
  std::string_view name = word.substr(1);
  if (const std::size_t at = word.find('@'); at != std::string_view::npos) {
    name = word.substr(1, at - 1);
    if (bot_username.starts_with('@')) bot_username.remove_prefix(1);
    if (!bot_username.empty() && !equal_ignoring_case(word.substr(at + 1), bot_username)) {
      return std::nullopt;  // "/status@otherbot" in a group with several bots
    }
  }

  BotCommand command;
  command.word = std::string(word);
  command.argument = word_end == std::string_view::npos
                         ? std::string()
                         : std::string(trim(trimmed.substr(word_end)));
  command.name = command_named(name);
  if (command.name == BotCommand::Name::mute) {
    command.minutes = mute_minutes(command.argument);
    command.bad_argument = !command.minutes.has_value();
  }
  return command;
}

// "bybit live · binance 1/2 live · okx down for 3 min"; empty when no source is known.
std::string sources_line(const StatusSnapshot& s) {
  std::string line;
  for (const SourceStatus& source : s.sources) {
    if (!line.empty()) line += " · ";
    line += text(source.name, 40);
    if (source.connections > 0 && source.live == source.connections) {
      line += " live";
    } else if (source.live > 0) {
      line += fmt::format(" {}/{} live", source.live, source.connections);
    } else {
      line += " <b>down</b>";
      if (source.down_since_ms > 0 && s.now_ms >= source.down_since_ms) {
        line += " for " + format_duration(s.now_ms - source.down_since_ms);
      }
    }
  }
  return line.empty() ? line : "Sources: " + line + "\n";
}

std::string status_reply(const StatusSnapshot& s) {
  const std::string uptime =
      s.started_ms > 0 ? fmt::format("{} (since {})", format_duration(s.now_ms - s.started_ms),
                                     utc_minutes(s.started_ms))
                       : std::string("unknown");
  return fmt::format(
      "\U0001F4E1 <b>TELEGLAS status</b>\n"  // 📡
      "Feed: {}\n"
      "{}"
      "Uptime: {}\n"
      "Stream: {} messages/min\n"
      "Signals today: <b>{}</b>\n"
      "Telegram: {} queued · {} sent · {} dropped\n"
      "{}",
      text(s.connection, max_connection_bytes), sources_line(s), uptime,
      rate_text(s.messages_per_min), s.signals_today, s.queue_depth, s.alerts_sent,
      s.alerts_dropped, mute_state(s));
}

std::string stats_reply(const StatsSnapshot& s) {
  const std::string out = fmt::format(
      "\U0001F4CA <b>TELEGLAS stats</b>\n"  // 📊
      "Signals today: <b>{}</b>\n"
      "Signals since start: {}\n\n",
      s.signals_today, s.signals_total);
  if (!s.history) {
    return out +
           "<i>No history is available: win rates need stored signal outcomes, and the "
           "store is not configured or could not be read.</i>";
  }
  // Bounded by construction (a row per type, a row per 10-point bucket, fixed-width numbers):
  // the tests hold the fullest table under Telegram's limit.
  return out + history_stats_html(*s.history, history_period(s.history_span_ms));
}

std::string help_reply() {
  std::string out = "\u2139\uFE0F <b>TELEGLAS commands</b>";  // ℹ️
  for (const CommandInfo& info : commands()) {
    out += fmt::format("\n{} — {}", info.usage, info.description);
    if (info.name == BotCommand::Name::mute) {
      out += fmt::format(" (default {}, at most {} min)", default_mute_minutes, max_mute_minutes);
    }
  }
  return out;
}

std::string mute_reply(TimeMs until_ms, int minutes) {
  return fmt::format("\U0001F515 Muted for {} min, until {}. /unmute to resume.", minutes,
                     utc_minutes(until_ms));  // 🔕
}

std::string unmute_reply(bool was_muted) {
  return was_muted ? "\U0001F514 Unmuted: alerts resume in this chat."  // 🔔
                   : "Alerts were not muted here; nothing changed.";
}

std::string bad_argument_reply(const BotCommand& c) {
  std::string out;
  if (!c.argument.empty()) {
    out = fmt::format("<code>{}</code> is not a number of minutes from 1 to {}.\n",
                      text(c.argument, max_echo_bytes), max_mute_minutes);
  }
  return out + fmt::format(
                   "Usage: <code>/mute [minutes]</code>, e.g. /mute 30. A bare /mute "
                   "pauses alerts for {} min.",
                   default_mute_minutes);
}

std::string unknown_command_reply(const BotCommand& c) {
  return fmt::format("Unknown command <code>{}</code>. /help lists the commands.",
                     text(c.word, max_echo_bytes));
}

}  // namespace teleglas
