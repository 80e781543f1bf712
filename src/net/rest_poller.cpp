#include "teleglas/net/rest_poller.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <optional>

#include "teleglas/core/clock.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/poll_loop.hpp"
#include "teleglas/net/url.hpp"

namespace teleglas {

namespace net = boost::asio;

std::string_view to_string(RestFailure f) {
  switch (f) {
    case RestFailure::none:
      return "none";
    case RestFailure::transport:
      return "transport";
    case RestFailure::rate_limited:
      return "rate_limited";
    case RestFailure::auth:
      return "auth";
    case RestFailure::http_status:
      return "http_status";
    case RestFailure::bad_body:
      return "bad_body";
  }
  return "unknown";
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Index just past the JSON string whose opening quote is at `at`.
std::size_t string_end(std::string_view text, std::size_t at) {
  for (std::size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

// Index just past the JSON value starting at `at`.
std::size_t value_end(std::string_view text, std::size_t at) {
  int depth = 0;
  for (std::size_t i = at; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = string_end(text, i) - 1;
      if (depth == 0) return i + 1;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || is_space(c))) {
      return i;
    }
  }
  return text.size();
}

// The source text of the top-level member `name` of `text`, a JSON object already validated
// by Boost.JSON. Boost.JSON keeps no source positions, and serializing its value again would
// reformat numbers (0.007343 becomes 7.343E-3): the recording must hold what CoinGlass sent.
std::optional<std::string_view> raw_member(std::string_view text, std::string_view name) {
  std::size_t i = text.find('{');
  if (i == std::string_view::npos) return std::nullopt;
  ++i;
  const auto skip_space = [&] {
    while (i < text.size() && is_space(text[i])) ++i;
  };
  for (;;) {
    skip_space();
    if (i >= text.size() || text[i] != '"') return std::nullopt;
    const std::size_t key_end = string_end(text, i);
    const std::string_view key = text.substr(i + 1, key_end - i - 2);
    i = key_end;
    skip_space();
    if (i >= text.size() || text[i] != ':') return std::nullopt;
    ++i;
    skip_space();
    const std::size_t start = i;
    i = value_end(text, start);
    if (key == name) return text.substr(start, i - start);
    skip_space();
    if (i >= text.size() || text[i] != ',') return std::nullopt;
    ++i;
  }
}

std::string http_detail(unsigned status, std::string_view what = {}) {
  std::string out = "HTTP " + std::to_string(status);
  if (!what.empty()) out += std::string(": ") + std::string(what);
  return out;
}

// Server text goes to the log: keep it short.
std::string_view clip(std::string_view text) {
  return text.substr(0, 200);
}

}  // namespace

RestOutcome classify_coinglass_response(const HttpsResponse& response) {
  RestOutcome out;
  if (response.error) {
    out.failure = RestFailure::transport;
    out.detail = response.error.message();
    return out;
  }
  if (response.status == 429) {
    out.failure = RestFailure::rate_limited;
    out.detail = http_detail(429);
    return out;
  }
  if (response.status == 401 || response.status == 403) {
    out.failure = RestFailure::auth;
    out.detail = http_detail(response.status);
    return out;
  }
  if (response.status != 200) {
    out.failure = RestFailure::http_status;
    out.detail = http_detail(response.status);
    return out;
  }
  boost::system::error_code ec;
  const boost::json::value envelope = boost::json::parse(response.body, ec);
  if (ec || !envelope.is_object()) {
    out.failure = RestFailure::bad_body;
    out.detail = "HTTP 200 without a JSON object";
    return out;
  }
  const boost::json::object& object = envelope.get_object();
  const boost::json::value* code = object.if_contains("code");
  if (code == nullptr || !code->is_string() || code->get_string() != "0") {
    const boost::json::value* msg = object.if_contains("msg");
    const std::string_view text =
        msg != nullptr && msg->is_string() ? std::string_view(msg->get_string()) : "";
    const std::string code_text =
        code != nullptr && code->is_string() ? std::string(code->get_string()) : "missing";
    // CoinGlass also reports a bad key inside an HTTP 200 envelope.
    out.failure =
        code_text == "401" || code_text == "403" ? RestFailure::auth : RestFailure::bad_body;
    out.detail = "code " + code_text + (text.empty() ? "" : ": " + std::string(clip(text)));
    return out;
  }
  const auto data = raw_member(response.body, "data");
  if (!data || object.if_contains("data") == nullptr) {
    out.failure = RestFailure::bad_body;
    out.detail = "envelope without data";
    return out;
  }
  out.data = *data;
  return out;
}

std::string rest_recording_line(std::string_view channel, TimeMs time, std::string_view data) {
  std::string line;
  line.reserve(data.size() + channel.size() + 48);
  line += R"({"channel":")";
  line += channel;
  line += R"(","time":)";
  line += std::to_string(time);
  line += R"(,"data":)";
  line += data;
  line += '}';
  return line;
}

std::vector<std::string> open_interest_bases(const std::vector<SymbolConfig>& symbols) {
  // Longest first, so BUSD is not read as B + USD.
  static constexpr std::string_view quotes[] = {"USDT", "USDC", "BUSD", "USD"};
  std::vector<std::string> bases;
  for (const SymbolConfig& s : symbols) {
    std::string_view base = s.symbol;
    for (std::string_view quote : quotes) {
      if (base.size() > quote.size() && base.ends_with(quote)) {
        base.remove_suffix(quote.size());
        break;
      }
    }
    if (std::find(bases.begin(), bases.end(), base) == bases.end()) bases.emplace_back(base);
  }
  return bases;
}

