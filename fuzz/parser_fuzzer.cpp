// libFuzzer target for the frame parser. Beyond "no crash, no UB" it checks that everything
// accepted is valid, and that the in-place and copying paths agree on every input.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/ingest/parser.hpp"

namespace {

using teleglas::FrameKind;
using teleglas::ParsedFrame;

constexpr teleglas::TimeMs earliest_valid_time = 1262304000000;
constexpr teleglas::TimeMs end_of_valid_time = 4102444800000;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer reports it as a crash, with the input
}

void check_valid(const ParsedFrame& f) {
  if (f.kind != FrameKind::market) require(f.events.empty());
  if (f.kind != FrameKind::funding) require(f.funding.empty());
  if (f.kind != FrameKind::open_interest) require(f.open_interest.empty());
  if (f.kind == FrameKind::rejected) require(f.rejected_events == 0);
  for (const teleglas::MarketEvent& e : f.events) {
    require(std::isfinite(e.price) && e.price > 0);
    require(std::isfinite(e.volume_usd) && e.volume_usd > 0);
    require(e.exchange_time >= earliest_valid_time && e.exchange_time < end_of_valid_time);
    require(e.side == teleglas::Side::sell || e.side == teleglas::Side::buy);
    require(!e.symbol.empty());
  }
  for (const teleglas::FundingRate& r : f.funding) {
    require(std::isfinite(r.rate_pct) && std::isfinite(r.interval_h) && r.interval_h > 0);
    require(!r.base_asset.empty() && !r.exchange.empty());
  }
  for (const teleglas::OpenInterest& oi : f.open_interest) {
    require(std::isfinite(oi.open_interest_usd) && oi.open_interest_usd > 0);
    require(!oi.base_asset.empty() && !oi.exchange.empty());
  }
}

// Everything a parse says, flattened, so two parses can be compared after the views die.
std::string describe(const ParsedFrame& f) {
  std::string out;
  auto add = [&out](std::string_view s) {
    out += s;
    out += '\x1f';
  };
  auto add_number = [&](double d) { add(std::string_view(reinterpret_cast<const char*>(&d), 8)); };
  add(std::to_string(static_cast<int>(f.kind)));
  add(std::to_string(static_cast<int>(f.reject_reason)));
  add(std::to_string(f.rejected_events));
  add(f.channel);
  add(f.notice);
  for (const auto& e : f.events) {
    add(e.symbol), add(e.exchange), add(e.base_asset), add_number(e.price);
    add_number(e.volume_usd), add(std::to_string(e.exchange_time));
    add(std::to_string(static_cast<int>(e.side)));
  }
  for (const auto& r : f.funding) {
    add(r.base_asset), add(r.exchange), add_number(r.rate_pct), add_number(r.interval_h);
  }
  for (const auto& oi : f.open_interest) {
    add(oi.base_asset), add(oi.exchange), add_number(oi.open_interest_usd);
    for (double c : oi.change_pct) add_number(c);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One parser per path for the whole run, as in the daemon: reuse must not leak state.
  static teleglas::FrameParser copying;
  static teleglas::FrameParser in_place;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);

  const ParsedFrame& copied = copying.parse(frame);
  check_valid(copied);
  const std::string expected = describe(copied);

  // The caller's bytes after the frame are arbitrary; '}' and '"' are the hostile ones.
  std::vector<char> buffer(size + 64, size % 2 ? '}' : '"');
  if (size != 0) std::memcpy(buffer.data(), data, size);
  const ParsedFrame& parsed =
      in_place.parse(std::string_view(buffer.data(), size), 0, buffer.size());
  check_valid(parsed);
  require(describe(parsed) == expected);

  // A live receive time exercises the clock-skew check.
  check_valid(copying.parse(frame, 1737897219873));
  return 0;
}
