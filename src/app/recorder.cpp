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

void Recorder::append(std::string_view frame) {
  if (!file_) return;
  // A frame is one line of the recording: a raw newline inside it would split it in two.
  if (frame.find('\n') != std::string_view::npos) {
    for (char c : frame) std::fputc(c == '\n' ? ' ' : c, file_);
  } else {
    std::fwrite(frame.data(), 1, frame.size(), file_);
  }
  std::fputc('\n', file_);
  ++frames_;
}

void Recorder::flush() {
  if (file_) std::fflush(file_);
}

}  // namespace teleglas
