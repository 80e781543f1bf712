// `teleglas demo`: the whole service on loopback, keyless. The daemon runs against stand-ins of
// its sources — by default the exchanges' own public streams (Bybit, Binance, OKX), each
// streaming its share of a generated market over a real TLS WebSocket; with `coinglass`, a
// simulated CoinGlass with its REST snapshots — and serves its health endpoint; alerts print to
// the terminal, or, with `telegram`, go through a stand-in Bot API to a demo chat that is
// printed as it would show them.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace teleglas {

struct DemoOptions {
  std::uint64_t seed = 7;
  double market_s = 3600;  // length of the generated market
  double pace = 10;        // market seconds per wall-clock second
  double duration_s = 0;   // wall-clock run time; 0 = the whole market plus a few seconds
  std::string http_listen = "127.0.0.1:0";  // the health endpoint; port 0 = any free port
  bool telegram = false;      // deliver through a stand-in Telegram Bot API to a demo chat
  double status_after_s = 5;  // with `telegram`: when the demo chat sends the bot /status
  // The SQLite file the signals and their outcomes are kept in (shown at the end, as
  // `teleglas stats` would); empty = a temporary file, removed afterwards.
  std::string db_path;
  // Where each directional signal's chart is drawn (a PNG per signal, paths printed as they
  // appear); empty = a directory under the system's temporary directory, kept afterwards.
  std::string charts_dir;
  // The sources the daemon runs (names of config/sources.hpp), each against its stand-in. The
  // default is what `teleglas run` uses without a key (bybit, binance) plus OKX; `coinglass`
  // alone is the CoinGlass demo, with the funding and open-interest signals only it gives.
  std::vector<std::string> sources = {"bybit", "binance", "okx"};
};

// Runs until the duration ends or SIGINT/SIGTERM; returns the process exit code.
int run_demo(const DemoOptions& options, std::ostream& out);

}  // namespace teleglas
