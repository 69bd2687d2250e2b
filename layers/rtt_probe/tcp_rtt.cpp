#include "layers/rtt_probe/tcp_rtt.hpp"

#include <netinet/in.h>
#include <linux/tcp.h>  // glibc's struct tcp_info lacks tcpi_min_rtt
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

namespace bc::rtt_probe {

Result<TcpRtt> tcp_socket_rtt(int fd) {
  struct tcp_info info;
  std::memset(&info, 0, sizeof info);
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
    return Status::io_error(std::string("getsockopt(TCP_INFO): ") + std::strerror(errno));
  }
  if (info.tcpi_rtt == 0) return Status::unavailable("TCP_INFO has no RTT sample yet");
  TcpRtt r;
  r.srtt_ms = info.tcpi_rtt / 1000.0;
  r.rttvar_ms = info.tcpi_rttvar / 1000.0;
  // tcpi_min_rtt arrived in Linux 4.9; an older kernel leaves it zero.
  if (len >= offsetof(struct tcp_info, tcpi_min_rtt) + sizeof info.tcpi_min_rtt) {
    r.min_rtt_ms = info.tcpi_min_rtt / 1000.0;
  }
  return r;
}

}  // namespace bc::rtt_probe
