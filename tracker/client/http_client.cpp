#include "tracker/client/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <atomic>
#include <cctype>
#include <optional>

#include "tracker/client/tls_check.hpp"

namespace bc::tracker {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Status HttpClientOptions::validate() const {
  if (port == 0) return Status::invalid_argument("client: port is required");
  if (tls && tls_verify && ca_file.empty())
    return Status::invalid_argument("client: TLS needs ca_file (the tracker's CA) to check the tracker");
  if (timeout_ms < 1) return Status::invalid_argument("client: timeout_ms must be positive");
  return Status();
}

namespace {
// A keep-alive connection the server closed while idle (a restart, its
// timeout): over TLS the close shows as a truncated stream or, with OpenSSL
// 3, an unexpected EOF rather than a clean end of stream.
bool closed_by_peer(const beast::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == net::error::connection_reset || ec == net::error::broken_pipe ||
      ec == net::error::eof || ec == net::ssl::error::stream_truncated)
    return true;
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
  if (ec.category() == net::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
    return true;
#endif
  return false;
}
}  // namespace

const std::string& ClientResponse::header(const std::string& name) const {
  static const std::string empty;
  auto it = headers.find(name);
  return it == headers.end() ? empty : it->second;
}

struct HttpClient::Impl {
  HttpClientOptions o;
  net::io_context ioc;
  std::optional<net::ssl::context> tls_ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  std::optional<TlsCheck> check;  // the current connection's certificate check
  bool connected = false;
  std::atomic<bool> interrupted{false};  // set once by interrupt(), from any thread

  beast::tcp_stream& lowest() { return o.tls ? beast::get_lowest_layer(*secure) : *plain; }

  // Runs the io_context until the posted operation completes.
  beast::error_code run(const std::function<void(std::function<void(beast::error_code)>)>& op) {
    beast::error_code result = net::error::would_block;
    ioc.restart();
    // After restart(): an interrupt() from here on stops the run() below (a
    // stopped io_context's run() returns at once until the next restart()).
    if (interrupted) return net::error::operation_aborted;
    op([&](beast::error_code ec) { result = ec; });
    ioc.run();
    if (interrupted && result == net::error::would_block) result = net::error::operation_aborted;
    return result;
  }

  Status connect(uint32_t timeout_ms) {
    close();
    buffer.clear();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec) return Status::unavailable("resolve " + o.host + ": " + ec.message());
    if (o.tls) secure.emplace(ioc, *tls_ctx);
    else plain.emplace(ioc);
    lowest().expires_after(std::chrono::milliseconds(timeout_ms));
    ec = run([&](auto done) {
      lowest().async_connect(results, [done](beast::error_code e, const tcp::endpoint&) { done(e); });
    });
    if (ec) return Status::unavailable("connect " + o.host + ":" + std::to_string(o.port) + ": " + ec.message());
    if (o.tls) {
      // SNI carries names only (RFC 6066); an address is checked, not sent.
      net::ip::make_address(o.host, ec);
      if (ec) SSL_set_tlsext_host_name(secure->native_handle(), o.host.c_str());
      check.emplace(o.host, o.port, o.ca_file);
      if (o.tls_verify)
        secure->set_verify_callback([c = &*check](bool ok, net::ssl::verify_context& v) { return c->verify(ok, v); });
      ec = run([&](auto done) { secure->async_handshake(net::ssl::stream_base::client, done); });
      if (ec) {
        Status s = check->explain(ec);
        close();
        return s;
      }
    }
    connected = true;
    return Status();
  }

  void close() {
    beast::error_code ec;
    if (plain) plain->socket().close(ec);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ec);
    plain.reset();
    secure.reset();
    connected = false;
  }

  template <class Stream>
  beast::error_code exchange(Stream& s, http::request<http::string_body>& req,
                             http::response_parser<http::string_body>& parser) {
    beast::error_code ec = run([&](auto done) {
      http::async_write(s, req, [done](beast::error_code e, size_t) { done(e); });
    });
    if (ec) return ec;
    return run([&](auto done) {
      http::async_read(s, buffer, parser, [done](beast::error_code e, size_t) { done(e); });
    });
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->o = std::move(options);
}

HttpClient::~HttpClient() { impl_->close(); }

void HttpClient::close() { impl_->close(); }

void HttpClient::interrupt() {
  impl_->interrupted = true;
  impl_->ioc.stop();
}

Result<ClientResponse> HttpClient::request(const std::string& method, const std::string& target,
                                           const std::string& body,
                                           const std::vector<std::pair<std::string, std::string>>& headers,
                                           uint32_t timeout_ms) {
  auto& im = *impl_;
  BC_RETURN_IF_ERROR(im.o.validate());
  if (timeout_ms == 0) timeout_ms = im.o.timeout_ms;
  if (im.o.tls && !im.tls_ctx) {
    try {
      im.tls_ctx.emplace(net::ssl::context::tls_client);
      im.tls_ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                              net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                              net::ssl::context::no_tlsv1_1);
      if (im.o.tls_verify) {
        im.tls_ctx->load_verify_file(im.o.ca_file);
        im.tls_ctx->set_verify_mode(net::ssl::verify_peer);
      } else {
        im.tls_ctx->set_verify_mode(net::ssl::verify_none);
      }
    } catch (const std::exception& e) {
      im.tls_ctx.reset();
      return Status::invalid_argument("client TLS setup (" + im.o.ca_file + "): " + e.what());
    }
  }
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  if (req.method() == http::verb::unknown) req.method_string(method);
  req.set(http::field::host, im.o.host);
  req.set(http::field::user_agent, "bc-tracker-client");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = im.connected;
    if (!im.connected) BC_RETURN_IF_ERROR(im.connect(timeout_ms));
    http::response_parser<http::string_body> parser;
    parser.body_limit(im.o.max_response_bytes);
    im.lowest().expires_after(std::chrono::milliseconds(timeout_ms));
    beast::error_code ec = im.o.tls ? im.exchange(*im.secure, req, parser) : im.exchange(*im.plain, req, parser);
    if (ec) {
      im.close();
      bool stale = reused && closed_by_peer(ec);
      if (stale && attempt == 0) continue;
      return Status::unavailable(method + " " + target + ": " + ec.message());
    }
    auto& msg = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    out.body = std::move(msg.body());
    if (!msg.keep_alive()) im.close();
    return out;
  }
  return Status::unavailable(method + " " + target + ": connection closed");
}

}  // namespace bc::tracker
