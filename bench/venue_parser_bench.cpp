// Parsing alone of the exchanges' own frames (Bybit, Binance, OKX), the hot path of a venue
// feed: the generated one-hour market (every event, whichever exchange it names) written as each
// venue pushes it (sim/venue_frames), then FrameParser::parse over every frame, in place, best
// of N passes per venue.
//
//   venue_parser_bench [--passes N] [--minutes M]
//
// Prints frames/s and ns per frame for each venue, and the events parsed (which must not change
// between two builds being compared).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/ingest/parser.hpp"
#include "teleglas/sim/market_generator.hpp"
#include "teleglas/sim/venue_frames.hpp"

namespace {

using namespace teleglas;
using clock_type = std::chrono::steady_clock;

// The frames of one venue, back to back, each followed by the 64 bytes the parser needs to read
// in place.
struct Tape {
  std::string bytes;
  std::vector<std::pair<std::size_t, std::size_t>> frames;  // offset, size
};

Tape venue_tape(const std::vector<std::string_view>& lines, Venue venue) {
  VenueFrameBuilder builder;
  Tape tape;
  for (std::string_view line : lines) {
    // Every event of the line, whichever exchange CoinGlass named: the generated trades are
    // Binance's, and each venue should be measured on the same busy market.
    const std::vector<VenueEvent> events = coinglass_events(line);
    for (const std::string& frame : builder.frames(venue, events)) {
      tape.frames.emplace_back(tape.bytes.size(), frame.size());
      tape.bytes += frame;
      tape.bytes.append(64, ' ');
    }
  }
  return tape;
}

// One pass over the tape with a fresh parser; returns seconds.
double parse_pass(const Tape& tape, Venue venue, std::uint64_t& events) {
  FrameParser parser;
  if (venue == Venue::okx) {
    for (const VenueInstrument& i : default_venue_instruments()) {
      parser.set_contract(i.okx_inst_id(), ContractSpec{i.okx_ct_val, false});
    }
  }
  double checksum = 0;
  const auto start = clock_type::now();
  for (const auto& [offset, size] : tape.frames) {
    const std::string_view frame(tape.bytes.data() + offset, size);
    const ParsedFrame& f = parser.parse(frame, 0, tape.bytes.size() - offset);
    for (const MarketEvent& e : f.events) checksum += e.volume_usd;
  }
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  events = parser.stats().events;
  if (checksum == 42) std::puts("");  // keep the work observable
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int passes = 15;
  double minutes = 60;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--passes") && i + 1 < argc) {
      passes = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--minutes") && i + 1 < argc) {
      minutes = std::max(1.0, std::atof(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: venue_parser_bench [--passes N] [--minutes M]\n");
      return 2;
    }
  }
  MarketGeneratorOptions options;
  options.duration_s = minutes * 60;
  options.snapshots = false;
  std::ostringstream recording;
  generate_market(options, recording);
  const std::string text = recording.str();
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    lines.emplace_back(text.data() + pos, end - pos);
    pos = end + 1;
  }
  for (Venue venue : {Venue::bybit, Venue::binance, Venue::okx}) {
    const Tape tape = venue_tape(lines, venue);
    double best = 1e300;
    std::uint64_t events = 0;
    for (int p = 0; p < passes; ++p) best = std::min(best, parse_pass(tape, venue, events));
    const double frames = static_cast<double>(tape.frames.size());
    std::printf("%-8s %8zu frames %9llu events  %10.0f frames/s  %7.1f ns/frame (best of %d)\n",
                std::string(to_string(venue)).c_str(), tape.frames.size(),
                static_cast<unsigned long long>(events), frames / best, best / frames * 1e9,
                passes);
  }
  return 0;
}
