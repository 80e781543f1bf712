#include "teleglas/simserver/telegram_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "../simserver/sim_test_support.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {
namespace {

namespace net = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string token = "123456:TEST-TOKEN";
constexpr std::int64_t unreachable_chat = -100999;

// A request started on the test thread's io_context and driven by run_until; the client lives
// as long as the request may.
struct PendingCall {
  std::unique_ptr<HttpsClient> client;
  std::future<HttpsResponse> response;
  bool ready() const { return response.wait_for(0s) == std::future_status::ready; }
};

// The fake on its own thread, as the sink tests run it, and clients on the test thread.
class SimTelegramServerTest : public ::testing::Test {
 protected:
  SimTelegramServerTest()
      : identity_(make_loopback_identity()),
        ca_(identity_.ca_cert_pem),
        server_(server_io_, SimTelegramOptions{.identity = identity_,
                                               .token = token,
                                               .on_delivered =
                                                   [this](const SimTelegramMessage& m) {
                                                     std::lock_guard lock(watched_mutex_);
                                                     watched_.push_back(m);
                                                   }}),
        work_(server_io_.get_executor()),
        thread_([this] { server_io_.run(); }) {}
  ~SimTelegramServerTest() override {
    server_.stop();
    work_.reset();
    thread_.join();
  }

  PendingCall start(std::string method, std::string target, std::string body = {},
                    std::string content_type = {}) {
    PendingCall call;
    call.client =
        std::make_unique<HttpsClient>(io_.get_executor(), server_.api_url(),
                                      HttpsClientOptions{.ca_file = ca_.path(), .timeout = 5s});
    call.response = net::co_spawn(io_,
                                  call.client->request(std::move(method), std::move(target), {},
                                                       std::move(body), std::move(content_type)),
                                  net::use_future);
    return call;
  }

  HttpsResponse finish(PendingCall& call) {
    sim_test::run_until(io_, [&] { return call.ready(); });
    return call.response.get();
  }

  HttpsResponse send(const std::string& bot_token, const std::string& body) {
    PendingCall call = start("POST", "/bot" + bot_token + "/sendMessage", body, "application/json");
    return finish(call);
  }

  PendingCall start_get_updates(const std::string& json_body) {
    return start("POST", "/bot" + token + "/getUpdates", json_body, "application/json");
  }

  HttpsResponse get_updates(const std::string& json_body) {
    PendingCall call = start_get_updates(json_body);
    return finish(call);
  }

  // Runs the client side until the server has seen `count` getUpdates calls.
  bool wait_for_get_updates_calls(std::size_t count) {
    return sim_test::run_until(io_, [&] { return server_.get_updates_calls().size() >= count; });
  }

  std::vector<SimTelegramMessage> watched() const {
    std::lock_guard lock(watched_mutex_);
    return watched_;
  }

