#include "tracker/http/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cerrno>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace bc::tracker {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {
template <class S>
constexpr bool kIsTls = !std::is_same_v<S, beast::tcp_stream>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// 4xx for what the client sent wrong while we parsed; 0 for "just close"
// (the peer went away, timed out, or the socket failed).
int status_for_read_error(const beast::error_code& ec, std::string* why) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return 0;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return 0;
  if (ec == http::error::header_limit) {
    *why = "request header too large";
    return 431;
  }
  if (ec == http::error::body_limit) {
    *why = "request body too large";
    return 413;
  }
  *why = "malformed HTTP request: " + ec.message();
  return 400;
}

// What a parked connection's socket says about its peer, without reading.
enum class PeerState { quiet, early_bytes, gone };
PeerState peek_peer(int fd) {
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return PeerState::gone;  // FIN and nothing unread
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? PeerState::quiet : PeerState::gone;
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return PeerState::gone;
  return info.tcpi_state == TCP_ESTABLISHED ? PeerState::early_bytes : PeerState::gone;  // CLOSE_WAIT: FIN after the bytes
}
}  // namespace

template <class Stream>
Session<Stream>::Session(Stream stream, std::shared_ptr<ServerContext> ctx, std::string remote)
    : stream_(std::move(stream)),
      ctx_(std::move(ctx)),
      remote_(std::move(remote)),
      poll_timer_(stream_.get_executor()),
      peer_timer_(stream_.get_executor()) {}

template <class Stream>
Session<Stream>::~Session() {
  if (polling_) ctx_->long_polls--;
  ctx_->connections--;
}

template <class Stream>
void Session<Stream>::start() {
  auto self = this->shared_from_this();
  net::dispatch(stream_.get_executor(), [self] {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(self->stream_)
          .expires_after(std::chrono::milliseconds(self->ctx_->options.read_timeout_ms));
      // Look at the first bytes: a plain HTTP request on the HTTPS port gets
      // a readable answer saying so, rather than a closed connection.
      beast::async_detect_ssl(beast::get_lowest_layer(self->stream_), self->buffer_,
                              [self](beast::error_code ec, bool tls) { self->on_detect(ec, tls); });
    } else {
      self->do_read();
    }
  });
}

template <class Stream>
void Session<Stream>::on_detect(beast::error_code ec, bool tls) {
  if (ec) return;  // the peer went away or timed out
  auto self = this->shared_from_this();
  if constexpr (kIsTls<Stream>) {
    if (tls) {
      stream_.async_handshake(net::ssl::stream_base::server, buffer_.data(),
                              [self](beast::error_code e, size_t used) {
                                self->buffer_.consume(used);
                                self->on_handshake(e);
                              });
      return;
    }
    ctx_->plain_on_tls_port++;
    static const std::string kBody = "this port speaks HTTPS only: use https:// and pin the tracker's CA\n";
    static const std::string kAnswer = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                                       "Connection: close\r\nContent-Length: " +
                                       std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
    net::async_write(beast::get_lowest_layer(stream_), net::buffer(kAnswer), [self](beast::error_code, size_t) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    });
  }
}

template <class Stream>
void Session<Stream>::on_handshake(beast::error_code ec) {
  if (ec) return;  // a failed handshake just drops the connection
  do_read();
}

template <class Stream>
void Session<Stream>::do_read() {
  parser_.emplace();
  parser_->header_limit(ctx_->options.max_header_bytes);
  // The larger limit until the header names the target (on_header lowers it).
  parser_->body_limit(std::max(ctx_->options.max_body_bytes, ctx_->options.large_body_bytes));
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::milliseconds(ctx_->options.read_timeout_ms));
  // The header first, so "Expect: 100-continue" can be answered before the body.
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_header, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::on_header(beast::error_code ec, size_t bytes) {
  if (ec) return on_read(ec, bytes);
  const auto& opts = ctx_->options;
  if (opts.large_body_bytes > opts.max_body_bytes) {
    bool large = !opts.large_body_prefix.empty() && parser_->get().target().starts_with(opts.large_body_prefix);
    uint64_t limit = large ? opts.large_body_bytes : opts.max_body_bytes;
    auto length = parser_->content_length();
    if (length && *length > limit) return on_read(http::error::body_limit, bytes);
    parser_->body_limit(limit);  // a chunked body is counted as it arrives
  }
  auto self = this->shared_from_this();
  auto read_rest = [self] {
    http::async_read(self->stream_, self->buffer_, *self->parser_,
                     beast::bind_front_handler(&Session::on_read, self));
  };
  if (!parser_->is_done() && beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                    parser_->get().version());
    http::async_write(stream_, *cont, [self, cont, read_rest](beast::error_code e, size_t) {
      if (e) return self->do_close();
      read_rest();
    });
    return;
  }
  read_rest();
}

