#include "netsim/topo/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace bc::netsim {

std::string netns_name(const std::string& run_id, const std::string& name) {
  return std::string(kNetnsPrefix) + run_id + "-" + name;
}

std::string run_id_of(const std::string& ns) {
  const std::string prefix = kNetnsPrefix;
  if (ns.rfind(prefix, 0) != 0) return "";
  auto dash = ns.find('-', prefix.size());
  if (dash == std::string::npos || dash == prefix.size()) return "";
  return ns.substr(prefix.size(), dash - prefix.size());
}

std::vector<std::string> list_netns(const std::string& prefix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kNetnsDir, ec)) {
    std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) == 0) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status require_root(const std::string& what) {
  if (::geteuid() == 0) return Status();
  return Status::permission_denied(
      what + " needs root: it creates network namespaces, veth pairs, bridges and TUN devices "
             "(CAP_SYS_ADMIN and CAP_NET_ADMIN); run it as root, e.g. with sudo");
}

Result<ScopedNetns> ScopedNetns::enter(const std::string& ns) {
  int original = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original < 0) return Status::io_error(std::string("open own netns: ") + std::strerror(errno));
  std::string path = std::string(kNetnsDir) + "/" + ns;
  int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    int err = errno;
    ::close(original);
    return Status::not_found("network namespace '" + ns + "': " + std::strerror(err));
  }
  int rc = ::setns(target, CLONE_NEWNET);
  int err = errno;
  ::close(target);
  if (rc != 0) {
    ::close(original);
    return Status::io_error("setns into '" + ns + "': " + std::strerror(err));
  }
  return ScopedNetns(original);
}

ScopedNetns::ScopedNetns(ScopedNetns&& other) noexcept : original_fd_(other.original_fd_) {
  other.original_fd_ = -1;
}

ScopedNetns::~ScopedNetns() {
  if (original_fd_ < 0) return;
  // Failing to return would leave this thread's later sockets in the wrong
  // namespace; that is a broken invariant, not a recoverable error.
  if (::setns(original_fd_, CLONE_NEWNET) != 0) std::abort();
  ::close(original_fd_);
}

}  // namespace bc::netsim

namespace bc::netsim {
Status write_netns_sysctl(const std::string& ns, const std::string& key, const std::string& value) {
  std::string path = "/proc/sys/" + key;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  BC_ASSIGN_OR_RETURN(ScopedNetns inside, ScopedNetns::enter(ns));
  // /proc/sys/net resolves to the namespace of the thread that opens it.
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::io_error("sysctl " + key + " in " + ns + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, value.data(), value.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size())) {
    return Status::io_error("sysctl " + key + "=" + value + " in " + ns + ": " + std::strerror(err));
  }
  return Status();
}
}  // namespace bc::netsim