  mutable std::mutex watched_mutex_;
  std::vector<SimTelegramMessage> watched_;  // what on_delivered was shown, on the server thread
  TlsIdentity identity_;
  sim_test::TempFile ca_;
  net::io_context server_io_;
  SimTelegramServer server_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  net::io_context io_;
};

// The `result` array of a successful Bot API answer.
json::array result_of(const HttpsResponse& res) {
  const json::object body = json::parse(res.body).as_object();
  EXPECT_TRUE(body.at("ok").as_bool()) << res.body;
  return body.at("result").as_array();
}

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

TEST_F(SimTelegramServerTest, RecordsWhenEachMessageArrived) {
  const auto before = Clock::now();
  send(token, std::string(message_json));
  send(token, std::string(message_json));
  const auto after = Clock::now();

  const auto messages = server_.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_GE(messages[0].received_at, before);
  EXPECT_LE(messages[0].received_at, messages[1].received_at);
  EXPECT_LE(messages[1].received_at, after);
}

TEST_F(SimTelegramServerTest, ShowsOnlyDeliveredMessagesToOnDelivered) {
  server_.fail_next_with_429(1, 1);
  EXPECT_EQ(send(token, std::string(message_json)).status, 429u);
  EXPECT_EQ(send("999:WRONG", std::string(message_json)).status, 401u);
  EXPECT_EQ(send(token, std::string(message_json)).status, 200u);

  const auto watched = this->watched();
  ASSERT_EQ(watched.size(), 1u);
  EXPECT_EQ(watched[0].status, 200u);
  EXPECT_EQ(watched[0].text, "<b>hi</b>");
  EXPECT_EQ(watched[0].received_at, server_.delivered().at(0).received_at);
}

SimTelegramMessage sent_message(std::string text, std::string parse_mode) {
  SimTelegramMessage message;
  message.text = std::move(text);
  message.parse_mode = std::move(parse_mode);
  return message;
}

TEST(SimTelegramDisplayedText, DropsHtmlTagsAndDecodesEntities) {
  const auto message = sent_message(
      "<b>BTC</b> &lt;$1M&gt; &amp; <a href=\"https://x\">more</a> &#128225;&#x2014;&quot;",
      "HTML");
  EXPECT_EQ(displayed_text(message), "BTC <$1M> & more \U0001F4E1\u2014\"");
}

TEST(SimTelegramDisplayedText, ShowsUnknownEntitiesAndStrayMarkupAsWritten) {
  const auto message = sent_message("a &nbsp; b &#xZZ; c & d < e", "HTML");
  EXPECT_EQ(displayed_text(message), "a &nbsp; b &#xZZ; c & d < e");
}

TEST(SimTelegramDisplayedText, ShowsTextWithoutParseModeAsSent) {
  EXPECT_EQ(displayed_text(sent_message("<b>as sent</b> &amp;", "")), "<b>as sent</b> &amp;");
}

TEST_F(SimTelegramServerTest, AnswersSendMessageOnlyAfterTheResponseDelay) {
  server_.set_response_delay(300ms);
  const auto before = Clock::now();
  const HttpsResponse res = send(token, std::string(message_json));
  const auto elapsed = Clock::now() - before;
  EXPECT_EQ(res.status, 200u) << res.error.message();
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(server_.delivered().size(), 1u);
}

TEST_F(SimTelegramServerTest, DropsTheConnectionWithoutAnAnswerAndRecordsStatusZero) {
  server_.drop_next_connections(1);
  const HttpsResponse dropped = send(token, std::string(message_json));
  EXPECT_TRUE(dropped.error) << "status " << dropped.status;

  const auto messages = server_.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].status, 0u);
  EXPECT_EQ(messages[0].chat_id, -100123);
  EXPECT_NE(messages[0].received_at, Clock::time_point{});
  EXPECT_TRUE(server_.delivered().empty());

  EXPECT_EQ(send(token, std::string(message_json)).status, 200u);
}

TEST_F(SimTelegramServerTest, AnswersUnknownMethodsWithNotFound) {
  PendingCall call = start("POST", "/bot" + token + "/sendCarrierPigeon", "{}", "application/json");
  const HttpsResponse res = finish(call);
  EXPECT_EQ(res.status, 404u);
  const auto body = json::parse(res.body).as_object();
  EXPECT_FALSE(body.at("ok").as_bool());
  EXPECT_EQ(body.at("error_code").as_int64(), 404);
  EXPECT_EQ(body.at("description").as_string(), "Not Found");
}

TEST_F(SimTelegramServerTest, ReturnsPushedMessagesAsUpdatesWithTheirChatAndSender) {
  const auto private_id = server_.push_update(42, "/status now", "alice");
  const auto group_id = server_.push_update(-100500, "hello", "bob");
  ASSERT_TRUE(private_id && group_id);
  EXPECT_EQ(*group_id, *private_id + 1);

  const json::array updates = result_of(get_updates("{}"));
  ASSERT_EQ(updates.size(), 2u);
  const json::object& first = updates[0].as_object();
  EXPECT_EQ(first.at("update_id").as_int64(), *private_id);
  const json::object& message = first.at("message").as_object();
  EXPECT_EQ(message.at("chat").at("id").as_int64(), 42);
  EXPECT_EQ(message.at("chat").at("type").as_string(), "private");
  EXPECT_EQ(message.at("from").at("username").as_string(), "alice");
  EXPECT_EQ(message.at("text").as_string(), "/status now");
  EXPECT_GT(message.at("date").as_int64(), 0);
  EXPECT_GT(message.at("message_id").as_int64(), 0);
  EXPECT_EQ(message.at("entities").at(0).at("type").as_string(), "bot_command");
  EXPECT_EQ(message.at("entities").at(0).at("length").as_int64(), 7);

  const json::object& second = updates[1].at("message").as_object();
  EXPECT_EQ(second.at("chat").at("id").as_int64(), -100500);
  EXPECT_EQ(second.at("chat").at("type").as_string(), "supergroup");
  EXPECT_EQ(second.at("from").at("username").as_string(), "bob");
}

