// `teleglas doctor` as the user runs it: the real executable against the stand-ins of CoinGlass,
// the exchanges (Bybit, Binance, OKX) and Telegram on loopback, secrets in its environment.
// Every configuration names every endpoint's stand-in and its sources: nothing reaches out.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include <future>

#include "cli_harness.hpp"
#include "stand_ins.hpp"
#include "support/postgres_test_support.hpp"
#include "teleglas/simserver/coinglass_server.hpp"
#include "teleglas/simserver/telegram_server.hpp"
#include "teleglas/simserver/venue_servers.hpp"

namespace teleglas {
namespace {

using namespace teleglas::testing;
namespace net = boost::asio;

const std::string bot_token = "424242:SECRET-doctor-integration-token";

// Sets an environment variable for the commands this test runs, and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

SimCoinglassOptions coinglass_options(const TlsIdentity& identity) {
  SimCoinglassOptions options;
  options.identity = identity;
  // One liquidation after each subscription: what a plan with the WebSocket stream sends.
  options.frames = {frame("liquidationOrders", "1725416318379", 1, 50'000, 95'000)};
  return options;
}

SimVenueOptions venue_options(const TlsIdentity& identity) {
  SimVenueOptions options;
  options.identity = identity;
  return options;
}

// `text` with its first `from` replaced by `to`.
std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The line of `check` in doctor's output ("fail  coinglass  ..."), or "". The status takes five
// columns and the check's name ends at the first two spaces after it.
std::string line_of(const std::string& out, const std::string& check) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() < 5) continue;
    const std::string rest = line.substr(5);
    if (rest.substr(0, rest.find("  ")) == check) return line;
  }
  return "";
}

class DoctorCli : public ::testing::Test {
 protected:
  DoctorCli()
      : identity_(make_loopback_identity()),
        coinglass_(io_, coinglass_options(identity_)),
        telegram_(io_, SimTelegramOptions{identity_, bot_token}),
        bybit_(io_, Venue::bybit, venue_options(identity_)),
        binance_(io_, Venue::binance, venue_options(identity_)),
        okx_(io_, Venue::okx, venue_options(identity_)),
        work_(io_.get_executor()),
        thread_([this] { io_.run(); }),
        key_env_("COINGLASS_API_KEY", secret_key),
        token_env_("TELEGRAM_BOT_TOKEN", bot_token) {
    write_file(dir_ / "ca.pem", identity_.ca_cert_pem);
    std::filesystem::create_directory(dir_ / "data");
  }
  ~DoctorCli() override {
    net::post(io_, [this] {
      coinglass_.stop();
      telegram_.stop();
      for (SimVenueServer* venue : {&bybit_, &binance_, &okx_}) venue->stop();
    });
    work_.reset();
    thread_.join();
  }

  // `storage_lines`: the storage section's lines instead of a SQLite file in data/.
  std::string write_config(const std::string& listen = "127.0.0.1:0",
                           const std::string& storage_path = "",
                           const std::string& storage_lines = "") {
    const std::string path = (dir_ / "teleglas.yaml").string();
    const std::string ca = (dir_ / "ca.pem").string();
    write_file(
        path, fmt::format(R"(sources: [{}]  # every endpoint below is a stand-in
coinglass:
  ws_url: {}
  rest_url: {}
  ca_file: {}
bybit:
  ws_url: {}
  ca_file: {}
binance:
  ws_url: {}
  ca_file: {}
okx:
  ws_url: {}
  rest_url: {}
  ca_file: {}
telegram:
  api_url: {}
  ca_file: {}
  chat_ids: [-1001]
storage:
{}http:
  listen: {}
)",
                          sources_, coinglass_.ws_url(), coinglass_.rest_url(), ca, bybit_.ws_url(),
                          ca, binance_.ws_url(), ca, okx_.ws_url(), okx_.rest_url(), ca,
                          telegram_.api_url(), ca,
                          !storage_lines.empty()
                              ? storage_lines
                              : "  path: " +
                                    (storage_path.empty() ? (dir_ / "data" / "teleglas.db").string()
                                                          : storage_path) +
                                    "\n",
                          listen));
    return path;
  }

  CommandResult doctor(const std::string& config) {
    return run_teleglas("doctor --config " + config, dir_);
  }

  TempDir dir_;
  TlsIdentity identity_;
  net::io_context io_;
  SimCoinglassServer coinglass_;
  SimTelegramServer telegram_;
  SimVenueServer bybit_;
  SimVenueServer binance_;
  SimVenueServer okx_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  ScopedEnv key_env_;
  ScopedEnv token_env_;
  std::string sources_ = "coinglass";  // the `sources` the next write_config writes
};

