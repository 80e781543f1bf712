// `teleglas doctor`: checks an installation (configuration, secrets, data directory, storage,
// each market-data source the daemon would run — CoinGlass, Bybit, Binance, OKX —, Telegram,
// health port, systemd) and says for each what is wrong and how to fix it.
// Every result is free of secrets: the key and token are masked out of all text, servers'
// included.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace teleglas {

enum class CheckStatus { ok, warn, fail };
std::string_view to_string(CheckStatus status);

// One line of the report: "fail  coinglass  CoinGlass refused the key (HTTP 401); fix: ...".
struct CheckResult {
  std::string check;  // e.g. "config", "telegram chat -1001"
  CheckStatus status = CheckStatus::ok;
  std::string detail;              // what was found and, unless ok, the fix
  std::vector<std::string> notes;  // printed indented below, e.g. each configuration problem

  bool operator==(const CheckResult&) const = default;
};

// What `systemctl` says about the teleglas unit; nullopt from the probe when systemd does not
// run this machine (or systemctl is missing).
struct SystemdUnitState {
  std::string active;   // `systemctl is-active teleglas`: "active", "inactive", "failed", ...
  std::string enabled;  // `systemctl is-enabled teleglas`: "enabled", "disabled", "" if no unit
};
using SystemdProbe = std::function<std::optional<SystemdUnitState>()>;

// Asks the real systemctl (bounded by `timeout` per call).
SystemdProbe systemctl_probe(std::chrono::seconds timeout = std::chrono::seconds(3));

struct DoctorOptions {
  std::string config_path = "config/teleglas.yaml";
  std::string coinglass_api_key;                     // COINGLASS_API_KEY; empty = absent
  std::string telegram_bot_token;                    // TELEGRAM_BOT_TOKEN; empty = absent
  std::chrono::milliseconds network_timeout{5'000};  // per request to a source or Telegram
  SystemdProbe systemd = systemctl_probe();
};

struct DoctorReport {
  std::vector<CheckResult> results;  // in the order of the checks
  bool failed() const;               // any result is fail
  int exit_code() const { return failed() ? 1 : 0; }
};

// The checks, in order; `--help` prints these.
struct DoctorCheckInfo {
  std::string_view name;
  std::string_view what;
};
const std::vector<DoctorCheckInfo>& doctor_checks();

// Runs every check in order. Network checks are bounded by options.network_timeout; nothing
// here throws for an environmental problem.
DoctorReport run_doctor(const DoctorOptions& options);

// `text` with every non-empty secret replaced by "***".
std::string mask_secrets(std::string text, const std::vector<std::string>& secrets);

// One line per result ("ok    config    ...") and its notes; then a summary line.
void print_doctor_report(const DoctorReport& report, std::ostream& out);

}  // namespace teleglas
