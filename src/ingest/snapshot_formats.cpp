// Funding and open-interest snapshots. They arrive as a few lines a minute: clarity over speed.
// Field names of these REST formats live here and nowhere else.
#include "snapshot_formats.hpp"

#include <optional>
#include <string_view>

namespace teleglas::ingest_detail {

namespace {

constexpr double default_funding_interval_h = 8;

constexpr std::string_view oi_change_prefix = "open_interest_change_percent_";
constexpr std::string_view oi_horizon_suffix[OpenInterest::horizon_count] = {"5m", "15m", "30m",
                                                                             "1h", "4h",  "24h"};

std::optional<OpenInterest::Horizon> oi_horizon(std::string_view key) {
  if (!key.starts_with(oi_change_prefix)) return std::nullopt;
  key.remove_prefix(oi_change_prefix.size());
  for (int h = 0; h < OpenInterest::horizon_count; ++h) {
    if (key == oi_horizon_suffix[h]) return static_cast<OpenInterest::Horizon>(h);
  }
  return std::nullopt;
}

// Reads a list of rows of a snapshot taken at `time` with `read_row(ondemand::value&, Row&)`.
template <class Row, class ReadRow>
Verdict read_rows(ondemand::value& list, RejectReason not_an_array, TimeMs time,
                  std::vector<Row>& rows, ElementRejects& rejects, ReadRow read_row) {
  ondemand::array entries;
  if (Verdict verdict = open_array(list, not_an_array, entries)) return verdict;
  return read_each(entries, rejects, [&](ondemand::value& entry) {
    Row row;
    row.time = time;
    Verdict verdict = read_row(entry, row);
    if (!verdict) rows.push_back(row);
    return verdict;
  });
}

Verdict read_funding_row(ondemand::value& row, FundingRate& rate) {
  bool has_exchange = false, has_rate = false, has_interval = false;
  rate.interval_h = default_funding_interval_h;
  // Rates may be zero or negative. Only an unreadable one is bad; the rate is the price of
  // holding the position, hence bad_price. An interval is a duration: a non-positive one is
  // bad_time.
  if (Verdict verdict = read_fields(
          row,
          field_spec("exchange", has_exchange, name_into(exchange_or_asset_name, rate.exchange)),
          field_spec("funding_rate", has_rate, finite_into(RejectReason::bad_price, rate.rate_pct)),
          field_spec("funding_rate_interval", has_interval,
                     positive_into(RejectReason::bad_time, rate.interval_h)))) {
    return verdict;
  }
  if (!has_exchange || !has_rate) return RejectReason::missing_field;
  return good;
}

// A list of one coin's rates. A list that is not an array is one rejection (wrong_type; take()
// turns a null into an absent list).
Verdict read_funding_list(ondemand::value& list, TimeMs time, std::vector<FundingRate>& rows,
                          ElementRejects& rejects) {
  return read_rows(list, RejectReason::wrong_type, time, rows, rejects, read_funding_row);
}

// One coin: {"symbol":"BTC","stablecoin_margin_list":[...],"token_margin_list":[...]}. A bad
// entry of its lists is one rejection and its siblings stay; a coin without a good symbol is
// one rejection, rows and all.
Verdict read_funding_coin(ondemand::value& coin, TimeMs time, std::vector<FundingRate>& rows,
                          ElementRejects& rejects) {
  ondemand::object object;
  if (Verdict verdict = open_object(coin, object)) return verdict;
  // The symbol may come after the lists, so rows are named once the coin is complete. (No
  // find_field_unordered: on malformed input simdjson 3.0.1 reaches __builtin_unreachable in it.)
  const std::size_t first_row = rows.size();
  const ElementRejects rejects_before = rejects;
  bool has_symbol = false, has_stablecoin_list = false, has_token_list = false;
  std::string_view symbol;
  // A bad symbol ends the walk and is the coin's verdict; a bad list is one rejection.
  const Verdict coin_verdict = walk_members(object, [&](ondemand::field& field) -> Verdict {
    const ondemand::raw_json_string key = field.key();
    ondemand::value& value = field.value();
    const auto read_list = [&](auto& v) { return read_funding_list(v, time, rows, rejects); };
    Verdict list_verdict;
    if (key.unsafe_is_equal("symbol")) {
      return take(value, has_symbol, name_into(exchange_or_asset_name, symbol));
    } else if (key.unsafe_is_equal("stablecoin_margin_list")) {
      list_verdict = take(value, has_stablecoin_list, read_list);
    } else if (key.unsafe_is_equal("token_margin_list")) {
      list_verdict = take(value, has_token_list, read_list);
    }
    if (is_broken(list_verdict)) return list_verdict;
    if (list_verdict) rejects.add(*list_verdict);
    return good;
  });
  if (is_broken(coin_verdict)) return coin_verdict;
  if (coin_verdict || !has_symbol) {
    rows.resize(first_row);
    rejects = rejects_before;
    return coin_verdict ? coin_verdict : Verdict{RejectReason::missing_field};
  }
  for (std::size_t i = first_row; i < rows.size(); ++i) rows[i].base_asset = symbol;
  return good;
}

// {"exchange":"Binance","symbol":"BTC","open_interest_usd":...,"open_interest_change_percent_5m":
// ...}. The aggregate row (exchange "All") is kept: the analyzer decides what to do with it.
Verdict read_open_interest_row(ondemand::value& row, OpenInterest& oi) {
  ondemand::object object;
  if (Verdict verdict = open_object(row, object)) return verdict;
  bool has_exchange = false, has_symbol = false, has_usd = false;
  bool has_change[OpenInterest::horizon_count] = {};
  const Verdict walked = walk_members(object, [&](ondemand::field& field) -> Verdict {
    std::string_view key;
    if (field.unescaped_key().get(key)) return RejectReason::invalid_json;
    ondemand::value& value = field.value();
    if (key == "exchange") {
      return take(value, has_exchange, name_into(exchange_or_asset_name, oi.exchange));
    }
    if (key == "symbol") {
      return take(value, has_symbol, name_into(exchange_or_asset_name, oi.base_asset));
    }
    if (key == "open_interest_usd") {
      return take(value, has_usd, positive_into(RejectReason::bad_volume, oi.open_interest_usd));
    }
    if (const auto horizon = oi_horizon(key)) {
      return take(value, has_change[*horizon],
                  finite_into(RejectReason::wrong_type, oi.change_pct[*horizon]));
    }
    return good;
  });
  if (walked) return walked;
  if (!has_exchange || !has_symbol || !has_usd) return RejectReason::missing_field;
  return good;
}

}  // namespace

Verdict read_funding_snapshot(ondemand::value& data, TimeMs time, std::vector<FundingRate>& rows,
                              ElementRejects& rejects) {
  ondemand::array coins;
  if (Verdict verdict = open_array(data, RejectReason::bad_data, coins)) return verdict;
  return read_each(coins, rejects, [&](ondemand::value& coin) {
    return read_funding_coin(coin, time, rows, rejects);
  });
}

Verdict read_open_interest_snapshot(ondemand::value& data, TimeMs time,
                                    std::vector<OpenInterest>& rows, ElementRejects& rejects) {
  return read_rows(data, RejectReason::bad_data, time, rows, rejects, read_open_interest_row);
}

}  // namespace teleglas::ingest_detail
