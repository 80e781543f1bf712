// Helpers shared by the configuration tests: load inline YAML and look at the problems as the
// one-line reports `check-config` prints.
#pragma once

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/load.hpp"

namespace teleglas::testing {

inline ConfigLoadResult load(std::string_view yaml) {
  return load_config_from_string(yaml, "test.yaml");
}

inline std::vector<std::string> reports(const ConfigLoadResult& result) {
  std::vector<std::string> lines;
  for (const ConfigProblem& p : result.problems) lines.push_back(p.to_string());
  return lines;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::string> reports(std::string_view yaml) {
  return reports(load(yaml));
}

// "a.b.c", "5" -> "a:\n  b:\n    c: 5\n": the key ends up on the line numbered by its depth.
inline std::string nested_yaml(std::string_view dotted_path, std::string_view value) {
  std::string yaml;
  std::string indent;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted_path.find('.', start);
    yaml += indent + std::string(dotted_path.substr(start, dot - start)) + ":";
    if (dot == std::string_view::npos) break;
    yaml += "\n";
    indent += "  ";
    start = dot + 1;
  }
  return yaml + " " + std::string(value) + "\n";
}

inline int depth_of(std::string_view dotted_path) {
  return 1 + static_cast<int>(std::count(dotted_path.begin(), dotted_path.end(), '.'));
}

}  // namespace teleglas::testing
