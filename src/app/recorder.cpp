#include "teleglas/app/recorder.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "teleglas/core/clock.hpp"

namespace teleglas {

namespace {

std::int64_t utc_day(TimeMs t) {
  return std::chrono::floor<std::chrono::days>(std::chrono::milliseconds(t)).count();
}

// The day a daily file's name gives (YYYY-MM-DD.jsonl, a real date), nullopt for any other
// name: retention never touches what the recorder did not write.
std::optional<std::int64_t> day_of_daily_file(std::string_view name) {
  constexpr std::string_view suffix = ".jsonl";
  if (name.size() != 10 + suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  int parts[3] = {0, 0, 0};
  int part = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    const char c = name[i];
    if (i == 4 || i == 7) {
      if (c != '-') return std::nullopt;
      ++part;
    } else if (c >= '0' && c <= '9') {
      parts[part] = parts[part] * 10 + (c - '0');
    } else {
      return std::nullopt;
    }
  }
  const std::chrono::year_month_day date{std::chrono::year(parts[0]),
                                         std::chrono::month(static_cast<unsigned>(parts[1])),
                                         std::chrono::day(static_cast<unsigned>(parts[2]))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date).time_since_epoch().count();
}

// While the writer is idle, lines go to it every this many bytes, not only at flush(): its
// buffers then come back for reuse within the second (see spare_text()) instead of each
// second's lines taking fresh memory, page by page.
constexpr std::size_t early_handover_bytes = std::size_t{1} << 20;
// Room for a hand-over and a last line; buffers up to twice this are always kept for reuse.
constexpr std::size_t text_reserve_bytes = early_handover_bytes + (std::size_t{64} << 10);

std::string errno_message(const std::filesystem::path& path, int error) {
  return path.string() + ": " + std::strerror(error);
}

}  // namespace

std::filesystem::path Recorder::daily_file(const std::filesystem::path& directory,
                                           std::int64_t day) {
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(day))};
  return directory / fmt::format("{:04}-{:02}-{:02}.jsonl", static_cast<int>(date.year()),
                                 static_cast<unsigned>(date.month()),
                                 static_cast<unsigned>(date.day()));
}

Recorder::~Recorder() {
  close();
}

std::string Recorder::open(const std::string& path, RecorderOptions options) {
  close();
  if (path.empty()) return {};
  options_ = std::move(options);
  if (!options_.wall_clock) options_.wall_clock = system_now_ms;
  path_ = path;
  std::error_code ec;
  directory_mode_ = path.ends_with('/') || std::filesystem::is_directory(path_, ec);
  if (directory_mode_) {
    std::filesystem::create_directories(path_, ec);
    if (ec) return path + ": " + ec.message();
    handed_day_ = utc_day(options_.wall_clock());
    delete_old_files(handed_day_);
  }
  std::string error;
  if (!open_file(handed_day_, error)) return error;
  last_receive_time_.reset();
  last_source_ = Source::coinglass;
  dropping_ = false;
  dropped_in_episode_ = 0;
  stats_ = {};
  stopping_ = false;
  retry_ = true;
  enabled_ = true;
  thread_ = std::thread([this] { run(); });
  return {};
}

// ---- the caller's thread ---------------------------------------------------------------

// The segment the next line goes to. The wall clock is read once per appended call, so a line
// and the receive-time line it needs always land in the same file.
Recorder::Segment& Recorder::segment() {
  const std::int64_t day = directory_mode_ ? utc_day(options_.wall_clock()) : 0;
  const std::int64_t current =
      building_.segments.empty() ? handed_day_ : building_.segments.back().day;
  if (day != current) {
    // A new file: its first frame states its receive time, so that it replays on its own.
    last_receive_time_.reset();
  last_source_ = Source::coinglass;
  }
  if (building_.segments.empty() || day != current) {
    Segment& s = building_.segments.emplace_back();
    s.day = day;
    s.text = spare_text();
  }
  return building_.segments.back();
}

