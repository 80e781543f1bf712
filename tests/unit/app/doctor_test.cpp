#include "teleglas/app/doctor.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "teleglas/simserver/telegram_server.hpp"
#include "integration/stand_ins.hpp"
#include "support/temp_dir.hpp"
#include "teleglas/simserver/coinglass_server.hpp"

namespace teleglas {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

const std::string api_key = "SECRET-doctor-cg-key-41d2";
const std::string bot_token = "778899:SECRET-doctor-bot-token";
constexpr std::int64_t unreachable_chat = -100777;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

SimCoinglassOptions coinglass_options(const TlsIdentity& identity) {
  SimCoinglassOptions options;
  options.identity = identity;
  // One liquidation after each subscription: what a plan with the WebSocket stream sends.
  options.frames = {testing::frame("liquidationOrders", "1725416318379", 1, 50'000, 95'000)};
  return options;
}

// The stand-in CoinGlass and Telegram on their own thread; doctor runs on the test thread as
// the command does, against a configuration pointing at them.
class DoctorTest : public ::testing::Test {
 protected:
  DoctorTest()
      : identity_(make_loopback_identity()),
        coinglass_(server_io_, coinglass_options(identity_)),
        telegram_(server_io_, SimTelegramOptions{identity_, bot_token}),
        work_(server_io_.get_executor()),
        thread_([this] { server_io_.run(); }) {
    telegram_.set_unreachable_chats({unreachable_chat});
    write_file(dir_ / "ca.pem", identity_.ca_cert_pem);
    std::filesystem::create_directory(dir_ / "data");
    options_.config_path = (dir_ / "teleglas.yaml").string();
    options_.coinglass_api_key = api_key;
    options_.telegram_bot_token = bot_token;
    options_.network_timeout = 3s;
    options_.systemd = [] { return std::nullopt; };
    write_config();
  }
  ~DoctorTest() override {
    coinglass_.stop();
    telegram_.stop();
    work_.reset();
    thread_.join();
  }

  void write_config(const std::string& chat_ids = "[-1001, 42]",
                    const std::string& listen = "127.0.0.1:0",
                    const std::string& storage_path = "") {
    const std::string ca = (dir_ / "ca.pem").string();
    write_file(
        options_.config_path,
        fmt::format(R"(sources: [coinglass]  # with or without the key: never the real exchanges
coinglass:
  ws_url: {}
  rest_url: {}
  ca_file: {}
telegram:
  api_url: {}
  ca_file: {}
  chat_ids: {}
storage:
  path: {}
http:
  listen: {}
)",
                    coinglass_.ws_url(), coinglass_.rest_url(), ca, telegram_.api_url(), ca,
                    chat_ids,
                    storage_path.empty() ? (dir_ / "data" / "teleglas.db").string() : storage_path,
                    listen));
  }

  const CheckResult& result(const DoctorReport& report, const std::string& check) {
    for (const CheckResult& r : report.results) {
      if (r.check == check) return r;
    }
    static const CheckResult missing{"missing", CheckStatus::fail, "no such check", {}};
    ADD_FAILURE() << "no result for " << check;
    return missing;
  }

  static std::string printed(const DoctorReport& report) {
    std::ostringstream out;
    print_doctor_report(report, out);
    return out.str();
  }

  testing::TempDir dir_;
  TlsIdentity identity_;
  net::io_context server_io_;
  SimCoinglassServer coinglass_;
  SimTelegramServer telegram_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  DoctorOptions options_;
};

TEST_F(DoctorTest, AHealthySetupIsAllOkButSystemdAndExitsZero) {
  const DoctorReport report = run_doctor(options_);
  for (const CheckResult& r : report.results) {
    if (r.check == "systemd") {
      EXPECT_EQ(r.status, CheckStatus::warn);
      EXPECT_NE(r.detail.find("not running under systemd"), std::string::npos);
    } else {
      EXPECT_EQ(r.status, CheckStatus::ok) << r.check << ": " << r.detail;
    }
  }
  EXPECT_EQ(report.exit_code(), 0);
  EXPECT_EQ(coinglass_.record().rest_targets,
            std::vector<std::string>{"/api/futures/funding-rate/exchange-list"});
  EXPECT_EQ(coinglass_.record().rest_api_keys, std::vector<std::string>{api_key});
  EXPECT_EQ(result(report, "telegram chat -1001").status, CheckStatus::ok);
  EXPECT_EQ(result(report, "telegram chat 42").status, CheckStatus::ok);
}

