// Appends every received text frame (and REST snapshot line) to a recording that
// `teleglas replay` accepts: the frame verbatim plus "\n". Buffered; flushed every second
// by the daemon and at shutdown, so a crash loses at most the last second.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

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

  void append(std::string_view frame);
  void flush();
  std::uint64_t frames() const { return frames_; }

 private:
  std::FILE* file_ = nullptr;
  std::uint64_t frames_ = 0;
};

}  // namespace teleglas
