// `teleglas replay`: runs recordings through the very Pipeline the daemon uses, with the
// events' own timestamps as the clock. Same input, same signals, same bytes.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/pipeline/pipeline.hpp"
#include "teleglas/ingest/parser.hpp"

namespace teleglas {

struct ReplaySummary {
  ParseStats parse;
  PipelineStats pipeline;
  TimeMs first_time = 0;  // first and last event time seen (0 when none)
  TimeMs last_time = 0;
  std::uint64_t files = 0;
};

class Replay {
 public:
  using SignalHandler = std::function<void(const Signal&)>;

  Replay(const Config& config, const WinRateSource& win_rates, SignalHandler on_signal);

  // Feeds one recording file, streaming it in bounded chunks. Returns an error message when
  // the file cannot be read (nothing else is an error: bad lines are counted).
  std::string feed_file(const std::string& path);

  // Feeds recording text (lines separated by \n). `capacity` >= text.size() lets the
  // parser read up to that many bytes from text.data() (its padding); 0 = copy as needed.
  void feed_text(std::string_view text, std::size_t capacity = 0);

  // Lets event time run on past the last event, as a live clock would, so windows still
  // open at the end are decided (or expire) the same way.
  void finish();

  ReplaySummary summary() const;

 private:
  void feed_line(std::string_view line, std::size_t capacity);
  void emit();

  const Config& config_;
  FrameParser parser_;
  Pipeline pipeline_;
  SignalHandler on_signal_;
  std::vector<Signal> pending_;
  TimeMs first_time_ = 0;
  std::uint64_t files_ = 0;
};

// The summary line of `replay --json`: {"summary":{...}}. Deterministic (no timing).
std::string summary_to_json(const ReplaySummary& summary);

}  // namespace teleglas