TEST_F(DoctorTest, ReportsTheChecksInTheirOrder) {
  const DoctorReport report = run_doctor(options_);
  std::vector<std::string> names;
  for (const CheckResult& r : report.results) names.push_back(r.check);
  EXPECT_EQ(names, (std::vector<std::string>{"config", "coinglass key", "telegram token",
                                             "secrets file", "data directory", "storage",
                                             "coinglass", "coinglass stream", "telegram",
                                             "telegram chat -1001",
                                             "telegram chat 42", "health port", "systemd"}));
}

TEST_F(DoctorTest, ARefusedCoinglassKeyFailsWithoutPrintingTheKey) {
  SimCoinglassFaults faults;
  faults.rest_status = 401;
  coinglass_.set_faults(faults);
  const DoctorReport report = run_doctor(options_);
  const CheckResult& coinglass = result(report, "coinglass");
  EXPECT_EQ(coinglass.status, CheckStatus::fail);
  EXPECT_NE(coinglass.detail.find("CoinGlass refused the key"), std::string::npos);
  EXPECT_EQ(report.exit_code(), 1);
  EXPECT_EQ(printed(report).find(api_key), std::string::npos);
}

TEST_F(DoctorTest, ACoinglassCertificateNotTrustedFailsTheTlsCheck) {
  write_file(dir_ / "ca.pem", make_loopback_identity().ca_cert_pem);  // another CA
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(result(report, "coinglass").status, CheckStatus::fail);
  EXPECT_NE(result(report, "coinglass").detail.find("cannot reach"), std::string::npos);
  EXPECT_TRUE(coinglass_.record().rest_api_keys.empty()) << "the key went to an unverified server";
}

TEST_F(DoctorTest, CoinglassListedWithoutAKeyFailsAsRunWouldAndItsNetworkChecksAreSkipped) {
  options_.coinglass_api_key.clear();
  const DoctorReport report = run_doctor(options_);
  const CheckResult& key = result(report, "coinglass key");
  EXPECT_EQ(key.status, CheckStatus::fail);
  EXPECT_NE(key.detail.find("refuses to start"), std::string::npos) << key.detail;
  EXPECT_EQ(result(report, "coinglass").status, CheckStatus::warn);
  EXPECT_TRUE(coinglass_.record().rest_targets.empty());
  EXPECT_EQ(report.exit_code(), 1);
}

TEST_F(DoctorTest, AWrongBotTokenFailsWithoutPrintingTheToken) {
  options_.telegram_bot_token = "111:SECRET-wrong-token";
  const DoctorReport report = run_doctor(options_);
  const CheckResult& telegram = result(report, "telegram");
  EXPECT_EQ(telegram.status, CheckStatus::fail);
  EXPECT_NE(telegram.detail.find("refused the bot token"), std::string::npos);
  EXPECT_EQ(report.exit_code(), 1);
  EXPECT_EQ(printed(report).find("SECRET-wrong-token"), std::string::npos);
}

