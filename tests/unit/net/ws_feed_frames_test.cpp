// How the feed reads what arrives, byte for byte: a TLS server on 127.0.0.1 that answers the
// upgrade and then writes exactly the bytes a test scripts, each piece in one TLS record. Many
// frames to a record, one frame cut across records, frames in the upgrade response's record,
// control frames and fragments among text, non-ASCII and binary and oversize frames, and frames
// the WebSocket rules refuse: every message arrives whole, in order, once, by the same rules
// whichever way the feed reads it (whole text frames straight from what TLS decrypted, the rest
// through the WebSocket stream).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "feed_test_support.hpp"
#include "teleglas/net/tls_context.hpp"
#include "teleglas/net/ws_feed.hpp"
#include "teleglas/net/ws_frame.hpp"

namespace teleglas {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// A frame as a server writes it (unmasked unless asked).
std::string frame(WsOpcode opcode, std::string_view payload, bool fin = true, bool masked = false) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0x00) | static_cast<int>(opcode));
  const std::size_t n = payload.size();
  const int mask_bit = masked ? 0x80 : 0x00;
  if (n < 126) {
    out += static_cast<char>(mask_bit | static_cast<int>(n));
  } else if (n <= 0xffff) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  }
  if (!masked) return out + std::string(payload);
  const char key[4] = {0x11, 0x22, 0x33, 0x44};
  out.append(key, 4);
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(payload[i] ^ key[i % 4]);
  return out;
}

std::string text(std::string_view payload) {
  return frame(WsOpcode::text, payload);
}

std::string accept_key(std::string_view key) {
  const std::string input = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[64];
  const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

// Answers each upgrade with a 101 and then writes `pieces`, one write (one TLS record) each,
// `gap` apart; with `response_joins_first` the 101 and the first piece are one write. Then it
// reads (and ignores) whatever the client sends until the connection ends.
class RawWsServer {
 public:
  RawWsServer(net::io_context& io, const TlsIdentity& identity, std::vector<std::string> pieces,
              std::chrono::milliseconds gap = 0ms, bool response_joins_first = false)
      : state_(std::make_shared<State>(io, identity)) {
    state_->pieces = std::move(pieces);
    state_->gap = gap;
    state_->response_joins_first = response_joins_first;
    net::co_spawn(io, accept_loop(state_), net::detached);
  }
  ~RawWsServer() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& weak : state_->sessions) {
      if (auto tls = weak.lock()) tls->lowest_layer().close(ignored);
    }
  }

  std::string url() const {
    return "wss://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port()) + "/ws";
  }
  int connections() const { return state_->connections; }

 private:
  using Tls = net::ssl::stream<tcp::socket>;
  struct State {
    State(net::io_context& io, const TlsIdentity& identity)
        : acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)),
          tls(make_server_tls_context(identity)) {}
    tcp::acceptor acceptor;
    net::ssl::context tls;
    std::vector<std::string> pieces;
    std::chrono::milliseconds gap{};
    bool response_joins_first = false;
    int connections = 0;
    std::vector<std::weak_ptr<Tls>> sessions;
  };

  static net::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(nothrow);
      if (ec) co_return;
      ++state->connections;
      net::co_spawn(state->acceptor.get_executor(), serve(state, std::move(socket)), net::detached);
    }
  }

  static net::awaitable<void> serve(std::shared_ptr<State> state, tcp::socket socket) {
    auto tls = std::make_shared<Tls>(std::move(socket), state->tls);
    state->sessions.push_back(tls);
    if (auto [ec] = co_await tls->async_handshake(net::ssl::stream_base::server, nothrow); ec) {
      co_return;
    }
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    if (auto [ec, n] = co_await http::async_read(*tls, buffer, request, nothrow); ec) co_return;
    const std::string response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        accept_key(request[http::field::sec_websocket_key]) + "\r\n\r\n";
    std::vector<std::string> writes = state->pieces;
    if (state->response_joins_first && !writes.empty()) {
      writes.front() = response + writes.front();
    } else {
      writes.insert(writes.begin(), response);
    }
    net::steady_timer timer(state->acceptor.get_executor());
    for (const std::string& piece : writes) {
      if (auto [ec, n] = co_await net::async_write(*tls, net::buffer(piece), nothrow); ec) {
        co_return;
      }
      if (state->gap > 0ms) {
        timer.expires_after(state->gap);
        co_await timer.async_wait(nothrow);
      }
    }
    char sink[4096];
    for (;;) {
      if (auto [ec, n] = co_await tls->async_read_some(net::buffer(sink), nothrow); ec) co_return;
    }
  }

  std::shared_ptr<State> state_;
};

