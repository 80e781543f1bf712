#include "map_reader.hpp"

#include "teleglas/core/names.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <unordered_set>

namespace teleglas::config_detail {

namespace {

// Values are echoed into one-line messages; a long one would bury the rest of the line.
std::string quoted(std::string_view text) {
  constexpr std::size_t max_shown = 60;
  std::string out = "'";
  out += text.substr(0, max_shown);
  if (text.size() > max_shown) out += "...";
  out += "'";
  return out;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "no value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!": "5" is a string in YAML, not a number.
      return node.Tag() == "!" ? "the quoted string " + quoted(node.Scalar())
                               : quoted(node.Scalar());
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

bool is_plain_scalar(const YAML::Node& node) {
  return node.IsScalar() && node.Tag() != "!";
}

// YAML allows a leading '+'; from_chars does not (and must still refuse "+-5").
std::string_view without_plus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
  return text;
}

template <class T>
bool parse_whole(std::string_view text, T& out) {
  text = without_plus(text);
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

bool report_rule(ProblemSink& sink, const Value& value, const std::string& requirement) {
  if (requirement.empty()) return true;
  sink.add(value.line, value.path, requirement + ", got " + value.node.Scalar());
  return false;
}

template <class Int>
bool decode_integer(ProblemSink& sink, const Value& value, Int& out, const NumberRule& rule) {
  long long parsed = 0;
  if (!is_plain_scalar(value.node) || !parse_whole(value.node.Scalar(), parsed)) {
    sink.add(value.line, value.path, "expected an integer, got " + describe(value.node));
    return false;
  }
  if (!report_rule(sink, value, rule(static_cast<double>(parsed)))) return false;
  if (parsed < std::numeric_limits<Int>::min() || parsed > std::numeric_limits<Int>::max()) {
    sink.add(value.line, value.path, "is too large, got " + value.node.Scalar());
    return false;
  }
  out = static_cast<Int>(parsed);
  return true;
}

// Edits between two keys, case-insensitive; swapping two neighbours counts as one edit, as
// it is the most common typo ("singals").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto same = [&](std::size_t i, std::size_t j) {
    return std::tolower(static_cast<unsigned char>(a[i])) ==
           std::tolower(static_cast<unsigned char>(b[j]));
  };
  std::vector<std::size_t> before_previous(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      current[j] = std::min(
          {previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same(i - 1, j - 1) ? 0 : 1)});
      if (i > 1 && j > 1 && same(i - 1, j - 2) && same(i - 2, j - 1)) {
        current[j] = std::min(current[j], before_previous[j - 2] + 1);
      }
    }
    std::swap(before_previous, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// " (did you mean 'x'?)" when a known key is a likely typo of `name`.
std::string suggestion(std::string_view name, const std::vector<std::string>& known) {
  const std::string* best = nullptr;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& candidate : known) {
    const std::size_t allowed =
        std::max<std::size_t>(1, std::min<std::size_t>(3, candidate.size() / 3));
    const std::size_t length_gap = name.size() > candidate.size() ? name.size() - candidate.size()
                                                                  : candidate.size() - name.size();
    if (length_gap > allowed) continue;  // also keeps absurdly long keys cheap
    const std::size_t distance = edit_distance(name, candidate);
    if (distance <= allowed && distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best ? " (did you mean '" + *best + "'?)" : "";
}

// The reference writes 1e12 where the rule has 1000000000000: a bound, not a setting.
std::string format_bound(double v) {
  const double exponent = std::log10(std::fabs(v));
  if (std::fabs(v) >= 1e9 && exponent == std::floor(exponent)) {
    return std::string(v < 0 ? "-" : "") + "1e" + std::to_string(static_cast<int>(exponent));
  }
  return format_number(v);
}

// The requirement a failing value is told, which also describes the rule: "must be one of a,
// b" -> "one of a, b", "is required when ..." -> "required when ...".
std::string described(std::string_view requirement) {
  for (std::string_view prefix : {"must be ", "must not be ", "is "}) {
    if (requirement.starts_with(prefix)) {
      return (prefix.find("not") != std::string_view::npos ? "not " : "") +
             std::string(requirement.substr(prefix.size()));
    }
  }
  return std::string(requirement);
}

}  // namespace

void ProblemSink::add(int line, std::string key_path, std::string message) {
  // A problem is one line of `check-config` output whatever the input contained.
  auto one_line = [](std::string& text) {
    std::replace_if(
        text.begin(), text.end(),
        [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; }, '?');
  };
  one_line(key_path);
  one_line(message);
  problems.push_back({file, line, std::move(key_path), std::move(message)});
}

NumberRule between(double low, double high) {
  return {[=](double v) -> std::string {
            if (v >= low && v <= high) return {};
            return "must be >= " + format_number(low) + " and <= " + format_number(high);
          },
          "[" + format_bound(low) + ", " + format_bound(high) + "]"};
}

NumberRule above(double low, double high) {
  return {[=](double v) -> std::string {
            if (v > low && v <= high) return {};
            return "must be > " + format_number(low) + " and <= " + format_number(high);
          },
          "(" + format_bound(low) + ", " + format_bound(high) + "]"};
}

NumberRule non_zero_within(double magnitude) {
  const std::string requirement = "must be non-zero and within +-" + format_number(magnitude);
  return {[=](double v) -> std::string {
            if (v != 0 && std::fabs(v) <= magnitude) return {};
            return requirement;
          },
          "non-zero, within +-" + format_bound(magnitude)};
}

StringRule non_empty() {
  const std::string requirement = "must not be empty";
  return {[=](std::string_view s) -> std::string { return s.empty() ? requirement : ""; },
          described(requirement)};
}

StringRule symbol_name() {
  const std::string requirement =
      "must be a symbol name of at most 32 bytes: letters, digits and - _ / . :";
  return {[=](std::string_view s) -> std::string {
            if (s.empty()) return "must not be empty";
            // The same rule as the parser's: a symbol it would refuse could never match. It also
            // keeps the name fit for a channel such as futures_trades@Binance_BTCUSDT@10000.
            if (!is_symbol_name(s)) return requirement;
            return "";
          },
          described(requirement)};
}

StringRule venue_name() {
  const std::string requirement =
      "must be an exchange name of at most 24 bytes: letters, digits, spaces and . - _";
  return {[=](std::string_view s) -> std::string {
            if (s.empty()) return "must not be empty";
            if (!is_venue_or_asset_name(s)) return requirement;
            return "";
          },
          described(requirement)};
}

StringRule one_of(std::vector<std::string> choices) {
  std::string requirement = "must be one of";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    requirement += (i == 0 ? " " : ", ") + choices[i];
  }
  std::string description = described(requirement);
  return {[choices = std::move(choices), requirement](std::string_view s) -> std::string {
            if (std::find(choices.begin(), choices.end(), s) != choices.end()) return {};
            return requirement;
          },
          std::move(description)};
}

StringRule url_with_scheme(std::vector<std::string> schemes) {
  std::string requirement = "must be a";
  for (std::size_t i = 0; i < schemes.size(); ++i) {
    requirement += (i == 0 ? " " : " or ") + schemes[i] + "://";
  }
  requirement += " URL with a host";
  std::string description = described(requirement);
  return {[schemes = std::move(schemes), requirement](std::string_view s) -> std::string {
            const bool has_space = std::any_of(s.begin(), s.end(), [](char c) {
              return std::isspace(static_cast<unsigned char>(c)) != 0;
            });
            for (const std::string& scheme : schemes) {
              const std::string prefix = scheme + "://";
              if (!has_space && s.starts_with(prefix) && s.size() > prefix.size() &&
                  s[prefix.size()] != '/') {
                return {};
              }
            }
            // Keys and tokens travel in these URLs and requests: clear text is never offered.
            return requirement + (s.starts_with("ws://") || s.starts_with("http://")
                                      ? " (plain text would expose the API key or bot token)"
                                      : "");
          },
          std::move(description)};
}

namespace {

const std::string host_and_port_requirement =
    "must be HOST:PORT with PORT 0..65535 (e.g. 127.0.0.1:8080)";
const std::string loopback_requirement =
    "must be on loopback (127.0.0.1, [::1] or localhost): the health endpoint is not meant for "
    "the network";

}  // namespace

StringRule host_and_port() {
  return {[](std::string_view s) -> std::string {
            const std::string& requirement = host_and_port_requirement;
            const std::size_t colon = s.rfind(':');
            if (colon == std::string_view::npos || colon == 0) return requirement;
            const std::string_view host = s.substr(0, colon);
            const std::string_view port = s.substr(colon + 1);
            // An IPv6 address carries colons of its own and is written in brackets: [::1]:8080.
            const bool bracketed = host.front() == '[' && host.back() == ']' && host.size() > 2;
            if (!bracketed && host.find_first_of("[]:") != std::string_view::npos)
              return requirement;
            unsigned port_number = 0;
            const bool digits_only = !port.empty() && port.size() <= 5 &&
                                     std::all_of(port.begin(), port.end(), [](char c) {
                                       return std::isdigit(static_cast<unsigned char>(c)) != 0;
                                     });
            if (!digits_only || !parse_whole(port, port_number) || port_number > 65535)
              return requirement;
            return {};
          },
          described(host_and_port_requirement)};
}

StringRule loopback_host_and_port() {
  return {[](std::string_view s) -> std::string {
            if (std::string problem = host_and_port()(s); !problem.empty()) return problem;
            const std::string_view host = s.substr(0, s.rfind(':'));
            if (host == "localhost" || host == "[::1]" || host.starts_with("127.")) return {};
            return loopback_requirement;
          },
          described(host_and_port_requirement) + ", " +
              described(loopback_requirement.substr(0, loopback_requirement.find("): ") + 1))};
}

std::string format_number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e18) {
    return std::to_string(static_cast<long long>(v));
  }
  std::ostringstream out;
  out.precision(15);
  out << v;
  return out.str();
}

