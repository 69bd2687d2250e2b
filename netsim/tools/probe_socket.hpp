// Sockets for the measurement tools, created inside a named namespace (a
// socket stays in the namespace it was created in), owned by a small RAII fd.
#pragma once

#include <netinet/in.h>

#include <string>
#include <utility>

#include "layers/util/status.hpp"

namespace bc::netsim {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// A socket of `type` (SOCK_DGRAM/SOCK_STREAM) made in `ns` and bound to
// addr:port (port 0 = any).
Result<Fd> socket_in_netns(const std::string& ns, int type, const std::string& addr, std::uint16_t port);
Result<sockaddr_in> ipv4_address(const std::string& addr, std::uint16_t port);
// Sets SO_RCVTIMEO.
Status set_receive_timeout(int fd, int timeout_ms);
// A UDP path between two namespaces: `rx` bound to rx_addr:port in rx_ns,
// `tx` bound to tx_addr (any port) in tx_ns, `dst` where tx sends to reach
// rx. Reads on both time out after receive_timeout_ms, so reader loops can
// check a stop flag.
struct UdpPath {
  Fd rx;
  Fd tx;
  sockaddr_in dst{};
};
Result<UdpPath> open_udp_path(const std::string& rx_ns, const std::string& rx_addr, std::uint16_t port,
                              const std::string& tx_ns, const std::string& tx_addr, int receive_timeout_ms = 100);
// CLOCK_MONOTONIC in nanoseconds.
std::int64_t mono_ns();

}  // namespace bc::netsim
