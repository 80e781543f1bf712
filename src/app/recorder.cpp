#include "teleglas/app/recorder.hpp"

#include <cerrno>
#include <cstring>

namespace teleglas {

Recorder::~Recorder() {
  if (file_) std::fclose(file_);
}

std::string Recorder::open(const std::string& path) {
  if (path.empty()) return {};
  file_ = std::fopen(path.c_str(), "ab");
  if (!file_) return path + ": " + std::strerror(errno);
  return {};
}

void Recorder::append_frame(std::string_view frame, TimeMs receive_time) {
  if (!file_) return;
  if (last_receive_time_ != receive_time) {
    write_control({.kind = ControlKind::receive_time, .time = receive_time});
    last_receive_time_ = receive_time;
  }
  write_line(frame);
  ++frames_;
}

void Recorder::append_tick(TimeMs now) {
  write_control({.kind = ControlKind::tick, .time = now});
}

void Recorder::append_gap(TimeMs from, TimeMs to) {
  write_control({.kind = ControlKind::gap, .from = from, .to = to});
}

void Recorder::write_control(const ControlLine& line) {
  if (!file_) return;
  write_line(format_control_line(line));
  ++control_lines_;
}

void Recorder::write_line(std::string_view line) {
  // A frame is one line of the recording: a raw newline inside it would split it in two.
  if (line.find('\n') != std::string_view::npos) {
    for (char c : line) std::fputc(c == '\n' ? ' ' : c, file_);
  } else {
    std::fwrite(line.data(), 1, line.size(), file_);
  }
  std::fputc('\n', file_);
}

void Recorder::flush() {
  if (file_) std::fflush(file_);
}

}  // namespace teleglas
