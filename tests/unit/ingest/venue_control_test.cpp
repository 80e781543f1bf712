// The venues' side of the conversation: acknowledgements, JSON pongs and error messages are
// frames of their own kinds, counted, and never rejects. Examples after the venues' docs.
#include <gtest/gtest.h>

#include <string>

#include "teleglas/ingest/parser.hpp"
#include "venue_builders.hpp"

namespace teleglas {
namespace {

struct Outcome {
  FrameKind kind;
  Source source;
  std::string notice;
};

Outcome control_of(const std::string& frame) {
  FrameParser parser;
  const ParsedFrame& f = parser.parse(frame);
  EXPECT_EQ(parser.stats().rejected(), 0u) << frame;
  EXPECT_TRUE(f.events.empty()) << frame;
  return {f.kind, f.source, std::string(f.notice)};
}

TEST(VenueControl, BybitSubscribeAcknowledgementIsAnAck) {
  const Outcome linear =
      control_of(R"({"success":true,"ret_msg":"","conn_id":"3cd84cb1-4d06-4a05-930a-2efe5fc70f0f",)"
                 R"("req_id":"","op":"subscribe"})");
  EXPECT_EQ(linear.kind, FrameKind::ack);
  EXPECT_EQ(linear.source, Source::bybit);
  const Outcome option =
      control_of(R"({"success":true,"conn_id":"aa01","data":{"failTopics":[],"successTopics":)"
                 R"(["orderbook.100.BTC-6JAN23-18000-C"]},"type":"COMMAND_RESP"})");
  EXPECT_EQ(option.kind, FrameKind::ack);
}

TEST(VenueControl, BybitPongsArePongs) {
  // Linear and inverse answer a ping with ret_msg "pong"; options and private with op "pong".
  EXPECT_EQ(control_of(R"({"success":true,"ret_msg":"pong","conn_id":"465772b1",)"
                       R"("req_id":"","op":"ping"})")
                .kind,
            FrameKind::pong);
  EXPECT_EQ(control_of(R"({"args":["1672916271846"],"op":"pong"})").kind, FrameKind::pong);
  EXPECT_EQ(control_of(R"({"req_id":"test","op":"pong","args":["1675418560633"],)"
                       R"("conn_id":"cfcb4ocsvfriu23r3er0-1b"})")
                .source,
            Source::bybit);
}

TEST(VenueControl, BybitErrorIsANoticeWithItsMessage) {
  const Outcome error = control_of(
      R"({"success":false,"ret_msg":"error:handler not found","conn_id":"x","req_id":"",)"
      R"("op":"subscribe"})");
  EXPECT_EQ(error.kind, FrameKind::notice);
  EXPECT_EQ(error.source, Source::bybit);
  EXPECT_EQ(error.notice, "error:handler not found");
}

TEST(VenueControl, BinanceResultIsAnAckAndErrorsAreNotices) {
  const Outcome ack = control_of(R"({"result":null,"id":1})");
  EXPECT_EQ(ack.kind, FrameKind::ack);
  EXPECT_EQ(ack.source, Source::binance);
  EXPECT_EQ(control_of(R"({"result":["btcusdt@aggTrade"],"id":3})").kind, FrameKind::ack);

  const Outcome nested = control_of(
      R"({"error":{"code":2,"msg":"Invalid request: unknown variant `subscrib`"},"id":1})");
  EXPECT_EQ(nested.kind, FrameKind::notice);
  EXPECT_EQ(nested.source, Source::binance);
  EXPECT_EQ(nested.notice, "Invalid request: unknown variant `subscrib`");

  const Outcome flat = control_of(R"({"code":-1121,"msg":"Invalid symbol."})");
  EXPECT_EQ(flat.kind, FrameKind::notice);
  EXPECT_EQ(flat.notice, "Invalid symbol.");
}

TEST(VenueControl, OkxEventsAreAcksOrNotices) {
  const Outcome subscribed = control_of(
      R"({"id":"1512","event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},)"
      R"("connId":"a4d3ae55"})");
  EXPECT_EQ(subscribed.kind, FrameKind::ack);
  EXPECT_EQ(subscribed.source, Source::okx);

