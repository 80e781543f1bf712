// Builders of CoinGlass frames for the parser tests: one good liquidation element and ways to
// change one field of it, and the verdicts of parsing them.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "teleglas/ingest/parser.hpp"

namespace teleglas::frames {

inline constexpr TimeMs t0 = 1725416318379;  // 2024-09-04
inline constexpr TimeMs hour_ms = TimeMs{3600} * 1000;

// The fields of one good liquidation element, in wire order; tests swap or drop one.
using Fields = std::vector<std::pair<std::string, std::string>>;

inline Fields good_fields() {
  return {{"baseAsset", R"("BTC")"},  {"exName", R"("Binance")"},
          {"price", "56738.0"},       {"side", "2"},
          {"symbol", R"("BTCUSDT")"}, {"time", std::to_string(t0)},
          {"volUsd", "3858.184"}};
}

// The good fields with `key` set to `value`; an empty `value` removes the field instead.
inline Fields with(std::string_view key, std::string value) {
  Fields fields = good_fields();
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it->first == key) {
      if (value.empty()) {
        fields.erase(it);
      } else {
        it->second = std::move(value);
      }
      return fields;
    }
  }
  fields.emplace_back(key, std::move(value));
  return fields;
}

inline std::string object_of(const Fields& fields) {
  std::string out = "{";
  for (const auto& [key, value] : fields) {
    if (out.size() > 1) out += ',';
    out.append(1, '"').append(key).append("\":").append(value);
  }
  return out + '}';
}

inline std::string frame_of(std::string_view channel, const std::vector<std::string>& elements) {
  std::string data;
  for (const auto& e : elements) data += (data.empty() ? "" : ",") + e;
  return R"({"channel":")" + std::string(channel) + R"(","data":[)" + data + "]}";
}

inline std::string liquidations(const std::vector<std::string>& elements) {
  return frame_of("liquidationOrders", elements);
}

inline const std::string good_element = object_of(good_fields());

inline int rejected_for(const FrameParser& parser, RejectReason reason) {
  return static_cast<int>(parser.stats().rejected_by_reason[static_cast<int>(reason)]);
}

// Parses one liquidation frame whose only element has `key` set to `value`, and returns why
// that element was rejected (or nullopt when it was accepted).
inline std::optional<RejectReason> element_verdict(std::string_view key, std::string value) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(liquidations({object_of(with(key, std::move(value)))}));
  EXPECT_EQ(f.kind, FrameKind::market);
  if (f.rejected_events == 0) return std::nullopt;
  for (int r = 0; r < reject_reason_count; ++r) {
    if (parser.stats().rejected_by_reason[r] != 0) return static_cast<RejectReason>(r);
  }
  return std::nullopt;
}

// Parses a frame of a good BTCUSDT element, the `bad` ones and a good ETHUSDT element: the two
// good ones must come through, and each bad one be counted once, under `reason`.
inline void expect_batch_keeps_good_elements(const std::vector<std::string>& bad,
                                             RejectReason reason) {
  std::vector<std::string> elements{good_element};
  elements.insert(elements.end(), bad.begin(), bad.end());
  elements.push_back(object_of(with("symbol", R"("ETHUSDT")")));
  FrameParser parser;
  const ParsedFrame& f = parser.parse(liquidations(elements));
  ASSERT_EQ(f.kind, FrameKind::market);
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].symbol, "BTCUSDT");
  EXPECT_EQ(f.events[1].symbol, "ETHUSDT");
  EXPECT_EQ(f.rejected_events, bad.size());
  EXPECT_EQ(rejected_for(parser, reason), static_cast<int>(bad.size()));
  EXPECT_EQ(parser.stats().rejected(), bad.size());
  EXPECT_EQ(parser.stats().events, 2u);
}

// Parses one frame that must be rejected as a whole, and returns why.
inline RejectReason frame_reject(std::string_view text) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(text);
  EXPECT_EQ(f.kind, FrameKind::rejected) << text;
  EXPECT_EQ(parser.stats().rejected(), 1u) << text;
  return f.reject_reason;
}

}  // namespace teleglas::frames
