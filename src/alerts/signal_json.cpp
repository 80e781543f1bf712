#include "teleglas/alerts/signal_json.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

namespace teleglas {

namespace {

// Boost.JSON escapes strings; numbers are written here because its serializer prints doubles in
// exponent form ("9.585E4") where readers expect the price as the alert shows it ("95850.0").
// fmt's shortest representation round-trips exactly and ignores the locale.
std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";  // JSON has no NaN or infinity
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";  // stays a double when read
  return text;
}

// Writes one JSON object, members in the order they are added.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  ~ObjectWriter() { out_ += '}'; }

  void string(std::string_view key, std::string_view value) {
    this->key(key);
    out_ += boost::json::serialize(boost::json::string_view(value.data(), value.size()));
  }
  void integer(std::string_view key, std::int64_t value) {
    this->key(key);
    out_ += fmt::format("{}", value);
  }
  void number(std::string_view key, double value) {
    this->key(key);
    out_ += json_number(value);
  }
  // The caller writes the value right after: a nested object.
  void key(std::string_view key) {
    if (!empty_) out_ += ',';
    empty_ = false;
    out_ += boost::json::serialize(boost::json::string_view(key.data(), key.size()));
    out_ += ':';
  }

 private:
  std::string& out_;
  bool empty_ = true;
};

// JSON object keys must be unique: a repeated name becomes "name#2", "name#3", ... so no
// factor or metric is lost.
template <class Item>
std::vector<std::string> unique_names(const std::vector<Item>& items) {
  std::vector<std::string> names;
  names.reserve(items.size());
  const auto taken = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (const Item& item : items) {
    std::string name = item.name;
    for (int n = 2; taken(name); ++n) name = fmt::format("{}#{}", item.name, n);
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace

std::string signal_to_json(const Signal& signal) {
  std::string out;
  {
    ObjectWriter object(out);
    object.string("type", to_string(signal.type));
    object.string("symbol", signal.symbol);
    object.string("exchange", signal.exchange);
    object.string("direction", to_string(signal.direction));
    object.integer("confidence", signal.confidence);
    object.string("priority", to_string(signal.priority));
    object.integer("time", signal.time);
    object.integer("window_start", signal.window_start);
    if (signal.setup) {
      object.number("entry", signal.setup->entry);
      object.number("stop", signal.setup->stop);
      object.number("target", signal.setup->target);
    } else if (!signal.setup_missing.empty()) {
      object.string("setup_missing", signal.setup_missing);
    }
    object.number("zone_low", signal.zone_low);
    object.number("zone_high", signal.zone_high);
    object.number("volume_usd", signal.volume_usd);
    object.number("dominant_share", signal.dominant_share);
    object.number("absorption_usd", signal.absorption_usd);
    if (signal.degraded_gap_ms > 0) object.integer("degraded_gap_ms", signal.degraded_gap_ms);
    // Venues by volume, largest first: {"Binance":1200000.0,"OKX":300000.0}.
    object.key("venues");
    {
      ObjectWriter venues(out);
      for (const VenueShare& v : signal.venues) venues.number(v.exchange, v.usd);
    }

    if (signal.track_record) {
      object.key("track_record");
      ObjectWriter record(out);
      record.integer("wins", signal.track_record->wins);
      record.integer("losses", signal.track_record->losses);
      record.integer("expired", signal.track_record->expired);
      record.number("lookback_days", signal.track_record->lookback_days);
    }

    const std::vector<std::string> metric_names = unique_names(signal.metrics);
    object.key("metrics");
    {
      ObjectWriter metrics(out);
      for (std::size_t i = 0; i < signal.metrics.size(); ++i) {
        metrics.number(metric_names[i], signal.metrics[i].value);
      }
    }
    const std::vector<std::string> factor_names = unique_names(signal.factors);
    object.key("factors");
    {
      ObjectWriter factors(out);
      for (std::size_t i = 0; i < signal.factors.size(); ++i) {
        factors.integer(factor_names[i], signal.factors[i].points);
      }
    }
    // Only factors that say something; "base" usually has no detail.
    object.key("factor_details");
    {
      ObjectWriter details(out);
      for (std::size_t i = 0; i < signal.factors.size(); ++i) {
        if (!signal.factors[i].detail.empty()) {
          details.string(factor_names[i], signal.factors[i].detail);
        }
      }
    }
  }
  return out;
}

}  // namespace teleglas