class FeedFramesTest : public testing::FeedTestBase {
 protected:
  void TearDown() override {
    feed_.reset();
    server_.reset();
    FeedTestBase::TearDown();
  }

  // A feed of every frame (no control frames of a venue, no heartbeat) on one connection to a
  // server writing `pieces`.
  WsFeed& start(std::vector<std::string> pieces, std::chrono::milliseconds gap = 0ms,
                bool response_joins_first = false, int max_frame_bytes = 1 << 20) {
    server_ = std::make_unique<RawWsServer>(io_, *identity_, std::move(pieces), gap,
                                            response_joins_first);
    FeedProtocol protocol;
    protocol.source = "test";
    protocol.venue = "Test";
    protocol.ws_url = server_->url();
    protocol.ca_file = ca_path_.string();
    protocol.connections = {{server_->url(), {R"({"op":"subscribe"})"}, 1}};
    protocol.heartbeat.interval_s = 0;
    protocol.reconnect_initial_s = 30;  // one connection per scenario
    protocol.reconnect_max_s = 30;
    protocol.max_frame_bytes = max_frame_bytes;
    feed_ = std::make_unique<WsFeed>(io_, std::move(protocol), listener_, feed_options());
    feed_->start();
    return *feed_;
  }

  bool received(std::size_t n) {
    return run_until([&] { return listener_.frames.size() >= n; });
  }

  std::unique_ptr<RawWsServer> server_;
  std::unique_ptr<WsFeed> feed_;
};

std::vector<std::string> numbered(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(R"({"channel":"trades","n":)" + std::to_string(i) + "}");
  }
  return out;
}