std::string yaml_text(double v) {
  return format_number(v);
}
std::string yaml_text(int v) {
  return std::to_string(v);
}
std::string yaml_text(std::int64_t v) {
  return std::to_string(v);
}
std::string yaml_text(bool v) {
  return v ? "true" : "false";
}
std::string yaml_text(const std::string& v) {
  // yaml-cpp quotes exactly what would not read back as this string ("", "true", "5").
  YAML::Emitter out;
  out << v;
  return out.c_str();
}
std::string type_name(double) {
  return "number";
}
std::string type_name(int) {
  return "integer";
}
std::string type_name(std::int64_t) {
  return "integer";
}
std::string type_name(bool) {
  return "boolean";
}
std::string type_name(const std::string&) {
  return "string";
}

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

bool decode(ProblemSink& sink, const Value& value, double& out, const NumberRule& rule) {
  double parsed = 0;
  if (!is_plain_scalar(value.node) || !parse_whole(value.node.Scalar(), parsed)) {
    sink.add(value.line, value.path, "expected a number, got " + describe(value.node));
    return false;
  }
  if (!report_rule(sink, value, rule(parsed))) return false;
  out = parsed;
  return true;
}

bool decode(ProblemSink& sink, const Value& value, int& out, const NumberRule& rule) {
  return decode_integer(sink, value, out, rule);
}

