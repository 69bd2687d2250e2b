#include "tracker/http/server_options.hpp"

#include "tracker/model/cidr.hpp"

namespace bc::tracker {

Status ServerOptions::validate() const {
  if (!IpAddress::parse(listen_address).ok())
    return Status::invalid_argument("server.listen '" + listen_address + "' is not an IP address");
  if (tls_cert_file.empty() != tls_key_file.empty())
    return Status::invalid_argument("server.tls_cert and server.tls_key must be set together");
  if (max_header_bytes < 1024 || max_header_bytes > (1u << 20))
    return Status::invalid_argument("limits.max_header_bytes must be in [1024, 1048576]");
  if (max_body_bytes < 1024 || max_body_bytes > (uint64_t(1) << 30))
    return Status::invalid_argument("limits.max_body_bytes must be in [1024, 1073741824]");
  if (read_timeout_ms < 100 || write_timeout_ms < 100)
    return Status::invalid_argument("limits: read and write timeouts must be at least 100 ms");
  if (long_poll_retry_after_s < 1 || long_poll_retry_after_s > 3600)
    return Status::invalid_argument("limits.long_poll_retry_after_s must be in [1, 3600]");
  if (max_connections < 1) return Status::invalid_argument("limits.max_connections must be >= 1");
  if (io_threads < 1 || io_threads > 64 || worker_threads < 1 || worker_threads > 256)
    return Status::invalid_argument("server: io_threads must be 1..64, worker_threads 1..256");
  return Status();
}

}  // namespace bc::tracker
