#include "tracker/http/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "tracker/http/listener.hpp"

namespace bc::tracker {

namespace net = boost::asio;

struct HttpServer::Impl {
  std::shared_ptr<ServerContext> ctx = std::make_shared<ServerContext>();
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<net::ssl::context> tls;
  std::unique_ptr<net::thread_pool> workers;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> io_threads;
  bool stopped = false;
};

HttpServer::HttpServer(ServerOptions options, std::function<HttpResponse(HttpRequest&)> handle,
                       ChangeFeed* feed)
    : impl_(std::make_unique<Impl>()) {
  impl_->ctx->options = std::move(options);
  impl_->ctx->handle = std::move(handle);
  impl_->ctx->feed = feed;
}

HttpServer::~HttpServer() { stop(); }

namespace {
Result<std::unique_ptr<net::ssl::context>> make_tls(const ServerOptions& o) {
  try {
    auto c = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    c->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1);
    c->use_certificate_chain_file(o.tls_cert_file);
    c->use_private_key_file(o.tls_key_file, net::ssl::context::pem);
    return c;
  } catch (const std::exception& e) {
    return Status::invalid_argument("TLS setup (" + o.tls_cert_file + ", " + o.tls_key_file +
                                    "): " + e.what());
  }
}
}  // namespace

Result<uint16_t> HttpServer::start() {
  auto& o = impl_->ctx->options;
  BC_RETURN_IF_ERROR(o.validate());
  if (o.tls()) {
    BC_ASSIGN_OR_RETURN(impl_->tls, make_tls(o));
  }
  boost::system::error_code ec;
  auto addr = net::ip::make_address(o.listen_address, ec);
  if (ec) return Status::invalid_argument("listen address: " + ec.message());
  impl_->listener = std::make_shared<Listener>(impl_->ioc, impl_->ctx, impl_->tls.get());
  BC_ASSIGN_OR_RETURN(uint16_t port, impl_->listener->open({addr, o.port}));
  impl_->workers = std::make_unique<net::thread_pool>(o.worker_threads);
  impl_->ctx->workers = impl_->workers.get();
  impl_->work.emplace(net::make_work_guard(impl_->ioc));
  impl_->listener->run();
  for (unsigned i = 0; i < o.io_threads; ++i)
    impl_->io_threads.emplace_back([this] { impl_->ioc.run(); });
  return port;
}

void HttpServer::stop() {
  if (impl_->stopped || !impl_->listener) return;
  impl_->stopped = true;
  impl_->listener->close();
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->io_threads) t.join();
  impl_->io_threads.clear();
  if (impl_->workers) impl_->workers->join();
}

uint32_t HttpServer::open_connections() const { return impl_->ctx->connections; }
uint32_t HttpServer::held_long_polls() const { return impl_->ctx->long_polls; }
uint64_t HttpServer::abandoned_long_polls() const { return impl_->ctx->abandoned_long_polls; }
uint64_t HttpServer::refused_long_polls() const { return impl_->ctx->refused_long_polls; }
uint64_t HttpServer::early_bytes_checks() const { return impl_->ctx->early_bytes_checks; }

}  // namespace bc::tracker
