// A restart loses nothing: before it connects, the daemon replays the tail of its own
// recording (what the pipeline's windows and the gate's memory span) through its pipeline,
// silently. Its windows are warm at once, so a restart to apply new thresholds does not blind
// it for five minutes, and what it already alerted on is in the gate's cooldown, so nothing is
// sent again.
#pragma once

#include <cstdint>
#include <string>

#include "teleglas/config/config.hpp"
#include "teleglas/pipeline/pipeline.hpp"

namespace teleglas {

struct WarmUp {
  std::uint64_t lines = 0;    // recording lines fed (frames and our control lines)
  std::uint64_t signals = 0;  // decided again while warming: not sent again
  TimeMs from = 0;            // event time of the first and last event replayed (0: none)
  TimeMs to = 0;
  bool partial = false;  // the tail read did not reach back the whole span
  std::string error;     // why nothing could be read (empty when all is well or no recording)
};

// Feeds `pipeline` the recording at `record_path` (a file, or a directory of daily files: the
// newest two) from `span_ms` before its last event to its end, reading at most `max_bytes` of
// it. A missing recording is not an error (a first start).
WarmUp warm_up_from_recording(const std::string& record_path, const Config& config,
                              Pipeline& pipeline, TimeMs span_ms,
                              std::size_t max_bytes = 64u << 20);

}  // namespace teleglas
