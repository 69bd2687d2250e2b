// File primitives of a staged upload: durable writes of chunks in place and
// of the received log, and copies of held content from the origin store.
// Errors are io_error naming the path and the call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc::tracker {

// Writes `bytes` at `offset` of `path` (created 0600 with its parents, never
// truncated) and, when `sync`, fdatasyncs it.
Status write_at(const std::string& path, uint64_t offset, std::string_view bytes, bool sync = true);

// syncfs on the filesystem holding `dir`: makes every write before it durable.
Status sync_filesystem(const std::string& dir);

// Appends `line` to `path` (created 0600) without syncing it: the received
// log may lose its last lines in a crash (those chunks are asked for again),
// never gain one whose bytes were not synced first (write_at or
// sync_filesystem before the line is written). A torn last line reads as fewer pieces, not more.
Status append_line(const std::string& path, std::string_view line);

// Copies `length` bytes at `from_offset` of `from` to `to_offset` of `to`
// (opened by the caller for writing) with copy_file_range, which shares
// extents where the filesystem can; falls back to read/write.
Status copy_range(int from_fd, uint64_t from_offset, int to_fd, uint64_t to_offset, uint64_t length,
                  const std::string& what);

// Copies the whole file `from` to `to` (created 0600): a reflink (FICLONE)
// where the filesystem can, else copy_range; fsynced.
Status copy_whole_file(const std::string& from, const std::string& to);

// Free bytes for an unprivileged writer on the filesystem holding `path`.
Result<uint64_t> free_bytes(const std::string& path);

}  // namespace bc::tracker
