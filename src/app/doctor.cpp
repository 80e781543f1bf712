#include "teleglas/app/doctor.hpp"

#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "teleglas/config/load.hpp"
#include "teleglas/config/sources.hpp"
#include "teleglas/core/text.hpp"
#include "teleglas/net/health_server.hpp"
#include "teleglas/net/https_client.hpp"
#include "teleglas/net/okx_instruments.hpp"
#include "teleglas/net/venues.hpp"
#include "teleglas/net/ws_feed.hpp"
#include "teleglas/storage/open_store.hpp"
#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// What every check may read: the loaded configuration and the options.
struct DoctorContext {
  const DoctorOptions& options;
  Config config;
  std::optional<std::optional<SystemdUnitState>> systemd;  // asked once, when first needed

  const std::optional<SystemdUnitState>& systemd_state() {
    if (!systemd) systemd = options.systemd ? options.systemd() : std::nullopt;
    return *systemd;
  }

  // The sources the daemon would run, resolved as it resolves them.
  std::vector<std::string> sources() const {
    return resolve_sources(config, !options.coinglass_api_key.empty());
  }
  bool uses(std::string_view source) const {
    const std::vector<std::string> all = sources();
    return std::ranges::find(all, source) != all.end();
  }
};

CheckResult ok(std::string check, std::string detail) {
  return {std::move(check), CheckStatus::ok, std::move(detail), {}};
}
CheckResult warn(std::string check, std::string detail) {
  return {std::move(check), CheckStatus::warn, std::move(detail), {}};
}
CheckResult fail(std::string check, std::string detail) {
  return {std::move(check), CheckStatus::fail, std::move(detail), {}};
}

// Runs one request to completion, bounded by the client's own timeout.
HttpsResponse fetch(const std::string& base_url, const std::string& ca_file,
                    std::chrono::milliseconds timeout, std::string target, HttpHeaders headers) {
  boost::asio::io_context io;
  HttpsClient client(io.get_executor(), base_url,
                     HttpsClientOptions{.ca_file = ca_file, .timeout = timeout});
  HttpsResponse response;
  response.error = boost::asio::error::timed_out;
  boost::asio::co_spawn(io, client.get(std::move(target), std::move(headers)),
                        [&](std::exception_ptr e, HttpsResponse r) {
                          if (!e) response = std::move(r);
                        });
  io.run_for(timeout + std::chrono::seconds(1));
  return response;
}

std::string transport_problem(const std::string& url, const boost::system::error_code& error,
                              std::string_view ca_key) {
  return "cannot reach " + url + ": " + error.message() +
         "; fix: check the network and the URL, and for a TLS error the system CA store or " +
         std::string(ca_key);
}

// --- the checks, in order ---

std::vector<CheckResult> check_secrets(DoctorContext& ctx) {
  std::vector<CheckResult> results;
  const bool have_key = !ctx.options.coinglass_api_key.empty();
  if (ctx.uses(source_coinglass)) {
    results.push_back(
        have_key ? ok("coinglass key", "COINGLASS_API_KEY is set")
                 : fail("coinglass key",
                        "COINGLASS_API_KEY is not set, but sources include coinglass: teleglas "
                        "run refuses to start; fix: put it in the service's environment file "
                        "(systemd/teleglas.env.example), or drop coinglass from sources (without "
                        "sources, the default is bybit and binance, no key needed)"));
  } else {
    // The keyless default, or sources chosen without CoinGlass: nothing is missing.
    results.push_back(
        ok("coinglass key",
           fmt::format(
               "{}: the sources ({}) need no key; only the funding and open-interest "
               "signals need CoinGlass",
               have_key ? "COINGLASS_API_KEY is set but unused" : "COINGLASS_API_KEY is not set",
               fmt::join(ctx.sources(), ", "))));
  }
  results.push_back(
      ctx.options.telegram_bot_token.empty()
          ? warn("telegram token",
                 "TELEGRAM_BOT_TOKEN is not set: alerts go to the log only; fix: put it in the "
                 "service's environment file")
          : ok("telegram token", "TELEGRAM_BOT_TOKEN is set"));
  const std::string& file = ctx.config.secrets_file;
  if (file.empty()) {
    results.push_back(
        ok("secrets file", "secrets_file not set; secrets come from the environment"));
  } else if (const std::string problem = secrets_file_problem(file); !problem.empty()) {
    results.push_back(fail("secrets file", file + " " + problem));
  } else {
    results.push_back(ok("secrets file", file + " exists and is private"));
  }
  return results;
}

