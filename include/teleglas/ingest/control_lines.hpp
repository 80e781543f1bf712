// Lines of our own in a recording written by the daemon: the receive time of the frames that
// follow, each pipeline tick and each stream gap, so that replay drives the pipeline exactly
// as the live run did. CoinGlass frames around them stay verbatim.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "teleglas/core/types.hpp"

namespace teleglas {

// {"channel":"teleglas.recv","time":MS}          receive time of the frame lines that follow
// {"channel":"teleglas.tick","time":MS}          pipeline.on_tick(MS)
// {"channel":"teleglas.gap","from":MS,"to":MS}   pipeline.on_gap(from, to)
// {"channel":"teleglas.source","name":"bybit"}   the source (feed) of the frame lines that
//                                                 follow; none before the first: coinglass
enum class ControlKind : std::uint8_t { receive_time, tick, gap, source };

struct ControlLine {
  ControlKind kind = ControlKind::tick;
  TimeMs time = 0;  // receive_time, tick
  TimeMs from = 0;  // gap
  TimeMs to = 0;    // gap
  Source source = Source::coinglass;  // source
};

// Cheap prefix check: the line claims to be one of ours (the "teleglas." channel namespace).
// A line that claims it but does not parse is a malformed control line, never a frame.
bool is_control_line(std::string_view line);

// The control line in `line`, exactly as format_control_line writes it (no other spacing or
// member order); nullopt for anything else, frames and malformed control lines alike.
std::optional<ControlLine> parse_control_line(std::string_view line);

// One line, no trailing newline.
std::string format_control_line(const ControlLine& line);

}  // namespace teleglas