TEST_F(DoctorCli, AHealthyInstallationIsAllOkAndExitsZeroOffSystemd) {
  const CommandResult r = doctor(write_config());
  for (const char* check :
       {"config", "coinglass key", "telegram token", "secrets file", "data directory", "storage",
        "coinglass", "coinglass stream", "telegram", "telegram chat -1001", "health port"}) {
    EXPECT_TRUE(line_of(r.out, check).starts_with("ok ")) << check << "\n" << r.out;
  }
  if (std::filesystem::is_directory("/run/systemd/system")) {
    GTEST_SKIP() << "systemd runs here: the teleglas unit decides the exit code";
  }
  EXPECT_TRUE(line_of(r.out, "systemd").starts_with("warn ")) << r.out;
  EXPECT_NE(r.out.find("not running under systemd"), std::string::npos);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(coinglass_.record().rest_api_keys, std::vector<std::string>{secret_key});
  EXPECT_EQ(line_of(r.out, "bybit stream"), "") << "bybit is not among the sources\n" << r.out;
  EXPECT_EQ(bybit_.record().ws_connections + binance_.record().ws_connections +
                okx_.record().ws_connections,
            0);
}

TEST_F(DoctorCli, ARefusedCoinglassKeyFailsAndTheKeyIsNeverPrinted) {
  SimCoinglassFaults faults;
  faults.rest_status = 401;
  coinglass_.set_faults(faults);
  const CommandResult r = doctor(write_config());
  EXPECT_EQ(r.exit_code, 1);
  const std::string line = line_of(r.out, "coinglass");
  EXPECT_TRUE(line.starts_with("fail ")) << r.out;
  EXPECT_NE(line.find("CoinGlass refused the key"), std::string::npos) << line;
  EXPECT_EQ(r.out.find(secret_key), std::string::npos);
  EXPECT_EQ(r.err.find(secret_key), std::string::npos);
}

