// Builders of Bybit, Binance and OKX public-stream frames for the parser tests, after the
// examples in the venues' documentation: one good row of each and ways to change a field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frame_builders.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas::venues {

using frames::Fields;
using frames::object_of;

// `fields` with `key` set to `value`; an empty `value` removes the field instead.
inline Fields changed(Fields fields, std::string_view key, std::string value) {
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
  if (!value.empty()) fields.emplace_back(key, std::move(value));
  return fields;
}

inline std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

inline std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// ---------------------------------------------------------------------------------- Bybit

inline constexpr TimeMs bybit_time = 1739502302929;

// Bybit's allLiquidation example: a SHORT of 20000 ROSE liquidated ("Sell") at 0.04499.
inline Fields bybit_liquidation_row() {
  return {{"T", std::to_string(bybit_time)},
          {"s", in_quotes("ROSEUSDT")},
          {"S", in_quotes("Sell")},
          {"v", in_quotes("20000")},
          {"p", in_quotes("0.04499")}};
}

// Bybit's publicTrade example: a taker bought 0.001 BTC at 16578.50.
inline Fields bybit_trade_row() {
  return {{"T", "1672304486865"},
          {"s", in_quotes("BTCUSDT")},
          {"S", in_quotes("Buy")},
          {"v", in_quotes("0.001")},
          {"p", in_quotes("16578.50")},
          {"L", in_quotes("PlusTick")},
          {"i", in_quotes("20f43950-d8dd-5b31-9112-a178eb6023af")},
          {"BT", "false"},
          {"seq", "1783284617"}};
}

inline std::string bybit_frame(std::string_view topic, const std::vector<std::string>& rows) {
  return R"({"topic":")" + std::string(topic) + R"(","type":"snapshot","ts":1739502303204,)" +
         R"("data":[)" + joined(rows) + "]}";
}

inline std::string bybit_liquidations(const std::vector<std::string>& rows) {
  return bybit_frame("allLiquidation.ROSEUSDT", rows);
}

// -------------------------------------------------------------------------------- Binance

inline constexpr TimeMs binance_time = 1568014460893;

// Binance's forceOrder example: a forced SELL of 0.014 BTC at 9910 (a long liquidated).
inline Fields binance_order() {
  return {
      {"s", in_quotes("BTCUSDT")}, {"S", in_quotes("SELL")},           {"o", in_quotes("LIMIT")},
      {"f", in_quotes("IOC")},     {"q", in_quotes("0.014")},          {"p", in_quotes("9910")},
      {"ap", in_quotes("9910")},   {"X", in_quotes("FILLED")},         {"l", in_quotes("0.014")},
      {"z", in_quotes("0.014")},   {"T", std::to_string(binance_time)}};
}

inline std::string binance_force_order(const Fields& order = binance_order()) {
  return R"({"e":"forceOrder","E":)" + std::to_string(binance_time) + R"(,"o":)" +
         object_of(order) + "}";
}

// An aggTrade event; m true: the buyer was the maker, so the taker sold.
inline Fields binance_agg_trade() {
  return {{"e", in_quotes("aggTrade")},
          {"E", "1725416318380"},
          {"s", in_quotes("BTCUSDT")},
          {"a", "5933014"},
          {"p", in_quotes("56738.5")},
          {"q", in_quotes("0.25")},
          {"f", "100"},
          {"l", "105"},
          {"T", "1725416318379"},
          {"m", "true"}};
}

inline std::string binance_combined(std::string_view stream, const std::string& data) {
  return R"({"stream":")" + std::string(stream) + R"(","data":)" + data + "}";
}

// ------------------------------------------------------------------------------------ OKX

// OKX's trades example, on a swap: a taker bought 12 contracts at 42219.9.
inline Fields okx_trade_row(std::string_view inst_id = "BTC-USDT-SWAP") {
  return {{"instId", in_quotes(inst_id)},
          {"tradeId", in_quotes("130639474")},
          {"px", in_quotes("42219.9")},
          {"sz", in_quotes("12")},
          {"side", in_quotes("buy")},
          {"ts", in_quotes("1630048897897")},
          {"count", in_quotes("3")},
          {"source", in_quotes("0")},
          {"seqId", "1234"}};
}

inline std::string okx_trades(const std::vector<std::string>& rows,
                              std::string_view inst_id = "BTC-USDT-SWAP") {
  return R"({"arg":{"channel":"trades","instId":")" + std::string(inst_id) + R"("},"data":[)" +
         joined(rows) + "]}";
}

// OKX's liquidation-orders example: 13 contracts of a SHORT (posSide short, a forced buy).
inline Fields okx_detail() {
  return {
      {"bkLoss", in_quotes("0")},        {"bkPx", in_quotes("0.007831")}, {"ccy", in_quotes("")},
      {"posSide", in_quotes("short")},   {"side", in_quotes("buy")},      {"sz", in_quotes("13")},
      {"ts", in_quotes("1692266434010")}};
}

// The details come first, as in OKX's example.
inline std::string okx_entry(const std::vector<std::string>& details,
                             std::string_view inst_id = "IOST-USDT-SWAP") {
  const std::string family(inst_id.substr(0, inst_id.rfind('-')));
  return R"({"details":[)" + joined(details) + R"(],"instFamily":")" + family + R"(","instId":")" +
         std::string(inst_id) + R"(","instType":"SWAP","uly":")" + family + R"("})";
}

inline std::string okx_liquidations(const std::vector<std::string>& entries) {
  return R"({"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[)" + joined(entries) +
         "]}";
}

// One row of OKX's instruments list (most of its fields left out).
inline std::string okx_instrument(std::string_view inst_id, std::string_view ct_val,
                                  std::string_view ct_type, std::string_view inst_type = "SWAP") {
  return R"({"instType":")" + std::string(inst_type) + R"(","instId":")" + std::string(inst_id) +
         R"(","ctVal":")" + std::string(ct_val) + R"(","ctMult":"1","ctType":")" +
         std::string(ct_type) + R"(","state":"live"})";
}

// The line the daemon records when it fetches OKX's instruments: the response body verbatim.
inline std::string instruments_line(const std::vector<std::string>& rows,
                                    std::string_view code = R"("0")") {
  return R"({"channel":"okx.instruments","time":1725416318379,"data":{"code":)" +
         std::string(code) + R"(,"msg":"","data":[)" + joined(rows) + "]}}";
}

// The one reason counted, when exactly one rejection was counted; nullopt otherwise.
inline std::optional<RejectReason> only_reject(const FrameParser& parser) {
  if (parser.stats().rejected() != 1) return std::nullopt;
  for (int r = 0; r < reject_reason_count; ++r) {
    if (parser.stats().rejected_by_reason[r] != 0) return static_cast<RejectReason>(r);
  }
  return std::nullopt;
}

}  // namespace teleglas::venues
