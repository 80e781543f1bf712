#include "teleglas/app/daemon.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <stdexcept>

#include "teleglas/alerts/signal_json.hpp"
#include "teleglas/app/recorder.hpp"
#include "teleglas/app/warm_up.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/core/clock.hpp"
#include "teleglas/ingest/parser.hpp"
#include "teleglas/net/rest_poller.hpp"
#include "teleglas/config/sources.hpp"
#include "teleglas/net/okx_instruments.hpp"
#include "teleglas/net/venues.hpp"
#include "teleglas/net/ws_feed.hpp"
#include "teleglas/pipeline/pipeline.hpp"

namespace teleglas {

namespace {

std::chrono::milliseconds period(double seconds) {
  return std::chrono::milliseconds(std::max<TimeMs>(1, seconds_ms(seconds)));
}

}  // namespace

struct Daemon::Impl final : SourcedFeedListener, std::enable_shared_from_this<Impl> {
  struct Feed {
    std::string_view source;  // "bybit"; static storage (config/sources.hpp)
    Source kind = Source::coinglass;
    std::size_t first_connection = 0;  // its connections' numbers start here
    std::unique_ptr<SourceTagger> tagger;
    std::unique_ptr<WsFeed> feed;
  };
  Impl(boost::asio::io_context& io, const Config& config, std::string api_key, AlertSink& alerts,
       DaemonOptions options)
      : io(io),
        config(config),
        alerts(alerts),
        options(std::move(options)),
        parser(parser_options(config)),
        pipeline(config),
        tick_timer(io),
        health_timer(io) {
    if (!this->options.wall_clock) this->options.wall_clock = system_now_ms;
    pipeline.capture_charts(this->options.charts);
    pipeline.restore_outcomes(this->options.open_outcomes, this->options.resolved_outcomes);
    if (!this->options.open_outcomes.empty()) {
      spdlog::info("outcomes: following {} signal(s) open at the last stop",
                   pipeline.outcomes_followed());
    }
    this->options.open_outcomes = {};
    this->options.resolved_outcomes = {};
    started_wall = this->options.wall_clock();
    stream_down_since = started_wall;
    warm_up();
    RecorderOptions recorder_options;
    recorder_options.wall_clock = this->options.wall_clock;
    recorder_options.retention_days = config.storage.retention_days;
    if (std::string error = recorder.open(config.coinglass.record_path, recorder_options);
        !error.empty()) {
      throw std::runtime_error("cannot open coinglass.record_path " + error);
    }
    mark_downtime();
    // One feed per source, all through the same machinery; CoinGlass's REST snapshots (funding,
    // open interest) need its key, OKX's contract sizes its instruments list.
    WsFeedOptions feed_options;
    feed_options.wall_clock = this->options.wall_clock;
    const std::vector<std::string> sources = resolve_sources(config, !api_key.empty());
    for (const std::string& name : sources) {
      Feed f;
      FeedProtocol protocol = feed_protocol(name, config, api_key);
      f.source = protocol.source;
      f.kind = parse_source(f.source).value_or(Source::coinglass);
      f.first_connection = connection_count;
      for (const std::string& warning : protocol.warnings) spdlog::warn("{}: {}", name, warning);
      f.tagger = std::make_unique<SourceTagger>(f.source, *this);
      f.feed = std::make_unique<WsFeed>(io, std::move(protocol), *f.tagger, feed_options);
      connection_count += f.feed->connection_count();
      feeds.push_back(std::move(f));
    }
    if (std::ranges::find(sources, "coinglass") != sources.end()) {
      RestPollerHooks hooks;
      hooks.wall_clock = this->options.wall_clock;
      hooks.on_line = [this](std::string_view line) { on_snapshot_line(line); };
      hooks.on_alarm = [this](std::string_view what) { alarm("coinglass", what); };
      poller = std::make_unique<RestPoller>(
          io.get_executor(),
          rest_poller_options(config.coinglass, open_interest_bases(config.symbols)),
          std::move(api_key), std::move(hooks));
    }
    if (std::ranges::find(sources, "okx") != sources.end()) {
      OkxInstrumentsOptions okx;
      okx.rest_url = config.okx.rest_url;
      okx.ca_file = config.okx.ca_file;
      OkxInstrumentsHooks hooks;
      hooks.wall_clock = this->options.wall_clock;
      hooks.on_instruments = [this](std::string_view body, TimeMs time) {
        // Recorded as a line of our own, so a replay sizes OKX's contracts as this run did.
        process(fmt::format(R"({{"channel":"{}","time":{},"data":{}}})", okx_instruments_channel,
                            time, body),
                0, Source::okx);
      };
      instruments = std::make_unique<OkxInstrumentsPoller>(io.get_executor(), okx, std::move(hooks));
    }
  }

