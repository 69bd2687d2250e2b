// TCP-level RTT of connections we do not own a descriptor for (libtorrent's
// peer connections): the kernel's sock_diag netlink dump (what `ss -ti`
// reads) with each connection's TCP_INFO. Linux only; no privileges needed
// for the RTT fields. Sees the whole network namespace, so filter by the
// remote addresses of interest (the origin, the WAN peers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "layers/rtt_probe/tcp_rtt.hpp"
#include "layers/util/status.hpp"

namespace bc::rtt_probe {

struct TcpConnectionRtt {
  std::string local_address;
  uint16_t local_port = 0;
  std::string remote_address;  // as inet_ntop prints it ("10.0.0.1", "fd00::1")
  uint16_t remote_port = 0;
  TcpRtt rtt;                  // zero srtt when the kernel has no sample yet
};

struct TcpDiagQuery {
  // Keep connections whose remote address is one of these (literal, as
  // inet_ntop prints it); empty keeps all. Default empty.
  std::vector<std::string> remote_addresses;
  uint16_t remote_port = 0;         // keep only this remote port; 0 keeps all; default 0
  size_t max_connections = 4096;    // stop collecting beyond this; default 4096
};

// Established IPv4 and IPv6 TCP connections matching `query`. io_error when
// the netlink dump fails (no sock_diag in this kernel or sandbox).
Result<std::vector<TcpConnectionRtt>> tcp_connection_rtts(const TcpDiagQuery& query);

}  // namespace bc::rtt_probe