// A buffer the writer is done with, capacity kept: a second's lines go into memory that is
// already there, not into fresh pages grown (and copied) as they come.
std::string Recorder::spare_text() {
  {
    const std::lock_guard lock(mutex_);
    if (!spare_texts_.empty()) {
      std::string text = std::move(spare_texts_.back());
      spare_texts_.pop_back();
      return text;
    }
  }
  std::string text;
  text.reserve(text_reserve_bytes);  // grown in place, never copied as it fills
  return text;
}

// Times of the span a dropped hand-over covered, on the feed's clock (receive times and
// gaps, as FeedGap has them; ticks run on event time and stay out).
void Recorder::note_time(TimeMs t) {
  if (t <= 0) return;
  building_.first_time = building_.first_time == 0 ? t : std::min(building_.first_time, t);
  building_.last_time = std::max(building_.last_time, t);
}

void Recorder::append_frame(std::string_view frame, TimeMs receive_time, Source source) {
  if (!enabled_) return;
  Segment& s = segment();
  if (last_source_ != source) {
    write_control(s, {.kind = ControlKind::source, .source = source});
    last_source_ = source;
  }
  if (last_receive_time_ != receive_time) {
    write_control(s, {.kind = ControlKind::receive_time, .time = receive_time});
    last_receive_time_ = receive_time;
  }
  write_line(s, frame);
  ++s.frames;
  ++building_.frames;
  ++frames_;
  note_time(receive_time);
  if (building_.bytes >= early_handover_bytes) hand_over(/*let_writer_retry=*/false);
}

void Recorder::append_tick(TimeMs now) {
  if (!enabled_) return;
  write_control(segment(), {.kind = ControlKind::tick, .time = now});
}

void Recorder::append_gap(TimeMs from, TimeMs to) {
  if (!enabled_) return;
  write_control(segment(), {.kind = ControlKind::gap, .from = from, .to = to});
  note_time(from);
  note_time(to);
}

void Recorder::write_control(Segment& s, const ControlLine& line) {
  write_line(s, format_control_line(line));
  ++control_lines_;
}

void Recorder::write_line(Segment& s, std::string_view line) {
  const std::size_t start = s.text.size();
  s.text.append(line);
  // A frame is one line of the recording: a raw newline inside it would split it in two.
  if (line.find('\n') != std::string_view::npos) {
    std::replace(s.text.begin() + static_cast<std::ptrdiff_t>(start), s.text.end(), '\n', ' ');
  }
  s.text.push_back('\n');
  building_.bytes += line.size() + 1;
}

void Recorder::flush() {
  if (!enabled_) return;
  // A day begins even when nothing was recorded yet: the writer opens its file and deletes
  // the old ones.
  if (directory_mode_) segment();
  hand_over(/*let_writer_retry=*/true);
}

// flush() lets a writer that failed try again and hands over whatever there is. Between
// flushes (let_writer_retry false) lines go early only to an idle writer that is not failing:
// while it is behind, hand-overs, and drops, stay once a flush.
void Recorder::hand_over(bool let_writer_retry) {
  const bool new_day = !building_.segments.empty() && building_.segments.back().day != handed_day_;
  std::unique_lock lock(mutex_);
  if (let_writer_retry) {
    retry_ = true;
  } else if (stats_.queued_bytes > 0 || !retry_) {
    return;
  }
  if (building_.bytes == 0 && !new_day) {
    lock.unlock();
    wake_.notify_one();  // a writer that failed tries again
    return;
  }
  // The writer is idle when nothing is queued: however large, a hand-over is not falling
  // behind.
  if (stats_.queued_bytes > 0 &&
      stats_.queued_bytes + building_.bytes > options_.max_queued_bytes) {
    stats_.frames_dropped += building_.frames;
    stats_.bytes_dropped += building_.bytes;
    const std::size_t behind = stats_.queued_bytes;
    lock.unlock();
    drop(behind);
    return;
  }
  stats_.queued_bytes += building_.bytes;
  handed_day_ = building_.segments.back().day;
  queue_.push_back(std::exchange(building_, Batch{}));
  lock.unlock();
  wake_.notify_one();
  if (dropping_) {
    spdlog::warn("recording: {} caught up; {} frame(s) were dropped", path_.string(),
                 dropped_in_episode_);
    dropping_ = false;
    dropped_in_episode_ = 0;
  }
}

