// Appends what the daemon feeds its pipeline to a recording that `teleglas replay` reproduces
// exactly: every received text frame (and REST snapshot line) verbatim plus "\n", and lines of
// our own (ingest/control_lines.hpp) for receive times, ticks and gaps, in the order the
// pipeline gets them. Lines are gathered in memory on the caller's thread and written by a
// thread of the recorder's own, so a slow or full disk never holds up the io_context; the
// daemon hands them over every second, so a crash loses at most the last second.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "teleglas/core/types.hpp"
#include "teleglas/ingest/control_lines.hpp"

namespace teleglas {

struct RecorderOptions {
  // Picks the daily file in directory mode (the UTC day when a line is appended); read on the
  // caller's thread only. Default: the system clock.
  std::function<TimeMs()> wall_clock;
  // Directory mode: daily files whose day is more than this many days before today are
  // deleted at open() and when a new day begins (storage.retention_days).
  int retention_days = 7;
  // Handed-over lines the writer may fall behind by; beyond it whole hand-overs are dropped
  // (counted, and marked in the recording by a gap line) rather than grow without end while
  // a disk stalls.
  std::size_t max_queued_bytes = std::size_t{64} << 20;
  // Tests: called on the writer thread before each attempt to write (to stall it).
  std::function<void()> before_write;
};

// What the writer thread did; a snapshot taken under its lock.
struct RecorderStats {
  std::uint64_t frames_written = 0;  // frames on disk
  std::uint64_t bytes_written = 0;   // every byte, our own lines included
  std::uint64_t write_errors = 0;    // failed attempts to open, write or rotate (one a flush)
  std::uint64_t frames_dropped = 0;  // over max_queued_bytes, or still unwritten at close()
  std::uint64_t bytes_dropped = 0;
  std::size_t queued_bytes = 0;  // handed over, not written yet
  bool failing = false;          // the last attempt failed; retried at the next flush()
  std::string last_error;        // "PATH: reason" of the last failure, empty before any
};

class Recorder {
 public:
  Recorder() = default;
  ~Recorder();  // close()
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // A path that ends with '/' or names a directory records into that directory (created if
  // missing), one file a UTC day, YYYY-MM-DD.jsonl, each of which replays on its own; any
  // other path is one file, appended. Opens the file now (startup: a bad path should stop
  // the daemon) and starts the writer thread. Returns an error message, or empty on success.
  // An empty path disables recording.
  std::string open(const std::string& path, RecorderOptions options = {});
  bool enabled() const { return enabled_; }
  bool directory_mode() const { return directory_mode_; }

  // A frame the parser gets with `receive_time` (0 for snapshot lines, which carry their own).
  // A receive-time line precedes it when the time differs from the last one written by this
  // recorder to this file (always before its first frame: the file may hold an earlier run's).
  // A source line precedes it when its source differs from the last one written to this file
  // (none is written for CoinGlass frames at the start of a file: that is the default).
  void append_frame(std::string_view frame, TimeMs receive_time,
                    Source source = Source::coinglass);
  // pipeline.on_tick(now) and pipeline.on_gap(from, to), exactly as called.
  void append_tick(TimeMs now);
  void append_gap(TimeMs from, TimeMs to);
  // Hands what was appended since the last flush to the writer thread (never waits for it),
  // and lets a writer that failed try again.
  void flush();
  // Hands over the rest, lets the writer write what is queued (one attempt) and joins it.
  // Appending after it does nothing.
  void close();

  // Blocks until the writer has tried everything handed over so far: written it, or failed
  // and waits for the next flush(). False on timeout. Tests and tools; never the io thread.
  bool wait_for_writer(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Appended on the caller's thread, written or not (see stats()).
  std::uint64_t frames() const { return frames_; }
  std::uint64_t control_lines() const { return control_lines_; }
  RecorderStats stats() const;

  // The daily file of `day` (days since 1970-01-01, UTC) in `directory`.
  static std::filesystem::path daily_file(const std::filesystem::path& directory, std::int64_t day);

 private:
  // Lines of one file: in directory mode a hand-over holds more than one when a day ends.
  struct Segment {
    std::int64_t day = 0;  // UTC day; unused for a single file
    std::string text;
    std::size_t written = 0;  // bytes of text already on disk (after a short write)
    std::uint64_t frames = 0;
  };
  struct Batch {
    std::vector<Segment> segments;
    std::size_t done = 0;  // segments written whole (the writer's)
    std::size_t bytes = 0;
    std::uint64_t frames = 0;
    TimeMs first_time = 0;  // earliest and latest time its lines mention (0 = none)
    TimeMs last_time = 0;
  };

  // ---- the caller's thread ----
  Segment& segment();
  std::string spare_text();
  void note_time(TimeMs t);
  void write_line(Segment& segment, std::string_view line);
  void write_control(Segment& segment, const ControlLine& line);
  void hand_over(bool let_writer_retry);
  void drop(std::size_t queued_bytes);

  // ---- the writer thread ----
  void run();
  bool write_segment(Segment& segment, std::string& error);
  void keep_spare_texts(Batch& written);
  bool open_file(std::int64_t day, std::string& error);
  void close_file();
  void delete_old_files(std::int64_t today);
  void note_failure(const std::string& error);
  void note_success();

  bool enabled_ = false;
  bool directory_mode_ = false;
  std::filesystem::path path_;
  RecorderOptions options_;
  Batch building_;
  std::optional<TimeMs> last_receive_time_;  // in the file being appended to
  Source last_source_ = Source::coinglass;   // likewise
  std::int64_t handed_day_ = 0;              // day of the last segment handed over
  std::uint64_t frames_ = 0;
  std::uint64_t control_lines_ = 0;
  bool dropping_ = false;  // the last hand-over was dropped (for one log line per episode)
  std::uint64_t dropped_in_episode_ = 0;

  // Writer thread only (and open() before it starts).
  int fd_ = -1;
  std::int64_t fd_day_ = 0;
  std::int64_t retention_day_ = 0;  // the last day old files were deleted on

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable progress_;
  std::deque<Batch> queue_;  // the front is the writer's while it writes
  static constexpr std::size_t max_spare_texts = 3;
  std::vector<std::string> spare_texts_;  // written segments' buffers, emptied, for new ones
  bool stopping_ = false;
  bool retry_ = true;  // false after a failed attempt, until the next flush()
  bool writing_ = false;
  std::uint64_t failed_attempts_in_episode_ = 0;
  RecorderStats stats_;
  std::thread thread_;
};

}  // namespace teleglas
