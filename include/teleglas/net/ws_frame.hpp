// What the feed's fast path needs to know of the bytes under its WebSocket stream (RFC 6455
// §5.2): where a frame begins and ends, whether a text payload is plain ASCII, and where the
// HTTP upgrade response ends and the frames begin. Pure functions over bytes; net/ws_feed.cpp
// uses them to take whole text frames straight from what TLS decrypted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teleglas {

enum class WsOpcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10,
};

struct WsFrameHeader {
  bool fin = false;
  bool reserved_bits = false;  // RSV1-3, an extension's (none is negotiated by the feed)
  std::uint8_t opcode = 0;
  bool masked = false;           // a server must not mask (RFC 6455 §5.1)
  std::size_t header_bytes = 0;  // 2 to 14
  std::uint64_t payload_bytes = 0;

  // Header and payload; a length no frame could have saturates instead of wrapping.
  std::uint64_t frame_bytes() const;
};

// The header at the front of `bytes`, or nullopt while not all of it is there.
std::optional<WsFrameHeader> parse_ws_frame_header(std::string_view bytes);

// Whether every byte is 7-bit ASCII (and so the text valid UTF-8).
bool is_ascii(std::string_view text);

// Looks for the blank line that ends an HTTP header ("\r\n\r\n") in `bytes`, the next piece
// of a stream: `matched` (0 to 3) carries a match the end of the previous piece began. Returns
// how many bytes of `bytes` run up to and including the blank line, or npos when it is not in
// this piece (`matched` then says how much of it the piece ends with).
std::size_t find_http_header_end(std::string_view bytes, int& matched);

}  // namespace teleglas
