#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "frame_builders.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas {
namespace {

using namespace frames;

// --------------------------------------------------------------------------- funding snapshots

constexpr TimeMs snapshot_time = 1745222000000;

std::string funding_line(std::string_view data) {
  return R"({"channel":"funding_rates","time":)" + std::to_string(snapshot_time) + R"(,"data":)" +
         std::string(data) + "}";
}

const std::string funding_data =
    R"([{"symbol":"BTC","stablecoin_margin_list":[)"
    R"({"exchange":"Binance","funding_rate_interval":8,"funding_rate":0.007343,)"
    R"("next_funding_time":1745222400000},)"
    R"({"exchange":"Hyperliquid","funding_rate_interval":1,"funding_rate":0.00125}],)"
    R"("token_margin_list":[{"exchange":"Binance","funding_rate":-0.001829}]},)"
    R"({"symbol":"ETH","stablecoin_margin_list":[{"exchange":"OKX","funding_rate_interval":4,)"
    R"("funding_rate":0}]}])";

TEST(Parser, ParsesFundingSnapshot) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(funding_line(funding_data));
  ASSERT_EQ(f.kind, FrameKind::funding);
  EXPECT_EQ(f.channel, "funding_rates");
  ASSERT_EQ(f.funding.size(), 4u);
  EXPECT_EQ(f.funding[0].base_asset, "BTC");
  EXPECT_EQ(f.funding[0].exchange, "Binance");
  EXPECT_DOUBLE_EQ(f.funding[0].rate_pct, 0.007343);
  EXPECT_DOUBLE_EQ(f.funding[0].interval_h, 8);
  EXPECT_EQ(f.funding[0].time, snapshot_time);
  EXPECT_EQ(f.funding[2].exchange, "Binance");  // token-margined list
  EXPECT_DOUBLE_EQ(f.funding[2].rate_pct, -0.001829);
  EXPECT_DOUBLE_EQ(f.funding[2].interval_h, 8);  // absent: the usual 8 h
  EXPECT_EQ(f.funding[3].base_asset, "ETH");
  EXPECT_EQ(parser.stats().funding_rates, 4u);
  EXPECT_EQ(parser.stats().events, 0u);
}

TEST(Parser, NormalizesFundingRatesToEightHours) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(funding_line(funding_data));
  ASSERT_EQ(f.funding.size(), 4u);
  EXPECT_DOUBLE_EQ(f.funding[0].rate_8h_pct(), 0.007343);  // 8 h as is
  EXPECT_DOUBLE_EQ(f.funding[1].rate_8h_pct(), 0.01);      // 1 h x 8
  EXPECT_DOUBLE_EQ(f.funding[3].rate_8h_pct(), 0.0);       // zero is a rate
}

TEST(Parser, ReadsFundingCoinWhoseSymbolComesLast) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(funding_line(
      R"([{"token_margin_list":[{"exchange":"Bybit","funding_rate":0.01}],"symbol":"SOL"}])"));
  ASSERT_EQ(f.funding.size(), 1u);
  EXPECT_EQ(f.funding[0].base_asset, "SOL");
  EXPECT_EQ(f.funding[0].exchange, "Bybit");
}

TEST(Parser, RejectsBadFundingRowsAndKeepsTheRest) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(funding_line(
      R"([{"symbol":"BTC","stablecoin_margin_list":[{"exchange":"Binance","funding_rate":0.01},)"
      R"({"funding_rate":0.02},{"exchange":"OKX","funding_rate":"0.03"},)"
      R"({"exchange":"Gate","funding_rate":0.01,"funding_rate_interval":0},7],)"
      R"("token_margin_list":{}},)"
      R"({"stablecoin_margin_list":[{"exchange":"OKX","funding_rate":0.01}]}])"));
  ASSERT_EQ(f.kind, FrameKind::funding);
  ASSERT_EQ(f.funding.size(), 1u);
  EXPECT_EQ(f.funding[0].exchange, "Binance");
  EXPECT_EQ(f.rejected_events, 6u);
  EXPECT_EQ(rejected_for(parser, RejectReason::missing_field), 2);  // row without exchange, coin
  EXPECT_EQ(rejected_for(parser, RejectReason::wrong_type), 2);     // string rate, object list
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_time), 1);       // zero interval
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_event), 1);      // 7
}

