#include "teleglas/config/reference.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <sstream>

namespace teleglas {

namespace {

std::string trimmed(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The comment block directly above 1-based `line`, joined into one line. A "- # ..." line
// opens a list element and documents the element's first key, so the block stops there.
std::string comment_above(const std::vector<std::string>& lines, int line) {
  std::vector<std::string> block;
  for (int i = line - 2; i >= 0; --i) {
    const std::string text = trimmed(lines[static_cast<std::size_t>(i)]);
    const bool element_start = text.starts_with("- #");
    if (!text.starts_with("#") && !element_start) break;
    block.push_back(trimmed(text.substr(text.find('#') + 1)));
    if (element_start) break;
  }
  std::string joined;
  for (auto it = block.rbegin(); it != block.rend(); ++it) {
    if (it->empty()) continue;
    joined += (joined.empty() ? "" : " ") + *it;
  }
  return joined;
}

// Splits "Meaning, seconds, (0, 86400]. Default: 30" into "Meaning, seconds." and "30": the
// range and the default are the loader's facts, shown from the loader.
void split_comment(const std::string& comment, DocumentedKey& key) {
  std::string meaning = comment;
  if (const std::size_t at = meaning.find("Default:"); at != std::string::npos) {
    key.stated_default = trimmed(std::string_view(meaning).substr(at + 8));
    meaning = trimmed(std::string_view(meaning).substr(0, at));
  }
  for (const std::string_view required : {"Required.", "Required"}) {
    if (meaning.ends_with(required)) {
      meaning = trimmed(meaning.substr(0, meaning.size() - required.size()));
    }
  }
  static const std::regex trailing_range(
      R"(,\s*[\[(]\s*[-+0-9.e]+\s*,\s*[-+0-9.e]+\s*[\])]\s*(\.?)$)");
  key.meaning = std::regex_replace(meaning, trailing_range, "$1");
}

void walk(const YAML::Node& node, const std::string& path, const std::vector<std::string>& lines,
          std::vector<DocumentedKey>& keys, std::map<std::string, std::size_t>& index) {
  if (node.IsSequence()) {
    for (const YAML::Node& element : node) walk(element, path + "[]", lines, keys, index);
    return;
  }
  if (!node.IsMap()) return;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) continue;
    const std::string key_path =
        path.empty() ? entry.first.Scalar() : path + "." + entry.first.Scalar();
    DocumentedKey key{key_path, entry.first.Mark().line + 1, "", ""};
    split_comment(comment_above(lines, key.line), key);
    if (const auto found = index.find(key_path); found == index.end()) {
      index.emplace(key_path, keys.size());
      keys.push_back(std::move(key));
    } else if (keys[found->second].meaning.empty()) {
      keys[found->second].meaning = std::move(key.meaning);
    }
    walk(entry.second, key_path, lines, keys, index);
  }
}

// Only scalar and list keys borrow a meaning: "(see `analysis.scoring.volume_tiers`)" for the
// keys of its flow-style elements, which have no line of their own to comment.
std::string meaning_of(const ConfigKey& key, const std::map<std::string, std::string>& meanings) {
  if (auto found = meanings.find(key.path); found != meanings.end() && !found->second.empty()) {
    return found->second;
  }
  if (key.is_map()) return "";
  std::string parent = key.path;
  while (true) {
    const std::size_t cut = parent.find_last_of(".[");
    if (cut == std::string::npos) return "";
    parent.resize(cut);
    if (auto found = meanings.find(parent); found != meanings.end() && !found->second.empty()) {
      return "(see `" + parent + "`)";
    }
  }
}

std::map<std::string, std::string> meanings_in(std::string_view documented_yaml) {
  std::map<std::string, std::string> meanings;
  for (DocumentedKey& key : documented_keys(documented_yaml)) {
    meanings.emplace(std::move(key.path), std::move(key.meaning));
  }
  return meanings;
}

std::string default_of(const ConfigKey& key) {
  if (key.required) return "required";
  return key.is_map() ? "" : key.value;
}

// A Markdown table cell: one line, no column break.
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string code(std::string_view text) {
  return text.empty() ? "" : "`" + cell(text) + "`";
}

}  // namespace

std::vector<DocumentedKey> documented_keys(std::string_view yaml) {
  const YAML::Node document = YAML::Load(std::string(yaml));
  std::vector<DocumentedKey> keys;
  std::map<std::string, std::size_t> index;
  walk(document, "", lines_of(yaml), keys, index);
  return keys;
}

std::string config_reference_text(std::string_view documented_yaml) {
  const auto meanings = meanings_in(documented_yaml);
  std::string out;
  for (const ConfigKey& key : describe_config()) {
    out += key.path + "  (" + key.type;
    if (const std::string value = default_of(key); !value.empty()) {
      out += key.required ? ", " + value : ", default " + value;
    }
    if (!key.allowed.empty()) out += "; " + key.allowed;
    out += ")\n";
    if (const std::string meaning = meaning_of(key, meanings); !meaning.empty()) {
      out += "    " + meaning + "\n";
    }
  }
  return out;
}

std::string config_reference_markdown(std::string_view documented_yaml) {
  const auto meanings = meanings_in(documented_yaml);
  std::string out =
      "| Key | Type | Default | Allowed | Meaning |\n"
      "|---|---|---|---|---|\n";
  for (const ConfigKey& key : describe_config()) {
    const std::string value = default_of(key);
    out += "| " + code(key.path) + " | " + key.type + " | " + (key.required ? value : code(value)) +
           " | " + cell(key.allowed) + " | " + cell(meaning_of(key, meanings)) + " |\n";
  }
  return out;
}

}  // namespace teleglas
