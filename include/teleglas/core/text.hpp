// Small text helpers every layer shares.
#pragma once

#include <string_view>

namespace teleglas {

// The whitespace of JSON (RFC 8259) and of line-based text: space, tab, CR, LF.
inline constexpr std::string_view text_whitespace = " \t\r\n";

// `text` without leading and trailing text_whitespace; a view into `text`.
std::string_view trim(std::string_view text);

}  // namespace teleglas
