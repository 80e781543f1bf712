// Appends what the daemon feeds its pipeline to a recording that `teleglas replay` reproduces
// exactly: every received text frame (and REST snapshot line) verbatim plus "\n", and lines of
// our own (ingest/control_lines.hpp) for receive times, ticks and gaps, in the order the
// pipeline gets them. Buffered; flushed every second by the daemon and at shutdown, so a crash
// loses at most the last second.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "teleglas/config/config.hpp"
#include "teleglas/ingest/control_lines.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas {

class Recorder {
 public:
  Recorder() = default;
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Opens `path` for appending (creating directories is the caller's business). Returns an
  // error message, or empty on success. An empty path disables recording.
  std::string open(const std::string& path);
  bool enabled() const { return file_ != nullptr; }

  // A frame the parser gets with `receive_time` (0 for snapshot lines, which carry their own).
  // A receive-time line precedes it when the time differs from the last one written by this
  // recorder (always before its first frame: the file may hold an earlier run's).
  void append_frame(std::string_view frame, TimeMs receive_time);
  // pipeline.on_tick(now) and pipeline.on_gap(from, to), exactly as called.
  void append_tick(TimeMs now);
  void append_gap(TimeMs from, TimeMs to);
  void flush();

  std::uint64_t frames() const { return frames_; }
  std::uint64_t control_lines() const { return control_lines_; }

 private:
  void write_line(std::string_view line);
  void write_control(const ControlLine& line);

  std::FILE* file_ = nullptr;
  std::optional<TimeMs> last_receive_time_;
  std::uint64_t frames_ = 0;
  std::uint64_t control_lines_ = 0;
};

}  // namespace teleglas