RestPollerOptions rest_poller_options(const CoinglassConfig& config,
                                      std::vector<std::string> oi_bases) {
  RestPollerOptions out;
  out.rest_url = config.rest_url;
  out.ca_file = config.ca_file;
  out.funding_poll_s = config.funding_poll_s;
  out.oi_poll_s = config.oi_poll_s;
  out.oi_bases = std::move(oi_bases);
  out.backoff.initial_s = config.reconnect_initial_s;
  out.backoff.max_s = config.reconnect_max_s;
  return out;
}

namespace detail {

struct RestPollerState {
  RestPollerState(const net::any_io_executor& executor, RestPollerOptions opts, std::string key,
                  RestPollerHooks h)
      : options(std::move(opts)),
        api_key(std::move(key)),
        hooks(std::move(h)),
        loop(executor, options.rest_url,
             HttpsClientOptions{
                 .ca_file = options.ca_file,
                 .timeout = std::chrono::milliseconds(seconds_ms(options.request_timeout_s))},
             HttpHeaders{{"CG-API-KEY", api_key}, {"Accept", "application/json"}}) {}

  RestPollerOptions options;
  std::string api_key;
  RestPollerHooks hooks;
  PollLoop loop;
  RestPollerStats stats;
  bool key_alarm_raised = false;  // until the next success
};

}  // namespace detail

namespace {

using State = detail::RestPollerState;
using detail::PollJob;

PollJob make_job(std::string name, std::string_view channel, std::string target, double period_s,
                 const RestPollerOptions& options, const Backoff::RandomSource& random) {
  BackoffPolicy policy = options.backoff;
  policy.initial_s = std::min(policy.initial_s, period_s);
  policy.max_s = std::max(policy.max_s, period_s);
  return PollJob{.name = "CoinGlass REST " + name,
                 .channel = channel,
                 .target = std::move(target),
                 .period = detail::from_seconds(period_s),
                 .backoff = Backoff(policy, random),
                 .due = detail::PollClock::now()};
}

void count_outcome(RestPollerStats& stats, RestFailure f) {
  switch (f) {
    case RestFailure::none:
      ++stats.successes;
      break;
    case RestFailure::transport:
      ++stats.transport_errors;
      break;
    case RestFailure::rate_limited:
      ++stats.rate_limited;
      break;
    case RestFailure::auth:
      ++stats.auth_errors;
      break;
    case RestFailure::http_status:
      ++stats.http_errors;
      break;
    case RestFailure::bad_body:
      ++stats.bad_bodies;
      break;
  }
}

void handle(State& s, PollJob& job, const HttpsResponse& response,
            detail::PollClock::time_point started) {
  const RestOutcome outcome = classify_coinglass_response(response);
  count_outcome(s.stats, outcome.failure);

  if (outcome.failure == RestFailure::none) {
    detail::job_succeeded(job, started);
    s.key_alarm_raised = false;
    if (s.hooks.on_line) {
      s.hooks.on_line(rest_recording_line(job.channel, s.hooks.wall_clock(), outcome.data));
    }
    return;
  }

  if (outcome.failure == RestFailure::auth) job.backoff.to_max();
  detail::job_failed(job, outcome, response, s.hooks.wall_clock(), s.api_key);
  if (outcome.failure == RestFailure::rate_limited) {
    // The limit is per API key, not per endpoint: everything waits.
    for (PollJob& other : s.loop.jobs()) other.due = std::max(other.due, job.due);
  }
  if (outcome.failure == RestFailure::auth && !s.key_alarm_raised) {
    s.key_alarm_raised = true;
    ++s.stats.alarms;
    if (s.hooks.on_alarm) {
      s.hooks.on_alarm("CoinGlass REST rejected the API key (" + outcome.detail + ")");
    }
  }
}

}  // namespace

RestPoller::RestPoller(net::any_io_executor executor, RestPollerOptions options,
                       std::string api_key, RestPollerHooks hooks) {
  if (!hooks.wall_clock) {
    hooks.wall_clock = system_now_ms;
  }
  state_ = std::make_shared<State>(std::move(executor), std::move(options), std::move(api_key),
                                   std::move(hooks));
  const RestPollerOptions& o = state_->options;
  const Backoff::RandomSource& random = state_->hooks.random;
  std::vector<PollJob>& jobs = state_->loop.jobs();
  jobs.push_back(make_job("funding rates", rest_funding_channel, std::string(funding_rates_path),
                          o.funding_poll_s, o, random));
  for (const std::string& base : o.oi_bases) {
    jobs.push_back(make_job("open interest " + base, rest_open_interest_channel,
                            std::string(open_interest_path) + "?symbol=" + base, o.oi_poll_s, o,
                            random));
  }
}

RestPoller::~RestPoller() {
  stop();
}

void RestPoller::start() {
  state_->loop.start(state_, std::bind_front(handle, std::ref(*state_)), "CoinGlass REST");
}

void RestPoller::stop() {
  state_->loop.stop();
}

RestPollerStats RestPoller::stats() const {
  RestPollerStats out = state_->stats;
  out.requests = state_->loop.requests();
  return out;
}

std::uint64_t RestPoller::connections_opened() const {
  return state_->loop.connections_opened();
}

}  // namespace teleglas
