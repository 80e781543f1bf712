// Loads and validates a YAML configuration. Every key is optional; problems of every kind
// (unknown key, wrong type, out of range) are collected and reported together.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"

namespace teleglas {

struct ConfigProblem {
  std::string file;
  int line = 0;          // 1-based; 0 when unknown
  std::string key_path;  // e.g. "analysis.stop_hunt.liquidation_usd" or "symbols[1].symbol"
  std::string message;   // e.g. "must be > 0, got -5"

  // "FILE:LINE: key.path: message"
  std::string to_string() const;
};

struct ConfigLoadResult {
  Config config;
  std::vector<ConfigProblem> problems;  // empty when valid
  // Problems of the files the configuration names (a secrets file that is missing or readable
  // by group or others): check-config fails on them, the daemon logs them and runs.
  std::vector<ConfigProblem> file_problems;
  bool ok() const { return problems.empty(); }
};

// What is wrong with `path` as a secrets file, or "" when it exists and only its owner may
// read or write it: "does not exist", "is readable by group or others (mode 0644); chmod 600
// it". Looks at the file's metadata only, never its content.
std::string secrets_file_problem(const std::string& path);

// Parses YAML text; `file_name` is used only in problem reports. The one look at the disk is
// secrets_file's metadata (file_problems).
ConfigLoadResult load_config_from_string(std::string_view yaml, std::string_view file_name);

// Reads and parses a file. A missing or unreadable file is a problem at line 0.
ConfigLoadResult load_config_file(const std::string& path);

}  // namespace teleglas