// Whole hand-overs are dropped, never parts of one: the lines after the hole are still whole
// lines in order.
void Recorder::drop(std::size_t behind) {
  if (!dropping_) {
    spdlog::warn(
        "recording: writing {} is {:.1f} MB behind (a stalled disk?); dropping what is "
        "recorded until it catches up",
        path_.string(), static_cast<double>(behind) / (1 << 20));
    dropping_ = true;
  }
  dropped_in_episode_ += building_.frames;
  const TimeMs from = building_.first_time;
  const TimeMs to = building_.last_time;
  building_ = Batch{};
  // The receive-time line the next frames relied on may be lost with the rest.
  last_receive_time_.reset();
  last_source_ = Source::coinglass;
  // Replay is told that the pipeline saw more than the recording holds, as for a feed gap.
  // A hand-over that mentions no feed time (only ticks or snapshots) is only counted.
  if (from != 0) append_gap(from, to);
}

void Recorder::close() {
  if (!enabled_) return;
  flush();
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  close_file();
  enabled_ = false;
}

bool Recorder::wait_for_writer(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return progress_.wait_for(lock, timeout,
                            [&] { return !writing_ && (queue_.empty() || !retry_); });
}

RecorderStats Recorder::stats() const {
  const std::lock_guard lock(mutex_);
  return stats_;
}

// ---- the writer thread -----------------------------------------------------------------

void Recorder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || (retry_ && !queue_.empty()); });
    if (queue_.empty()) break;  // stopping, all written
    const bool last_attempt = stopping_;
    Batch& batch = queue_.front();  // deque: push_back() elsewhere leaves it in place
    writing_ = true;
    lock.unlock();
    if (options_.before_write) options_.before_write();
    std::string error;
    std::uint64_t frames = 0;
    std::size_t bytes = 0;
    bool ok = true;
    while (ok && batch.done < batch.segments.size()) {
      Segment& s = batch.segments[batch.done];
      const std::size_t before = s.written;
      ok = write_segment(s, error);
      bytes += s.written - before;
      if (ok) {
        frames += s.frames;
        ++batch.done;
      }
    }
    lock.lock();
    stats_.frames_written += frames;
    stats_.bytes_written += bytes;
    stats_.queued_bytes -= bytes;
    std::string message;
    if (ok) {
      if (stats_.failing) {
        message = fmt::format("recording: writing {} again after {} failed attempt(s)",
                              path_.string(), failed_attempts_in_episode_);
      }
      stats_.failing = false;
      failed_attempts_in_episode_ = 0;
      keep_spare_texts(queue_.front());
      queue_.pop_front();
    } else {
      ++stats_.write_errors;
      if (!stats_.failing) {
        message = fmt::format(
            "recording: {}; keeping what is recorded in memory (up to {} MB) and trying again "
            "every flush",
            error, options_.max_queued_bytes >> 20);
      }
      stats_.failing = true;
      stats_.last_error = error;
      ++failed_attempts_in_episode_;
      retry_ = false;
      if (last_attempt) {
        // Shutting down: what cannot be written now never will be.
        std::uint64_t lost_frames = 0;
        for (const Batch& lost : queue_) {
          for (std::size_t i = lost.done; i < lost.segments.size(); ++i) {
            lost_frames += lost.segments[i].frames;
            stats_.bytes_dropped += lost.segments[i].text.size() - lost.segments[i].written;
          }
        }
        stats_.frames_dropped += lost_frames;
        stats_.queued_bytes = 0;
        queue_.clear();
        message += fmt::format("{}recording: {} frame(s) not written at shutdown ({})",
                               message.empty() ? "" : "; ", lost_frames, error);
      }
    }
    if (!message.empty()) {
      // Not under the lock: flush() must never wait for a log sink.
      lock.unlock();
      if (ok) {
        spdlog::info("{}", message);
      } else {
        spdlog::error("{}", message);
      }
      lock.lock();
    }
    writing_ = false;
    progress_.notify_all();
  }
}