TEST_F(DoctorTest, AChatTheBotCannotReachFails) {
  write_config(fmt::format("[-1001, {}]", unreachable_chat));
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(result(report, "telegram chat -1001").status, CheckStatus::ok);
  const CheckResult& chat = result(report, "telegram chat " + std::to_string(unreachable_chat));
  EXPECT_EQ(chat.status, CheckStatus::fail);
  EXPECT_NE(chat.detail.find("chat not found"), std::string::npos);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST_F(DoctorTest, ADataDirectoryUnderARegularFileFailsBothDirectoryAndStorage) {
  write_file(dir_ / "plain-file", "not a directory");
  write_config("[-1001]", "127.0.0.1:0", (dir_ / "plain-file" / "data" / "teleglas.db").string());
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(result(report, "data directory").status, CheckStatus::fail);
  EXPECT_EQ(result(report, "storage").status, CheckStatus::fail);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST_F(DoctorTest, AMissingDataDirectoryIsReportedNotCreated) {
  write_config("[-1001]", "127.0.0.1:0", (dir_ / "missing" / "teleglas.db").string());
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(result(report, "data directory").status, CheckStatus::fail);
  EXPECT_EQ(result(report, "storage").status, CheckStatus::fail);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing"));
}

TEST_F(DoctorTest, StorageIsProbedWithoutCreatingTheDatabase) {
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(result(report, "storage").status, CheckStatus::ok);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "data"));
}

TEST_F(DoctorTest, ATakenHealthPortFails) {
  net::io_context io;
  net::ip::tcp::acceptor taken(io, {net::ip::make_address("127.0.0.1"), 0});
  write_config("[-1001]", "127.0.0.1:" + std::to_string(taken.local_endpoint().port()));
  const DoctorReport report = run_doctor(options_);
  const CheckResult& port = result(report, "health port");
  EXPECT_EQ(port.status, CheckStatus::fail);
  EXPECT_NE(port.detail.find("another teleglas running?"), std::string::npos);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST_F(DoctorTest, APortHeldByTheActiveServiceIsExpected) {
  net::io_context io;
  net::ip::tcp::acceptor taken(io, {net::ip::make_address("127.0.0.1"), 0});
  write_config("[-1001]", "127.0.0.1:" + std::to_string(taken.local_endpoint().port()));
  options_.systemd = [] { return SystemdUnitState{"active", "enabled"}; };
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(result(report, "health port").status, CheckStatus::ok);
  EXPECT_EQ(result(report, "systemd").status, CheckStatus::ok);
}

TEST_F(DoctorTest, AnInactiveOrMissingUnitFails) {
  options_.systemd = [] { return SystemdUnitState{"inactive", "enabled"}; };
  EXPECT_EQ(result(run_doctor(options_), "systemd").status, CheckStatus::fail);
  options_.systemd = [] { return SystemdUnitState{"inactive", ""}; };
  const DoctorReport missing = run_doctor(options_);
  EXPECT_EQ(result(missing, "systemd").status, CheckStatus::fail);
  EXPECT_NE(result(missing, "systemd").detail.find("not installed"), std::string::npos);
}

TEST_F(DoctorTest, AnOpenSecretsFileFails) {
  write_file(dir_ / "teleglas.env", "COINGLASS_API_KEY=x\n");
  ::chmod((dir_ / "teleglas.env").c_str(), 0644);
  std::ofstream(options_.config_path, std::ios::app)
      << "secrets_file: " << (dir_ / "teleglas.env").string() << "\n";
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(result(report, "secrets file").status, CheckStatus::fail);
  EXPECT_NE(result(report, "secrets file").detail.find("chmod 600"), std::string::npos);
}

TEST_F(DoctorTest, AnInvalidConfigFailsWithItsProblemsAndSkipsTheRest) {
  write_file(options_.config_path, "http:\n  listen: 8080\nstorage:\n  retention_days: -1\n");
  const DoctorReport report = run_doctor(options_);
  EXPECT_EQ(report.results.front().status, CheckStatus::fail);
  EXPECT_FALSE(report.results.front().notes.empty());
  for (std::size_t i = 1; i < report.results.size(); ++i) {
    EXPECT_EQ(report.results[i].status, CheckStatus::warn) << report.results[i].check;
  }
  EXPECT_TRUE(coinglass_.record().rest_targets.empty());
  EXPECT_EQ(report.exit_code(), 1);
}

TEST(DoctorMask, ReplacesEveryOccurrenceOfEverySecret) {
  EXPECT_EQ(mask_secrets("a KEY b KEY c TOK", {"KEY", "TOK", ""}), "a *** b *** c ***");
  EXPECT_EQ(mask_secrets("nothing here", {"KEY"}), "nothing here");
}

}  // namespace
}  // namespace teleglas