template <class Stream>
void Session<Stream>::on_read(beast::error_code ec, size_t) {
  if (ec) {
    std::string why;
    int status = status_for_read_error(ec, &why);
    if (status == 0) return do_close();
    keep_alive_ = false;
    version_ = 11;
    return send(HttpResponse::error(status, why), true);
  }
  auto& msg = parser_->get();
  version_ = msg.version();
  keep_alive_ = msg.keep_alive();
  req_ = HttpRequest{};
  req_.method = std::string(msg.method_string());
  req_.target = std::string(msg.target());
  int host_fields = 0;
  for (const auto& f : msg) {
    std::string name = lower(std::string(f.name_string()));
    host_fields += name == "host";
    req_.headers.emplace(std::move(name), std::string(f.value()));
  }
  if (Status framing = check_host_field(version_, host_fields); !framing.ok()) {
    keep_alive_ = false;
    return send(HttpResponse::from_status(framing), true);
  }
  req_.body = std::move(msg.body());
  req_.remote_address = remote_;
  req_.request_id = std::to_string(ctx_->next_request_id++);
  dispatch();
}

template <class Stream>
void Session<Stream>::dispatch() {
  auto self = this->shared_from_this();
  // The body moves to the worker rather than being copied (an upload chunk
  // is megabytes); only long polls re-run, and they are bodiless GETs.
  std::string body = std::move(req_.body);
  req_.body.clear();
  HttpRequest posted = req_;
  posted.body = std::move(body);
  net::post(*ctx_->workers, [self, req = std::move(posted)]() mutable {
    HttpResponse res;
    try {
      res = self->ctx_->handle(req);
    } catch (const std::exception& e) {
      res = HttpResponse::error(500, std::string("internal error: ") + e.what());
    } catch (...) {
      res = HttpResponse::error(500, "internal error");
    }
    net::post(self->stream_.get_executor(),
              [self, res = std::move(res)]() mutable { self->on_response(std::move(res)); });
  });
}

template <class Stream>
void Session<Stream>::on_response(HttpResponse res) {
  if (res.status == 304 && res.long_poll_ms > 0 && ctx_->feed) return hold(std::move(res));
  end_poll();
  send(res, !keep_alive_);
}

template <class Stream>
void Session<Stream>::hold(HttpResponse res) {
  auto now = std::chrono::steady_clock::now();
  if (!polling_) {
    // max_long_polls = 0 turns long polling off: the 304 goes at once.
    if (ctx_->options.max_long_polls == 0) return send(res, !keep_alive_);
    if (!take_poll_slot()) return refuse_poll();
    polling_ = true;
    poll_deadline_ = now + std::chrono::milliseconds(res.long_poll_ms);
  }
  if (now >= poll_deadline_) {
    end_poll();
    return send(res, !keep_alive_);
  }
  uint64_t epoch = ++poll_epoch_;
  waiting_ = true;
  poll_res_ = std::move(res);
  auto self = this->shared_from_this();
  auto exec = stream_.get_executor();
  // The feed holds only a weak reference: it may outlive the server.
  std::weak_ptr<Session> weak = self;
  watcher_ = ctx_->feed->on_next_change([weak, epoch] {
    if (auto s = weak.lock())
      net::post(s->stream_.get_executor(), [s, epoch] { s->on_poll_event(epoch, true); });
  });
  // A change between the handler's read and our registration must not be missed.
  if (ctx_->feed->generation() != poll_res_.generation && ctx_->feed->cancel(watcher_))
    net::post(exec, [self, epoch] { self->on_poll_event(epoch, true); });
  poll_timer_.expires_at(poll_deadline_);
  poll_timer_.async_wait([self, epoch](beast::error_code ec) {
    if (!ec) self->on_poll_event(epoch, false);
  });
  watch_peer(epoch);
}

// One slot of max_long_polls, taken atomically: io threads park polls
// concurrently, and a check-then-increment would let them overshoot the cap.
template <class Stream>
bool Session<Stream>::take_poll_slot() {
  uint32_t held = ctx_->long_polls.load();
  do {
    if (held >= ctx_->options.max_long_polls) return false;
  } while (!ctx_->long_polls.compare_exchange_weak(held, held + 1));
  return true;
}

