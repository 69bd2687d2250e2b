// Loopback ports and raw HTTP(S) exchanges for tests that start real servers.
#pragma once

#include <cstdint>
#include <string>

namespace bc::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read, close),
// for a server that must be told its port, or come back on it after a restart.
// Another process may take it in between: a race the tests accept. Throws
// std::runtime_error when no socket can be bound.
uint16_t free_tcp_port();
// The same for a UDP port (an RTT probe responder, or a port nobody answers on).
uint16_t free_udp_port();

// The raw bytes a server answered to `request` on a fresh connection to
// 127.0.0.1:port (until the server closes or timeout_ms passes); "" when the
// connection is refused.
std::string raw_exchange(uint16_t port, const std::string& request, int timeout_ms = 5000);
// The same over TLS (the tracker's default): the certificate is not checked
// (these exchanges test HTTP handling, not TLS), and the request is followed
// by the client's close_notify, as raw_exchange follows it with a FIN. ""
// when the connection or the handshake fails.
std::string raw_tls_exchange(uint16_t port, const std::string& request, int timeout_ms = 5000);
// Both from the local IPv4 address `source_ip` (e.g. "127.0.0.2": any 127/8
// address works on loopback), so a server sees another peer address.
std::string raw_exchange_from(const std::string& source_ip, uint16_t port, const std::string& request,
                              int timeout_ms = 5000);
std::string raw_tls_exchange_from(const std::string& source_ip, uint16_t port, const std::string& request,
                                  int timeout_ms = 5000);
// The status code of the first response line ("HTTP/1.1 400 ...") or 0.
int status_of(const std::string& raw);
// What follows the header block of a raw response ("" without one).
std::string body_of(const std::string& raw);

}  // namespace bc::test