bool decode(ProblemSink& sink, const Value& value, std::int64_t& out, const NumberRule& rule) {
  return decode_integer(sink, value, out, rule);
}

bool decode(ProblemSink& sink, const Value& value, std::string& out, const StringRule& rule) {
  std::string parsed;
  if (value.node.IsNull()) {
    // `ca_file:` with nothing after it reads naturally as "no file".
  } else if (value.node.IsScalar()) {
    parsed = value.node.Scalar();
  } else {
    sink.add(value.line, value.path, "expected a string, got " + describe(value.node));
    return false;
  }
  if (rule) {
    if (std::string requirement = rule(parsed); !requirement.empty()) {
      sink.add(value.line, value.path, requirement + ", got " + quoted(parsed));
      return false;
    }
  }
  out = std::move(parsed);
  return true;
}

bool decode(ProblemSink& sink, const Value& value, bool& out) {
  // YAML 1.1's yes/no/on/off are refused: `commands: no` reading as false surprises nobody,
  // but `country: NO` does, and one spelling is easier to grep for.
  if (is_plain_scalar(value.node)) {
    if (value.node.Scalar() == "true") {
      out = true;
      return true;
    }
    if (value.node.Scalar() == "false") {
      out = false;
      return true;
    }
  }
  sink.add(value.line, value.path, "expected true or false, got " + describe(value.node));
  return false;
}

