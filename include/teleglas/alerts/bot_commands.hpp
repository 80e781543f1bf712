// The pure half of the Telegram bot commands (/status, /mute, /unmute, /stats, /help): reading a
// getUpdates answer, reading a command, and writing the HTML replies. The daemon does the I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/alerts/rate_limiter.hpp"  // ChatId
#include "teleglas/core/types.hpp"
#include "teleglas/signals/history_stats.hpp"

namespace teleglas {

// One message update from getUpdates that may carry a command.
struct BotUpdate {
  std::int64_t update_id = 0;
  ChatId chat_id = 0;  // message.chat.id
  // message.from.username, else first_name; for a channel post sender_chat.username, else
  // title; else "". Control characters become '?', since it ends up in log lines.
  std::string from;
  std::string text;  // message.text
};

// A getUpdates answer. next_offset = highest update_id + 1 over ALL updates in the answer
// (including ones that are not text messages, e.g. edited_message, my_chat_member, so they are
// confirmed and never returned again); 0 when the answer had none (keep the previous offset).
struct UpdatesAnswer {
  bool ok = false;
  std::vector<BotUpdate> messages;  // only message/channel_post updates with a chat and text
  std::int64_t next_offset = 0;
  int error_code = 0;              // when !ok
  std::string description;         // when !ok (never contains the token; it is Telegram's text)
  std::int64_t retry_after_s = 0;  // parameters.retry_after on 429
};

// Never throws. A body that is not a Bot API answer gives ok=false and a description that says
// so; any other Bot API error body (sendMessage's too) reads as well.
UpdatesAnswer parse_get_updates(std::string_view body);

struct BotCommand {
  enum class Name { status, mute, unmute, stats, help, unknown };
  Name name = Name::unknown;
  std::string word;            // the command as typed, e.g. "/foo" or "/Mute@TeleglasBot"
  std::string argument;        // the rest of the text, trimmed, e.g. "abc" for "/mute abc"
  std::optional<int> minutes;  // /mute N; default_mute_minutes for a bare /mute
  bool bad_argument = false;   // /mute abc, /mute 0, /mute 999999, /mute 5 10
};

// "/status", "/status@TeleglasBot", "  /Mute 30 ", "/mute@bot 15". Returns nullopt when the text is
// not a command (does not start with '/' followed by a letter, digit or '_'), or is addressed to
// another bot (@otherbot when bot_username is known and differs, case-insensitive).
// bot_username may be empty (unknown): then every command is taken as ours.
std::optional<BotCommand> parse_bot_command(std::string_view text, std::string_view bot_username);

constexpr int default_mute_minutes = 60;
constexpr int max_mute_minutes = 7 * 24 * 60;

// One source's connections, for /status.
struct SourceStatus {
  std::string name;             // "bybit", "binance", ...
  std::size_t connections = 0;  // how many the daemon keeps for it
  std::size_t live = 0;         // of those, streaming now
  TimeMs down_since_ms = 0;     // wall clock since when none is live (0 = unknown); read
                                // only when live is 0
};

struct StatusSnapshot {
  std::string connection;  // e.g. "live", "backing_off (3 reconnects)", free text from the daemon
  std::vector<SourceStatus> sources;  // per source, in the order the daemon runs them
  TimeMs now_ms = 0;                  // wall clock
  TimeMs started_ms = 0;              // process start, wall clock -> uptime
  double messages_per_min = 0;        // frames of every source per minute over the last minute
  std::uint64_t signals_today = 0;    // since 00:00 UTC
  std::size_t queue_depth = 0;        // alerts waiting for Telegram
  std::optional<TimeMs> muted_until;  // this chat's mute, if any; one in the past reads as none
  std::uint64_t alerts_sent = 0;      // since start
  std::uint64_t alerts_dropped = 0;   // since start
};

struct StatsSnapshot {
  std::uint64_t signals_today = 0;
  std::uint64_t signals_total = 0;  // since start
  // What the stored history says over the last history_span_ms (win rates per type and the
  // calibration table); nullopt when there is none to read (no storage, or a read error):
  // the reply says so plainly.
  std::optional<HistoryStats> history;
  TimeMs history_span_ms = 7 * 86'400'000LL;
};

// Telegram HTML replies: only <b>, <i> and <code> tags, every dynamic string html-escaped, and
// under telegram_max_message_chars (long free text is clipped with "…").
std::string status_reply(const StatusSnapshot& s);
std::string stats_reply(const StatsSnapshot& s);
std::string help_reply();  // lists every command with a one-line description
// "Muted for 30 min, until 2024-09-04 02:48 UTC. /unmute to resume."
std::string mute_reply(TimeMs until_ms, int minutes);
std::string unmute_reply(bool was_muted);
std::string bad_argument_reply(const BotCommand& c);     // how to use /mute
std::string unknown_command_reply(const BotCommand& c);  // names the command, points to /help

}  // namespace teleglas