fs::path data_directory(const Config& config) {
  const fs::path parent = fs::path(config.storage.path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

std::vector<CheckResult> check_data_directory(DoctorContext& ctx) {
  const fs::path dir = data_directory(ctx.config);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return {fail("data directory", dir.string() +
                                       " does not exist or is not a directory; fix: mkdir -p " +
                                       dir.string() + " and give it to the service's user")};
  }
  std::string probe = (dir / ".teleglas-doctor-XXXXXX").string();
  const int fd = mkstemp(probe.data());
  if (fd < 0) {
    return {fail("data directory", "cannot create a file in " + dir.string() + ": " +
                                       std::strerror(errno) +
                                       "; fix: chown it to the service's user, chmod u+w")};
  }
  const bool written = ::write(fd, "x", 1) == 1;
  ::close(fd);
  ::unlink(probe.c_str());
  if (!written) return {fail("data directory", "cannot write in " + dir.string())};
  return {ok("data directory", dir.string() + " is writable")};
}

// Connects, creates or checks the schema, and takes this instance's lock for a moment: the
// same steps the daemon takes. A running daemon holding the lock proves the rest works.
std::vector<CheckResult> check_postgres(const StorageConfig& storage) {
  const std::string where = redact_postgres_url(storage.postgres_url);
  try {
    auto store = open_store(storage);
    const OutboxStore::Counts counts = store->counts();
    const HistoryStore::HistoryCounts history = store->history_counts();
    return {ok("storage", "postgres " + store->where() + " opens (" +
                              std::to_string(history.signals) + " signal(s), " +
                              std::to_string(history.open_outcomes) + " open outcome(s), " +
                              std::to_string(counts.pending) + " alert(s) waiting)")};
  } catch (const std::exception& e) {
    const std::string what = e.what();
    if (what.find("another teleglas is using storage.instance") != std::string::npos) {
      return {ok("storage", "postgres " + where +
                                " is reachable and in use by a running teleglas with this "
                                "storage.instance (the service)")};
    }
    return {fail("storage", what + "; fix: check storage.postgres_url, put PGPASSWORD in the "
                                   "secrets file, and make sure the server accepts connections "
                                   "from this host")};
  }
}

std::vector<CheckResult> check_storage(DoctorContext& ctx) {
  const StorageConfig& storage = ctx.config.storage;
  if (storage.backend == "postgres") return check_postgres(storage);
  // A database that does not exist yet is not created here: doctor often runs as root and
  // would leave a file the service's user cannot write. A probe next to it proves SQLite can.
  // SqliteStore would create a missing directory: doctor only looks.
  std::error_code ec;
  const fs::path dir = data_directory(ctx.config);
  if (!fs::is_directory(dir, ec)) {
    return {fail("storage", "cannot open " + storage.path + ": its directory " + dir.string() +
                                " is missing; fix: see data directory")};
  }
  const bool exists = fs::exists(storage.path, ec);
  const std::string path = exists ? storage.path : (dir / ".teleglas-doctor-probe.db").string();
  try {
    auto store = SqliteStore::open(path, std::chrono::milliseconds(1000));
    const OutboxStore::Counts counts = store->counts();
    store.reset();
    if (!exists) {
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
      return {ok("storage", storage.path + " does not exist yet; the daemon creates it")};
    }
    return {ok("storage", storage.path + " opens (" + std::to_string(counts.pending) +
                              " alert(s) waiting to be sent)")};
  } catch (const std::exception& e) {
    return {fail("storage", std::string(e.what()) +
                                "; fix: make the data directory writable, or move a damaged "
                                "database aside")};
  }
}

// The line of a CoinGlass check when CoinGlass is not among the sources: nothing to check.
CheckResult coinglass_not_a_source(const DoctorContext& ctx, std::string check) {
  return ok(std::move(check), fmt::format("skipped: coinglass is not among the sources ({})",
                                          fmt::join(ctx.sources(), ", ")));
}

std::vector<CheckResult> check_coinglass(DoctorContext& ctx) {
  const CoinglassConfig& cg = ctx.config.coinglass;
  if (!ctx.uses(source_coinglass)) return {coinglass_not_a_source(ctx, "coinglass")};
  if (ctx.options.coinglass_api_key.empty()) {
    return {warn("coinglass", "skipped: no COINGLASS_API_KEY")};
  }
  HttpsResponse res;
  try {
    res = fetch(cg.rest_url, cg.ca_file, ctx.options.network_timeout,
                "/api/futures/funding-rate/exchange-list",
                {{"CG-API-KEY", ctx.options.coinglass_api_key}});
  } catch (const std::exception& e) {
    return {fail("coinglass", std::string(e.what()) + "; fix: coinglass.rest_url / ca_file")};
  }
  if (res.error)
    return {fail("coinglass", transport_problem(cg.rest_url, res.error, "coinglass.ca_file"))};
  const std::string refused =
      "CoinGlass refused the key; fix: check COINGLASS_API_KEY and the plan at coinglass.com";
  if (res.status == 401 || res.status == 403) {
    return {fail("coinglass", refused + " (HTTP " + std::to_string(res.status) + ")")};
  }
  if (res.status == 429) {
    return {warn("coinglass", "rate limited (HTTP 429); the key was not checked, try again later")};
  }
  if (res.status != 200) {
    return {fail("coinglass", "HTTP " + std::to_string(res.status) + " from " + cg.rest_url +
                                  "; fix: check coinglass.rest_url, or try again later")};
  }
  boost::system::error_code ec;
  const json::value body = json::parse(res.body, ec);
  const json::value* code =
      !ec && body.is_object() ? body.get_object().if_contains("code") : nullptr;
  const json::string* code_text = code ? code->if_string() : nullptr;
  if (!code_text) {
    return {fail("coinglass", "unexpected answer from " + cg.rest_url +
                                  " (no CoinGlass envelope); fix: check coinglass.rest_url")};
  }
  if (*code_text != "0") {
    return {fail("coinglass", refused + " (code " + std::string(*code_text) + ")")};
  }
  return {ok("coinglass", cg.rest_url + " reachable, TLS verified, key accepted")};
}

// What the WebSocket answers a subscription with: the first liquidation, a plan notice, or
// nothing within the timeout.
struct StreamProbe final : FeedListener {
  bool live = false;
  bool liquidation = false;
  std::string alarm;
  void on_frame(std::string_view text, TimeMs) override {
    if (text.find("\"liquidationOrders\"") != std::string_view::npos ||
        text.find("\"liquidation_orders\"") != std::string_view::npos) {
      liquidation = true;
    }
  }
  void on_state(std::size_t, ConnectionState state) override {
    if (state == ConnectionState::live) live = true;
  }
  void on_alarm(std::string_view what) override {
    if (alarm.empty()) alarm = std::string(what);
  }
  void on_gap(const FeedGap&) override {}
};

std::vector<CheckResult> check_coinglass_stream(DoctorContext& ctx) {
  const CoinglassConfig& cg = ctx.config.coinglass;
  if (!ctx.uses(source_coinglass)) return {coinglass_not_a_source(ctx, "coinglass stream")};
  if (ctx.options.coinglass_api_key.empty()) {
    return {warn("coinglass stream", "skipped: no COINGLASS_API_KEY")};
  }
  CoinglassConfig one = cg;
  one.channels_per_connection = 1'000;  // one connection is enough to ask
  boost::asio::io_context io;
  StreamProbe probe;
  WsFeedOptions feed_options;
  feed_options.log = [](FeedLogLevel, std::string_view) {};  // the verdict says it all
  feed_options.handshake_timeout_s =
      std::chrono::duration<double>(ctx.options.network_timeout).count();
  WsFeed feed(io, one, ctx.config.symbols, ctx.options.coinglass_api_key, probe, feed_options);
  const std::string where = feed.redacted_url();
  feed.start();
  // Waits for an answer, polling: the feed reports through the listener.
  const auto deadline = std::chrono::steady_clock::now() + ctx.options.network_timeout;
  boost::asio::steady_timer poll(io);
  std::function<void()> check = [&] {
    if (probe.liquidation || !probe.alarm.empty() || std::chrono::steady_clock::now() >= deadline) {
      feed.stop();
      return;
    }
    poll.expires_after(std::chrono::milliseconds(50));
    poll.async_wait([&](boost::system::error_code ec) {
      if (!ec) check();
    });
  };
  check();
  io.run_for(ctx.options.network_timeout + std::chrono::seconds(2));
  if (!probe.alarm.empty()) {
    return {fail("coinglass stream",
                 probe.alarm +
                     "; fix: a CoinGlass plan with WebSocket liquidationOrders (the daemon "
                     "needs it), or check COINGLASS_API_KEY")};
  }
  if (probe.liquidation) {
    return {ok("coinglass stream", where + " streams liquidationOrders to this key")};
  }
  if (probe.live) {
    return {warn("coinglass stream",
                 where + " accepted the subscription, but no liquidation arrived within " +
                     format_duration(ctx.options.network_timeout.count()) +
                     " (a quiet market, or a plan that sends nothing); watch the daemon's "
                     "health line")};
  }
  return {fail("coinglass stream", "cannot open " + where + " within " +
                                       format_duration(ctx.options.network_timeout.count()) +
                                       "; fix: check coinglass.ws_url, ca_file and the network")};
}

// What a venue answers a subscription with: an acknowledgement (counted by the feed as a control
// frame), data, a refusal, or nothing.
struct SubscribeProbe final : FeedListener {
  bool live = false;  // upgraded and the subscription sent
  bool data = false;
  std::string alarm;    // a refusal or a refused upgrade, in the feed's words
  std::string problem;  // the last warning the feed logged (a TLS error, a refused connect)
  void on_frame(std::string_view, TimeMs) override {
    // Refusals come here too, but only after their alarm, which decides first.
    if (alarm.empty()) data = true;
  }
  void on_state(std::size_t, ConnectionState state) override {
    if (state == ConnectionState::live) live = true;
  }
  void on_alarm(std::string_view what) override {
    if (alarm.empty()) alarm = std::string(what);
  }
  void on_gap(const FeedGap&) override {}
};

// The daemon's own plan for a venue, cut to its first connection (the others differ only in
// their symbols). Binance takes its streams from the URL and answers nothing, so the probe
// also asks for the first of them once more: that request is answered, with a refusal if the
// route or the stream is wrong.
FeedProtocol probe_protocol(std::string_view source, const Config& config) {
  FeedProtocol protocol = feed_protocol(source, config, "");
  if (protocol.connections.size() > 1) protocol.connections.resize(1);
  if (source == source_binance && !protocol.connections.empty()) {
    const std::vector<std::string> streams =
        binance_streams(stream_symbols(config.binance, config.symbols), config.binance.trades);
    if (!streams.empty()) {
      protocol.connections[0].subscribe.push_back(
          fmt::format(R"({{"method":"SUBSCRIBE","params":["{}"],"id":1}})", streams.front()));
    }
  }
  return protocol;
}

// One venue's stream: TLS verified, the WebSocket upgrade accepted and one subscribe answered
// without an error. No key is involved; nothing waits for a liquidation (a venue's quiet
// symbol may have none for hours).
CheckResult check_venue_stream(DoctorContext& ctx, std::string_view source) {
  const std::string check = std::string(source) + " stream";
  const std::string section(source);
  FeedProtocol protocol;
  try {
    protocol = probe_protocol(source, ctx.config);
  } catch (const std::exception& e) {
    return fail(check, std::string(e.what()) + "; fix: " + section + ".ws_url");
  }
  if (protocol.connections.empty()) {
    return fail(check, "no symbol to subscribe" +
                           (protocol.warnings.empty() ? std::string()
                                                      : " (" + protocol.warnings.front() + ")") +
                           "; fix: " + section + ".symbols or the top-level symbols");
  }
  const std::string venue = protocol.venue;
  boost::asio::io_context io;
  SubscribeProbe probe;
  WsFeedOptions feed_options;
  feed_options.log = [&probe](FeedLogLevel level, std::string_view line) {
    if (level < FeedLogLevel::warn) return;
    // "feed[bybit 0]: TLS handshake with wss://...: certificate verify failed" -> after the tag.
    const auto tag_end = line.find("]: ");
    probe.problem =
        std::string(tag_end == std::string_view::npos ? line : line.substr(tag_end + 3));
  };
  feed_options.handshake_timeout_s =
      std::chrono::duration<double>(ctx.options.network_timeout).count();
  std::unique_ptr<WsFeed> feed;
  try {
    feed = std::make_unique<WsFeed>(io, std::move(protocol), probe, feed_options);
  } catch (const std::exception& e) {
    return fail(check, std::string(e.what()) + "; fix: " + section + ".ws_url / ca_file");
  }
  const std::string where = feed->redacted_url();
  feed->start();
  // Polls the feed: an answer, a refusal or a failed connection ends the wait. Once the first
  // answer is in, the rest of the same request's answers get a moment (OKX answers each
  // channel on its own, and one of them may be the refusal).
  const auto deadline = std::chrono::steady_clock::now() + ctx.options.network_timeout;
  std::optional<std::chrono::steady_clock::time_point> answered_at;
  boost::asio::steady_timer poll(io);
  std::function<void()> check_answer = [&] {
    const auto now = std::chrono::steady_clock::now();
    const FeedStats stats = feed->stats();
    if (!answered_at && (probe.data || (!stats.connections.empty() &&
                                        stats.connections.front().control_frames > 0))) {
      answered_at = now;
    }
    const bool settled = answered_at && now - *answered_at >= std::chrono::milliseconds(300);
    const bool broken = !probe.live && !probe.problem.empty();
    if (!probe.alarm.empty() || settled || broken || now >= deadline) {
      feed->stop();
      return;
    }
    poll.expires_after(std::chrono::milliseconds(50));
    poll.async_wait([&](boost::system::error_code ec) {
      if (!ec) check_answer();
    });
  };
  check_answer();
  io.run_for(ctx.options.network_timeout + std::chrono::seconds(2));
  const std::string waited = format_duration(ctx.options.network_timeout.count());
  if (!probe.alarm.empty()) {
    return fail(check, probe.alarm + "; fix: check " + section + ".ws_url and " + section +
                           ".symbols (the venue's own names are derived from them)");
  }
  if (answered_at) {
    return ok(check, where + " reachable, TLS verified, subscription accepted (no key needed)");
  }
  if (probe.live) {
    return warn(check, where +
                           " accepted the connection, but the subscription was not answered "
                           "within " +
                           waited + "; watch the daemon's health line");
  }
  return fail(check, "cannot open " + where +
                         (probe.problem.empty() ? " within " + waited : ": " + probe.problem) +
                         "; fix: check " + section + ".ws_url, " + section +
                         ".ca_file and the network");
}

// OKX sizes in contracts: without its instruments list the daemon cannot price OKX's
// liquidations. One GET of the list, which must name every configured symbol's swap.
CheckResult check_okx_instruments(DoctorContext& ctx) {
  const OkxConfig& okx = ctx.config.okx;
  const std::string check = "okx instruments";
  HttpsResponse res;
  try {
    res = fetch(okx.rest_url, okx.ca_file, ctx.options.network_timeout,
                std::string(okx_instruments_target), {});
  } catch (const std::exception& e) {
    return fail(check, std::string(e.what()) + "; fix: okx.rest_url / ca_file");
  }
  if (res.error) return fail(check, transport_problem(okx.rest_url, res.error, "okx.ca_file"));
  const RestOutcome outcome = classify_okx_instruments(res);
  if (outcome.failure == RestFailure::rate_limited) {
    return warn(check, "rate limited (HTTP 429); try again later");
  }
  if (outcome.failure != RestFailure::none) {
    return fail(check, okx.rest_url + ": " + outcome.detail +
                           "; fix: check okx.rest_url, or try again later");
  }
  // A success carries the whole body: {"code":"0","msg":"","data":[{"instId":..,"ctVal":..}]}.
  boost::system::error_code ec;
  const json::value body = json::parse(outcome.data, ec);
  const json::value* data =
      !ec && body.is_object() ? body.get_object().if_contains("data") : nullptr;
  const json::array empty;
  const json::array& listing = data && data->is_array() ? data->get_array() : empty;
  std::vector<std::string> missing;
  for (const std::string& symbol : stream_symbols(okx, ctx.config.symbols)) {
    const std::string inst_id = okx_inst_id(symbol);
    const bool listed = std::ranges::any_of(listing, [&](const json::value& entry) {
      const json::object* o = entry.if_object();
      const json::value* id = o ? o->if_contains("instId") : nullptr;
      const json::value* value = o ? o->if_contains("ctVal") : nullptr;
      return id && id->is_string() && id->get_string() == inst_id && value && value->is_string() &&
             !value->get_string().empty();
    });
    if (!listed) missing.push_back(inst_id.empty() ? symbol : inst_id);
  }
  if (!missing.empty()) {
    return warn(check, fmt::format("{} lists no contract value for {}: OKX's liquidations of "
                                   "{} cannot be sized; fix: check okx.symbols",
                                   okx.rest_url, fmt::join(missing, ", "),
                                   missing.size() == 1 ? "it" : "them"));
  }
  return ok(check, okx.rest_url + " lists the contract values (ctVal) of every symbol");
}

// Each exchange among the sources, in the order of the sources; nothing when there is none.
std::vector<CheckResult> check_exchange_streams(DoctorContext& ctx) {
  std::vector<CheckResult> results;
  for (const std::string& source : ctx.sources()) {
    if (source == source_coinglass) continue;
    results.push_back(check_venue_stream(ctx, source));
    if (source == source_okx) results.push_back(check_okx_instruments(ctx));
  }
  return results;
}

// Telegram's own words for a failure: the `description` of its error body.
std::string telegram_description(const HttpsResponse& res) {
  boost::system::error_code ec;
  const json::value body = json::parse(res.body, ec);
  if (!ec && body.is_object()) {
    if (const json::value* d = body.get_object().if_contains("description"); d && d->is_string()) {
      return std::string(d->get_string());
    }
  }
  return "HTTP " + std::to_string(res.status);
}

std::vector<CheckResult> check_telegram(DoctorContext& ctx) {
  const TelegramConfig& tg = ctx.config.telegram;
  const std::string& token = ctx.options.telegram_bot_token;
  if (token.empty()) return {warn("telegram", "skipped: no TELEGRAM_BOT_TOKEN")};
  const auto call = [&](const std::string& method) {
    return fetch(tg.api_url, tg.ca_file, ctx.options.network_timeout, "/bot" + token + "/" + method,
                 {});
  };
  HttpsResponse me;
  try {
    me = call("getMe");
  } catch (const std::exception& e) {
    return {fail("telegram", std::string(e.what()) + "; fix: telegram.api_url / ca_file")};
  }
  if (me.error)
    return {fail("telegram", transport_problem(tg.api_url, me.error, "telegram.ca_file"))};
  if (me.status == 401 || me.status == 404) {
    return {fail("telegram", "Telegram refused the bot token (HTTP " + std::to_string(me.status) +
                                 "); fix: check TELEGRAM_BOT_TOKEN with @BotFather")};
  }
  if (!me.ok()) {
    return {fail("telegram", "getMe: " + telegram_description(me) + "; fix: try again later")};
  }
  std::vector<CheckResult> results{ok("telegram", "bot token accepted by " + tg.api_url)};
  if (tg.chat_ids.empty()) {
    results.push_back(warn("telegram chats",
                           "telegram.chat_ids is empty: alerts go to the log only; fix: add "
                           "the chats' ids"));
  }
  for (const std::int64_t chat : tg.chat_ids) {
    const std::string name = "telegram chat " + std::to_string(chat);
    const HttpsResponse res = call("getChat?chat_id=" + std::to_string(chat));
    if (res.error) {
      results.push_back(fail(name, transport_problem(tg.api_url, res.error, "telegram.ca_file")));
    } else if (!res.ok()) {
      results.push_back(
          fail(name, "the bot cannot reach it: " + telegram_description(res) +
                         "; fix: add the bot to the chat (or /start it), check the id"));
    } else {
      results.push_back(ok(name, "reachable"));
    }
  }
  return results;
}

bool unit_active(const std::optional<SystemdUnitState>& state) {
  return state && state->active == "active";
}

std::vector<CheckResult> check_health_port(DoctorContext& ctx) {
  const std::string& listen = ctx.config.http.listen;
  try {
    boost::asio::io_context io;
    HealthServerOptions health;
    health.listen = listen;
    HealthServer server(io, std::move(health));
    return {ok("health port", listen + " is free")};
  } catch (const std::exception& e) {
    // The running service holds it: that is the healthy case, not a conflict.
    if (unit_active(ctx.systemd_state())) {
      return {ok("health port", listen + " is taken, by the active teleglas service")};
    }
    return {fail("health port", std::string(e.what()) +
                                    " — another teleglas running? fix: stop it, or change "
                                    "http.listen")};
  }
}

std::vector<CheckResult> check_systemd(DoctorContext& ctx) {
  const std::optional<SystemdUnitState>& state = ctx.systemd_state();
  if (!state) return {warn("systemd", "not running under systemd; the unit was not checked")};
  if (state->enabled.empty() || state->enabled == "not-found") {
    return {fail("systemd", "the teleglas unit is not installed; fix: scripts/install.sh")};
  }
  if (state->active != "active") {
    return {fail("systemd", "teleglas is " + state->active + " (" + state->enabled +
                                "); fix: systemctl enable --now teleglas, then "
                                "journalctl -u teleglas")};
  }
  if (state->enabled != "enabled") {
    return {warn("systemd", "teleglas is active but " + state->enabled +
                                ": it will not start at boot; fix: systemctl enable teleglas")};
  }
  return {ok("systemd", "teleglas is active and enabled")};
}

using CheckFunction = std::vector<CheckResult> (*)(DoctorContext&);

struct DoctorCheck {
  DoctorCheckInfo info;
  CheckFunction run;  // null for the configuration, which every other check needs first
};

const std::vector<DoctorCheck>& check_table() {
  static const std::vector<DoctorCheck> table{
      {{"config", "the configuration file loads and is valid (as check-config)"}, nullptr},
      {{"secrets",
        "COINGLASS_API_KEY (when coinglass is among the sources) and TELEGRAM_BOT_TOKEN are set "
        "(warn if not); secrets_file, if set, exists and only its owner may read it"},
       check_secrets},
      {{"data directory", "storage.path's directory exists and a file can be written there"},
       check_data_directory},
      {{"storage", "the SQLite database opens (or could be created), or PostgreSQL accepts us"},
       check_storage},
      {{"coinglass",
        "when coinglass is among the sources: one GET of the funding list at coinglass.rest_url: "
        "reachable, TLS verified, key accepted"},
       check_coinglass},
      {{"coinglass stream",
        "when coinglass is among the sources: the WebSocket accepts the key and the plan streams "
        "liquidationOrders (waits for the first one)"},
       check_coinglass_stream},
      {{"exchange streams",
        "for each of bybit, binance and okx among the sources: TLS verified, the WebSocket "
        "upgrade accepted and one subscribe answered without error (no key needed); for okx "
        "also its instruments list at okx.rest_url (the contract values)"},
       check_exchange_streams},
      {{"telegram", "getMe accepts the bot token; getChat reaches every telegram.chat_ids chat"},
       check_telegram},
      {{"health port", "http.listen can be bound (nothing else holds it)"}, check_health_port},
      {{"systemd", "the teleglas unit is installed, active and enabled"}, check_systemd},
  };
  return table;
}

std::string run_command(const std::string& command) {
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    std::array<char, 256> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) output += buffer.data();
    ::pclose(pipe);
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return output;
}

}  // namespace

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok:
      return "ok";
    case CheckStatus::warn:
      return "warn";
    case CheckStatus::fail:
      return "fail";
  }
  return "?";
}

