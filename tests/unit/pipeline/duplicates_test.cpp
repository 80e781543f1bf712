// A liquidation CoinGlass relays and the exchange's own stream reports is counted once; what
// only looks alike is not dropped.
#include <gtest/gtest.h>

#include "tape.hpp"
#include "teleglas/ingest/duplicate_liquidations.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;

MarketEvent liquidation(TimeMs t, double usd, double price, std::string_view exchange,
                        Source source, Side side = Side::sell) {
  return MarketEvent{EventKind::liquidation, side, price, usd, t, 0, "BTCUSDT", exchange, "BTC",
                     source};
}

TEST(DuplicateLiquidations, TheSameLiquidationFromAnotherSourceIsAnEcho) {
  DuplicateLiquidations d;
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 95'900, "Binance", Source::coinglass)));
  EXPECT_TRUE(d.echo(liquidation(t0 + 20, 900'050, 95'901, "binance", Source::binance)))
      << "the venue's own report of it, a rounding apart";
}

TEST(DuplicateLiquidations, WhatOnlyLooksAlikeIsKept) {
  DuplicateLiquidations d;
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 95'900, "Binance", Source::coinglass)));
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 95'900, "Binance", Source::coinglass)))
      << "one source twice: two liquidations";
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 95'900, "Bybit", Source::binance)))
      << "another venue";
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 95'900, "Binance", Source::binance, Side::buy)))
      << "the other side";
  EXPECT_FALSE(d.echo(liquidation(t0 + 1'500, 900'000, 95'900, "Binance", Source::okx)))
      << "1.5 s apart";
  EXPECT_FALSE(d.echo(liquidation(t0, 950'000, 95'900, "Binance", Source::bybit)))
      << "5% larger";
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 96'100, "Binance", Source::okx)))
      << "0.2% dearer";
}

TEST(DuplicateLiquidations, LateReportsStillMatchAndOldOnesAreForgotten) {
  DuplicateLiquidations d;
  EXPECT_FALSE(d.echo(liquidation(t0 + 3'000, 10'000, 95'000, "OKX", Source::okx)));
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 95'900, "Binance", Source::binance)));
  EXPECT_TRUE(d.echo(liquidation(t0 + 300, 900'000, 95'900, "Binance", Source::coinglass)))
      << "arrived after a later one";
  for (int i = 0; i < 20'000; ++i) {
    d.echo(liquidation(t0 + 60'000 + i, 1'000, 95'000, "Bybit", Source::bybit));
  }
  EXPECT_FALSE(d.echo(liquidation(t0 + 60'000, 1'000, 95'000, "Bybit", Source::coinglass)))
      << "bounded: what fell out of the remembered window cannot match";
}

TEST(Duplicates, AFlushRelayedByCoinGlassAndStreamedByBinanceIsOneFlushNotTwo) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  // $1.2M of longs: below the hunt's $2M, whatever the number of reports.
  for (int i = 0; i < 3; ++i) {
    for (const Source s : {Source::coinglass, Source::binance}) {
      tape.add(EventKind::liquidation, t0 + i * 1'000 + (s == Source::binance ? 40 : 0),
               Side::sell, 400'000, 95'900 - i * 10, "BTCUSDT", "Binance", s);
    }
  }
  tape.trade(t0 + 4'000, Side::buy, 150'000, 95'800);
  const Config config;
  Pipeline pipeline(config);
  const auto signals = tape.run(pipeline, t0 + 60'000);
  EXPECT_TRUE(of_type(signals, SignalType::stop_hunt).empty()) << "$1.2M, not $2.4M";
  EXPECT_EQ(pipeline.stats().rejected_by_reason[static_cast<int>(EventRejection::duplicate)], 3u);
}

}  // namespace
}  // namespace teleglas
