// A thin RAII layer over libpq: a connection, results that free themselves, statement
// parameters, and rows read with the accessors storage::outcome_from_row expects. Nothing here
// throws; errors come back as results and messages, for the store to report.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace teleglas::pg {

struct ClearResult {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ClearResult>;

struct FinishConnection {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using ConnectionHandle = std::unique_ptr<PGconn, FinishConnection>;

// True when the statement ran: a command, rows, or the start of a COPY.
bool succeeded(const PGresult* result);
// libpq's message on one line (its own run over several, indented).
std::string one_line(std::string_view message);
// What went wrong with this result, or with the connection when there is no result.
std::string error_of(const PGresult* result, const PGconn* conn);

// The text PostgreSQL reads back as exactly this value (shortest round trip; NaN, Infinity).
void append_text(std::string& out, double value);
void append_text(std::string& out, std::int64_t value);
// A value for one field of COPY ... FROM STDIN text format.
void append_copy_field(std::string& out, std::string_view value);

// A parameter PostgreSQL must parse from text (an array literal such as "{1,2,3}"), where a
// plain string would be taken for the bytes of a text value.
struct Literal {
  const char* text;  // NUL-terminated, outlives the Params
};

// Bytes for a BYTEA parameter (a PNG): sent as they are, in binary format, which for bytea is
// the bytes themselves, NUL bytes included. The statement must type the parameter ($1::bytea).
struct Bytes {
  std::string_view bytes;  // outlives the Params
};

// The parameters of one statement. Numbers and booleans are sent as text; strings and Bytes are
// sent as they are, in binary format (the bytes of a text or bytea value: no quoting, no
// terminating NUL, no copy), so they must outlive the Params.
class Params {
 public:
  template <typename... Args>
  explicit Params(const Args&... args) {
    entries_.reserve(sizeof...(Args));
    (add(args), ...);
  }

  int size() const { return static_cast<int>(entries_.size()); }
  // Pointers into this object: valid while it lives and is not changed.
  const char* const* values();
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  struct Entry {
    const char* data = nullptr;  // nullptr: SQL NULL, or a number at text_offset
    std::size_t text_offset = 0;
    int length = 0;
    int format = 0;
    bool null = false;
  };

  template <typename T>
  void add(const T& value) {
    if constexpr (std::is_same_v<T, std::optional<double>>) {
      value ? add(*value) : add_null();
    } else if constexpr (std::is_same_v<T, bool>) {
      add(Literal{value ? "true" : "false"});
    } else if constexpr (std::is_same_v<T, Literal>) {
      add_literal(value.text);
    } else if constexpr (std::is_same_v<T, Bytes>) {
      add_string(value.bytes);
    } else if constexpr (std::is_floating_point_v<T>) {
      add_number(static_cast<double>(value));
    } else if constexpr (std::is_integral_v<T>) {
      add_number(static_cast<std::int64_t>(value));
    } else {
      add_string(std::string_view(value));
    }
  }
  void add_null();
  void add_string(std::string_view value);
  void add_literal(const char* text);
  template <typename Number>
  void add_number(Number value) {
    Entry entry{.text_offset = text_.size()};
    append_text(text_, value);
    entry.length = static_cast<int>(text_.size() - entry.text_offset);
    text_.push_back('\0');
    entries_.push_back(entry);
  }

  std::vector<Entry> entries_;
  std::string text_;  // the numbers, each NUL-terminated
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One row of a result, as storage::outcome_from_row and the outbox read it.
class Row {
 public:
  Row(const PGresult* result, int row) : result_(result), row_(row) {}
  bool is_null(int column) const { return PQgetisnull(result_, row_, column) != 0; }
  std::string text_at(int column) const;
  // A BYTEA's bytes ("" for NULL), whichever bytea_output the server uses.
  std::string bytes_at(int column) const;
  std::int64_t int64_at(int column) const;
  double double_at(int column) const;
  std::optional<double> optional_double_at(int column) const;
  bool bool_at(int column) const;

 private:
  std::string_view view(int column) const;
  const PGresult* result_;
  int row_;
};

}  // namespace teleglas::pg
