// Reads one YAML map of the configuration into a struct. A MapReader knows its key path,
// checks each value's type and range, remembers the keys it was asked for and reports every
// other key as unknown, so each struct's parse function is a short list of read() lines.
// The same parse functions describe the configuration (describe mode): the reference lists
// exactly the keys the loader reads, with the rules it applies.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "teleglas/config/load.hpp"
#include "teleglas/config/reference.hpp"

namespace teleglas::config_detail {

// Where problems go; every reader of one document shares it.
struct ProblemSink {
  std::string file;
  std::vector<ConfigProblem> problems;

  void add(int line, std::string key_path, std::string message);
};

// A rule returns what a value must satisfy ("must be > 0 and <= 86400") when it does not,
// and an empty string when it does; the reader appends the offending value. Its description
// says what it accepts ("(0, 86400]") for the reference.
template <class Arg>
struct Rule {
  std::function<std::string(Arg)> check;
  std::string description;

  std::string operator()(Arg value) const { return check(value); }
  explicit operator bool() const { return static_cast<bool>(check); }
};
using NumberRule = Rule<double>;
using StringRule = Rule<std::string_view>;
template <class T>
using RuleFor = std::conditional_t<std::is_arithmetic_v<T>, NumberRule, StringRule>;

NumberRule between(double low, double high);   // low <= v <= high
NumberRule above(double low, double high);     // low < v <= high
NumberRule non_zero_within(double magnitude);  // v != 0 and |v| <= magnitude
StringRule non_empty();
StringRule symbol_name();
StringRule venue_name();  // non-empty, fits a channel name
StringRule one_of(std::vector<std::string> choices);
StringRule url_with_scheme(std::vector<std::string> schemes);
StringRule host_and_port();
StringRule loopback_host_and_port();

// 2000000 rather than 2e+06; 0.65 rather than 0.650000.
std::string format_number(double v);

// A value as YAML writes it, and its type, for the reference.
std::string yaml_text(double v);
std::string yaml_text(int v);
std::string yaml_text(std::int64_t v);
std::string yaml_text(bool v);
std::string yaml_text(const std::string& v);
template <class T>
std::string yaml_text(const std::vector<T>& list) {
  std::string text = "[";
  for (const T& element : list) text += (text.size() > 1 ? ", " : "") + yaml_text(element);
  return text + "]";
}
std::string type_name(double);
std::string type_name(int);
std::string type_name(std::int64_t);
std::string type_name(bool);
std::string type_name(const std::string&);
template <class T>
std::string type_name(const std::vector<T>&) {
  return "list of " + type_name(T{}) + "s";
}

// 1-based line of a node, 0 when yaml-cpp knows none.
int line_of(const YAML::Node& node);

// One value found in the document, with where it was found.
struct Value {
  YAML::Node node;
  std::string path;
  int line = 0;
};

// Each reports a type or rule violation and returns false; `out` is left untouched then, so
// an invalid value never replaces the default.
bool decode(ProblemSink& sink, const Value& value, double& out, const NumberRule& rule);
bool decode(ProblemSink& sink, const Value& value, int& out, const NumberRule& rule);
bool decode(ProblemSink& sink, const Value& value, std::int64_t& out, const NumberRule& rule);
bool decode(ProblemSink& sink, const Value& value, std::string& out, const StringRule& rule);
bool decode(ProblemSink& sink, const Value& value, bool& out);  // true/false only

class MapReader {
 public:
  // `node` may be null (an empty section: every key keeps its default).
  MapReader(ProblemSink& sink, YAML::Node node, std::string path, int line);

  // Describe mode: reads no document and changes no member; each read appends its key to
  // `keys`, with the member's current value as the key's value.
  MapReader(std::vector<ConfigKey>& keys, std::string path);

  // Numbers have no default rule: every numeric key states its range.
  template <class T>
  requires std::is_arithmetic_v<T>
  void read(std::string_view key, T& member, const NumberRule& rule) {
    if (keys_) return note(key, type_name(member), yaml_text(member), rule.description);
    if (auto value = find(key)) decode(*sink_, *value, member, rule);
  }

  void read(std::string_view key, std::string& member, const StringRule& rule = {}) {
    if (keys_) return note(key, type_name(member), yaml_text(member), rule.description);
    if (auto value = find(key)) decode(*sink_, *value, member, rule);
  }

  void read(std::string_view key, bool& member) {
    if (keys_) return note(key, type_name(member), yaml_text(member), "");
    if (auto value = find(key)) decode(*sink_, *value, member);
  }