MapReader::MapReader(ProblemSink& sink, YAML::Node node, std::string path, int line)
    : sink_(&sink), node_(std::move(node)), path_(std::move(path)), line_(line) {}

MapReader::MapReader(std::vector<ConfigKey>& keys, std::string path)
    : keys_(&keys), path_(std::move(path)) {}

void MapReader::note(std::string_view key, std::string type, std::string value,
                     std::string allowed) {
  keys_->push_back(
      {path_of(key), std::move(type), std::move(value), std::move(allowed), false, ""});
}

ConfigKey* MapReader::noted(std::string_view key) {
  const std::string path = path_of(key);
  for (ConfigKey& k : *keys_) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

void MapReader::add_allowed(std::string_view key, const std::string& condition) {
  if (ConfigKey* k = noted(key)) k->allowed += (k->allowed.empty() ? "" : "; ") + condition;
}

std::string MapReader::list_description(std::size_t min_size, const std::string& element_rule) {
  std::string description;
  if (min_size > 0) description = "at least " + std::to_string(min_size);
  if (!element_rule.empty())
    description += (description.empty() ? "each " : "; each ") + element_rule;
  return description;
}

std::string MapReader::flow_map(const std::vector<ConfigKey>& keys, std::size_t from,
                                const std::string& path) {
  const std::string prefix = path.empty() ? "" : path + ".";
  std::string text = "{";
  for (std::size_t i = from; i < keys.size(); ++i) {
    const std::string& key_path = keys[i].path;
    if (!key_path.starts_with(prefix)) continue;
    const std::string_view name = std::string_view(key_path).substr(prefix.size());
    if (name.find_first_of(".[") != std::string_view::npos) continue;
    text += (text.size() > 1 ? ", " : "") + std::string(name) + ": " + keys[i].value;
  }
  return text + "}";
}

std::optional<Value> MapReader::lookup(std::string_view key) const {
  if (!node_.IsMap()) return std::nullopt;
  for (const auto& entry : node_) {
    // The first of repeated keys wins; report_unknown_keys() flags the others.
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      return Value{entry.second, path_of(key), line_of(entry.first)};
    }
  }
  return std::nullopt;
}

std::optional<Value> MapReader::find(std::string_view key) {
  known_keys_.emplace_back(key);
  return lookup(key);
}

bool MapReader::has(std::string_view key) const {
  return lookup(key).has_value();
}

void MapReader::require(std::string_view key) {
  if (keys_) {
    if (ConfigKey* k = noted(key)) k->required = true;
    return;
  }
  known_keys_.emplace_back(key);
  if (!has(key)) sink_->add(line_, path_of(key), "is required");
}

void MapReader::check(bool ok, std::string_view key, std::string message) {
  if (keys_) return add_allowed(key, described(message));
  if (ok) return;
  const auto value = lookup(key);
  sink_->add(value ? value->line : line_, path_of(key), std::move(message));
}

