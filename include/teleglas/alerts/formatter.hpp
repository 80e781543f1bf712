// Renders a signal as a Telegram message (HTML parse mode) and as plain terminal text.
// Pure: same signal, same text.
#pragma once

#include <string>
#include <string_view>

#include "teleglas/core/money.hpp"  // format_usd, format_price
#include "teleglas/core/signal.hpp"
#include "teleglas/core/text.hpp"  // format_utc

namespace teleglas {

inline constexpr std::size_t telegram_max_message_chars = 4096;
// A photo's caption, counted as Telegram counts it: after entity parsing (text shown, in
// UTF-16 code units).
inline constexpr std::size_t telegram_max_caption_chars = 1024;

// What Telegram counts of an HTML text against its limits: the text shown (tags dropped,
// entities decoded), in UTF-16 code units.
std::size_t telegram_visible_length(std::string_view html);

// Escapes <, > and & for Telegram HTML.
std::string html_escape(std::string_view text);

// The Telegram message; at most telegram_max_message_chars characters.
std::string format_telegram_html(const Signal& signal);

// The same content without markup, for the terminal and logs.
std::string format_plain_text(const Signal& signal);

}  // namespace teleglas
