#include "postgres.hpp"

#include <charconv>
#include <cmath>
#include <memory>
#include <new>

namespace teleglas::pg {
namespace {

struct FreeMemory {
  void operator()(unsigned char* memory) const { PQfreemem(memory); }
};

}  // namespace

bool succeeded(const PGresult* result) {
  const ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN;
}

std::string one_line(std::string_view message) {
  std::string out;
  bool space = false;
  for (const char c : message) {
    if (c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty() && out.back() != ' ') out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string error_of(const PGresult* result, const PGconn* conn) {
  const char* message = result ? PQresultErrorMessage(result) : "";
  if (!message || !*message) message = PQerrorMessage(conn);
  std::string line = one_line(message ? message : "");
  return line.empty() ? "unknown error" : line;
}

void append_text(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
  }
}

void append_text(std::string& out, std::int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_copy_field(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

void Params::add_null() {
  entries_.push_back(Entry{.null = true});
}

void Params::add_string(std::string_view value) {
  // A null data() would read as SQL NULL: an empty string must stay a string.
  entries_.push_back(Entry{.data = value.data() ? value.data() : "",
                           .length = static_cast<int>(value.size()),
                           .format = 1});
}

void Params::add_literal(const char* text) {
  entries_.push_back(Entry{.data = text, .format = 0});
}

const char* const* Params::values() {
  // Built last: text_ may have moved while numbers were added.
  values_.clear();
  lengths_.clear();
  formats_.clear();
  for (const Entry& e : entries_) {
    values_.push_back(e.null ? nullptr : e.data ? e.data : text_.data() + e.text_offset);
    lengths_.push_back(e.length);
    formats_.push_back(e.format);
  }
  return values_.data();
}

std::string_view Row::view(int column) const {
  return {PQgetvalue(result_, row_, column),
          static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

std::string Row::text_at(int column) const {
  return std::string(view(column));
}

std::string Row::bytes_at(int column) const {
  if (is_null(column)) return {};
  // The value is bytea's text form, \x89504e47... (or the older escape format, when the server
  // is set so): PQunescapeBytea reads both.
  std::size_t size = 0;
  const auto* value = reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, column));
  const std::unique_ptr<unsigned char, FreeMemory> bytes(PQunescapeBytea(value, &size));
  if (!bytes) throw std::bad_alloc();  // its only failure, as for the std::string below
  return {reinterpret_cast<const char*>(bytes.get()), size};
}

std::int64_t Row::int64_at(int column) const {
  const std::string_view text = view(column);
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

double Row::double_at(int column) const {
  const std::string_view text = view(column);
  double value = 0;
  // from_chars reads "NaN", "Infinity" and "-Infinity" as PostgreSQL writes them.
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<double> Row::optional_double_at(int column) const {
  if (is_null(column)) return std::nullopt;
  return double_at(column);
}

bool Row::bool_at(int column) const {
  return view(column) == "t";
}

}  // namespace teleglas::pg