  const Outcome error =
      control_of(R"({"id":"1512","event":"error","code":"60012","msg":"Invalid request: {\"op\": )"
                 R"(\"subscribe\"}","connId":"a4d3ae55"})");
  EXPECT_EQ(error.kind, FrameKind::notice);
  EXPECT_EQ(error.source, Source::okx);
  EXPECT_EQ(error.notice, R"(Invalid request: {"op": "subscribe"})");  // unescaped

  // An error that names the channel it is about is still an error, not a data frame.
  const Outcome about_channel = control_of(
      R"({"event":"error","arg":{"channel":"trades","instId":"NOPE-USDT-SWAP"},"code":"60018",)"
      R"("msg":"Wrong URL or channel:trades,instId:NOPE-USDT-SWAP doesn't exist.","connId":"1"})");
  EXPECT_EQ(about_channel.kind, FrameKind::notice);

  EXPECT_EQ(control_of(R"({"event":"notice","code":"64008","msg":"The connection will soon be )"
                       R"(closed for a service upgrade.","connId":"a4d3ae55"})")
                .kind,
            FrameKind::notice);
  EXPECT_EQ(control_of(R"({"event":"channel-conn-count","channel":"trades","connCount":"2",)"
                       R"("connId":"abcd1234"})")
                .kind,
            FrameKind::ack);
}

// An "event" member never costs a CoinGlass frame its data.
TEST(VenueControl, ACoinGlassFrameStaysDataWhateverElseItCarries) {
  FrameParser parser;
  const std::string frame = R"({"channel":"liquidationOrders","event":"subscribe","success":true,)"
                            R"("data":[)" +
                            frames::good_element + "]}";
  const ParsedFrame& f = parser.parse(frame);
  ASSERT_EQ(f.kind, FrameKind::market);
  EXPECT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.source, Source::coinglass);
  EXPECT_EQ(parser.stats().acks, 0u);
}

TEST(VenueControl, ANoticeWithoutWordsCarriesTheFrame) {
  const std::string frame = R"({"success":false,"op":"subscribe"})";
  const Outcome error = control_of(frame);
  EXPECT_EQ(error.kind, FrameKind::notice);
  EXPECT_EQ(error.notice, frame);
}

TEST(VenueControl, CountsAcksPongsAndNoticesApart) {
  FrameParser parser;
  parser.parse(R"({"result":null,"id":1})");
  parser.parse(R"({"event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"}})");
  parser.parse(R"({"success":true,"ret_msg":"pong","op":"ping"})");
  parser.parse("pong");
  parser.parse(R"({"event":"error","code":"60012","msg":"bad"})");
  parser.parse("liquidationOrders need upgrade plan");
  const ParseStats& s = parser.stats();
  EXPECT_EQ(s.frames, 6u);
  EXPECT_EQ(s.acks, 2u);
  EXPECT_EQ(s.pongs, 2u);
  EXPECT_EQ(s.notices, 2u);
  EXPECT_EQ(s.events, 0u);
  EXPECT_EQ(s.rejected(), 0u);
}

TEST(VenueControl, ObjectsWithNeitherNameNorControlMembersStayRejects) {
  EXPECT_EQ(frames::frame_reject(R"({"id":1})"), RejectReason::missing_channel);
  EXPECT_EQ(frames::frame_reject(R"({"msg":"hello"})"), RejectReason::missing_channel);
  EXPECT_EQ(frames::frame_reject(R"({"success":"yes"})"), RejectReason::missing_channel);
  EXPECT_EQ(frames::frame_reject(R"({"event":7})"), RejectReason::missing_channel);
  EXPECT_EQ(frames::frame_reject(R"({"success":true,"ret_msg":"pong")"),
            RejectReason::invalid_json);
  EXPECT_EQ(frames::frame_reject(R"({"result":null,"id":1}x)"), RejectReason::invalid_json);
}

}  // namespace
}  // namespace teleglas
