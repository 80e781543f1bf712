#include "teleglas/app/warm_up.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "teleglas/app/replay.hpp"
#include "teleglas/ingest/control_lines.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas {

namespace {

namespace fs = std::filesystem;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// The last `max_bytes` of a file, from the first whole line on. False on a read error.
bool read_tail(const fs::path& path, std::size_t max_bytes, std::string& out, bool& cut) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return false;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return false;
  const std::uintmax_t start = size > max_bytes ? size - max_bytes : 0;
  if (std::fseek(file.get(), static_cast<long>(start), SEEK_SET) != 0) return false;
  std::string text(static_cast<std::size_t>(size - start), '\0');
  const std::size_t got = std::fread(text.data(), 1, text.size(), file.get());
  if (std::ferror(file.get())) return false;
  text.resize(got);
  cut = start > 0;
  if (cut) {  // the first line is only the end of one
    const std::size_t newline = text.find('\n');
    text.erase(0, newline == std::string::npos ? text.size() : newline + 1);
  }
  out += text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return true;
}

// The files whose tails hold the recording's end, oldest first.
std::vector<fs::path> recording_files(const std::string& record_path) {
  std::error_code ec;
  if (!fs::is_directory(record_path, ec)) {
    if (fs::exists(record_path, ec)) return {fs::path(record_path)};
    return {};
  }
  std::vector<fs::path> daily;
  for (fs::directory_iterator it(record_path, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::error_code not_file;
    if (it->path().extension() == ".jsonl" && it->is_regular_file(not_file)) {
      daily.push_back(it->path());
    }
  }
  std::sort(daily.begin(), daily.end());
  if (daily.size() > 2) daily.erase(daily.begin(), daily.end() - 2);  // a day is enough
  return daily;
}

}  // namespace

WarmUp warm_up_from_recording(const std::string& record_path, const Config& config,
                              Pipeline& pipeline, TimeMs span_ms, std::size_t max_bytes) {
  WarmUp result;
  if (record_path.empty()) return result;
  const std::vector<fs::path> files = recording_files(record_path);
  std::string text;
  bool cut = false;
  // Newest file first gets the budget; the day before fills what is left.
  std::vector<std::string> tails(files.size());
  std::size_t budget = max_bytes;
  for (std::size_t i = files.size(); i-- > 0 && budget > 0;) {
    bool file_cut = false;
    if (!read_tail(files[i], budget, tails[i], file_cut)) {
      result.error = files[i].string() + ": cannot be read";
      return result;
    }
    budget -= std::min(budget, tails[i].size());
    cut = cut || file_cut;
    if (file_cut) break;
  }
  for (const std::string& tail : tails) text += tail;
  if (text.empty()) return result;

  // Where the span starts: the first frame whose events are within it of the last event.
  FrameParser times(parser_options(config));
  std::vector<std::pair<std::size_t, TimeMs>> starts;  // line offset, its first event's time
  TimeMs last = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    if (!is_control_line(line)) {
      const ParsedFrame& frame = times.parse(line, 0);
      if (!frame.events.empty()) {
        starts.emplace_back(pos, frame.events.front().exchange_time);
        for (const MarketEvent& e : frame.events) last = std::max(last, e.exchange_time);
      }
    }
    pos = end + 1;
  }
  if (starts.empty()) return result;
  const TimeMs from = last - span_ms;
  auto first = std::find_if(starts.begin(), starts.end(),
                            [&](const auto& s) { return s.second >= from; });
  result.partial = cut && first == starts.begin() && first->second > from;

  pipeline.set_warming(true);
  Replay replay(config, pipeline, [&](const Signal&) { ++result.signals; });
  const std::string_view tail(text.data() + first->first, text.size() - first->first);
  for (char c : tail) result.lines += c == '\n';
  replay.feed_text(tail);
  pipeline.set_warming(false);
  result.from = first->second;
  result.to = last;
  return result;
}

}  // namespace teleglas
