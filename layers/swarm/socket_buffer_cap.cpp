#include "layers/swarm/socket_buffer_cap.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>

namespace bc {

int read_proc_int(const char* path, int fallback) {
  std::ifstream in(path);
  long v = 0;
  if (in >> v && v > 0) return int(std::min<long>(v, INT32_MAX));
  return fallback;
}

int socket_buffer_cap_bytes() {
  return std::min(read_proc_int("/proc/sys/net/core/rmem_max", kDefaultSocketBufferCapBytes),
                  read_proc_int("/proc/sys/net/core/wmem_max", kDefaultSocketBufferCapBytes));
}

}  // namespace bc
