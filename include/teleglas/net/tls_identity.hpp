// Throwaway TLS identities for loopback: a CA and a server certificate for 127.0.0.1, ::1 and
// localhost signed by it, made in memory. The simulated CoinGlass and Telegram servers use
// them in tests and in `teleglas demo`; clients trust the CA through their ca_file setting.
#pragma once

#include <string>

namespace teleglas {

struct TlsIdentity {
  std::string ca_cert_pem;      // trust this
  std::string server_cert_pem;  // serve this ...
  std::string server_key_pem;   // ... with this key
};

// Throws std::runtime_error if OpenSSL fails (startup / test setup only).
TlsIdentity make_loopback_identity(int valid_days = 2);

}  // namespace teleglas