TEST_F(SimTelegramServerTest, ForgetsUpdatesConfirmedByOffset) {
  const auto first = server_.push_update(42, "one");
  const auto second = server_.push_update(42, "two");
  ASSERT_TRUE(first && second);

  // Query parameters, as a GET poller sends them.
  PendingCall call = start(
      "GET", "/bot" + token + "/getUpdates?offset=" + std::to_string(*first + 1) + "&timeout=0");
  const json::array remaining = result_of(finish(call));
  ASSERT_EQ(remaining.size(), 1u);
  EXPECT_EQ(remaining[0].at("update_id").as_int64(), *second);
  EXPECT_EQ(server_.pending_updates(), 1u);

  const json::array none =
      result_of(get_updates(R"({"offset":)" + std::to_string(*second + 1) + "}"));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(server_.pending_updates(), 0u);

  const auto calls = server_.get_updates_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].offset, *first + 1);
  EXPECT_EQ(calls[1].offset, *second + 1);
}

TEST_F(SimTelegramServerTest, ReturnsAtMostLimitUpdates) {
  for (int i = 0; i < 3; ++i) server_.push_update(42, "m" + std::to_string(i));
  EXPECT_EQ(result_of(get_updates(R"({"limit":2})")).size(), 2u);
  EXPECT_EQ(server_.pending_updates(), 3u);  // returned is not confirmed
}

TEST_F(SimTelegramServerTest, HoldsALongPollUntilAnUpdateIsPushed) {
  PendingCall poll = start_get_updates(R"({"timeout":30})");
  ASSERT_TRUE(wait_for_get_updates_calls(1));
  EXPECT_EQ(server_.get_updates_calls()[0].timeout_s, 30);
  sim_test::run_until(
      io_, [&] { return poll.ready(); }, 200ms);
  EXPECT_FALSE(poll.ready()) << "answered an empty long poll at once";

  const auto pushed_at = Clock::now();
  server_.push_update(42, "wake up");
  const HttpsResponse res = finish(poll);
  EXPECT_LT(Clock::now() - pushed_at, 2s);
  const json::array updates = result_of(res);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].at("message").at("text").as_string(), "wake up");
}

TEST_F(SimTelegramServerTest, AnswersAnEmptyResultWhenALongPollTimesOut) {
  const auto before = Clock::now();
  const HttpsResponse res = get_updates(R"({"timeout":1})");
  const auto elapsed = Clock::now() - before;
  EXPECT_TRUE(result_of(res).empty());
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(SimTelegramServerTest, ReturnsARawUpdateWithAnUpdateIdAdded) {
  const auto id =
      server_.push_raw_update(R"({"my_chat_member":{"chat":{"id":-100500,"type":"supergroup"},)"
                              R"("new_chat_member":{"status":"kicked"}}})");
  ASSERT_TRUE(id);

  const json::array updates = result_of(get_updates("{}"));
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].at("update_id").as_int64(), *id);
  EXPECT_EQ(updates[0].at("my_chat_member").at("new_chat_member").at("status").as_string(),
            "kicked");
  EXPECT_FALSE(updates[0].as_object().contains("message"));
}

TEST_F(SimTelegramServerTest, RejectsARawUpdateThatIsNotAJsonObject) {
  EXPECT_THROW(server_.push_raw_update("[1,2]"), std::invalid_argument);
  EXPECT_THROW(server_.push_raw_update(R"({"update_id":1,"message":{}})"), std::invalid_argument);
}

TEST_F(SimTelegramServerTest, KeepsOnlyTheUpdateTypesTheBotAllowed) {
  get_updates(R"({"allowed_updates":["message"]})");
  EXPECT_FALSE(server_.push_raw_update(R"({"edited_message":{"text":"x"}})"));
  EXPECT_TRUE(server_.push_update(42, "kept"));
  EXPECT_EQ(server_.pending_updates(), 1u);
  ASSERT_TRUE(server_.get_updates_calls()[0].allowed_updates);
  EXPECT_EQ(*server_.get_updates_calls()[0].allowed_updates, std::vector<std::string>{"message"});
}

