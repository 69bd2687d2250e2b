// One HTTP/1.1 connection: reads a request with bounded header and body
// size under a timeout, hands it to the worker pool, writes the response,
// and loops while keep-alive holds. At most one request is in flight per
// connection, so per-connection memory is bounded. Long polls (a 304 with
// long_poll_ms) are held here, on a timer, without occupying a worker; while
// one is held the socket is watched for readability, so a peer that closes
// (FIN or RST) releases its long-poll slot and the connection at once rather
// than when the poll would have ended.
// Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
// Thread affinity: all members are touched on the connection's strand.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tracker/http/server_context.hpp"

namespace bc::tracker {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<ServerContext> ctx, std::string remote);
  ~Session();
  void start();
  // How often a parked poll whose peer sent bytes early re-checks the TCP
  // state for the peer's FIN, milliseconds.
  static constexpr int kPeerRecheckMs = 200;

 private:
  void on_detect(boost::beast::error_code ec, bool tls);
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_header(boost::beast::error_code ec, size_t bytes);
  void on_read(boost::beast::error_code ec, size_t bytes);
  void dispatch();
  void on_response(HttpResponse res);
  void hold(HttpResponse res);
  bool take_poll_slot();
  void refuse_poll();
  void on_poll_event(uint64_t epoch, bool changed);
  void watch_peer(uint64_t epoch);
  void on_peer_readable(uint64_t epoch, boost::beast::error_code ec);
  void stop_waiting();
  void end_poll();
  void send(const HttpResponse& res, bool close);
  void on_write(bool close, boost::beast::error_code ec, size_t bytes);
  void do_close();

  Stream stream_;
  std::shared_ptr<ServerContext> ctx_;
  std::string remote_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpRequest req_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> res_;
  boost::asio::steady_timer poll_timer_;
  boost::asio::steady_timer peer_timer_;  // re-checks a peer that sent bytes early
  HttpResponse poll_res_;
  bool polling_ = false;      // counted in ctx_->long_polls
  bool waiting_ = false;      // a timer and a watcher are armed
  uint64_t poll_epoch_ = 0;   // discards stale timer/watcher events
  uint64_t watcher_ = 0;
  std::chrono::steady_clock::time_point poll_deadline_;
};

}  // namespace bc::tracker
