#include "teleglas/net/url.hpp"

// Boost.URL is compiled here, once for the whole program (Debian's Boost 1.81 ships no
// libboost_url): every other user of Boost.URL in the daemon links against this. src.hpp also
// brings in all of <boost/url.hpp>.
#include <boost/url/src.hpp>

namespace teleglas {

namespace {

constexpr std::string_view mask = "***";

// Masks `name=value` up to the next '&' or '#' wherever it appears, for text that Boost.URL
// cannot parse: a malformed URL may still carry the key.
std::string mask_param_text(std::string_view text) {
  std::string out(text);
  const std::string needle = std::string(api_key_param) + "=";
  for (std::size_t at = out.find(needle); at != std::string::npos;
       at = out.find(needle, at + needle.size() + mask.size())) {
    const std::size_t value = at + needle.size();
    const std::size_t end = out.find_first_of("&# ", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, mask);
  }
  return out;
}

}  // namespace

WsUrl make_ws_url(std::string_view text, std::string_view api_key, std::error_code& ec) {
  ec.clear();
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    ec = parsed.error();
    return {};
  }
  boost::urls::url url = *parsed;
  WsUrl out;
  if (url.scheme_id() == boost::urls::scheme::wss) {
    out.secure = true;
  } else if (url.scheme_id() == boost::urls::scheme::ws) {
    out.secure = false;
  } else {
    ec = std::make_error_code(std::errc::protocol_not_supported);
    return {};
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    ec = std::make_error_code(std::errc::invalid_argument);
    return {};
  }
  // host_address() gives an IPv6 literal without brackets, which is what DNS and
  // certificate checks want; the Host header needs the brackets back.
  out.host = url.host_address();
  out.port = url.has_port() ? std::string(url.port()) : (out.secure ? "443" : "80");
  const bool ipv6 = url.host_type() == boost::urls::host_type::ipv6;
  out.host_header = ipv6 ? "[" + out.host + "]" : out.host;
  if (url.has_port()) out.host_header += ":" + out.port;

  if (!api_key.empty()) url.params().set(api_key_param, api_key);
  url.remove_fragment();
  // An HTTP request target needs at least "/"; Boost.URL's own set_encoded_path("/") turns an
  // empty path into "/./" here, so build the target by hand.
  out.target = url.encoded_path().empty() ? "/" : std::string(url.encoded_path());
  if (url.has_query()) out.target.append("?").append(url.encoded_query());
  out.redacted = redact_url(url.buffer());
  return out;
}

std::string redact_url(std::string_view text) {
  auto parsed = boost::urls::parse_uri_reference(text);
  if (!parsed) return mask_param_text(text);
  boost::urls::url url = *parsed;
  // set() collapses repeated keys into one: fine for a log line, and none of them survives.
  if (url.params().contains(api_key_param, boost::urls::ignore_case)) {
    url.params().set(api_key_param, mask, boost::urls::ignore_case);
  }
  return std::string(url.buffer());
}

std::string redact_secret(std::string_view text, std::string_view secret) {
  std::string out(text);
  if (secret.empty()) return out;
  for (std::size_t at = out.find(secret); at != std::string::npos;
       at = out.find(secret, at + mask.size())) {
    out.replace(at, secret.size(), mask);
  }
  return out;
}

}  // namespace teleglas
