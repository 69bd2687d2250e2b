#include "netsim/tools/probe_socket.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netsim/topo/netns.hpp"

namespace bc::netsim {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<sockaddr_in> ipv4_address(const std::string& addr, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1) {
    return Status::invalid_argument("'" + addr + "' is not an IPv4 address");
  }
  return sa;
}

Result<Fd> socket_in_netns(const std::string& ns, int type, const std::string& addr, std::uint16_t port) {
  BC_ASSIGN_OR_RETURN(sockaddr_in sa, ipv4_address(addr, port));
  BC_ASSIGN_OR_RETURN(ScopedNetns inside, ScopedNetns::enter(ns));
  Fd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Status::io_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    return Status::io_error("bind " + addr + ":" + std::to_string(port) + " in " + ns + ": " + std::strerror(errno));
  }
  return fd;
}

Result<UdpPath> open_udp_path(const std::string& rx_ns, const std::string& rx_addr, std::uint16_t port,
                              const std::string& tx_ns, const std::string& tx_addr, int receive_timeout_ms) {
  UdpPath p;
  BC_ASSIGN_OR_RETURN(p.rx, socket_in_netns(rx_ns, SOCK_DGRAM, rx_addr, port));
  BC_ASSIGN_OR_RETURN(p.tx, socket_in_netns(tx_ns, SOCK_DGRAM, tx_addr, 0));
  BC_ASSIGN_OR_RETURN(p.dst, ipv4_address(rx_addr, port));
  BC_RETURN_IF_ERROR(set_receive_timeout(p.rx.get(), receive_timeout_ms));
  BC_RETURN_IF_ERROR(set_receive_timeout(p.tx.get(), receive_timeout_ms));
  return p;
}

Status set_receive_timeout(int fd, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
    return Status::io_error(std::string("SO_RCVTIMEO: ") + std::strerror(errno));
  }
  return Status();
}

std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace bc::netsim