// Over the cap: a 304 at once would bring the node straight back (it asked
// to wait), so say "busy, come back later" instead. The node's state is
// unchanged either way; it keeps what it has.
template <class Stream>
void Session<Stream>::refuse_poll() {
  ctx_->refused_long_polls++;
  const uint32_t after_s = ctx_->options.long_poll_retry_after_s;
  HttpResponse busy = HttpResponse::error(
      503, "too many long polls held (limits.max_long_polls = " + std::to_string(ctx_->options.max_long_polls) +
               "): retry after " + std::to_string(after_s) + " s");
  busy.headers.emplace_back("Retry-After", std::to_string(after_s));
  send(busy, !keep_alive_);
}

// While parked, no read or write is in flight on the socket, so a wait for
// readability there is ours alone (it bypasses tcp_stream's timers, which
// would otherwise expire a read that outlives read_timeout_ms).
template <class Stream>
void Session<Stream>::watch_peer(uint64_t epoch) {
  beast::get_lowest_layer(stream_).socket().async_wait(
      net::socket_base::wait_read,
      [self = this->shared_from_this(), epoch](beast::error_code ec) { self->on_peer_readable(epoch, ec); });
}

// Readable while parked: either the peer is gone (EOF, reset) or it sent
// bytes early (a pipelined request, or a TLS record such as the close_notify
// a TLS client sends just before its FIN). Peeking tells them apart without
// consuming anything the next request's parser needs. Unread early bytes keep
// the socket readable, so from then on the TCP state is re-checked on a
// timer instead (one getsockopt per kPeerRecheckMs until the poll ends).
template <class Stream>
void Session<Stream>::on_peer_readable(uint64_t epoch, beast::error_code ec) {
  if (!waiting_ || epoch != poll_epoch_ || ec == net::error::operation_aborted) return;
  PeerState state = ec ? PeerState::gone : peek_peer(beast::get_lowest_layer(stream_).socket().native_handle());
  if (state == PeerState::quiet) return watch_peer(epoch);
  if (state == PeerState::early_bytes) {
    ctx_->early_bytes_checks++;
    peer_timer_.expires_after(std::chrono::milliseconds(kPeerRecheckMs));
    peer_timer_.async_wait([self = this->shared_from_this(), epoch](beast::error_code e) {
      self->on_peer_readable(epoch, e == net::error::operation_aborted ? e : beast::error_code());
    });
    return;
  }
  stop_waiting();
  end_poll();
  ctx_->abandoned_long_polls++;
  beast::get_lowest_layer(stream_).close();  // no one to answer: the handlers above now end the session
}

template <class Stream>
void Session<Stream>::stop_waiting() {
  waiting_ = false;
  poll_timer_.cancel();
  peer_timer_.cancel();
  ctx_->feed->cancel(watcher_);
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().cancel(ignored);  // the peer watch; nothing else is in flight
}

template <class Stream>
void Session<Stream>::on_poll_event(uint64_t epoch, bool changed) {
  if (!waiting_ || epoch != poll_epoch_) return;
  stop_waiting();
  if (changed) {
    req_.rerun++;
    return dispatch();
  }
  end_poll();
  send(poll_res_, !keep_alive_);
}

template <class Stream>
void Session<Stream>::end_poll() {
  if (!polling_) return;
  polling_ = false;
  ctx_->long_polls--;
}

template <class Stream>
void Session<Stream>::send(const HttpResponse& r, bool close) {
  res_ = std::make_shared<http::response<http::string_body>>();
  res_->version(version_);
  res_->result(static_cast<unsigned>(r.status));
  res_->set(http::field::server, "bc-tracker");
  if (!req_.request_id.empty()) res_->set("X-Request-Id", req_.request_id);
  for (const auto& [k, v] : r.headers) res_->set(k, v);
  if (r.status != 304 && r.status != 204) {
    res_->set(http::field::content_type, r.content_type);
    res_->body() = r.body;
  }
  res_->keep_alive(!close);
  res_->prepare_payload();
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::milliseconds(ctx_->options.write_timeout_ms));
  http::async_write(stream_, *res_,
                    beast::bind_front_handler(&Session::on_write, this->shared_from_this(), close));
}

template <class Stream>
void Session<Stream>::on_write(bool close, beast::error_code ec, size_t) {
  res_.reset();
  if (ec) return;
  if (close) return do_close();
  do_read();
}

template <class Stream>
void Session<Stream>::do_close() {
  if constexpr (kIsTls<Stream>) {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
  } else {
    beast::error_code ec;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  }
}

template class Session<beast::tcp_stream>;
template class Session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace bc::tracker
