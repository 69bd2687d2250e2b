// The second RTT source: the kernel's view of a TCP connection (TCP_INFO).
// Linux only. The smoothed RTT lags the path by design (RFC 6298 gain 1/8);
// docs/architecture.md ("RTT probing") says when it is worth using over the
// UDP echo. This function serves sockets we own (HTTP client connections);
// libtorrent does not hand out its sockets, so its peer connections are read
// through the sock_diag dump in tcp_diag.hpp.
#pragma once

#include <cstdint>

#include "layers/util/status.hpp"

namespace bc::rtt_probe {

struct TcpRtt {
  double srtt_ms = 0;     // smoothed RTT (tcpi_rtt)
  double rttvar_ms = 0;   // its mean deviation (tcpi_rttvar)
  double min_rtt_ms = 0;  // the kernel's windowed minimum (tcpi_min_rtt); 0 when unknown
};

// TCP_INFO of the connected TCP socket `fd`. io_error when the kernel refuses
// (not a TCP socket); unavailable when the kernel has no sample yet.
Result<TcpRtt> tcp_socket_rtt(int fd);

}  // namespace bc::rtt_probe