  // The feeds' sources in words, for logs and the admin chats: "CoinGlass stream",
  // "bybit and binance streams".
  std::string streams_in_words() const {
    if (feeds.size() == 1 && feeds[0].source == "coinglass") return "CoinGlass stream";
    std::string names;
    for (std::size_t i = 0; i < feeds.size(); ++i) {
      if (i > 0) names += i + 1 == feeds.size() ? " and " : ", ";
      names += feeds[i].source;
    }
    return names + (feeds.size() == 1 ? " stream" : " streams");
  }

  // ---- a restart loses nothing -------------------------------------------------------

  // The tail of our own recording, replayed silently: windows warm, cooldowns remembered.
  void warm_up() {
    if (!options.warm_up || config.coinglass.record_path.empty()) return;
    const WarmUp w = warm_up_from_recording(config.coinglass.record_path, config, pipeline,
                                            pipeline.memory_ms() + 60'000);
    if (!w.error.empty()) {
      spdlog::warn("restart: {}; the windows start empty", w.error);
      return;
    }
    if (w.lines == 0) return;
    warmed = true;
    spdlog::info(
        "restart: replayed the last {} of the recording ({} lines{}); {} signal(s) decided "
        "again were not sent again",
        format_duration(w.to - w.from), w.lines, w.partial ? ", all the tail held" : "",
        w.signals);
  }

  // The time between the recording's end and now was not watched: a gap, recorded, so that
  // windows across it are judged as across any outage (and a replay of the file agrees).
  void mark_downtime() {
    if (!warmed) return;
    const TimeMs from = pipeline.now();
    const TimeMs to = options.wall_clock();
    // A recording on another clock (a stand-in replaying old data) has no downtime to mark.
    if (from <= 0 || to <= from || to - from > 86'400'000) return;
    recorder.append_gap(from, to);
    pipeline.on_gap(from, to);
    spdlog::info("restart: {} down since the recording's last event", format_duration(to - from));
  }

  // ---- FeedListener ------------------------------------------------------------------

  const Feed* feed_of(std::string_view source) const {
    for (const Feed& f : feeds) {
      if (f.source == source) return &f;
    }
    return nullptr;
  }

  void on_frame(std::string_view source, std::string_view text, TimeMs receive_time) override {
    const Feed* f = feed_of(source);
    process(text, receive_time, f ? f->kind : Source::coinglass);
  }
  // The frame's buffer goes on after it: the parser reads it where it is.
  void on_padded_frame(std::string_view source, std::string_view text, TimeMs receive_time,
                       std::size_t readable) override {
    const Feed* f = feed_of(source);
    process(text, receive_time, f ? f->kind : Source::coinglass, readable);
  }

  // Connections are numbered across the feeds, in the order of the sources.
  void on_state(std::string_view source, std::size_t local, ConnectionState state) override {
    const Feed* f = feed_of(source);
    const std::size_t connection = (f ? f->first_connection : 0) + local;
    spdlog::debug("{} connection {}: {}", source, local, to_string(state));
    const TimeMs now = options.wall_clock();
    if (connection >= states.size()) states.resize(connection + 1, ConnectionState::connecting);
    states[connection] = state;
    if (connection >= down_since.size()) down_since.resize(connection + 1, started_wall);
    if (state == ConnectionState::live) {
      down_since[connection] = 0;
    } else if (down_since[connection] == 0) {
      down_since[connection] = now;
    }
    const bool any_live = std::ranges::find(states, ConnectionState::live) != states.end();
    if (any_live && stream_down_since != 0) {
      if (outage_notified) {
        const std::string what =
            fmt::format("{} {} back after {:.0f} s down", streams_in_words(),
                        feeds.size() == 1 ? "is" : "are", (now - stream_down_since) / 1000.0);
        spdlog::info("feed: {}", what);
        alerts.on_admin_notice(what);
      }
      stream_down_since = 0;
      outage_notified = false;
    } else if (!any_live && stream_down_since == 0 && !stopped) {
      stream_down_since = now;
    }
  }

  // An outage the reconnect loop has not ended within telegram.outage_notice_s is worth a
  // human's attention; shorter ones are only logged (as gaps).
  void check_outage(TimeMs now) {
    if (stream_down_since == 0 || outage_notified || stopped) return;
    if (now - stream_down_since < seconds_ms(config.telegram.outage_notice_s)) return;
    outage_notified = true;
    std::uint64_t reconnects = 0;
    for (const Feed& f : feeds) reconnects += f.feed->stats().total().reconnects;
    const std::string what = fmt::format(
        "{} down for {:.0f} s ({} reconnect attempts so far); alerts may be missed until it "
        "is back",
        streams_in_words(), (now - stream_down_since) / 1000.0, reconnects);
    spdlog::error("feed: {}", what);
    alerts.on_admin_notice(what);
  }

  void on_alarm(std::string_view source, std::string_view what) override { alarm(source, what); }

  void alarm(std::string_view source, std::string_view what) {
    spdlog::error("{}: {}", source, what);
    alerts.on_admin_notice(what);
  }

  void on_gap(std::string_view source, const FeedGap& gap) override {
    ++gaps;
    longest_gap_ms = std::max(longest_gap_ms, gap.length_ms());
    spdlog::warn("{} connection {}: gap of {:.1f} s in the stream", source, gap.connection,
                 gap.length_ms() / 1000.0);
    recorder.append_gap(gap.from, gap.to);
    pipeline.on_gap(gap.from, gap.to);
    if (options.storage) {
      options.storage->save_gap({gap.from, gap.to, fmt::format("{}/{}", source, gap.connection)});
    }
  }

  // ---- the shared path -----------------------------------------------------------------

  void on_snapshot_line(std::string_view line) {
    process(line, 0);  // snapshot lines carry their own time
  }

  // Every input reaches the pipeline through here, tick() or on_gap(), and is recorded just
  // before, in the same order: replaying the recording repeats the very same calls.
  // `readable`: bytes readable from text.data() on, when the frame's buffer goes on after it.
  void process(std::string_view text, TimeMs receive_time, Source source = Source::coinglass,
               std::size_t readable = 0) {
    recorder.append_frame(text, receive_time, source);
    const auto started = std::chrono::steady_clock::now();
    const ParsedFrame& frame = parser.parse(text, receive_time, readable);
    pipeline.on_frame(frame, signals);
    if (!signals.empty()) {
      last_signal_latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count();
      max_signal_latency_us = std::max(max_signal_latency_us, last_signal_latency_us);
    }
    if (frame.kind == FrameKind::market && !frame.events.empty()) {
      // Only live frames have a receive time; snapshot lines (0) say nothing about lag.
      if (receive_time > 0) {
        for (const MarketEvent& e : frame.events) {
          exchange_lag.observe(static_cast<double>(receive_time - e.exchange_time) / 1000.0);
        }
      }
      // A live frame's receive time is that very clock, read as it arrived.
      last_event_wall = receive_time > 0 ? receive_time : options.wall_clock();
      last_event_clock = pipeline.now();
      keep_events(frame.events);
    }
    deliver();
  }

  // The liquidations and trades themselves, for storage.retention_days. A full queue drops
  // them (the writer counts it); the stream never waits.
  // Handed over in batches (each tick, or sooner when many pile up): one lock and one wake-up
  // of the writer per batch, not per frame.
  void keep_events(const std::vector<MarketEvent>& events) {
    if (!options.storage) return;
    for (const MarketEvent& e : events) {
      stored_events.push_back(StoredEvent::of(e));
    }
    if (stored_events.size() >= events_per_handover) hand_over_events();
  }

  void hand_over_events() {
    if (!options.storage || stored_events.empty()) return;
    options.storage->take_events(stored_events);
  }

  void deliver() {
    if (options.storage) {
      for (const Signal& s : signals) options.storage->save_signal({s, signal_to_json(s)});
      pipeline.take_outcomes(outcomes);
      for (const Outcome& o : outcomes) options.storage->save_outcome(o);
      outcomes.clear();
    }
    if (!signals.empty()) {
      const TimeMs now = options.wall_clock();
      const TimeMs day = now / 86'400'000;
      if (day != signals_day) {
        signals_day = day;
        signals_today = 0;
      }
      signals_today += signals.size();
      signal_times.insert(signal_times.end(), signals.size(), now);
    }
    for (const Signal& s : signals) {
      spdlog::info("signal {} {} {} confidence {} ({})", to_string(s.type), s.symbol,
                   to_string(s.direction), s.confidence, to_string(s.priority));
      alerts.on_signal(s);
    }
    signals.clear();
  }

  // The pipeline runs on event time. Between events, time moves on as the wall clock does,
  // counted from the last event: windows close on schedule even when the source's clock is
  // not ours (a stand-in replaying old frames), and a quiet market still gets its decisions.
  void tick() {
    const TimeMs now = options.wall_clock();
    frame_counts.emplace_back(now, parser.stats().frames);
    while (frame_counts.size() > 1 && now - frame_counts[1].first >= 60'000) {
      frame_counts.pop_front();
    }
    check_outage(now);
    while (!signal_times.empty() && now - signal_times.front() >= 3'600'000) {
      signal_times.pop_front();
    }
    if (last_event_wall != 0) {
      const TimeMs pipeline_now = last_event_clock + (now - last_event_wall);
      recorder.append_tick(pipeline_now);
      pipeline.on_tick(pipeline_now, signals);
      deliver();
    }
    hand_over_events();
    recorder.flush();
  }

  void schedule_tick() {
    tick_timer.expires_after(period(options.tick_s));
    tick_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped) return;
      self->tick();
      self->schedule_tick();
    });
  }

  void schedule_health_log() {
    health_timer.expires_after(period(options.health_log_s));
    health_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->stopped) return;
      const DaemonHealth h = self->health();
      spdlog::info(
          "health: frames {} events {} rejected {} signals {} reconnects {} gaps {} (longest "
          "{:.1f} s) rest ok {} failed {}; outcomes open {}{}{}{}",
          h.frames, h.events, h.rejected, h.signals, h.reconnects, h.gaps,
          h.longest_gap_ms / 1000.0, h.rest_successes, h.rest_failures,
          self->pipeline.outcomes_followed(), self->storage_summary(), self->recording_summary(h),
          self->options.health_extras ? self->options.health_extras() : std::string());
      self->schedule_health_log();
    });
  }

  std::string storage_summary() const {
    if (!options.storage) return "";
    const StorageWriterStats s = options.storage->stats();
    return fmt::format("; storage {} queued {} written {} signals {} events{}{}",
                       s.available ? "ok" : "UNAVAILABLE (" + s.last_error + ")",
                       s.queued_events + s.queued_records, s.signals_written, s.events_written,
                       s.events_dropped > 0 ? fmt::format(" dropped {} events", s.events_dropped)
                                            : std::string(),
                       s.records_lost > 0 ? fmt::format(" LOST {} records", s.records_lost)
                                          : std::string());
  }

  std::string recording_summary(const DaemonHealth& h) const {
    if (!recorder.enabled()) return "";
    return fmt::format(
        "; recording {} frames ({:.1f} MB) written{}{}", h.recording_frames_written,
        static_cast<double>(h.recording_bytes_written) / (1 << 20),
        h.recording_write_errors > 0
            ? fmt::format(" write errors {}{}", h.recording_write_errors,
                          h.recording_error.empty() ? "" : " (" + h.recording_error + ")")
            : std::string(),
        h.recording_frames_dropped > 0
            ? fmt::format(" DROPPED {} frames", h.recording_frames_dropped)
            : std::string());
  }

  DaemonHealth health() const {
    DaemonHealth h;
    FeedStats fs;
    for (const Feed& f : feeds) {
      if (!h.feed_url.empty()) h.feed_url += " ";
      h.feed_url += f.feed->redacted_url();
      const FeedStats one = f.feed->stats();
      fs.connections.insert(fs.connections.end(), one.connections.begin(), one.connections.end());
    }
    for (std::size_t i = 0; i < fs.connections.size(); ++i) {
      const FeedConnectionStats& c = fs.connections[i];
      h.connections.push_back(c.state);
      const TimeMs down = i < down_since.size() ? down_since[i] : started_wall;
      h.connection_details.push_back({c.state, c.last_frame_time,
                                      c.state == ConnectionState::live ? 0 : down,
                                      std::string(c.source)});
    }
    const FeedConnectionStats total = fs.total();
    h.pings = total.pings;
    h.pongs = total.pongs;
    for (int i = 0; i < reject_reason_count; ++i) {
      h.rejected_by_reason.emplace_back(to_string(static_cast<RejectReason>(i)),
                                        parser.stats().rejected_by_reason[i]);
    }
    for (int i = 0; i < event_rejection_count; ++i) {
      h.rejected_by_reason.emplace_back(to_string(static_cast<EventRejection>(i)),
                                        pipeline.stats().rejected_by_reason[i]);
    }
    h.signals_by_type = pipeline.stats().emitted_by_type;
    h.exchange_lag = exchange_lag;
    h.frames = parser.stats().frames;
    // What the parser refused and what the pipeline refused after it (time, symbol cap).
    h.events = parser.stats().events - pipeline.stats().rejected();
    h.rejected = parser.stats().rejected() + pipeline.stats().rejected();
    h.notices = total.notices;
    h.signals = pipeline.stats().emitted;
    h.reconnects = total.reconnects;
    h.gaps = gaps;
    h.longest_gap_ms = longest_gap_ms;
    if (poller) {
      const RestPollerStats rs = poller->stats();
      h.rest_successes = rs.successes;
      h.rest_failures = rs.failures();
    }
    if (instruments) {
      const OkxInstrumentsStats is = instruments->stats();
      h.rest_successes += is.successes;
      h.rest_failures += is.failures();
    }
    h.recorded_frames = recorder.frames();
    const RecorderStats recording = recorder.stats();
    h.recording_frames_written = recording.frames_written;
    h.recording_bytes_written = recording.bytes_written;
    h.recording_write_errors = recording.write_errors;
    h.recording_frames_dropped = recording.frames_dropped;
    h.recording_error = recording.failing ? recording.last_error : std::string();
    h.started_ms = started_wall;
    h.stream_down_since = stream_down_since;
    h.frames_last_minute = frame_counts.empty() ? h.frames : h.frames - frame_counts.front().second;
    const TimeMs now = options.wall_clock();
    h.signals_today = signals_day == now / 86'400'000 ? signals_today : 0;
    h.signals_last_hour = static_cast<std::uint64_t>(std::count_if(
        signal_times.begin(), signal_times.end(), [&](TimeMs t) { return now - t < 3'600'000; }));
    h.last_signal_latency_us = last_signal_latency_us;
    h.max_signal_latency_us = max_signal_latency_us;
    return h;
  }

  boost::asio::io_context& io;
  const Config& config;
  AlertSink& alerts;
  DaemonOptions options;
  FrameParser parser;
  Pipeline pipeline;
  Recorder recorder;
  std::vector<Feed> feeds;
  std::size_t connection_count = 0;
  std::unique_ptr<RestPoller> poller;                 // with CoinGlass only
  std::unique_ptr<OkxInstrumentsPoller> instruments;  // with OKX only
  boost::asio::steady_timer tick_timer;
  boost::asio::steady_timer health_timer;
  std::vector<Signal> signals;
  std::vector<Outcome> outcomes;         // scratch: changes to hand to storage
  std::vector<StoredEvent> stored_events;  // waiting to be handed to storage
  static constexpr std::size_t events_per_handover = 1024;
  TimeMs last_event_wall = 0;   // wall clock when the last market event arrived
  TimeMs last_event_clock = 0;  // the pipeline's event time just after it
  std::uint64_t gaps = 0;
  TimeMs longest_gap_ms = 0;
  TimeMs started_wall = 0;
  TimeMs stream_down_since = 0;  // 0 while some connection is live
  bool outage_notified = false;
  std::vector<ConnectionState> states;  // per connection, as on_state last reported
  std::vector<TimeMs> down_since;  // per connection: wall clock it stopped being live; 0 = live
  Histogram exchange_lag = exchange_lag_histogram();
  std::deque<std::pair<TimeMs, std::uint64_t>> frame_counts;  // (wall, frames) each tick, 1 min
  TimeMs signals_day = 0;                                     // UTC day number signals_today counts
  std::uint64_t signals_today = 0;
  std::deque<TimeMs> signal_times;  // wall clock of each signal in the last hour
  std::int64_t last_signal_latency_us = 0;
  std::int64_t max_signal_latency_us = 0;
  bool stopped = false;
  bool warmed = false;  // the pipeline was warmed from the recording at start
};

