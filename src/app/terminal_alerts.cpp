#include "teleglas/app/terminal_alerts.hpp"

#include "teleglas/alerts/formatter.hpp"

namespace teleglas {

void TerminalAlertSink::on_signal(const Signal& signal) {
  ++signals_;
  out_ << format_plain_text(signal) << "\n\n" << std::flush;
}

void TerminalAlertSink::on_admin_notice(std::string_view text) {
  out_ << "⚙️ admin: " << text << "\n\n" << std::flush;
}

}  // namespace teleglas
