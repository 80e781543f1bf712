// Alerts printed to a terminal or log stream, as Telegram would show them (plain text).
// The sink used without a Telegram token, and by `teleglas demo`.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "teleglas/app/daemon.hpp"

namespace teleglas {

class TerminalAlertSink final : public AlertSink {
 public:
  explicit TerminalAlertSink(std::ostream& out) : out_(out) {}
  void on_signal(const Signal& signal) override;
  void on_admin_notice(std::string_view text) override;
  std::uint64_t signals() const { return signals_; }

 private:
  std::ostream& out_;
  std::uint64_t signals_ = 0;
};

// Every signal as one line of JSON, the very line `teleglas replay --json` prints for it
// (alerts/signal_json.hpp): what `run --signals-json FILE` writes, so a live run can be
// compared with the replay of its recording. Flushed per line; notices are not signals.
class SignalJsonSink final : public AlertSink {
 public:
  explicit SignalJsonSink(std::ostream& out) : out_(out) {}
  void on_signal(const Signal& signal) override;
  void on_admin_notice(std::string_view) override {}

 private:
  std::ostream& out_;
};

// Hands every alert to each of several sinks (e.g. Telegram and the terminal).
class TeeAlertSink final : public AlertSink {
 public:
  explicit TeeAlertSink(std::vector<AlertSink*> sinks) : sinks_(std::move(sinks)) {}
  void on_signal(const Signal& signal) override {
    for (AlertSink* s : sinks_) s->on_signal(signal);
  }
  void on_admin_notice(std::string_view text) override {
    for (AlertSink* s : sinks_) s->on_admin_notice(text);
  }

 private:
  std::vector<AlertSink*> sinks_;
};

}  // namespace teleglas
