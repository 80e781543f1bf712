#include "teleglas/net/tls_context.hpp"

#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

namespace teleglas {

namespace ssl = boost::asio::ssl;

namespace {

std::string_view strip_ipv6_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

std::error_code last_openssl_error() {
  const unsigned long code = ::ERR_get_error();
  return boost::system::error_code(static_cast<int>(code), boost::asio::error::get_ssl_category());
}

}  // namespace

ssl::context make_client_tls_context(const std::string& ca_file_path, std::error_code& ec) {
  ec.clear();
  ssl::context ctx(ssl::context::tls_client);
  boost::system::error_code bec;
  // TLS 1.2 is the oldest version any endpoint we talk to still needs.
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                  bec);
  if (!bec) ctx.set_verify_mode(ssl::verify_peer, bec);
  // A missing system store is not fatal by itself: an explicit CA file may be all we need.
  if (!bec) {
    boost::system::error_code ignored;
    ctx.set_default_verify_paths(ignored);
  }
  if (!bec && !ca_file_path.empty()) ctx.load_verify_file(ca_file_path, bec);
  ec = bec;
  return ctx;
}

void set_tls_peer(SSL* ssl, std::string_view host_in, std::error_code& ec) {
  ec.clear();
  const std::string host(strip_ipv6_brackets(host_in));
  boost::system::error_code parse_ec;
  const auto address = boost::asio::ip::make_address(host, parse_ec);
  X509_VERIFY_PARAM* param = ::SSL_get0_param(ssl);
  if (!parse_ec) {
    // An IP literal: verify the certificate's IP SANs, and send no SNI.
    if (::X509_VERIFY_PARAM_set1_ip_asc(param, address.to_string().c_str()) != 1) {
      ec = last_openssl_error();
    }
    return;
  }
  ::X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (::SSL_set1_host(ssl, host.c_str()) != 1 ||
      ::SSL_set_tlsext_host_name(ssl, const_cast<char*>(host.c_str())) != 1) {
    ec = last_openssl_error();
  }
}

ssl::context make_server_tls_context(const TlsIdentity& identity) {
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx.use_certificate_chain(
      boost::asio::buffer(identity.server_cert_pem.data(), identity.server_cert_pem.size()));
  ctx.use_private_key(
      boost::asio::buffer(identity.server_key_pem.data(), identity.server_key_pem.size()),
      ssl::context::pem);
  return ctx;
}

}  // namespace teleglas