// Under the lock. A few buffers are kept: those of a hand-over's size, and larger ones only
// when their last batch mostly filled them (a burst's oversized buffer goes back to the system).
void Recorder::keep_spare_texts(Batch& written) {
  for (Segment& s : written.segments) {
    if (spare_texts_.size() >= max_spare_texts) return;
    if (s.text.capacity() > std::max(4 * s.text.size(), 2 * text_reserve_bytes)) continue;
    s.text.clear();
    spare_texts_.push_back(std::move(s.text));
  }
}

// Writes what is left of the segment to its file, opening (rotating to) it as needed. A short
// write keeps its place: the retry goes on with the rest, so a line is never written twice
// or cut short for good.
bool Recorder::write_segment(Segment& s, std::string& error) {
  if (fd_ >= 0 && directory_mode_ && fd_day_ != s.day) close_file();
  if (fd_ < 0 && !open_file(s.day, error)) return false;
  while (s.written < s.text.size()) {
    const ssize_t n = ::write(fd_, s.text.data() + s.written, s.text.size() - s.written);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = errno_message(directory_mode_ ? daily_file(path_, fd_day_) : path_, errno);
      // The next attempt opens the file afresh: it may have been moved or its disk remounted.
      close_file();
      return false;
    }
    s.written += static_cast<std::size_t>(n);
  }
  return true;
}

bool Recorder::open_file(std::int64_t day, std::string& error) {
  if (directory_mode_ && day > retention_day_) delete_old_files(day);
  const std::filesystem::path file = directory_mode_ ? daily_file(path_, day) : path_;
  const auto open = [&] {
    return ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  };
  fd_ = open();
  if (fd_ < 0 && errno == ENOENT && directory_mode_) {
    // The directory was removed under us: it is ours to create, as at the start.
    std::error_code ignored;
    std::filesystem::create_directories(path_, ignored);
    fd_ = open();
  }
  if (fd_ < 0) {
    error = errno_message(file, errno);
    return false;
  }
  fd_day_ = day;
  return true;
}

void Recorder::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

// Runs when the recorder opens and when a day's first line is written, so once a day.
void Recorder::delete_old_files(std::int64_t today) {
  retention_day_ = today;
  if (options_.retention_days <= 0) return;
  std::error_code ec;
  std::filesystem::directory_iterator entry(path_, ec);
  for (; !ec && entry != std::filesystem::directory_iterator(); entry.increment(ec)) {
    const std::filesystem::path& file = entry->path();
    const std::optional<std::int64_t> day = day_of_daily_file(file.filename().string());
    if (!day || *day + options_.retention_days >= today) continue;
    std::error_code not_removed;
    if (entry->symlink_status(not_removed).type() != std::filesystem::file_type::regular) {
      continue;
    }
    if (std::filesystem::remove(file, not_removed)) {
      spdlog::info("recording: deleted {} (older than {} days)", file.string(),
                   options_.retention_days);
    } else {
      spdlog::warn("recording: cannot delete {}: {}", file.string(), not_removed.message());
    }
  }
  if (ec) {
    spdlog::warn("recording: cannot list {} to delete old files: {}", path_.string(), ec.message());
  }
}

}  // namespace teleglas
