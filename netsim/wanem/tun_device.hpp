// A TUN device (layer 3, no packet-info header) owned through its file
// descriptor. The device is not persistent: it disappears when the descriptor
// closes, so a killed emulator leaves no device behind.
#pragma once

#include <string>

#include "layers/util/status.hpp"

namespace bc::netsim {

class TunDevice {
 public:
  // Creates TUN device `ifname` (<= 15 bytes) inside network namespace `ns`
  // (our current namespace when empty). The descriptor is non-blocking and
  // close-on-exec. The device is created down and without addresses.
  static Result<TunDevice> create(const std::string& ns, const std::string& ifname);

  TunDevice() = default;
  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&& other) noexcept;
  TunDevice(const TunDevice&) = delete;
  ~TunDevice();

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  const std::string& netns() const { return ns_; }
  // Gives up ownership of the descriptor (the caller closes it).
  int release();

 private:
  int fd_ = -1;
  std::string name_;
  std::string ns_;
};

}  // namespace bc::netsim
