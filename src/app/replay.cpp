#include "teleglas/app/replay.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "teleglas/app/recorder.hpp"

namespace teleglas {

namespace {

// Bytes the parser may read past a line (simdjson's padding); kept readable in every buffer.
constexpr std::size_t parse_padding = 64;
constexpr std::size_t chunk_bytes = 1 << 20;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

Replay::Replay(const Config& config, SignalHandler on_signal, OutcomeHandler on_outcome)
    : config_(config),
      parser_(parser_options(config)),
      owned_(std::make_unique<Pipeline>(config)),
      pipeline_(owned_.get()),
      on_signal_(std::move(on_signal)),
      on_outcome_(std::move(on_outcome)) {}

Replay::Replay(const Config& config, Pipeline& pipeline, SignalHandler on_signal,
               OutcomeHandler on_outcome)
    : config_(config),
      parser_(parser_options(config)),
      pipeline_(&pipeline),
      on_signal_(std::move(on_signal)),
      on_outcome_(std::move(on_outcome)) {}

void Replay::capture_charts(bool on) {
  charts_ = on;
  if (owned_) owned_->capture_charts(on);
}

void Replay::feed_line(std::string_view line, std::size_t capacity) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (is_control_line(line)) {
    if (const auto control = parse_control_line(line)) {
      apply(*control);
    } else {
      ++control_.malformed;
    }
    return;
  }
  const ParsedFrame& frame = parser_.parse(line, receive_time_, capacity);
  if (!frame.events.empty()) {
    const TimeMs t = frame.events.front().exchange_time;
    if (first_time_ == 0) first_time_ = t;
    if (file_started_) {
      file_started_ = false;
      if (owned_ && pipeline_->now() > 0 &&
          t < pipeline_->now() - seconds_ms(config_.ingest.max_late_s)) {
        end_pipeline();  // another recording, earlier in time: start afresh
        ended_ += pipeline_->stats();
        ended_last_time_ = std::max(ended_last_time_, pipeline_->now());
        owned_ = std::make_unique<Pipeline>(config_);
        owned_->capture_charts(charts_);
        pipeline_ = owned_.get();
        clock_recorded_ = false;
      }
    }
  }
  pipeline_->on_frame(frame, pending_);
  emit();
}

void Replay::apply(const ControlLine& line) {
  switch (line.kind) {
    case ControlKind::receive_time:
      ++control_.receive_times;
      receive_time_ = line.time;
      break;
    case ControlKind::tick:
      ++control_.ticks;
      clock_recorded_ = true;
      pipeline_->on_tick(line.time, pending_);
      emit();
      break;
    case ControlKind::gap:
      ++control_.gaps;
      pipeline_->on_gap(line.from, line.to);
      break;
    case ControlKind::source:
      // The parser knows each source's frames by their shape; the line says who sent them.
      ++control_.sources;
      break;
  }
}

void Replay::emit() {
  for (const Signal& s : pending_) on_signal_(s);
  pending_.clear();
  if (!on_outcome_) return;
  pipeline_->take_outcomes(outcomes_);
  for (const Outcome& o : outcomes_) on_outcome_(o);
  outcomes_.clear();
}

void Replay::feed_text(std::string_view text, std::size_t capacity) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::size_t room = capacity > pos ? capacity - pos : 0;
    feed_line(text.substr(pos, end - pos), room);
    pos = end + 1;
  }
}

std::string Replay::feed_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return path + ": " + std::strerror(errno);
  ++files_;
  receive_time_ = 0;
  file_started_ = true;
  // A chunk holds whole lines; the tail of an incomplete last line moves to the front.
  std::vector<char> buffer(chunk_bytes + parse_padding);
  std::size_t held = 0;
  for (;;) {
    if (held == buffer.size() - parse_padding) {  // one line longer than the buffer
      buffer.resize((buffer.size() - parse_padding) * 2 + parse_padding);
    }
    const std::size_t room = buffer.size() - parse_padding - held;
    held += std::fread(buffer.data() + held, 1, room, file.get());
    if (std::ferror(file.get())) return path + ": read error";
    const bool at_end = std::feof(file.get()) != 0;
    const std::string_view text(buffer.data(), held);
    const std::size_t last_newline = text.rfind('\n');
    const std::size_t complete =
        at_end ? held : (last_newline == std::string_view::npos ? 0 : last_newline + 1);
    std::memset(buffer.data() + held, 0, buffer.size() - held);
    feed_text(text.substr(0, complete), buffer.size());
    if (at_end) break;
    std::memmove(buffer.data(), buffer.data() + complete, held - complete);
    held -= complete;
  }
  return {};
}

