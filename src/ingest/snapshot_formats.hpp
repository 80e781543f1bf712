// The REST snapshots we record as lines of our own (`funding_rates`, `open_interest`): their
// `data` into rows. Internal to the ingest layer; the frame parser dispatches here.
#pragma once

#include <vector>

#include "field_readers.hpp"
#include "teleglas/core/events.hpp"

namespace teleglas::ingest_detail {

// `data` of a funding snapshot taken at `time`: CoinGlass' funding-rate exchange list.
Verdict read_funding_snapshot(ondemand::value& data, TimeMs time, std::vector<FundingRate>& rows,
                              ElementRejects& rejects);

// `data` of an open-interest snapshot taken at `time`: CoinGlass' open-interest exchange list.
Verdict read_open_interest_snapshot(ondemand::value& data, TimeMs time,
                                    std::vector<OpenInterest>& rows, ElementRejects& rejects);

}  // namespace teleglas::ingest_detail
