// A liquidation CoinGlass relays and the exchange's own stream reports is counted once, and so
// is a trade (the venue's own stream is the authority on it while it runs); what only looks
// alike is not dropped.
#include <gtest/gtest.h>

#include "tape.hpp"
#include "teleglas/ingest/duplicates.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;

constexpr TimeMs t0 = 1'725'416'400'000;

MarketEvent liquidation(TimeMs t, double usd, double price, std::string_view exchange,
                        Source source, Side side = Side::sell) {
  return MarketEvent{
      EventKind::liquidation, side, price, usd, t, 0, "BTCUSDT", exchange, "BTC", source};
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
  EXPECT_FALSE(d.echo(liquidation(t0, 950'000, 95'900, "Binance", Source::bybit))) << "5% larger";
  EXPECT_FALSE(d.echo(liquidation(t0, 900'000, 96'100, "Binance", Source::okx))) << "0.2% dearer";
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

MarketEvent trade(TimeMs t, double usd, double price, std::string_view exchange, Source source,
                  Side side = Side::buy, std::string_view symbol = "BTCUSDT") {
  return MarketEvent{EventKind::trade, side, price, usd, t, 0, symbol, exchange, "BTC", source};
}

TEST(DuplicateTrades, OneKindOfSourceDropsNothing) {
  DuplicateTrades coinglass_only;
  DuplicateTrades exchanges_only;
  for (int i = 0; i < 100; ++i) {
    // Identical reports: one source may print the same size twice.
    EXPECT_FALSE(
        coinglass_only.duplicate(trade(t0 + i * 10, 50'000, 95'000, "Binance", Source::coinglass)));
    EXPECT_FALSE(
        exchanges_only.duplicate(trade(t0 + i * 10, 50'000, 95'000, "Binance", Source::binance)));
    EXPECT_FALSE(
        exchanges_only.duplicate(trade(t0 + i * 10, 50'000, 95'000, "Bybit", Source::bybit)));
  }
}

TEST(DuplicateTrades, WhileTheVenuesOwnStreamRunsCoinGlassRelaysOfItAreDropped) {
  DuplicateTrades d;
  EXPECT_FALSE(d.duplicate(trade(t0, 200, 95'000, "Binance", Source::binance)));
  EXPECT_TRUE(d.duplicate(trade(t0 + 50, 60'000, 95'010, "binance", Source::coinglass)))
      << "Binance's own stream is live for BTCUSDT";
  EXPECT_TRUE(d.duplicate(trade(t0 + 29'000, 60'000, 94'000, "Binance", Source::coinglass)))
      << "29 s after its last own trade: still live";
  EXPECT_FALSE(d.duplicate(trade(t0 + 50, 60'000, 95'010, "Bybit", Source::coinglass)))
      << "Bybit's trades: no own stream for them";
  EXPECT_FALSE(d.duplicate(
      trade(t0 + 50, 60'000, 3'000, "Binance", Source::coinglass, Side::buy, "ETHUSDT")))
      << "another symbol, not subscribed on the own stream";
  EXPECT_FALSE(d.duplicate(trade(t0 + 31'000, 60'000, 94'000, "Binance", Source::coinglass)))
      << "the own stream silent 31 s (down): CoinGlass's trades count again";
}

TEST(DuplicateTrades, AnOwnStreamComingBackDoesNotCountWhatCoinGlassAlreadyCounted) {
  DuplicateTrades d;
  EXPECT_FALSE(d.duplicate(trade(t0, 80'000, 95'000, "OKX", Source::coinglass, Side::sell)));
  EXPECT_TRUE(d.duplicate(trade(t0 + 400, 80'100, 95'010, "OKX", Source::okx, Side::sell)))
      << "OKX's own report of the trade CoinGlass relayed first";
  EXPECT_FALSE(d.duplicate(trade(t0 + 400, 80'000, 95'000, "OKX", Source::okx, Side::buy)))
      << "the other side: another trade";
  EXPECT_FALSE(d.duplicate(trade(t0 + 500, 3'000, 95'000, "OKX", Source::okx, Side::sell)))
      << "a small trade CoinGlass never relayed";
  EXPECT_TRUE(d.duplicate(trade(t0 + 600, 80'000, 95'000, "OKX", Source::coinglass, Side::sell)))
      << "and from now on the own stream is live";
}

TEST(DuplicateTrades, AFloodOfInstrumentsStaysBounded) {
  DuplicateTrades d;
  for (int i = 0; i < 3 * static_cast<int>(DuplicateTrades::max_streams); ++i) {
    const std::string symbol = "S" + std::to_string(i) + "USDT";
    EXPECT_FALSE(d.duplicate(trade(t0 + i, 100, 1.0, "Bybit", Source::bybit, Side::buy, symbol)));
  }
  // Still a working filter afterwards.
  EXPECT_FALSE(d.duplicate(trade(t0 + 20'000, 100, 95'000, "Binance", Source::binance)));
  EXPECT_TRUE(d.duplicate(trade(t0 + 20'001, 60'000, 95'000, "Binance", Source::coinglass)));
}

TEST(Duplicates, AbsorptionTradesRelayedByCoinGlassAreCountedOnceAsOnBinanceAlone) {
  // A $2.6M flush of longs on Binance absorbed by large buys. Binance's own stream delivers
  // every trade; CoinGlass relays the large ones (and the liquidations) a few ms later.
  auto market = [](bool with_coinglass) {
    Tape tape;
    tape.background(t0 - 600'000, t0 + 120'000);
    for (TimeMs t = t0 - 300'000; t < t0 + 90'000; t += 700) {
      tape.add(EventKind::trade, t, (t / 700) % 2 ? Side::buy : Side::sell, 2'000, 95'950,
               "BTCUSDT", "Binance", Source::binance);
    }
    for (int i = 0; i < 6; ++i) {
      tape.add(EventKind::liquidation, t0 + i * 500, Side::sell, 440'000, 95'900 - i * 20,
               "BTCUSDT", "Binance", Source::binance);
    }
    for (int i = 0; i < 8; ++i) {
      const TimeMs t = t0 + 4'000 + i * 1'500;
      const double usd = 90'000 + i * 10'000;
      tape.add(EventKind::trade, t, Side::buy, usd, 95'780 + i * 5, "BTCUSDT", "Binance",
               Source::binance);
      if (with_coinglass) {
        tape.add(EventKind::trade, t + 35, Side::buy, usd, 95'780 + i * 5, "BTCUSDT", "Binance",
                 Source::coinglass);
      }
    }
    return tape;
  };
  const Config config;
  Pipeline alone(config);
  const auto own = market(false).run(alone, t0 + 120'000);
  Pipeline both(config);
  const auto relayed = market(true).run(both, t0 + 120'000);
  const auto own_hunts = of_type(own, SignalType::stop_hunt);
  ASSERT_EQ(own_hunts.size(), 1u);
  const auto relayed_hunts = of_type(relayed, SignalType::stop_hunt);
  ASSERT_EQ(relayed_hunts.size(), 1u);
  EXPECT_EQ(relayed_hunts[0].confidence, own_hunts[0].confidence);
  EXPECT_EQ(relayed_hunts[0].absorption_usd, own_hunts[0].absorption_usd);
  ASSERT_EQ(relayed_hunts[0].factors.size(), own_hunts[0].factors.size());
  for (std::size_t i = 0; i < own_hunts[0].factors.size(); ++i) {
    EXPECT_EQ(relayed_hunts[0].factors[i].detail, own_hunts[0].factors[i].detail);
  }
  EXPECT_EQ(relayed.size(), own.size());
  EXPECT_EQ(both.stats().rejected_by_reason[static_cast<int>(EventRejection::duplicate_trade)], 8u);
  EXPECT_EQ(alone.stats().rejected_by_reason[static_cast<int>(EventRejection::duplicate_trade)],
            0u);
}

TEST(Duplicates, AFlushRelayedByCoinGlassAndStreamedByBinanceIsOneFlushNotTwo) {
  Tape tape;
  tape.background(t0 - 600'000, t0 + 60'000);
  // $1.2M of longs: below the hunt's $2M, whatever the number of reports.
  for (int i = 0; i < 3; ++i) {
    for (const Source s : {Source::coinglass, Source::binance}) {
      tape.add(EventKind::liquidation, t0 + i * 1'000 + (s == Source::binance ? 40 : 0), Side::sell,
               400'000, 95'900 - i * 10, "BTCUSDT", "Binance", s);
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