  // A list replaces the default as a whole, and only when every element is valid.
  template <class T>
  void read_list(std::string_view key, std::vector<T>& member, const RuleFor<T>& element_rule,
                 std::size_t min_size = 0) {
    if (keys_) {
      return note(key, type_name(member), yaml_text(member),
                  list_description(min_size, element_rule.description));
    }
    auto value = find(key);
    if (!value) return;
    auto elements = elements_of(*value, min_size);
    if (!elements) return;
    std::vector<T> result;
    bool all_valid = true;
    for (const Value& element : *elements) {
      T item{};
      if (decode(*sink_, element, item, element_rule)) {
        result.push_back(std::move(item));
      } else {
        all_valid = false;
      }
    }
    if (all_valid) member = std::move(result);
  }

  // A nested map: `parse(MapReader&, T&)` reads its keys on top of the current `member`.
  template <class T, class Parse>
  void read_section(std::string_view key, T& member, Parse&& parse) {
    if (keys_) {
      const std::size_t at = keys_->size();
      note(key, "map", "", "");
      MapReader child(*keys_, path_of(key));
      parse(child, member);
      (*keys_)[at].value = flow_map(*keys_, at + 1, (*keys_)[at].path);
      return;
    }
    auto value = find(key);
    if (!value) return;
    if (auto child = open_map(*value)) {
      parse(*child, member);
      child->report_unknown_keys();
    }
  }

  // A list of maps; each element starts as a copy of `prototype` before `parse` reads it.
  template <class T, class Parse>
  void read_list_of_sections(std::string_view key, std::vector<T>& member, const T& prototype,
                             Parse&& parse) {
    if (keys_) {
      // The list's value, element by element, as the parse function itself describes them.
      std::string value = "[";
      for (const T& element : member) {
        std::vector<ConfigKey> element_keys;
        MapReader element_reader(element_keys, "");
        T copy = element;
        parse(element_reader, copy);
        value += (value.size() > 1 ? ", " : "") + flow_map(element_keys, 0, "");
      }
      note(key, "list of maps", value + "]", "");
      MapReader element_reader(*keys_, path_of(key) + "[]");
      T item = prototype;
      parse(element_reader, item);
      return;
    }
    auto value = find(key);
    if (!value) return;
    auto elements = elements_of(*value, 0);
    if (!elements) return;
    std::vector<T> result;
    for (const Value& element : *elements) {
      if (auto child = open_map(element)) {
        T item = prototype;
        parse(*child, item);
        child->report_unknown_keys();
        result.push_back(std::move(item));
      }
    }
    member = std::move(result);
  }

  // A map read on top of another section's result with that section's parse function (a
  // symbol's `analysis` over the global one). Described once, as "the keys of `like_path`",
  // rather than again under this key.
  template <class T, class Parse>
  void read_override(std::string_view key, T& member, Parse&& parse, std::string_view like_path) {
    if (keys_) {
      note(key, "map", "{}", "any keys of `" + std::string(like_path) + "`");
      keys_->back().same_keys_as = like_path;
      return;
    }
    read_section(key, member, std::forward<Parse>(parse));
  }

  bool has(std::string_view key) const;

  // A key that has no sensible default.
  void require(std::string_view key);

  // A cross-field rule; reported at `key` (or at this map when the key is absent).
  void check(bool ok, std::string_view key, std::string message);

  // `low_key` < `high_key` (or <= with `allow_equal`). Checked only when this map sets one of
  // them: otherwise both were inherited and already checked where they were set.
  void check_order(std::string_view low_key, double low, std::string_view high_key, double high,
                   bool allow_equal = false);

  // No element of the list at `key` (already read into `list`) appears twice; a repeat is
  // reported at its own element.
  void check_unique(std::string_view key, const std::vector<std::string>& list);

  // Keys of this map that no read() asked for, and repeated keys.
  void report_unknown_keys();

  const std::string& path() const { return path_; }

 private:
  std::optional<Value> find(std::string_view key);
  std::optional<Value> lookup(std::string_view key) const;
  std::optional<std::vector<Value>> elements_of(const Value& value, std::size_t min_size);
  std::optional<MapReader> open_map(const Value& value);
  std::string path_of(std::string_view key) const;
  void note(std::string_view key, std::string type, std::string value, std::string allowed);
  ConfigKey* noted(std::string_view key);
  void add_allowed(std::string_view key, const std::string& condition);
  static std::string list_description(std::size_t min_size, const std::string& element_rule);
  // "{a: 1, b: [x]}" from the keys directly under `path` noted from index `from` on.
  static std::string flow_map(const std::vector<ConfigKey>& keys, std::size_t from,
                              const std::string& path);

  ProblemSink* sink_ = nullptr;
  std::vector<ConfigKey>* keys_ = nullptr;  // set in describe mode only
  YAML::Node node_;
  std::string path_;
  int line_ = 0;
  std::vector<std::string> known_keys_;
};

}  // namespace teleglas::config_detail
