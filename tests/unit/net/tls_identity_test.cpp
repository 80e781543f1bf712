#include "teleglas/net/tls_identity.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace teleglas {
namespace {

X509* read_cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

TEST(TlsIdentity, ServerCertificateVerifiesAgainstItsCaForLoopbackNames) {
  const TlsIdentity id = make_loopback_identity();
  X509* ca = read_cert(id.ca_cert_pem);
  X509* server = read_cert(id.server_cert_pem);
  ASSERT_NE(ca, nullptr);
  ASSERT_NE(server, nullptr);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, server, nullptr);
  EXPECT_EQ(X509_verify_cert(ctx), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  EXPECT_EQ(X509_check_host(server, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(server, "::1", 0), 1);
  EXPECT_NE(X509_check_host(server, "open-ws.coinglass.com", 0, 0, nullptr), 1);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(server);
  X509_free(ca);
}

TEST(TlsIdentity, EachCallMakesADifferentCa) {
  EXPECT_NE(make_loopback_identity().ca_cert_pem, make_loopback_identity().ca_cert_pem);
}

}  // namespace
}  // namespace teleglas