std::string Replay::feed_recording(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return feed_file(path);
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator entry(path, ec);
  for (; !ec && entry != std::filesystem::directory_iterator(); entry.increment(ec)) {
    std::error_code not_a_file;
    if (entry->path().extension() == ".jsonl" && entry->is_regular_file(not_a_file)) {
      files.push_back(entry->path());
    }
  }
  if (ec) return path + ": " + ec.message();
  if (files.empty()) return path + ": no *.jsonl recordings in this directory";
  std::ranges::sort(files);
  for (const std::filesystem::path& file : files) {
    if (std::string error = feed_file(file.string()); !error.empty()) return error;
  }
  return {};
}

void Replay::finish() {
  end_pipeline();
}

// A recording with the live run's ticks ends where that run stopped; otherwise tick as far past
// the end as any analyzer looks back, so that what is open gets decided.
void Replay::end_pipeline() {
  if (!clock_recorded_) tick_past_the_end();
  pipeline_->end_of_input();
  emit();
}

void Replay::tick_past_the_end() {
  double horizon_s = 0;
  auto widen = [&](const AnalysisConfig& a) {
    horizon_s = std::max({horizon_s, a.order_flow.window_s + a.order_flow.eval_interval_s,
                          a.stop_hunt.absorption_window_s + 1});
  };
  widen(config_.analysis);
  for (const SymbolConfig& s : config_.symbols) widen(s.analysis);
  if (pipeline_->now() > 0) pipeline_->on_tick(pipeline_->now() + seconds_ms(horizon_s), pending_);
}

ReplaySummary Replay::summary() const {
  ReplaySummary s;
  s.parse = parser_.stats();
  s.control = control_;
  s.pipeline = ended_;
  s.pipeline += pipeline_->stats();
  s.first_time = first_time_;
  s.last_time = std::max(ended_last_time_, pipeline_->now());
  s.files = files_;
  return s;
}

std::string summary_to_json(const ReplaySummary& summary) {
  namespace json = boost::json;
  json::object rejected_by_reason;
  for (int i = 0; i < reject_reason_count; ++i) {
    if (const auto n = summary.parse.rejected_by_reason[i]) {
      rejected_by_reason[to_string(static_cast<RejectReason>(i))] = n;
    }
  }
  for (int i = 0; i < event_rejection_count; ++i) {
    if (const auto n = summary.pipeline.rejected_by_reason[i]) {
      rejected_by_reason[to_string(static_cast<EventRejection>(i))] = n;
    }
  }
  json::object signals_by_type;
  for (int i = 0; i < signal_type_count; ++i) {
    if (const auto n = summary.pipeline.emitted_by_type[i]) {
      signals_by_type[to_string(static_cast<SignalType>(i))] = n;
    }
  }
  json::object s;
  s["files"] = summary.files;
  s["frames"] = summary.parse.frames;
  s["events"] = summary.parse.events - summary.pipeline.rejected();
  s["liquidations"] = summary.parse.liquidations;
  s["trades"] = summary.parse.trades;
  s["funding_rates"] = summary.parse.funding_rates;
  s["open_interest"] = summary.parse.open_interests;
  s["pongs"] = summary.parse.pongs;
  s["notices"] = summary.parse.notices;
  s["rejected"] = summary.parse.rejected() + summary.pipeline.rejected();
  s["rejected_by_reason"] = std::move(rejected_by_reason);
  s["control_lines"] = summary.control.accepted();
  s["control_lines_by_kind"] = json::object{{"recv", summary.control.receive_times},
                                            {"tick", summary.control.ticks},
                                            {"gap", summary.control.gaps},
                                            {"source", summary.control.sources}};
  s["control_lines_malformed"] = summary.control.malformed;
  s["symbols"] = summary.pipeline.symbols;
  s["peak_symbols"] = summary.pipeline.peak_symbols;
  s["symbols_evicted"] = summary.pipeline.symbols_evicted;
  s["candidates"] = summary.pipeline.candidates;
  s["signals"] = summary.pipeline.emitted;
  s["signals_by_type"] = std::move(signals_by_type);
  s["suppressed"] = json::object{{"cooldown", summary.pipeline.suppressed_cooldown},
                                 {"hourly_cap", summary.pipeline.suppressed_hourly_cap},
                                 {"low_confidence", summary.pipeline.suppressed_low_confidence},
                                 {"below_detector_floor", summary.pipeline.below_detector_floor}};
  s["first_time"] = summary.first_time;
  s["last_time"] = summary.last_time;
  s["span_ms"] =
      summary.last_time > summary.first_time ? summary.last_time - summary.first_time : 0;
  return json::serialize(json::object{{"summary", std::move(s)}});
}

}  // namespace teleglas
