// Accepts connections and starts a session (plain or TLS) on each, on its
// own strand. Refuses (closes) connections beyond max_connections.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tracker/http/server_context.hpp"

namespace bc::tracker {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // tls may be null (plain HTTP); it must outlive the listener.
  Listener(boost::asio::io_context& ioc, std::shared_ptr<ServerContext> ctx,
           boost::asio::ssl::context* tls);
  // Binds and listens; returns the bound port.
  Result<uint16_t> open(const boost::asio::ip::tcp::endpoint& ep);
  void run();
  void close();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  boost::asio::io_context& ioc_;
  std::shared_ptr<ServerContext> ctx_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
};

}  // namespace bc::tracker
