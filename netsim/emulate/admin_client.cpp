#include "netsim/emulate/admin_client.hpp"

#include "netsim/topo/netns.hpp"

namespace bc::netsim {

AdminClient::AdminClient(std::string netns, std::string host, std::uint16_t port, std::string token,
                         std::string ca_file, std::uint32_t timeout_ms)
    : netns_(std::move(netns)), token_(std::move(token)) {
  http_.host = std::move(host);
  http_.port = port;
  http_.tls = !ca_file.empty();
  http_.ca_file = std::move(ca_file);
  http_.timeout_ms = timeout_ms;
  reset();
}

void AdminClient::reset() { client_ = std::make_unique<tracker::TrackerClient>(http_, nullptr, token_, clock_); }

Result<nlohmann::json> AdminClient::call(const std::string& method, const std::string& target,
                                         const nlohmann::json& body) {
  BC_ASSIGN_OR_RETURN(ScopedNetns in, ScopedNetns::enter(netns_));
  return client_->admin_json(method, target, body);
}

}  // namespace bc::netsim