TEST(Parser, CountsAFundingCoinWithoutSymbolAsOneRejection) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(funding_line(
      R"([{"stablecoin_margin_list":[{"exchange":"OKX","funding_rate":0.01},{"funding_rate":1}],)"
      R"("symbol":""}])"));
  ASSERT_EQ(f.kind, FrameKind::funding);
  EXPECT_TRUE(f.funding.empty());
  EXPECT_EQ(f.rejected_events, 1u);
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_symbol), 1);
  EXPECT_EQ(parser.stats().rejected(), 1u);
}

TEST(Parser, FundingSnapshotRequiresTime) {
  EXPECT_EQ(frame_reject(R"({"channel":"funding_rates","data":[]})"), RejectReason::missing_field);
  EXPECT_EQ(frame_reject(R"({"channel":"funding_rates","time":"now","data":[]})"),
            RejectReason::wrong_type);
  EXPECT_EQ(frame_reject(R"({"channel":"funding_rates","time":1000,"data":[]})"),
            RejectReason::bad_time);
}

TEST(Parser, ReadsSnapshotTimeThatComesAfterData) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(R"({"channel":"funding_rates","data":)" + funding_data +
                                      R"(,"time":)" + std::to_string(snapshot_time) + "}");
  ASSERT_EQ(f.kind, FrameKind::funding);
  ASSERT_EQ(f.funding.size(), 4u);
  EXPECT_EQ(f.funding[3].time, snapshot_time);
}

// --------------------------------------------------------------------- open-interest snapshots

std::string open_interest_line(std::string_view data) {
  return R"({"channel":"open_interest","time":)" + std::to_string(snapshot_time) + R"(,"data":)" +
         std::string(data) + "}";
}

TEST(Parser, ParsesOpenInterestSnapshot) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(open_interest_line(
      R"([{"exchange":"All","symbol":"BTC","open_interest_usd":57437891724.5572,)"
      R"("open_interest_quantity":659557.3064,"open_interest_by_stable_coin_margin":48920274435.15,)"
      R"("open_interest_change_percent_5m":0.34,"open_interest_change_percent_15m":0.59,)"
      R"("open_interest_change_percent_30m":1.42,"open_interest_change_percent_1h":2.27,)"
      R"("open_interest_change_percent_4h":2.95,"open_interest_change_percent_24h":-0.9},)"
      R"({"exchange":"CME","symbol":"BTC","open_interest_usd":12294999402.5,)"
      R"("open_interest_change_percent_1h":null}])"));
  ASSERT_EQ(f.kind, FrameKind::open_interest);
  ASSERT_EQ(f.open_interest.size(), 2u);
  const OpenInterest& all = f.open_interest[0];
  EXPECT_EQ(all.exchange, "All");  // the aggregate is kept; the analyzer decides
  EXPECT_EQ(all.base_asset, "BTC");
  EXPECT_DOUBLE_EQ(all.open_interest_usd, 57437891724.5572);
  EXPECT_DOUBLE_EQ(all.change_pct[OpenInterest::m5], 0.34);
  EXPECT_DOUBLE_EQ(all.change_pct[OpenInterest::m30], 1.42);
  EXPECT_DOUBLE_EQ(all.change_pct[OpenInterest::h24], -0.9);
  EXPECT_EQ(all.time, snapshot_time);
  const OpenInterest& cme = f.open_interest[1];
  for (int h = 0; h < OpenInterest::horizon_count; ++h) EXPECT_TRUE(std::isnan(cme.change_pct[h]));
  EXPECT_EQ(parser.stats().open_interests, 2u);
}

TEST(Parser, RejectsNonPositiveOpenInterest) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(
      open_interest_line(R"([{"exchange":"Binance","symbol":"BTC","open_interest_usd":0},)"
                         R"({"exchange":"OKX","symbol":"BTC","open_interest_usd":-1},)"
                         R"({"exchange":"Bybit","symbol":"BTC"},)"
                         R"({"exchange":"Gate","symbol":"BTC","open_interest_usd":5e9}])"));
  ASSERT_EQ(f.open_interest.size(), 1u);
  EXPECT_EQ(f.open_interest[0].exchange, "Gate");
  EXPECT_EQ(rejected_for(parser, RejectReason::bad_volume), 2);
  EXPECT_EQ(rejected_for(parser, RejectReason::missing_field), 1);
}

TEST(Parser, RejectsOpenInterestSnapshotWhoseDataIsNotAnArray) {
  EXPECT_EQ(frame_reject(open_interest_line(R"({"exchange":"All"})")), RejectReason::bad_data);
}

}  // namespace
}  // namespace teleglas
