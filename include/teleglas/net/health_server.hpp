// The daemon's health endpoint: plain HTTP/1.1 on a loopback address, GET and HEAD only. It
// serves what the callbacks return at request time and owns no data. Runs on the caller's
// io_context; every member is called on that context's thread. Beast stays out of this header.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace teleglas {

struct HealthEndpoint {
  std::string path;          // e.g. "/health"
  std::string content_type;  // e.g. "application/json"
  std::function<std::string()> body;
};

struct HealthServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT, port 0 = any free port; IPv6 as [::1]:8080
  std::vector<HealthEndpoint> endpoints;
  std::chrono::milliseconds io_timeout{5'000};  // per request: its whole read, then its write
  // More are closed at once: a health endpoint must never cost the daemon.
  std::size_t max_connections = 16;
};

namespace detail {
struct HealthServerState;
}

class HealthServer {
 public:
  // Binds at once: throws std::runtime_error("http.listen 127.0.0.1:8080: <reason>") when the
  // address is bad, not a loopback address (127.0.0.0/8, ::1 or "localhost"), or in use.
  HealthServer(boost::asio::io_context& io, HealthServerOptions options);
  ~HealthServer();  // stops
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  void start();  // starts accepting (a coroutine on io)
  void stop();   // closes the acceptor and every connection promptly; safe to call twice

  std::uint16_t port() const;      // the bound port (useful with port 0)
  std::string url() const;         // "http://127.0.0.1:PORT", "http://[::1]:PORT"
  std::uint64_t requests() const;  // requests answered, errors included

 private:
  std::shared_ptr<detail::HealthServerState> state_;
};

}  // namespace teleglas
