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
  bool ok() const { return problems.empty(); }
};

// Parses YAML text; `file_name` is used only in problem reports.
ConfigLoadResult load_config_from_string(std::string_view yaml, std::string_view file_name);

// Reads and parses a file. A missing or unreadable file is a problem at line 0.
ConfigLoadResult load_config_file(const std::string& path);

}  // namespace teleglas
