// The byte-level rules the feed's fast path relies on: WebSocket frame headers of every length
// form, plain-ASCII payloads, and the end of the HTTP upgrade response across pieces.
#include "teleglas/net/ws_frame.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace teleglas {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int v : values) out += static_cast<char>(v);
  return out;
}

TEST(WsFrameHeader, ShortLengthIsInTheSecondByte) {
  const auto h = parse_ws_frame_header(bytes({0x81, 0x05}) + "hello");
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->fin);
  EXPECT_FALSE(h->reserved_bits);
  EXPECT_EQ(h->opcode, static_cast<std::uint8_t>(WsOpcode::text));
  EXPECT_FALSE(h->masked);
  EXPECT_EQ(h->header_bytes, 2u);
  EXPECT_EQ(h->payload_bytes, 5u);
  EXPECT_EQ(h->frame_bytes(), 7u);
}

TEST(WsFrameHeader, SixteenAndSixtyFourBitLengthsAreReadInNetworkOrder) {
  const auto medium = parse_ws_frame_header(bytes({0x82, 126, 0x01, 0x02}));
  ASSERT_TRUE(medium);
  EXPECT_EQ(medium->opcode, static_cast<std::uint8_t>(WsOpcode::binary));
  EXPECT_EQ(medium->header_bytes, 4u);
  EXPECT_EQ(medium->payload_bytes, 0x0102u);

  const auto large = parse_ws_frame_header(bytes({0x01, 127, 0, 0, 0, 1, 0, 0, 0, 3}));
  ASSERT_TRUE(large);
  EXPECT_FALSE(large->fin);
  EXPECT_EQ(large->header_bytes, 10u);
  EXPECT_EQ(large->payload_bytes, 0x100000003u);
}

TEST(WsFrameHeader, MaskAndReservedBitsAreReportedAndTheMaskKeyCounted) {
  const auto h = parse_ws_frame_header(bytes({0xC9, 0x80 | 126, 0, 200, 1, 2, 3, 4}));
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->reserved_bits);
  EXPECT_EQ(h->opcode, static_cast<std::uint8_t>(WsOpcode::ping));
  EXPECT_TRUE(h->masked);
  EXPECT_EQ(h->header_bytes, 8u);
  EXPECT_EQ(h->payload_bytes, 200u);
}

TEST(WsFrameHeader, IsNotReadUntilAllOfItIsThere) {
  EXPECT_FALSE(parse_ws_frame_header(""));
  EXPECT_FALSE(parse_ws_frame_header(bytes({0x81})));
  EXPECT_FALSE(parse_ws_frame_header(bytes({0x81, 126, 0x01})));
  EXPECT_FALSE(parse_ws_frame_header(bytes({0x81, 127, 0, 0, 0, 0, 0, 0, 1})));
  EXPECT_FALSE(parse_ws_frame_header(bytes({0x81, 0x85, 1, 2, 3})));
  EXPECT_TRUE(parse_ws_frame_header(bytes({0x81, 0x85, 1, 2, 3, 4})));
}

TEST(WsFrameHeader, AnAbsurdLengthSaturatesInsteadOfWrapping) {
  const auto h =
      parse_ws_frame_header(bytes({0x81, 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->frame_bytes(), std::numeric_limits<std::uint64_t>::max());
}

TEST(IsAscii, SeesAHighBitAnywhereInLongAndShortText) {
  EXPECT_TRUE(is_ascii(""));
  EXPECT_TRUE(is_ascii(R"({"channel":"liquidationOrders","data":[]})"));
  const std::string long_text(1000, 'a');
  EXPECT_TRUE(is_ascii(long_text));
  for (const std::size_t at : {0u, 7u, 8u, 500u, 999u}) {
    std::string text = long_text;
    text[at] = static_cast<char>(0xC3);
    EXPECT_FALSE(is_ascii(text)) << at;
  }
  EXPECT_FALSE(is_ascii("币安人生"));
  EXPECT_FALSE(is_ascii("ab\x80"));
}

TEST(HttpHeaderEnd, IsFoundWithinOnePiece) {
  int matched = 0;
  const std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  EXPECT_EQ(find_http_header_end(response + "\x81\x02hi", matched), response.size());
}

TEST(HttpHeaderEnd, IsFoundWhenPiecesCutTheBlankLineAnywhere) {
  const std::string response = "HTTP/1.1 101 OK\r\nA: b\r\n\r\n";
  for (std::size_t cut = 1; cut < response.size(); ++cut) {
    int matched = 0;
    EXPECT_EQ(find_http_header_end(response.substr(0, cut), matched), std::string::npos) << cut;
    const std::size_t end = find_http_header_end(response.substr(cut) + "\x81", matched);
    EXPECT_EQ(end, response.size() - cut) << cut;
  }
}

TEST(HttpHeaderEnd, LookAlikesDoNotEndIt) {
  int matched = 0;
  EXPECT_EQ(find_http_header_end("a\r\nb\n\r\n\rc\r\r\n", matched), std::string::npos);
  EXPECT_EQ(matched, 2);  // ends with "\r\n": a match has begun
  EXPECT_EQ(find_http_header_end("\r\n", matched), 2u);
  matched = 0;
  EXPECT_EQ(find_http_header_end("\n\n\r\r\n\r\n", matched), 7u);
}

}  // namespace
}  // namespace teleglas
