// TLS contexts for every client and server in the daemon, set up one way: clients verify the
// peer against the system trust store plus an optional extra CA file (tests, private CAs),
// and check the certificate against the host they dialled (hostname or IP address).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <string>
#include <string_view>
#include <system_error>

#include "teleglas/net/tls_identity.hpp"

namespace teleglas {

// A client context that verifies peers: system default paths, plus `ca_file_path` (PEM) when
// not empty. On failure (unreadable CA file, ...) `ec` is set and the returned context must
// not be used; the error text never contains more than the file path.
boost::asio::ssl::context make_client_tls_context(const std::string& ca_file_path,
                                                  std::error_code& ec);

// Prepares one connection's SSL object before its handshake: SNI for hostnames (never for IP
// literals, RFC 6066 forbids it) and hostname or IP verification of the peer certificate.
// `host` may be a bracketed IPv6 literal ("[::1]").
void set_tls_peer(SSL* ssl, std::string_view host, std::error_code& ec);

// Same, for any stream with native_handle() (asio::ssl::stream, beast::ssl_stream).
template <class SslStream>
void set_tls_peer(SslStream& stream, std::string_view host, std::error_code& ec) {
  set_tls_peer(stream.native_handle(), host, ec);
}

// A server context serving `identity`'s certificate and key. Throws on bad PEM (startup only).
boost::asio::ssl::context make_server_tls_context(const TlsIdentity& identity);

}  // namespace teleglas
