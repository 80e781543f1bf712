// `teleglas demo`: the whole daemon against the simulated CoinGlass on loopback, serving a
// generated market over a real TLS WebSocket and REST, alerts printed to the terminal.
#pragma once

#include <cstdint>
#include <ostream>

namespace teleglas {

struct DemoOptions {
  std::uint64_t seed = 7;
  double market_s = 3600;  // length of the generated market
  double pace = 10;        // market seconds per wall-clock second
  double duration_s = 0;   // wall-clock run time; 0 = the whole market plus a few seconds
};

// Runs until the duration ends or SIGINT/SIGTERM; returns the process exit code.
int run_demo(const DemoOptions& options, std::ostream& alerts_out);

}  // namespace teleglas
