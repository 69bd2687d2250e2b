// State shared by the listener and every session of one HttpServer.
#pragma once

#include <atomic>
#include <functional>

#include <boost/asio/thread_pool.hpp>

#include "tracker/http/message.hpp"
#include "tracker/http/server_options.hpp"
#include "tracker/store/change_feed.hpp"

namespace bc::tracker {

struct ServerContext {
  ServerOptions options;
  // Runs on a worker thread; must not throw (the server catches and answers 500).
  std::function<HttpResponse(HttpRequest&)> handle;
  boost::asio::thread_pool* workers = nullptr;
  ChangeFeed* feed = nullptr;  // may be null: long polls then answer at once
  std::atomic<uint32_t> connections{0};
  std::atomic<uint32_t> long_polls{0};
  std::atomic<uint64_t> next_request_id{1};
  std::atomic<uint64_t> refused_connections{0};
  std::atomic<uint64_t> abandoned_long_polls{0};  // released because the peer closed while parked
  std::atomic<uint64_t> refused_long_polls{0};    // answered 503: max_long_polls were held already
  std::atomic<uint64_t> early_bytes_checks{0};    // a parked poll's peer found alive with unread bytes
  std::atomic<uint64_t> plain_on_tls_port{0};     // plain HTTP requests answered 400 on the HTTPS port
};

}  // namespace bc::tracker
