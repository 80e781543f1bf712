// The CoinGlass WebSocket URL split into what a connection needs (host, port, request target)
// with the API key added as `cg-api-key`. The key lives only in `target`; everything meant for
// logs goes through `redacted` or redact_url(), which show it as ***.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace teleglas {

inline constexpr std::string_view api_key_param = "cg-api-key";

struct WsUrl {
  bool secure = true;       // wss
  std::string host;         // for DNS, SNI and certificate checks; IPv6 without brackets
  std::string port;         // explicit, else 443 (wss) / 80 (ws)
  std::string host_header;  // Host of the upgrade request: "host[:port]", IPv6 in brackets
  std::string target;       // path and query, key included: SECRET, never log it
  std::string redacted;     // the whole URL with the key shown as ***, safe for logs
};

// Parses a ws:// or wss:// URL and sets its cg-api-key query parameter to `api_key`
// (replacing one already there); an empty key adds none. On a malformed URL or another scheme
// `ec` is set and the result is empty.
WsUrl make_ws_url(std::string_view url, std::string_view api_key, std::error_code& ec);

// `url` with the value of every cg-api-key parameter replaced by ***. Text that is not a URL
// comes back with anything that looks like such a parameter masked the same way.
std::string redact_url(std::string_view url);

// `text` with every occurrence of `secret` replaced by ***: the last line of defence for log
// and error text that might quote a URL. An empty secret changes nothing.
std::string redact_secret(std::string_view text, std::string_view secret);

}  // namespace teleglas
