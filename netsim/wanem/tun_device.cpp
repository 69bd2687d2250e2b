#include "netsim/wanem/tun_device.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "netsim/topo/netns.hpp"

namespace bc::netsim {

Result<TunDevice> TunDevice::create(const std::string& ns, const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return Status::invalid_argument("TUN name '" + ifname + "' must be 1.." + std::to_string(IFNAMSIZ - 1) + " bytes");
  }
  std::optional<ScopedNetns> inside;
  if (!ns.empty()) {
    BC_ASSIGN_OR_RETURN(ScopedNetns entered, ScopedNetns::enter(ns));
    inside.emplace(std::move(entered));
  }
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::io_error(std::string("open /dev/net/tun: ") + std::strerror(errno));
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int err = errno;
    ::close(fd);
    return Status::io_error("create TUN '" + ifname + "' in netns '" + ns + "': " + std::strerror(err));
  }
  TunDevice dev;
  dev.fd_ = fd;
  dev.name_ = ifname;
  dev.ns_ = ns;
  return dev;
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)), ns_(std::move(other.ns_)) {}

TunDevice& TunDevice::operator=(TunDevice&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
    ns_ = std::move(other.ns_);
  }
  return *this;
}

TunDevice::~TunDevice() {
  if (fd_ >= 0) ::close(fd_);
}

int TunDevice::release() { return std::exchange(fd_, -1); }

}  // namespace bc::netsim
