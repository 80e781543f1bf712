#include "teleglas/ingest/control_lines.hpp"

#include <charconv>

namespace teleglas {

namespace {

// The parts of each line, shared by the writer and the reader so the two cannot drift apart.
constexpr std::string_view prefix = R"({"channel":"teleglas.)";
constexpr std::string_view receive_time_head = R"(recv","time":)";
constexpr std::string_view tick_head = R"(tick","time":)";
constexpr std::string_view gap_head = R"(gap","from":)";
constexpr std::string_view gap_to = R"(,"to":)";
constexpr std::string_view source_head = R"(source","name":")";
constexpr std::string_view source_tail = "\"";
constexpr std::string_view tail = "}";

// Reads a line front to back; every step fails (returns false) without moving on a mismatch.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : rest_(line) {}

  bool take(std::string_view literal) {
    if (!rest_.starts_with(literal)) return false;
    rest_.remove_prefix(literal.size());
    return true;
  }

  // An integer that fits TimeMs, spelled as std::to_string spells it: optional '-', no
  // leading zeros, no "-0", no fraction or exponent (the delimiter that must follow is
  // checked by the next take()).
  bool integer(TimeMs& out) {
    const bool negative = rest_.starts_with('-');
    const std::string_view digits = rest_.substr(negative ? 1 : 0);
    const bool leading_zero =
        digits.starts_with('0') && digits.size() > 1 && digits[1] >= '0' && digits[1] <= '9';
    if (leading_zero || (negative && digits.starts_with('0'))) return false;
    const char* first = rest_.data();
    const char* last = rest_.data() + rest_.size();
    const auto [end, error] = std::from_chars(first, last, out);
    if (error != std::errc()) return false;
    rest_.remove_prefix(static_cast<std::size_t>(end - first));
    return true;
  }

  // A source name as to_string(Source) spells it, up to the closing quote.
  bool source(Source& out) {
    const std::size_t quote = rest_.find('"');
    if (quote == std::string_view::npos) return false;
    const auto parsed = parse_source(rest_.substr(0, quote));
    if (!parsed || to_string(*parsed) != rest_.substr(0, quote)) return false;
    out = *parsed;
    rest_.remove_prefix(quote);
    return true;
  }

  bool at_end() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

bool is_control_line(std::string_view line) {
  return line.starts_with(prefix);
}

std::optional<ControlLine> parse_control_line(std::string_view line) {
  LineReader in(line);
  if (!in.take(prefix)) return std::nullopt;
  ControlLine parsed;
  bool ok = false;
  if (in.take(receive_time_head)) {
    parsed.kind = ControlKind::receive_time;
    ok = in.integer(parsed.time);
  } else if (in.take(tick_head)) {
    parsed.kind = ControlKind::tick;
    ok = in.integer(parsed.time);
  } else if (in.take(gap_head)) {
    parsed.kind = ControlKind::gap;
    ok = in.integer(parsed.from) && in.take(gap_to) && in.integer(parsed.to);
  } else if (in.take(source_head)) {
    parsed.kind = ControlKind::source;
    ok = in.source(parsed.source) && in.take(source_tail);
  }
  if (!ok || !in.take(tail) || !in.at_end()) return std::nullopt;
  return parsed;
}

std::string format_control_line(const ControlLine& line) {
  std::string out(prefix);
  switch (line.kind) {
    case ControlKind::receive_time:
      out.append(receive_time_head).append(std::to_string(line.time));
      break;
    case ControlKind::tick:
      out.append(tick_head).append(std::to_string(line.time));
      break;
    case ControlKind::gap:
      out.append(gap_head)
          .append(std::to_string(line.from))
          .append(gap_to)
          .append(std::to_string(line.to));
      break;
    case ControlKind::source:
      out.append(source_head).append(to_string(line.source)).append(source_tail);
      break;
  }
  out.append(tail);
  return out;
}

}  // namespace teleglas
