#include "accept_loop.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace teleglas::sim_ws {

namespace net = boost::asio;

net::awaitable<void> accept_connections(
    net::ip::tcp::acceptor& acceptor, const std::function<void(net::ip::tcp::socket)>& on_socket) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (!acceptor.is_open()) co_return;
    if (ec) {
      net::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    on_socket(std::move(socket));
  }
}

}  // namespace teleglas::sim_ws
