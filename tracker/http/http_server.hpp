// The HTTP(S) server: a listener, io threads for sockets, and a worker pool
// for handlers. One slow client holds only its own connection (timeouts,
// bounded sizes); handlers never run on an io thread.
#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "tracker/http/message.hpp"
#include "tracker/http/server_options.hpp"
#include "tracker/store/change_feed.hpp"

namespace bc::tracker {

class HttpServer {
 public:
  // `handle` runs on worker threads, concurrently. `feed` (may be null) is
  // what long polls wait on; it must outlive the server.
  HttpServer(ServerOptions options, std::function<HttpResponse(HttpRequest&)> handle,
             ChangeFeed* feed);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads. Returns the bound port.
  Result<uint16_t> start();
  // Stops accepting and running; joins every thread. Idempotent.
  void stop();
  uint32_t open_connections() const;
  uint32_t held_long_polls() const;
  // Long polls released early because their peer closed the connection.
  uint64_t abandoned_long_polls() const;
  // Long polls answered 503 + Retry-After because max_long_polls were held.
  uint64_t refused_long_polls() const;
  // Times a parked long poll looked at its peer and found it alive with bytes
  // sent early (a pipelined request, a TLS close_notify) and unread; each
  // schedules a TCP-state re-check. Lets a test wait for that to have
  // happened instead of sleeping for it.
  uint64_t early_bytes_checks() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bc::tracker
