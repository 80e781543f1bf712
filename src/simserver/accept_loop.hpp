// The accept loop of every stand-in's listener (the WebSocket venues' and Telegram's).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>

namespace teleglas::sim_ws {

// Accepts connections on `acceptor` until it is closed, handing each socket to `on_socket`. A
// failed accept (e.g. out of descriptors) pauses 50 ms instead of spinning.
boost::asio::awaitable<void> accept_connections(
    boost::asio::ip::tcp::acceptor& acceptor,
    const std::function<void(boost::asio::ip::tcp::socket)>& on_socket);

}  // namespace teleglas::sim_ws
