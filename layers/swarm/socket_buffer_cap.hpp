// The kernel's cap on socket buffers, which a swarm node clamps its own
// socket_buffer_bytes to (a larger request is silently cut by the kernel,
// and libtorrent would then believe a size it does not have).
//
// Reads /proc/sys/net/core/rmem_max and wmem_max: the smaller of the two.
// Never fails: an unreadable or nonsensical file counts as Linux's default
// cap (212992 bytes), so a node in a restricted sandbox still starts.
#pragma once

namespace bc {

inline constexpr int kDefaultSocketBufferCapBytes = 212'992;

// A positive integer from a /proc-style file, clamped to INT32_MAX, or
// `fallback` when the file is missing or does not hold one.
int read_proc_int(const char* path, int fallback);

// min(rmem_max, wmem_max), bytes.
int socket_buffer_cap_bytes();

}  // namespace bc
