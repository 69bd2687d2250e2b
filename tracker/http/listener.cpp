#include "tracker/http/listener.hpp"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "tracker/http/session.hpp"

namespace bc::tracker {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, std::shared_ptr<ServerContext> ctx, net::ssl::context* tls)
    : ioc_(ioc), ctx_(std::move(ctx)), tls_(tls), acceptor_(net::make_strand(ioc)), backoff_(ioc) {}

Result<uint16_t> Listener::open(const tcp::endpoint& ep) {
  beast::error_code ec;
  auto fail = [&](const char* what) {
    return Status::io_error(std::string("listen on ") + ep.address().to_string() + ":" +
                            std::to_string(ep.port()) + ": " + what + ": " + ec.message());
  };
  acceptor_.open(ep.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set_option");
  acceptor_.bind(ep, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  return acceptor_.local_endpoint().port();
}

void Listener::run() { do_accept(); }

void Listener::close() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
  });
}

void Listener::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // EMFILE and friends: back off instead of spinning.
    backoff_.expires_after(std::chrono::milliseconds(50));
    backoff_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  if (ctx_->connections >= ctx_->options.max_connections) {
    ctx_->refused_connections++;
    beast::error_code ignored;
    socket.close(ignored);
    return do_accept();
  }
  beast::error_code rec;
  auto remote = socket.remote_endpoint(rec);
  std::string addr = rec ? std::string() : remote.address().to_string();
  if (remote.address().is_v6() && remote.address().to_v6().is_v4_mapped())
    addr = net::ip::make_address_v4(net::ip::v4_mapped, remote.address().to_v6()).to_string();
  ctx_->connections++;
  if (tls_) {
    using S = beast::ssl_stream<beast::tcp_stream>;
    std::make_shared<Session<S>>(S(beast::tcp_stream(std::move(socket)), *tls_), ctx_, addr)->start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), ctx_, addr)
        ->start();
  }
  do_accept();
}

}  // namespace bc::tracker
