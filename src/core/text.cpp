#include "teleglas/core/text.hpp"

namespace teleglas {

std::string_view trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(text_whitespace);
  if (begin == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(text_whitespace);
  return text.substr(begin, end - begin + 1);
}

}  // namespace teleglas