void MapReader::check_order(std::string_view low_key, double low, std::string_view high_key,
                            double high, bool allow_equal) {
  if (keys_) {
    add_allowed(low_key, (allow_equal ? "<= " : "< ") + std::string(high_key));
    add_allowed(high_key, (allow_equal ? ">= " : "> ") + std::string(low_key));
    return;
  }
  const bool has_low = has(low_key);
  if (!has_low && !has(high_key)) return;
  if (low < high || (allow_equal && low == high)) return;
  const std::string or_equal = allow_equal ? "or equal to " : "";
  if (has_low) {
    check(false, low_key,
          "must be less than " + or_equal + std::string(high_key) + " (" + format_number(high) +
              "), got " + format_number(low));
  } else {
    check(false, high_key,
          "must be greater than " + or_equal + std::string(low_key) + " (" + format_number(low) +
              "), got " + format_number(high));
  }
}

void MapReader::check_unique(std::string_view key, const std::vector<std::string>& list) {
  if (keys_) return add_allowed(key, "no value twice");
  const auto value = lookup(key);
  if (!value || !value->node.IsSequence()) return;
  // The list keeps its document order, so element i of the node is element i of `list` (a
  // list with an invalid element was not read and still holds its default: nothing to check).
  if (list.size() != value->node.size()) return;
  for (std::size_t i = 1; i < list.size(); ++i) {
    const auto first =
        std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i), list[i]);
    if (first == list.begin() + static_cast<std::ptrdiff_t>(i)) continue;
    const YAML::Node element = value->node[i];
    std::string path = value->path;
    path += '[';
    path += std::to_string(i);
    path += ']';
    sink_->add(line_of(element) > 0 ? line_of(element) : value->line, std::move(path),
               "repeats " + quoted(list[i]) + " (first at [" +
                   std::to_string(first - list.begin()) + "])");
  }
}

void MapReader::report_unknown_keys() {
  if (!node_.IsMap()) return;
  std::unordered_set<std::string> seen;
  for (const auto& entry : node_) {
    const YAML::Node& key = entry.first;
    const int line = line_of(key) > 0 ? line_of(key) : line_;
    if (!key.IsScalar()) {
      sink_->add(line, path_.empty() ? "(root)" : path_,
                 "keys must be plain names, got " + describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (!seen.insert(name).second) {
      sink_->add(line, path_of(name), "duplicate key (the first one is used)");
    } else if (std::find(known_keys_.begin(), known_keys_.end(), name) == known_keys_.end()) {
      sink_->add(line, path_of(name), "unknown key" + suggestion(name, known_keys_));
    }
  }
}

std::optional<std::vector<Value>> MapReader::elements_of(const Value& value, std::size_t min_size) {
  std::vector<Value> elements;
  if (value.node.IsSequence()) {
    for (const YAML::Node& element : value.node) {
      const int line = line_of(element) > 0 ? line_of(element) : value.line;
      // Built piecewise: `"[" + std::to_string(n) + "]"` trips a GCC 12 -Wrestrict false positive.
      std::string path = value.path;
      path += '[';
      path += std::to_string(elements.size());
      path += ']';
      elements.push_back({element, std::move(path), line});
    }
  } else if (!value.node.IsNull()) {  // `chat_ids:` with nothing after it is an empty list
    sink_->add(value.line, value.path, "expected a list, got " + describe(value.node));
    return std::nullopt;
  }
  if (elements.size() < min_size) {
    sink_->add(
        value.line, value.path,
        "must list at least " + std::to_string(min_size) + (min_size == 1 ? " value" : " values"));
    return std::nullopt;
  }
  return elements;
}

std::optional<MapReader> MapReader::open_map(const Value& value) {
  if (!value.node.IsMap() && !value.node.IsNull()) {
    sink_->add(value.line, value.path, "expected a map, got " + describe(value.node));
    return std::nullopt;
  }
  return MapReader(*sink_, value.node, value.path, value.line);
}

std::string MapReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

}  // namespace teleglas::config_detail
