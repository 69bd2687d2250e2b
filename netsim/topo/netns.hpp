// Network namespace helpers: the naming scheme of our namespaces, entering a
// named namespace on the current thread, and the root check.
#pragma once

#include <string>
#include <vector>

#include "layers/util/status.hpp"

namespace bc::netsim {

// Every namespace we create is named "bcns-<run>-<name>".
inline constexpr const char* kNetnsPrefix = "bcns-";
// Where `ip netns` keeps named namespaces.
inline constexpr const char* kNetnsDir = "/run/netns";

std::string netns_name(const std::string& run_id, const std::string& name);

// The run id of a namespace named by netns_name, or "" when `ns` is not ours.
std::string run_id_of(const std::string& ns);

// Names of the named namespaces whose name starts with `prefix`, sorted.
std::vector<std::string> list_netns(const std::string& prefix);

// permission_denied with an explanation when the process is not root (or
// lacks CAP_NET_ADMIN + CAP_SYS_ADMIN): namespaces, veth and TUN need them.
Status require_root(const std::string& what);

// Moves the calling thread into a named namespace until destruction, then
// back to the namespace it was in. Sockets and TUN devices opened meanwhile
// stay in the named namespace for their whole life.
// Thread affinity: must be destroyed on the thread that created it.
class ScopedNetns {
 public:
  static Result<ScopedNetns> enter(const std::string& ns);
  ScopedNetns(ScopedNetns&& other) noexcept;
  ScopedNetns& operator=(ScopedNetns&&) = delete;
  ScopedNetns(const ScopedNetns&) = delete;
  ~ScopedNetns();

 private:
  explicit ScopedNetns(int original_fd) : original_fd_(original_fd) {}
  int original_fd_ = -1;
};

}  // namespace bc::netsim

namespace bc::netsim {
// Writes `value` to /proc/sys/<key with dots as slashes> inside namespace `ns`
// (e.g. "net.ipv4.ip_forward"). Only per-namespace (net.*) keys make sense.
Status write_netns_sysctl(const std::string& ns, const std::string& key, const std::string& value);
}  // namespace bc::netsim
