// libFuzzer target for the frame parser. Beyond "no crash, no UB" it checks that everything
// accepted is valid (names within their charset, values within the caps), and that the in-place
// and copying paths agree on every input.
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
constexpr teleglas::TimeMs live_receive_time = 1737897219873;
const teleglas::ParserOptions defaults;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer reports it as a crash, with the input
}

// The name rules of parser.hpp, stated again independently of the parser's own tables.
bool is_name(std::string_view name, std::size_t max_length, std::string_view punctuation) {
  constexpr std::string_view letters_and_digits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (name.empty() || name.size() > max_length) return false;
  for (const char c : name) {
    if (letters_and_digits.find(c) == std::string_view::npos &&
        punctuation.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}
bool is_symbol(std::string_view name) {
  return is_name(name, 32, "-_/.:");
}
bool is_exchange_or_asset(std::string_view name) {
  return is_name(name, 24, " .-_");
}

void check_valid(const ParsedFrame& f, teleglas::TimeMs receive_time) {
  if (f.kind != FrameKind::market) require(f.events.empty());
  if (f.kind != FrameKind::funding) require(f.funding.empty());
  if (f.kind != FrameKind::open_interest) require(f.open_interest.empty());
  if (f.kind == FrameKind::rejected) require(f.rejected_events == 0);
  for (const teleglas::MarketEvent& e : f.events) {
    require(std::isfinite(e.price) && e.price > 0 && e.price <= defaults.max_price);
    require(std::isfinite(e.volume_usd) && e.volume_usd > 0 &&
            e.volume_usd <= defaults.max_volume_usd);
    require(e.exchange_time >= earliest_valid_time && e.exchange_time < end_of_valid_time);
    require(e.receive_time == receive_time);
    require(e.side == teleglas::Side::sell || e.side == teleglas::Side::buy);
    require(is_symbol(e.symbol));
    require(e.exchange.empty() || is_exchange_or_asset(e.exchange));
    require(e.base_asset.empty() || is_exchange_or_asset(e.base_asset));
  }
  for (const teleglas::FundingRate& r : f.funding) {
    require(std::isfinite(r.rate_pct) && std::isfinite(r.interval_h) && r.interval_h > 0);
    require(is_exchange_or_asset(r.base_asset) && is_exchange_or_asset(r.exchange));
  }
  for (const teleglas::OpenInterest& oi : f.open_interest) {
    require(std::isfinite(oi.open_interest_usd) && oi.open_interest_usd > 0);
    require(is_exchange_or_asset(oi.base_asset) && is_exchange_or_asset(oi.exchange));
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
  check_valid(copied, 0);
  const std::string expected = describe(copied);

  // The caller's bytes after the frame are arbitrary; '}' and '"' are the hostile ones.
  std::vector<char> buffer(size + 64, size % 2 ? '}' : '"');
  if (size != 0) std::memcpy(buffer.data(), data, size);
  const ParsedFrame& parsed =
      in_place.parse(std::string_view(buffer.data(), size), 0, buffer.size());
  check_valid(parsed, 0);
  require(describe(parsed) == expected);

  // A live receive time exercises the clock-skew check.
  check_valid(copying.parse(frame, live_receive_time), live_receive_time);
  return 0;
}
