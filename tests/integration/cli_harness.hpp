// Runs the real teleglas executable and captures what it prints.
#pragma once

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"

namespace teleglas::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Runs `teleglas ARGS` (arguments already shell-quoted by the caller).
inline CommandResult run_teleglas(const std::string& args, const TempDir& dir) {
  const auto out = dir / "stdout.txt";
  const auto err = dir / "stderr.txt";
  const std::string command = std::string("timeout 120 ") + TELEGLAS_BINARY + " " + args + " >" +
                              out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

// Recording lines as CoinGlass sends them.
inline std::string liquidation_line(long long t, int side, double usd, double price,
                                    const std::string& symbol = "BTCUSDT",
                                    const std::string& exchange = "Binance") {
  std::ostringstream s;
  s.precision(17);
  s << R"({"channel":"liquidationOrders","data":[{"baseAsset":"BTC","exName":")" << exchange
    << R"(","price":)" << price << R"(,"side":)" << side << R"(,"symbol":")" << symbol
    << R"(","time":)" << t << R"(,"volUsd":)" << usd << "}]}";
  return s.str();
}
inline std::string trade_line(long long t, int side, double usd, double price,
                              const std::string& symbol = "BTCUSDT",
                              const std::string& exchange = "Binance") {
  std::ostringstream s;
  s.precision(17);
  s << R"({"channel":"futures_trades@)" << exchange << "_" << symbol
    << R"(@10000","data":[{"baseAsset":"BTC","exName":")" << exchange << R"(","price":)" << price
    << R"(,"side":)" << side << R"(,"symbol":")" << symbol << R"(","time":)" << t << R"(,"volUsd":)"
    << usd << "}]}";
  return s.str();
}

// Polls `done` every 50 ms until it holds or `limit` has passed; returns its last answer.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

}  // namespace teleglas::testing

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

namespace teleglas::testing {

// A teleglas process running in the background, its output captured in files.
class BackgroundTeleglas {
 public:
  // `name` names its output files in `dir`, so that a restarted daemon keeps the first one's.
  BackgroundTeleglas(const std::vector<std::string>& args,
                     const std::vector<std::pair<std::string, std::string>>& env,
                     const TempDir& dir, const std::string& name = "bg")
      : out_(dir / (name + "-stdout.txt")), err_(dir / (name + "-stderr.txt")) {
    // Everything is prepared here: the test process has threads (stand-in servers), and a
    // forked child of a threaded process may only make async-signal-safe calls before exec —
    // a malloc or setenv there can deadlock on a lock another thread held at the fork.
    // posix_spawn opens the output files and execs with the prepared environment.
    std::vector<std::string> environment;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const auto eq = entry.find('=');
      const std::string key = entry.substr(0, eq);
      bool overridden = false;
      for (const auto& kv : env) overridden = overridden || kv.first == key;
      if (!overridden) environment.push_back(entry);
    }
    for (const auto& [key, value] : env) environment.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> arguments{TELEGLAS_BINARY};
    arguments.insert(arguments.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : arguments) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, TELEGLAS_BINARY, &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = -1;
      exited_ = true;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~BackgroundTeleglas() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Polls stdout (or stderr, the log) until `text` appears or the timeout passes.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) const {
    return wait_for_text(out_, text, timeout);
  }
  bool wait_for_log(const std::string& text, std::chrono::milliseconds timeout) const {
    return wait_for_text(err_, text, timeout);
  }

  // Sends `signal` and waits up to `timeout` for the exit; returns the exit code or -1.
  int stop(int signal, std::chrono::milliseconds timeout) {
    if (pid_ <= 0 || exited_) return -1;
    kill(pid_, signal);
    return wait_for_exit(timeout);
  }

  // Waits up to `timeout` for the process to end by itself; returns the exit code or -1.
  int wait_for_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0 || exited_) return -1;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }

 private:
  static bool wait_for_text(const std::filesystem::path& file, const std::string& text,
                            std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (read_file(file).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

}  // namespace teleglas::testing