TEST_F(DoctorCli, AWrongBotTokenFailsAndTheTokenIsNeverPrinted) {
  const std::string wrong = "999:SECRET-not-the-bot";
  ScopedEnv token("TELEGRAM_BOT_TOKEN", wrong);
  const CommandResult r = doctor(write_config());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(line_of(r.out, "telegram").starts_with("fail ")) << r.out;
  EXPECT_NE(r.out.find("refused the bot token"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(wrong), std::string::npos);
  EXPECT_EQ(r.err.find(wrong), std::string::npos);
}

TEST_F(DoctorCli, ADataDirectoryThatCannotBeWrittenFails) {
  // A path under a regular file fails for root too, unlike a chmod.
  write_file(dir_ / "plain-file", "x");
  const CommandResult r =
      doctor(write_config("127.0.0.1:0", (dir_ / "plain-file" / "db" / "teleglas.db").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(line_of(r.out, "data directory").starts_with("fail ")) << r.out;
  EXPECT_TRUE(line_of(r.out, "storage").starts_with("fail ")) << r.out;
}

TEST_F(DoctorCli, ATakenHealthPortFails) {
  net::io_context io;
  net::ip::tcp::acceptor taken(io, {net::ip::make_address("127.0.0.1"), 0});
  const CommandResult r =
      doctor(write_config("127.0.0.1:" + std::to_string(taken.local_endpoint().port())));
  EXPECT_EQ(r.exit_code, 1);
  const std::string line = line_of(r.out, "health port");
  EXPECT_TRUE(line.starts_with("fail ")) << r.out;
  EXPECT_NE(line.find("another teleglas running?"), std::string::npos) << line;
}

TEST_F(DoctorCli, WithoutSecretsTheNetworkChecksAreSkippedAndAListedCoinglassFails) {
  unsetenv("COINGLASS_API_KEY");
  unsetenv("TELEGRAM_BOT_TOKEN");
  const CommandResult r = doctor(write_config());
  for (const char* check : {"telegram token", "coinglass", "telegram"}) {
    EXPECT_TRUE(line_of(r.out, check).starts_with("warn ")) << check << "\n" << r.out;
  }
  // The config lists coinglass: without its key `teleglas run` would refuse to start.
  EXPECT_TRUE(line_of(r.out, "coinglass key").starts_with("fail ")) << r.out;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(coinglass_.record().rest_targets.empty());
}

TEST_F(DoctorCli, HelpExplainsEveryCheck) {
  const CommandResult r = run_teleglas("doctor --help", dir_);
  EXPECT_EQ(r.exit_code, 0);
  for (const char* check : {"config:", "secrets:", "data directory:", "storage:", "coinglass:",
                            "exchange streams:", "telegram:", "health port:", "systemd:"}) {
    EXPECT_NE(r.out.find(check), std::string::npos) << check << "\n" << r.out;
  }
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST_F(DoctorCli, PostgresStorageIsCheckedAndItsPasswordNeverPrinted) {
  const auto server = testing::test_postgres_url();
  ASSERT_TRUE(server) << testing::no_postgres_message();
  testing::FreshDatabase database(*server);
  const std::string url = database.url();
  const std::string password = testing::password_of(url);
  ASSERT_FALSE(password.empty());

  const CommandResult good = doctor(
      write_config("127.0.0.1:0", "", "  backend: postgres\n  postgres_url: \"" + url + "\"\n"));
  const std::string line = line_of(good.out, "storage");
  EXPECT_TRUE(line.starts_with("ok ")) << good.out;
  EXPECT_NE(line.find("postgres"), std::string::npos) << line;
  EXPECT_EQ(good.out.find(password), std::string::npos);

  const std::string wrong = testing::with_password(url, "not-the-password");
  const CommandResult bad = doctor(
      write_config("127.0.0.1:0", "", "  backend: postgres\n  postgres_url: \"" + wrong + "\"\n"));
  EXPECT_TRUE(line_of(bad.out, "storage").starts_with("fail ")) << bad.out;
  EXPECT_NE(bad.out.find("PGPASSWORD"), std::string::npos) << bad.out;
  EXPECT_EQ(bad.out.find("not-the-password"), std::string::npos) << bad.out;
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST_F(DoctorCli, APlanWithoutTheLiquidationStreamFailsWithCoinglassOwnWords) {
  SimCoinglassFaults faults;
  faults.plan_notice = "liquidationOrders need upgrade plan";
  std::promise<void> set;
  net::post(io_, [&] {
    coinglass_.set_faults(faults);
    set.set_value();
  });
  set.get_future().wait();
  const CommandResult r = doctor(write_config());
  const std::string line = line_of(r.out, "coinglass stream");
  EXPECT_TRUE(line.starts_with("fail ")) << r.out;
  EXPECT_NE(line.find("liquidationOrders need upgrade plan"), std::string::npos) << line;
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out.find(secret_key), std::string::npos);
  EXPECT_EQ(r.err.find(secret_key), std::string::npos);
}

}  // namespace
}  // namespace teleglas

namespace teleglas {
namespace {

TEST_F(DoctorCli, KeylessSourcesAreCheckedOnTheirStandInsAndCoinglassIsSkippedSayingWhy) {
  unsetenv("COINGLASS_API_KEY");
  sources_ = "bybit, binance, okx";
  const CommandResult r = doctor(write_config());
  for (const char* check :
       {"coinglass key", "coinglass", "coinglass stream", "bybit stream", "binance stream",
        "okx stream", "okx instruments", "telegram", "health port"}) {
    EXPECT_TRUE(line_of(r.out, check).starts_with("ok ")) << check << "\n" << r.out;
  }
  EXPECT_NE(
      line_of(r.out, "coinglass").find("coinglass is not among the sources (bybit, binance, okx)"),
      std::string::npos)
      << r.out;
  EXPECT_NE(line_of(r.out, "coinglass key").find("need no key"), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "bybit stream").find("subscription accepted"), std::string::npos)
      << r.out;
  // In the order of the sources, OKX's contract values right after its stream.
  EXPECT_LT(r.out.find("bybit stream"), r.out.find("binance stream"));
  EXPECT_LT(r.out.find("okx stream"), r.out.find("okx instruments"));
  if (!std::filesystem::is_directory("/run/systemd/system")) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  // CoinGlass was left alone; each venue was asked in its own words.
  EXPECT_EQ(coinglass_.record().ws_connections, 0);
  EXPECT_TRUE(coinglass_.record().rest_targets.empty());
  EXPECT_GE(bybit_.record().subscribe_requests, 1);
  EXPECT_NE(bybit_.record().ws_messages.at(0).find("allLiquidation.BTCUSDT"), std::string::npos);
  EXPECT_NE(binance_.record().ws_targets.at(0).find("!forceOrder@arr"), std::string::npos);
  EXPECT_GE(binance_.record().subscribe_requests, 1) << "the URL's streams are asked once more, "
                                                        "so that Binance answers";
  EXPECT_NE(okx_.record().ws_messages.at(0).find("liquidation-orders"), std::string::npos);
  EXPECT_EQ(okx_.record().rest_targets,
            std::vector<std::string>{"/api/v5/public/instruments?instType=SWAP"});
}

TEST_F(DoctorCli, ARefusedSubscriptionFailsInTheVenuesOwnWords) {
  SimVenueFaults refuse;
  refuse.reject_subscriptions = true;
  for (SimVenueServer* venue : {&bybit_, &binance_, &okx_}) venue->set_faults(refuse);
  sources_ = "bybit, binance, okx";
  const auto started = std::chrono::steady_clock::now();
  const CommandResult r = doctor(write_config());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  const std::string bybit = line_of(r.out, "bybit stream");
  const std::string binance = line_of(r.out, "binance stream");
  const std::string okx = line_of(r.out, "okx stream");
  EXPECT_TRUE(bybit.starts_with("fail ")) << r.out;
  EXPECT_NE(bybit.find("Bybit refused the subscription"), std::string::npos) << bybit;
  EXPECT_TRUE(binance.starts_with("fail ")) << r.out;
  EXPECT_NE(binance.find("invalid stream"), std::string::npos) << binance;
  EXPECT_TRUE(okx.starts_with("fail ")) << r.out;
  EXPECT_NE(okx.find("60018"), std::string::npos) << okx;
  // A refusal ends the wait: no check sits out its timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8));
}

TEST_F(DoctorCli, AVenueWhoseCertificateIsNotTrustedFailsBeforeAnythingIsSent) {
  write_file(dir_ / "other-ca.pem", make_loopback_identity().ca_cert_pem);
  sources_ = "bybit";
  const std::string config = write_config();
  write_file(config, replace_once(read_file(config),
                                  "bybit:\n  ws_url: " + bybit_.ws_url() +
                                      "\n  ca_file: " + (dir_ / "ca.pem").string(),
                                  "bybit:\n  ws_url: " + bybit_.ws_url() +
                                      "\n  ca_file: " + (dir_ / "other-ca.pem").string()));
  const CommandResult r = doctor(config);
  const std::string line = line_of(r.out, "bybit stream");
  EXPECT_TRUE(line.starts_with("fail ")) << r.out;
  EXPECT_NE(line.find("cannot open"), std::string::npos) << line;
  EXPECT_NE(line.find("bybit.ca_file"), std::string::npos) << line;
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(bybit_.record().ws_connections, 0);
  EXPECT_GE(bybit_.record().tls_handshakes_failed, 1);
}

TEST_F(DoctorCli, ARefusedUpgradeFailsTheStreamCheck) {
  SimVenueFaults refuse;
  refuse.upgrade_status = 451;
  binance_.set_faults(refuse);
  sources_ = "binance";
  const CommandResult r = doctor(write_config());
  const std::string line = line_of(r.out, "binance stream");
  EXPECT_TRUE(line.starts_with("fail ")) << r.out;
  EXPECT_NE(line.find("HTTP 451"), std::string::npos) << line;
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(DoctorCli, OkxInstrumentsThatCannotBeReadFailAndAMissingSymbolWarns) {
  SimVenueFaults garbage;
  garbage.rest_body = "<html>502 Bad Gateway</html>";
  okx_.set_faults(garbage);
  sources_ = "okx";
  const CommandResult broken = doctor(write_config());
  EXPECT_TRUE(line_of(broken.out, "okx stream").starts_with("ok ")) << broken.out;
  EXPECT_TRUE(line_of(broken.out, "okx instruments").starts_with("fail ")) << broken.out;
  EXPECT_EQ(broken.exit_code, 1);

  okx_.set_faults({});
  const std::string config = write_config();
  // DOGE is not among the stand-in's instruments: its contract value is unknown.
  write_file(config, read_file(config) + "symbols:\n  - symbol: BTCUSDT\n  - symbol: DOGEUSDT\n");
  const CommandResult missing = doctor(config);
  const std::string line = line_of(missing.out, "okx instruments");
  EXPECT_TRUE(line.starts_with("warn ")) << missing.out;
  EXPECT_NE(line.find("DOGE-USDT-SWAP"), std::string::npos) << line;
  EXPECT_EQ(line.find("BTC-USDT-SWAP"), std::string::npos) << line;
}

}  // namespace
}  // namespace teleglas