TEST_F(SimTelegramServerTest, FailsTheNextGetUpdatesWithConflictWithoutConfirming) {
  const auto id = server_.push_update(42, "one");
  server_.fail_next_get_updates_with_status(1, 409);
  const HttpsResponse conflict = get_updates(R"({"offset":)" + std::to_string(*id + 1) + "}");
  EXPECT_EQ(conflict.status, 409u);
  const auto body = json::parse(conflict.body).as_object();
  EXPECT_EQ(body.at("error_code").as_int64(), 409);
  EXPECT_TRUE(body.at("description")
                  .as_string()
                  .starts_with("Conflict: terminated by other getUpdates request"));
  EXPECT_EQ(server_.pending_updates(), 1u);

  EXPECT_EQ(result_of(get_updates("{}")).size(), 1u);
}

TEST_F(SimTelegramServerTest, EndsAHeldLongPollWithConflictWhenAnotherPollArrives) {
  PendingCall older = start_get_updates(R"({"timeout":30})");
  ASSERT_TRUE(wait_for_get_updates_calls(1));
  PendingCall newer = start_get_updates(R"({"timeout":0})");
  EXPECT_EQ(finish(older).status, 409u);
  EXPECT_EQ(finish(newer).status, 200u);
}

TEST_F(SimTelegramServerTest, StopEndsAHeldLongPollPromptly) {
  PendingCall poll = start_get_updates(R"({"timeout":30})");
  ASSERT_TRUE(wait_for_get_updates_calls(1));
  const auto stopped_at = Clock::now();
  server_.stop();
  const HttpsResponse res = finish(poll);
  EXPECT_LT(Clock::now() - stopped_at, 2s);
  EXPECT_TRUE(res.error) << "status " << res.status;
  // Closing the socket is not enough: the held poll itself must end, or the server's thread
  // would not return.
  work_.reset();
  EXPECT_TRUE(sim_test::run_until(
      io_, [&] { return server_io_.stopped(); }, 2s));
}

TEST_F(SimTelegramServerTest, RejectsGetUpdatesWithAWrongTokenAsUnauthorized) {
  server_.push_update(42, "secret");
  PendingCall call = start("POST", "/bot999:WRONG/getUpdates", "{}", "application/json");
  EXPECT_EQ(finish(call).status, 401u);
  EXPECT_EQ(server_.pending_updates(), 1u);
}

TEST_F(SimTelegramServerTest, GetMeDescribesTheBotOfAValidToken) {
  PendingCall call = start("GET", "/bot" + token + "/getMe");
  const HttpsResponse res = finish(call);
  ASSERT_EQ(res.status, 200u) << res.body;
  const auto body = json::parse(res.body).as_object();
  EXPECT_TRUE(body.at("ok").as_bool());
  EXPECT_EQ(body.at("result").as_object().at("id").as_int64(), 123456);
  EXPECT_TRUE(body.at("result").as_object().at("is_bot").as_bool());
}

TEST_F(SimTelegramServerTest, GetMeRejectsAWrongTokenAsUnauthorized) {
  PendingCall call = start("GET", "/bot999:WRONG/getMe");
  EXPECT_EQ(finish(call).status, 401u);
}

TEST_F(SimTelegramServerTest, GetChatAnswersAReachableChatFromAQueryOrAJsonBody) {
  PendingCall by_query = start("GET", "/bot" + token + "/getChat?chat_id=-1001");
  const HttpsResponse query_res = finish(by_query);
  ASSERT_EQ(query_res.status, 200u) << query_res.body;
  EXPECT_EQ(json::parse(query_res.body).at("result").at("id").as_int64(), -1001);
  EXPECT_EQ(json::parse(query_res.body).at("result").at("type").as_string(), "supergroup");

  PendingCall by_body =
      start("POST", "/bot" + token + "/getChat", R"({"chat_id":42})", "application/json");
  const HttpsResponse body_res = finish(by_body);
  ASSERT_EQ(body_res.status, 200u) << body_res.body;
  EXPECT_EQ(json::parse(body_res.body).at("result").at("type").as_string(), "private");
}

TEST_F(SimTelegramServerTest, GetChatAnswersChatNotFoundForAnUnreachableChat) {
  server_.set_unreachable_chats({unreachable_chat});
  PendingCall call =
      start("GET", "/bot" + token + "/getChat?chat_id=" + std::to_string(unreachable_chat));
  const HttpsResponse res = finish(call);
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(json::parse(res.body).at("description").as_string(), "Bad Request: chat not found");
}

TEST_F(SimTelegramServerTest, GetChatRejectsAWrongTokenAsUnauthorized) {
  PendingCall call = start("GET", "/bot999:WRONG/getChat?chat_id=42");
  EXPECT_EQ(finish(call).status, 401u);
}

}  // namespace
}  // namespace teleglas
