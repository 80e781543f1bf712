#include "teleglas/simserver/telegram_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <thread>

#include "sim_test_support.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

const std::string token = "123456:TEST-TOKEN";

// The fake on its own thread, as the sink tests will run it, and a client on the test thread.
class SimTelegramServerTest : public ::testing::Test {
 protected:
  SimTelegramServerTest()
      : identity_(make_loopback_identity()),
        ca_(identity_.ca_cert_pem),
        server_(server_io_, SimTelegramOptions{identity_, token}),
        work_(server_io_.get_executor()),
        thread_([this] { server_io_.run(); }) {}
  ~SimTelegramServerTest() override {
    server_.stop();
    work_.reset();
    thread_.join();
  }

  HttpsResponse send(const std::string& bot_token, const std::string& body) {
    HttpsClient client(io_.get_executor(), server_.api_url(),
                       {.ca_file = ca_.path(), .timeout = 5s});
    auto future = net::co_spawn(
        io_,
        client.request("POST", "/bot" + bot_token + "/sendMessage", {}, body, "application/json"),
        net::use_future);
    sim_test::run_until(io_, [&] { return future.wait_for(0s) == std::future_status::ready; });
    return future.get();
  }

  TlsIdentity identity_;
  sim_test::TempFile ca_;
  net::io_context server_io_;
  SimTelegramServer server_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  net::io_context io_;
};

constexpr std::string_view message_json =
    R"({"chat_id":-100123,"text":"<b>hi</b>","parse_mode":"HTML",)"
    R"("link_preview_options":{"is_disabled":true},"disable_notification":true})";

TEST_F(SimTelegramServerTest, RecordsASendMessageAndAnswersWithAMessageId) {
  const HttpsResponse res = send(token, std::string(message_json));
  ASSERT_TRUE(res.ok()) << res.status << " " << res.error.message();
  const auto body = boost::json::parse(res.body).as_object();
  EXPECT_TRUE(body.at("ok").as_bool());
  EXPECT_EQ(body.at("result").as_object().at("message_id").as_int64(), 1);

  const auto messages = server_.delivered();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].token, token);
  EXPECT_EQ(messages[0].chat_id, -100123);
  EXPECT_EQ(messages[0].text, "<b>hi</b>");
  EXPECT_EQ(messages[0].parse_mode, "HTML");
  EXPECT_TRUE(messages[0].disable_notification);
  EXPECT_EQ(messages[0].link_preview_options, R"({"is_disabled":true})");
}

TEST_F(SimTelegramServerTest, AnswersTooManyRequestsWithRetryAfterForTheNextRequestsOnly) {
  server_.fail_next_with_429(1, 7);
  const HttpsResponse limited = send(token, std::string(message_json));
  EXPECT_EQ(limited.status, 429u);
  const auto body = boost::json::parse(limited.body).as_object();
  EXPECT_FALSE(body.at("ok").as_bool());
  EXPECT_EQ(body.at("error_code").as_int64(), 429);
  EXPECT_EQ(body.at("description").as_string(), "Too Many Requests: retry after 7");
  EXPECT_EQ(body.at("parameters").as_object().at("retry_after").as_int64(), 7);

  EXPECT_EQ(send(token, std::string(message_json)).status, 200u);
}

TEST_F(SimTelegramServerTest, AnswersServerErrorsForTheNextRequestsOnly) {
  server_.fail_next_with_status(2, 502);
  EXPECT_EQ(send(token, std::string(message_json)).status, 502u);
  EXPECT_EQ(send(token, std::string(message_json)).status, 502u);
  EXPECT_EQ(send(token, std::string(message_json)).status, 200u);
  EXPECT_EQ(server_.messages().size(), 3u);
  EXPECT_EQ(server_.delivered().size(), 1u);
}

TEST_F(SimTelegramServerTest, RejectsAWrongTokenAsUnauthorized) {
  const HttpsResponse res = send("999:WRONG", std::string(message_json));
  EXPECT_EQ(res.status, 401u);
  const auto body = boost::json::parse(res.body).as_object();
  EXPECT_EQ(body.at("error_code").as_int64(), 401);
  EXPECT_EQ(body.at("description").as_string(), "Unauthorized");
  EXPECT_TRUE(server_.delivered().empty());
}

}  // namespace
}  // namespace teleglas
