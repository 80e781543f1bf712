#include "teleglas/net/ws_frame.hpp"

#include <cstring>
#include <limits>

namespace teleglas {

std::uint64_t WsFrameHeader::frame_bytes() const {
  constexpr std::uint64_t most = std::numeric_limits<std::uint64_t>::max();
  return payload_bytes > most - header_bytes ? most : payload_bytes + header_bytes;
}

std::optional<WsFrameHeader> parse_ws_frame_header(std::string_view bytes) {
  if (bytes.size() < 2) return std::nullopt;
  const auto first = static_cast<std::uint8_t>(bytes[0]);
  const auto second = static_cast<std::uint8_t>(bytes[1]);
  WsFrameHeader h;
  h.fin = (first & 0x80) != 0;
  h.reserved_bits = (first & 0x70) != 0;
  h.opcode = first & 0x0f;
  h.masked = (second & 0x80) != 0;
  const std::uint8_t length = second & 0x7f;
  // 126: a 16-bit length follows, 127: a 64-bit one (network order).
  const std::size_t length_bytes = length == 126 ? 2 : length == 127 ? 8 : 0;
  h.header_bytes = 2 + length_bytes + (h.masked ? 4 : 0);
  if (bytes.size() < h.header_bytes) return std::nullopt;
  if (length_bytes == 0) {
    h.payload_bytes = length;
  } else {
    for (std::size_t i = 0; i < length_bytes; ++i) {
      h.payload_bytes = (h.payload_bytes << 8) | static_cast<std::uint8_t>(bytes[2 + i]);
    }
  }
  return h;
}

bool is_ascii(std::string_view text) {
  const char* p = text.data();
  std::size_t n = text.size();
  // Eight bytes at a time: any high bit set in any of them.
  std::uint64_t high = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    high |= word;
  }
  for (; n > 0; ++p, --n) high |= static_cast<std::uint8_t>(*p);
  return (high & 0x8080808080808080ULL) == 0;
}

std::size_t find_http_header_end(std::string_view bytes, int& matched) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    // States: matched 0, "\r", "\r\n", "\r\n\r". A '\r' always starts a new match at least.
    if (c == '\r') {
      matched = matched == 2 ? 3 : 1;
    } else if (c == '\n' && (matched == 1 || matched == 3)) {
      if (matched == 3) {
        matched = 0;
        return i + 1;
      }
      matched = 2;
    } else {
      matched = 0;
    }
  }
  return std::string_view::npos;
}

}  // namespace teleglas