Daemon::Daemon(boost::asio::io_context& io, const Config& config, std::string coinglass_api_key,
               AlertSink& alerts, DaemonOptions options)
    : impl_(std::make_shared<Impl>(io, config, std::move(coinglass_api_key), alerts,
                                   std::move(options))) {}

Daemon::~Daemon() {
  if (impl_) {
    impl_->stopped = true;
    impl_->tick_timer.cancel();
    impl_->health_timer.cancel();
  }
}

void Daemon::start() {
  for (const Impl::Feed& f : impl_->feeds) {
    spdlog::info("{}: connecting to {} ({} connection(s))", f.source, f.feed->redacted_url(),
                 f.feed->connection_count());
    f.feed->start();
  }
  if (impl_->poller) {
    spdlog::info("coinglass: REST snapshots from {}", impl_->config.coinglass.rest_url);
    impl_->poller->start();
  }
  if (impl_->instruments) impl_->instruments->start();
  impl_->schedule_tick();
  impl_->schedule_health_log();
}

void Daemon::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->tick_timer.cancel();
  impl_->health_timer.cancel();
  if (impl_->poller) impl_->poller->stop();
  if (impl_->instruments) impl_->instruments->stop();
  for (const Impl::Feed& f : impl_->feeds) f.feed->stop();
  impl_->hand_over_events();
  impl_->recorder.flush();
}

std::size_t DaemonHealth::live_connections() const {
  return static_cast<std::size_t>(
      std::count(connections.begin(), connections.end(), ConnectionState::live));
}

DaemonHealth Daemon::health() const {
  return impl_->health();
}

}  // namespace teleglas
