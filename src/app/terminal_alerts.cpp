#include "teleglas/app/terminal_alerts.hpp"

#include "teleglas/alerts/formatter.hpp"
#include "teleglas/alerts/signal_json.hpp"

namespace teleglas {

void TerminalAlertSink::on_signal(const Signal& signal) {
  ++signals_;
  out_ << format_plain_text(signal) << "\n\n" << std::flush;
}

void TerminalAlertSink::on_admin_notice(std::string_view text) {
  out_ << "⚙️ admin: " << text << "\n\n" << std::flush;
}

void SignalJsonSink::on_signal(const Signal& signal) {
  out_ << signal_to_json(signal) << "\n" << std::flush;
}

}  // namespace teleglas
