#include "teleglas/net/url.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

constexpr std::string_view key = "KEY-7f3a9c1d-secret";

WsUrl parse(std::string_view url, std::string_view api_key = key) {
  std::error_code ec;
  WsUrl out = make_ws_url(url, api_key, ec);
  EXPECT_FALSE(ec) << ec.message();
  return out;
}

TEST(Url, CoinglassUrlSplitsIntoHostPortAndTargetWithTheKey) {
  const WsUrl url = parse("wss://open-ws.coinglass.com/ws-api");
  EXPECT_TRUE(url.secure);
  EXPECT_EQ(url.host, "open-ws.coinglass.com");
  EXPECT_EQ(url.port, "443");
  EXPECT_EQ(url.host_header, "open-ws.coinglass.com");
  EXPECT_EQ(url.target, "/ws-api?cg-api-key=KEY-7f3a9c1d-secret");
}

TEST(Url, ExplicitPortAndIpv4Host) {
  const WsUrl url = parse("wss://127.0.0.1:8443/ws-api");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, "8443");
  EXPECT_EQ(url.host_header, "127.0.0.1:8443");
}

TEST(Url, Ipv6HostLosesItsBracketsExceptInTheHostHeader) {
  const WsUrl url = parse("wss://[::1]:9000/ws-api");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, "9000");
  EXPECT_EQ(url.host_header, "[::1]:9000");
}

TEST(Url, PlainWsDefaultsToPort80) {
  const WsUrl url = parse("ws://localhost/feed");
  EXPECT_FALSE(url.secure);
  EXPECT_EQ(url.port, "80");
}

TEST(Url, EmptyPathBecomesSlash) {
  EXPECT_EQ(parse("wss://example.com").target, "/?cg-api-key=KEY-7f3a9c1d-secret");
}

TEST(Url, ExistingQueryIsKeptAndAnExistingKeyReplaced) {
  const WsUrl url = parse("wss://example.com/ws?x=1&cg-api-key=old#frag");
  EXPECT_EQ(url.target, "/ws?x=1&cg-api-key=KEY-7f3a9c1d-secret");
}

TEST(Url, KeyIsPercentEncodedInTheTarget) {
  const WsUrl url = parse("wss://example.com/ws", "a&b=c");
  EXPECT_EQ(url.target, "/ws?cg-api-key=a%26b=c");
}

TEST(Url, EmptyKeyAddsNoParameter) {
  EXPECT_EQ(parse("wss://example.com/ws", "").target, "/ws");
}

TEST(Url, RedactedFormNeverShowsTheKey) {
  const WsUrl url = parse("wss://open-ws.coinglass.com/ws-api");
  EXPECT_EQ(url.redacted, "wss://open-ws.coinglass.com/ws-api?cg-api-key=***");
  EXPECT_EQ(url.redacted.find(key), std::string::npos);
}

TEST(Url, RejectsOtherSchemesAndGarbage) {
  for (std::string_view bad : {"https://example.com/ws", "example.com/ws", "wss://", "::::", ""}) {
    std::error_code ec;
    const WsUrl url = make_ws_url(bad, key, ec);
    EXPECT_TRUE(ec) << bad;
    EXPECT_TRUE(url.target.empty()) << bad;
  }
}

TEST(Url, ErrorTextNeverCarriesTheKey) {
  std::error_code ec;
  make_ws_url("wss://exa mple.com/ws?cg-api-key=KEY-7f3a9c1d-secret", key, ec);
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec.message().find(key), std::string::npos);
}

TEST(Url, RedactUrlMasksEveryKeyParameter) {
  EXPECT_EQ(redact_url("wss://h/ws?a=1&cg-api-key=SECRET&b=2"),
            "wss://h/ws?a=1&cg-api-key=***&b=2");
  EXPECT_EQ(redact_url("/ws?CG-API-KEY=SECRET").find("SECRET"), std::string::npos);
  EXPECT_EQ(redact_url("wss://h/ws"), "wss://h/ws");
}

TEST(Url, RedactUrlMasksTheKeyEvenInTextThatIsNotAUrl) {
  EXPECT_EQ(redact_url("not a url cg-api-key=SECRET&x #y"), "not a url cg-api-key=***&x #y");
}

TEST(Url, RedactSecretMasksEveryOccurrence) {
  EXPECT_EQ(redact_secret("k=abc, again abcabc", "abc"), "k=***, again ******");
  EXPECT_EQ(redact_secret("nothing", ""), "nothing");
}

}  // namespace
}  // namespace teleglas