SystemdProbe systemctl_probe(std::chrono::seconds timeout) {
  return [timeout]() -> std::optional<SystemdUnitState> {
    // sd_booted(): systemd runs this machine when this directory exists.
    std::error_code ec;
    if (!fs::is_directory("/run/systemd/system", ec)) return std::nullopt;
    if (run_command("command -v systemctl").empty()) return std::nullopt;
    const std::string bound = "timeout " + std::to_string(timeout.count()) + " systemctl ";
    return SystemdUnitState{run_command(bound + "is-active teleglas 2>/dev/null"),
                            run_command(bound + "is-enabled teleglas 2>/dev/null")};
  };
}

bool DoctorReport::failed() const {
  return std::any_of(results.begin(), results.end(),
                     [](const CheckResult& r) { return r.status == CheckStatus::fail; });
}

const std::vector<DoctorCheckInfo>& doctor_checks() {
  static const std::vector<DoctorCheckInfo> infos = [] {
    std::vector<DoctorCheckInfo> out;
    for (const DoctorCheck& check : check_table()) out.push_back(check.info);
    return out;
  }();
  return infos;
}

std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

DoctorReport run_doctor(const DoctorOptions& options) {
  DoctorReport report;
  ConfigLoadResult loaded = load_config_file(options.config_path);
  if (loaded.ok()) {
    report.results.push_back(ok("config", options.config_path + " is valid"));
  } else {
    CheckResult result =
        fail("config", options.config_path + ": " + std::to_string(loaded.problems.size()) +
                           " problem(s); fix them (see below)");
    for (const ConfigProblem& p : loaded.problems) result.notes.push_back(p.to_string());
    report.results.push_back(std::move(result));
  }
  DoctorContext ctx{options, std::move(loaded.config), std::nullopt};
  const bool config_ok = report.results.front().status == CheckStatus::ok;
  for (const DoctorCheck& check : check_table()) {
    if (!check.run) continue;
    if (!config_ok) {
      report.results.push_back(
          warn(std::string(check.info.name), "skipped: fix the configuration first"));
      continue;
    }
    for (CheckResult& r : check.run(ctx)) report.results.push_back(std::move(r));
  }
  // Servers may echo what they were sent: nothing leaves here with a secret in it.
  const std::vector<std::string> secrets{options.coinglass_api_key, options.telegram_bot_token};
  for (CheckResult& r : report.results) {
    r.detail = mask_secrets(std::move(r.detail), secrets);
    for (std::string& note : r.notes) note = mask_secrets(std::move(note), secrets);
  }
  return report;
}

void print_doctor_report(const DoctorReport& report, std::ostream& out) {
  std::size_t width = 0;
  for (const CheckResult& r : report.results) width = std::max(width, r.check.size());
  int counts[3] = {0, 0, 0};
  for (const CheckResult& r : report.results) {
    ++counts[static_cast<int>(r.status)];
    std::string status(to_string(r.status));
    status.resize(5, ' ');
    std::string check = r.check;
    check.resize(width + 2, ' ');
    out << status << check << r.detail << "\n";
    for (const std::string& note : r.notes) out << "      " << note << "\n";
  }
  out << counts[0] << " ok, " << counts[1] << " warn, " << counts[2] << " fail\n";
}

}  // namespace teleglas
