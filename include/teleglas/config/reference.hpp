// The configuration reference: every key the loader reads, described by the loader itself
// (path, type, default, allowed values), with the meaning that the shipped
// config/teleglas.yaml gives each key in the comment above it. Neither list of keys is
// written out anywhere else, so the reference cannot drift from what is loaded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "teleglas/config/config.hpp"

namespace teleglas {

struct ConfigKey {
  std::string path;          // "analysis.stop_hunt.window_s"; list elements as "symbols[].symbol"
  std::string type;          // number, integer, string, boolean, list of strings, map, list of maps
  std::string value;         // as YAML writes it: 30, "", [Binance], {above: 0.7, points: 10}
  std::string allowed;       // "(0, 86400]", "one of sqlite, postgres", "< buy_ratio_long"; or ""
  bool required = false;     // an element key without a default (symbols[].symbol)
  std::string same_keys_as;  // a map taking the keys of another section: "analysis"

  bool is_map() const { return type == "map"; }
};

// Every key the loader reads, in the order it reads them, valued as in `config`.
std::vector<ConfigKey> describe_config(const Config& config = Config{});

// A key written in a documented YAML file and the comment block directly above it (for the
// first key of a list element, the comment after its "- "). `meaning` is that comment on one
// line without its closing "Default: ..." and a trailing range such as ", (0, 86400]", which
// the loader states itself; `stated_default` is the text after "Default:".
struct DocumentedKey {
  std::string path;  // as ConfigKey::path
  int line = 0;
  std::string meaning;
  std::string stated_default;
};

// Keys in the order written; a key repeated in several list elements appears once, with the
// first comment found. Throws YAML::Exception when `yaml` does not parse.
std::vector<DocumentedKey> documented_keys(std::string_view yaml);

// config/teleglas.yaml as it was when this program was built.
std::string_view shipped_config_yaml();

// The reference of every key as plain text (one block per key) or as a Markdown table (the
// README's section), with meanings from `documented_yaml`.
std::string config_reference_text(std::string_view documented_yaml = shipped_config_yaml());
std::string config_reference_markdown(std::string_view documented_yaml = shipped_config_yaml());

}  // namespace teleglas
