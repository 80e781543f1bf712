// `teleglas replay`: runs recordings through the very Pipeline the daemon uses, with the
// events' own timestamps as the clock. Same input, same signals, same bytes. A recording the
// daemon wrote also carries its receive times, ticks and gaps (ingest/control_lines.hpp):
// replay then makes the very calls the live run made, and gives exactly its signals.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/ingest/control_lines.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/core/outcome.hpp"
#include "teleglas/pipeline/pipeline.hpp"

namespace teleglas {

// Our own lines in a recording; none of them is a frame.
struct ControlLineStats {
  std::uint64_t receive_times = 0;
  std::uint64_t ticks = 0;
  std::uint64_t gaps = 0;
  std::uint64_t sources = 0;    // source markers (exchange streams)
  std::uint64_t malformed = 0;  // claimed to be ours but did not parse: skipped

  std::uint64_t accepted() const { return receive_times + ticks + gaps + sources; }
};

struct ReplaySummary {
  ParseStats parse;
  ControlLineStats control;
  PipelineStats pipeline;
  TimeMs first_time = 0;  // first and last event time seen (0 when none)
  TimeMs last_time = 0;
  std::uint64_t files = 0;
};

class Replay {
 public:
  using SignalHandler = std::function<void(const Signal&)>;

  using OutcomeHandler = std::function<void(const Outcome&)>;

  // `on_outcome` (optional) gets every change of an outcome the pipeline follows.
  Replay(const Config& config, SignalHandler on_signal, OutcomeHandler on_outcome = {});
  // Drives `pipeline` (which must outlive the replay) instead of a pipeline of its own: the
  // daemon warming its windows from the tail of its recording. Data earlier than what the
  // pipeline has seen is refused by it (stale), never restarted afresh.
  Replay(const Config& config, Pipeline& pipeline, SignalHandler on_signal,
         OutcomeHandler on_outcome = {});

  // Signals carry their chart data (Pipeline::capture_charts), for `replay --charts`. Call
  // before feeding; a replay driving the caller's pipeline leaves this to the caller.
  void capture_charts(bool on);

  // Feeds one recording file, streaming it in bounded chunks. Returns an error message when
  // the file cannot be read (nothing else is an error: bad lines are counted). Each file
  // starts with an unknown receive time until a receive-time line says otherwise. Files
  // usually follow each other in time (daily files of one recording) and share one pipeline;
  // a file whose first event lies before what was replayed so far is another recording, and
  // gets a fresh pipeline (time cannot run backwards through the windows).
  std::string feed_file(const std::string& path);
  // A file as feed_file, or a directory the recorder wrote (coinglass.record_path ending in
  // '/'): its *.jsonl files in name order, which is time order for the daily files.
  std::string feed_recording(const std::string& path);

  // Feeds recording text (lines separated by \n). `capacity` >= text.size() lets the
  // parser read up to that many bytes from text.data() (its padding); 0 = copy as needed.
  void feed_text(std::string_view text, std::size_t capacity = 0);

  // Lets event time run on past the last event, as a live clock would, so windows still
  // open at the end are decided (or expire) the same way. Not when the recording carried
  // the live clock (tick lines): it ends where the live run stopped deciding.
  void finish();

  ReplaySummary summary() const;

 private:
  void feed_line(std::string_view line, std::size_t capacity);
  void apply(const ControlLine& line);
  void emit();
  void tick_past_the_end();
  void end_pipeline();

  const Config& config_;
  FrameParser parser_;
  std::unique_ptr<Pipeline> owned_;  // null when driving the caller's pipeline
  bool charts_ = false;
  Pipeline* pipeline_;
  PipelineStats ended_;  // of the pipelines of earlier recordings
  TimeMs ended_last_time_ = 0;
  bool file_started_ = false;  // no market event of the current file seen yet
  SignalHandler on_signal_;
  OutcomeHandler on_outcome_;
  std::vector<Outcome> outcomes_;
  std::vector<Signal> pending_;
  TimeMs receive_time_ = 0;  // as the last receive-time line set it; 0 = unknown
  bool clock_recorded_ = false;
  ControlLineStats control_;
  TimeMs first_time_ = 0;
  std::uint64_t files_ = 0;
};

// The summary line of `replay --json`: {"summary":{...}}. Deterministic (no timing).
std::string summary_to_json(const ReplaySummary& summary);

}  // namespace teleglas
