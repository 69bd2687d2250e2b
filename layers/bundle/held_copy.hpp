// Placing held bytes into a file being rebuilt, sharing extents where the
// filesystem can: FICLONE / FICLONERANGE (btrfs, xfs with reflink=1: no data
// copied), else copy_file_range (an in-kernel copy on ext4; NFS and others
// may offload it), else read/write.
#pragma once

#include <cstdint>

#include "layers/index/content_index.hpp"
#include "layers/util/status.hpp"

namespace bc {

// Copies `from.length` bytes of `from` to `dst_fd` at `dst_offset`. With
// `whole_target` (dst is empty and receives exactly this), a whole source
// file is cloned with FICLONE. Returns true when the bytes were shared by a
// reflink. io_error naming the source when it cannot be read (shorter than
// recorded, gone).
Result<bool> copy_held(const HeldLocation& from, int dst_fd, uint64_t dst_offset, bool whole_target,
                       const std::string& dst_what);

}  // namespace bc
