#include "layers/rtt_probe/tcp_diag.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>  // rtattr, RTA_* walk the dump's attributes
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace bc::rtt_probe {
namespace {

constexpr int kTcpEstablished = 1;  // TCP_ESTABLISHED in the kernel's state enum

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { if (fd_ >= 0) ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
 private:
  int fd_;
};

Status errno_status(const char* what) {
  return Status::io_error(std::string("sock_diag: ") + what + ": " + std::strerror(errno));
}

Status send_request(int fd, uint8_t family) {
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.req.sdiag_family = family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = 1u << kTcpEstablished;
  msg.req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    return errno_status("send");
  }
  return Status();
}

std::string address_text(uint8_t family, const __be32* words) {
  std::array<char, INET6_ADDRSTRLEN> buf{};
  ::inet_ntop(family, words, buf.data(), buf.size());
  return buf.data();
}

bool wanted(const TcpDiagQuery& q, const TcpConnectionRtt& c) {
  if (q.remote_port != 0 && c.remote_port != q.remote_port) return false;
  return q.remote_addresses.empty() ||
         std::find(q.remote_addresses.begin(), q.remote_addresses.end(), c.remote_address) !=
             q.remote_addresses.end();
}

TcpConnectionRtt parse_connection(const nlmsghdr* h) {
  const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
  TcpConnectionRtt c;
  c.local_address = address_text(m->idiag_family, m->id.idiag_src);
  c.remote_address = address_text(m->idiag_family, m->id.idiag_dst);
  c.local_port = ntohs(m->id.idiag_sport);
  c.remote_port = ntohs(m->id.idiag_dport);
  int len = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
  for (const rtattr* a = reinterpret_cast<const rtattr*>(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type != INET_DIAG_INFO) continue;
    tcp_info info{};
    std::memcpy(&info, RTA_DATA(a), std::min<size_t>(RTA_PAYLOAD(a), sizeof info));
    c.rtt.srtt_ms = info.tcpi_rtt / 1000.0;
    c.rtt.rttvar_ms = info.tcpi_rttvar / 1000.0;
    if (RTA_PAYLOAD(a) >= offsetof(tcp_info, tcpi_min_rtt) + sizeof info.tcpi_min_rtt) {
      c.rtt.min_rtt_ms = info.tcpi_min_rtt / 1000.0;
    }
  }
  return c;
}

// Reads one family's dump to its NLMSG_DONE.
Status read_dump(int fd, const TcpDiagQuery& q, std::vector<TcpConnectionRtt>& out) {
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("recv");
    }
    int len = static_cast<int>(n);
    for (const nlmsghdr* h = reinterpret_cast<const nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
         h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return Status();
      if (h->nlmsg_type == NLMSG_ERROR) {
        const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        errno = -e->error;
        return errno_status("dump refused");
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) continue;
      TcpConnectionRtt c = parse_connection(h);
      if (wanted(q, c) && out.size() < q.max_connections) out.push_back(std::move(c));
    }
  }
}

}  // namespace

Result<std::vector<TcpConnectionRtt>> tcp_connection_rtts(const TcpDiagQuery& query) {
  std::vector<TcpConnectionRtt> out;
  for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
    Fd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (fd.get() < 0) return errno_status("socket");
    BC_RETURN_IF_ERROR(send_request(fd.get(), family));
    BC_RETURN_IF_ERROR(read_dump(fd.get(), query, out));
  }
  return out;
}

}  // namespace bc::rtt_probe