TEST_F(FeedFramesTest, ManyFramesInOneRecordArriveEachWholeInOrderAndOnce) {
  const std::vector<std::string> messages = numbered(300);
  std::string piece;
  for (const std::string& m : messages) piece += text(m);
  ASSERT_LT(piece.size(), 16'000u);  // one TLS record
  WsFeed& feed = start({piece, piece});
  ASSERT_TRUE(received(600));
  run_for(50ms);
  std::vector<std::string> twice = messages;
  twice.insert(twice.end(), messages.begin(), messages.end());
  EXPECT_THAT(listener_.texts(), ElementsAreArray(twice));
  EXPECT_EQ(feed.stats().total().frames, 600u);
  EXPECT_EQ(feed.stats().total().errors, 0u);
  // Each frame has its own receive time, in order.
  for (std::size_t i = 1; i < listener_.frames.size(); ++i) {
    EXPECT_LT(listener_.frames[i - 1].time, listener_.frames[i].time);
  }
}

// Records the buffer each frame came with, reading all of it: the promise is that it may be read.
struct PaddingListener : testing::RecordingListener {
  void on_padded_frame(std::string_view text, TimeMs time, std::size_t readable) override {
    ++padded;
    if (readable < text.size() + 64) ++short_buffers;
    unsigned sum = 0;
    for (std::size_t i = 0; i < readable; ++i) sum += static_cast<unsigned char>(text.data()[i]);
    checksum += sum;
    // What follows the frame never looks like the end of a JSON document (see BufferedTls).
    const char after = text.data()[text.size()];
    if (after == '}' || after == ']') ++closing_after;
    on_frame(text, time);
  }
  int padded = 0;
  int short_buffers = 0;
  int closing_after = 0;
  unsigned checksum = 0;
};

TEST_F(FeedFramesTest, FramesTakenWholeComeWithTheirBufferReadablePastTheirEnd) {
  PaddingListener padding;
  server_ = std::make_unique<RawWsServer>(
      io_, *identity_, std::vector<std::string>{text("{}") + text(R"({"a":[1]})") + text("[]")},
      0ms);
  FeedProtocol protocol;
  protocol.source = "test";
  protocol.ws_url = server_->url();
  protocol.ca_file = ca_path_.string();
  protocol.connections = {{server_->url(), {}, 1}};
  protocol.heartbeat.interval_s = 0;
  protocol.reconnect_initial_s = 30;
  feed_ = std::make_unique<WsFeed>(io_, std::move(protocol), padding, feed_options());
  feed_->start();
  ASSERT_TRUE(run_until([&] { return padding.frames.size() >= 3; }));
  EXPECT_THAT(padding.texts(), ElementsAre("{}", R"({"a":[1]})", "[]"));
  EXPECT_GE(padding.padded, 1);
  EXPECT_EQ(padding.short_buffers, 0);
  EXPECT_EQ(padding.closing_after, 0);
}

TEST_F(FeedFramesTest, AFrameCutAcrossRecordsAnywhereArrivesWhole) {
  const std::string big(1000, 'x');  // a 16-bit length: a 4-byte header
  const std::string whole = text(big);
  // Cut inside the header, right after it and inside the payload, each piece its own record.
  start({whole.substr(0, 1), whole.substr(1, 2), whole.substr(3, 1), whole.substr(4, 500),
         whole.substr(504) + text("next") + text("last").substr(0, 1), text("last").substr(1)},
        20ms);
  ASSERT_TRUE(received(3));
  run_for(50ms);
  EXPECT_THAT(listener_.texts(), ElementsAre(big, "next", "last"));
}

TEST_F(FeedFramesTest, ATextFrameLargerThanWhatIsBufferedArrivesWholeBetweenSmallOnes) {
  std::string large(300'000, 'l');  // a 64-bit length, over many records
  large.back() = '!';
  const std::string whole = text(large);
  start({text("small") + whole.substr(0, 100'000), whole.substr(100'000) + text("after")});
  ASSERT_TRUE(received(3));
  run_for(50ms);
  EXPECT_THAT(listener_.texts(), ElementsAre("small", large, "after"));
}

TEST_F(FeedFramesTest, FramesInTheUpgradeResponsesRecordAreNotLost) {
  start({text("first") + text("second") + text("third"), text("fourth")}, 0ms,
        /*response_joins_first=*/true);
  ASSERT_TRUE(received(4));
  run_for(50ms);
  EXPECT_THAT(listener_.texts(), ElementsAre("first", "second", "third", "fourth"));
}

TEST_F(FeedFramesTest, ControlFramesAndFragmentsAmongTextKeepTheirOrderAndRules) {
  // A ping and a pong between messages, and one inside a fragmented message (RFC 6455 §5.4
  // lets control frames come between fragments).
  const std::string piece = text("a") + frame(WsOpcode::ping, "p1") + text("b") +
                            frame(WsOpcode::text, "c", /*fin=*/false) +
                            frame(WsOpcode::pong, "p2") +
                            frame(WsOpcode::continuation, "d", /*fin=*/false) +
                            frame(WsOpcode::continuation, "e") + text("f");
  WsFeed& feed = start({piece});
  ASSERT_TRUE(received(4));
  run_for(50ms);
  EXPECT_THAT(listener_.texts(), ElementsAre("a", "b", "cde", "f"));
  EXPECT_EQ(feed.stats().total().pongs, 1u);  // the unsolicited pong, seen as one
  EXPECT_EQ(feed.stats().total().errors, 0u);
}

TEST_F(FeedFramesTest, NonAsciiBinaryEmptyAndOversizeFramesGoByTheUsualRules) {
  const std::string oversize(100, 'o');
  const std::string piece = text("x1") + text("prix 5 €, 币安人生") +
                            frame(WsOpcode::binary, "\x01\x02") + text(oversize) + text("") +
                            text("x2");
  WsFeed& feed = start({piece}, 0ms, false, /*max_frame_bytes=*/64);
  ASSERT_TRUE(received(4));
  run_for(50ms);
  EXPECT_THAT(listener_.texts(), ElementsAre("x1", "prix 5 €, 币安人生", "", "x2"));
  const FeedConnectionStats stats = feed.stats().total();
  EXPECT_EQ(stats.dropped_binary, 1u);
  EXPECT_EQ(stats.dropped_oversize, 1u);
  EXPECT_EQ(stats.errors, 0u);
}

TEST_F(FeedFramesTest, FramesTheWebSocketRulesRefuseEndTheConnectionUndelivered) {
  // A masked frame from a server, then invalid UTF-8: each fails the connection where it
  // stands; what came before it was delivered, nothing after.
  for (const std::string& refused :
       {frame(WsOpcode::text, "masked", true, /*masked=*/true), text("bad \xC3\x28 utf-8")}) {
    SCOPED_TRACE(::testing::PrintToString(refused));
    listener_ = {};
    WsFeed& feed = start({text("before") + refused + text("after")});
    ASSERT_TRUE(run_until([&] { return feed.stats().total().errors >= 1; }));
    EXPECT_THAT(listener_.texts(), ElementsAre("before"));
    feed_.reset();
    server_.reset();
  }
}

TEST_F(FeedFramesTest, ACloseFrameAfterTextEndsTheConnectionOnceTheTextIsDelivered) {
  std::string close_payload("\x03\xe8", 2);  // 1000, normal closure
  WsFeed& feed = start({text("one") + text("two") + frame(WsOpcode::close, close_payload)});
  ASSERT_TRUE(run_until([&] { return feed.stats().total().errors >= 1; }));
  EXPECT_THAT(listener_.texts(), ElementsAre("one", "two"));
}

}  // namespace
}  // namespace teleglas
