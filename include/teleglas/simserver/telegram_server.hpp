// A fake Telegram Bot API: a real HTTPS server on 127.0.0.1 that accepts
// `POST /bot<TOKEN>/sendMessage`, records every message and injects the failures the sender
// must survive (429 with retry_after, 5xx, a wrong token). Tests run it on their own thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "teleglas/net/tls_identity.hpp"

namespace teleglas {

// One sendMessage the server received, whatever it answered.
struct SimTelegramMessage {
  std::string token;
  std::int64_t chat_id = 0;
  std::string text;
  std::string parse_mode;
  bool disable_notification = false;
  std::string link_preview_options;                   // the JSON object as received, "" when absent
  unsigned status = 0;                                // what the server answered
  std::chrono::steady_clock::time_point received_at;  // for assertions on retry timing
};

struct SimTelegramOptions {
  TlsIdentity identity;
  std::string token = "123456:TEST-TOKEN";  // requests with any other token get 401
};

class SimTelegramServer {
 public:
  // Listens on 127.0.0.1:`port` (0 = any free port) on `io`; nothing runs until io runs.
  SimTelegramServer(boost::asio::io_context& io, SimTelegramOptions options,
                    std::uint16_t port = 0);
  ~SimTelegramServer();
  SimTelegramServer(const SimTelegramServer&) = delete;
  SimTelegramServer& operator=(const SimTelegramServer&) = delete;

  std::uint16_t port() const;
  std::string api_url() const;  // "https://127.0.0.1:PORT"

  // Thread-safe fault injection: the next `count` sendMessage requests are answered 429 with
  // parameters.retry_after = retry_after_s, or with `status` (5xx).
  void fail_next_with_429(int count, int retry_after_s);
  void fail_next_with_status(int count, unsigned status = 500);

  // Every sendMessage received so far (accepted or not), in order. Thread-safe copy.
  std::vector<SimTelegramMessage> messages() const;
  // Only those answered 200.
  std::vector<SimTelegramMessage> delivered() const;

  // Stops listening and closes every connection.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
