// A checker of the Telegram HTML we emit, written independently of the code that emits it:
// only the allowed tags, properly nested; every '&' starts one of the entities html_escape
// writes; no bare '>'.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace teleglas::testing {

inline ::testing::AssertionResult is_telegram_html(
    std::string_view html, std::initializer_list<std::string_view> allowed_tags = {"b", "code"}) {
  std::vector<std::string_view> open;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '&') {
      const std::string_view rest = html.substr(i);
      if (!rest.starts_with("&amp;") && !rest.starts_with("&lt;") && !rest.starts_with("&gt;")) {
        return ::testing::AssertionFailure() << "bare or cut entity at byte " << i;
      }
    } else if (html[i] == '>') {
      return ::testing::AssertionFailure() << "bare '>' at byte " << i;
    } else if (html[i] == '<') {
      const std::size_t close = html.find('>', i);
      if (close == std::string_view::npos) {
        return ::testing::AssertionFailure() << "cut tag at byte " << i;
      }
      std::string_view tag = html.substr(i + 1, close - i - 1);
      const bool closing = tag.starts_with('/');
      if (closing) tag.remove_prefix(1);
      if (std::find(allowed_tags.begin(), allowed_tags.end(), tag) == allowed_tags.end()) {
        return ::testing::AssertionFailure()
               << "unexpected tag <" << html.substr(i + 1, close - i - 1) << ">";
      }
      if (!closing) {
        open.push_back(tag);
      } else if (open.empty() || open.back() != tag) {
        return ::testing::AssertionFailure() << "unbalanced </" << tag << ">";
      } else {
        open.pop_back();
      }
      i = close;
    }
  }
  if (!open.empty()) return ::testing::AssertionFailure() << "unclosed <" << open.back() << ">";
  return ::testing::AssertionSuccess();
}

}  // namespace teleglas::testing
