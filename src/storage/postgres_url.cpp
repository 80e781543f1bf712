#include "postgres_url.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "teleglas/storage/open_store.hpp"

namespace teleglas {
namespace {

using Range = std::pair<std::size_t, std::size_t>;  // [begin, end) of a secret in the string

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_password_keyword(std::string_view key) {
  return iequals(key, "password") || iequals(key, "sslpassword");
}

std::size_t uri_prefix_length(std::string_view s) {
  for (std::string_view prefix : {"postgresql://", "postgres://"}) {
    if (s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix)) {
      return prefix.size();
    }
  }
  return 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// postgresql://user:password@host/db?password=...&sslpassword=...
// The user information is taken to end at the last '@' of all: a password with an unencoded
// '@', '/' or '?' is still hidden whole. An '@' further on (in a query value) hides more than
// the password, never less.
std::vector<Range> uri_secret_ranges(std::string_view uri, std::size_t offset) {
  std::vector<Range> ranges;
  const std::size_t start = uri_prefix_length(uri);
  const std::size_t at = uri.rfind('@');
  std::size_t rest = start;
  if (at != std::string_view::npos && at >= start) {
    const std::size_t colon = uri.find(':', start);
    if (colon < at) ranges.emplace_back(offset + colon + 1, offset + at);
    rest = at + 1;
  }
  const std::size_t query = uri.find('?', rest);
  if (query == std::string_view::npos) return ranges;
  for (std::size_t p = query + 1; p <= uri.size();) {
    std::size_t end = uri.find('&', p);
    if (end == std::string_view::npos) end = uri.size();
    const std::string_view param = uri.substr(p, end - p);
    const std::size_t equals = param.find('=');
    if (equals != std::string_view::npos &&
        is_password_keyword(percent_decoded(param.substr(0, equals)))) {
      ranges.emplace_back(offset + p + equals + 1, offset + end);
    }
    p = end + 1;
  }
  return ranges;
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

// key = value key='quoted \' value' ... as libpq reads it; a value that is itself a URL has its
// own secrets.
std::vector<Range> keyword_secret_ranges(std::string_view s) {
  std::vector<Range> ranges;
  std::size_t p = 0;
  const auto skip_spaces = [&] {
    while (p < s.size() && is_space(s[p])) ++p;
  };
  for (;;) {
    skip_spaces();
    if (p >= s.size()) break;
    const std::size_t key_begin = p;
    while (p < s.size() && s[p] != '=' && !is_space(s[p])) ++p;
    const std::string_view key = s.substr(key_begin, p - key_begin);
    skip_spaces();
    if (p >= s.size() || s[p] != '=') break;  // libpq refuses it: nothing more to find
    ++p;
    skip_spaces();
    const std::size_t value_begin = p;
    if (p < s.size() && s[p] == '\'') {
      for (++p; p < s.size() && s[p] != '\''; ++p) {
        if (s[p] == '\\') ++p;
      }
      if (p < s.size()) ++p;  // the closing quote
    } else {
      for (; p < s.size() && !is_space(s[p]); ++p) {
        if (s[p] == '\\') ++p;
      }
    }
    p = std::min(p, s.size());
    if (is_password_keyword(key)) {
      ranges.emplace_back(value_begin, p);
    } else {
      const std::string_view value = s.substr(value_begin, p - value_begin);
      if (uri_prefix_length(value) > 0) {
        for (const Range& r : uri_secret_ranges(value, value_begin)) ranges.push_back(r);
      }
    }
  }
  return ranges;
}

std::vector<Range> secret_ranges(std::string_view url) {
  return uri_prefix_length(url) > 0 ? uri_secret_ranges(url, 0) : keyword_secret_ranges(url);
}

// A quoted key=value password as libpq reads it: without the quotes and the backslashes.
std::string unquoted(std::string_view value) {
  if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out += value[i];
  }
  return out;
}

}  // namespace

std::string redact_postgres_url(std::string_view url) {
  std::string out;
  std::size_t copied = 0;
  for (const auto& [begin, end] : secret_ranges(url)) {
    out.append(url.substr(copied, begin - copied));
    out += "***";
    copied = end;
  }
  out.append(url.substr(copied));
  return out;
}

namespace storage {

std::vector<std::string> postgres_url_secrets(std::string_view url) {
  std::vector<std::string> secrets;
  for (const auto& [begin, end] : secret_ranges(url)) {
    const std::string_view raw = url.substr(begin, end - begin);
    secrets.emplace_back(raw);
    secrets.push_back(percent_decoded(raw));
    secrets.push_back(unquoted(raw));
  }
  // libpq's own reading, in case it finds a password where the scan above did not.
  char* error = nullptr;
  const std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(std::string(url).c_str(), &error), &PQconninfoFree);
  if (error) PQfreemem(error);  // it may quote the string: never shown
  for (const PQconninfoOption* o = options.get(); o && o->keyword; ++o) {
    if (o->val && is_password_keyword(o->keyword)) secrets.emplace_back(o->val);
  }
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  // Longest first, so that a secret containing another is replaced whole.
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  return secrets;
}

std::string scrub_secrets(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    for (std::size_t p = message.find(secret); p != std::string::npos;
         p = message.find(secret, p + 3)) {
      message.replace(p, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace storage
}  // namespace teleglas
