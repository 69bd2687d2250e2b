// Small filesystem helpers shared by every role. All return Status values with
// the path in the message; none throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc {

// Reads a whole file of at most `max_bytes`; invalid_argument if larger.
Result<std::string> read_small_file(const std::string& path, size_t max_bytes);

// Reads a regular file that must be exactly `size` bytes (at most 64 MiB),
// never following a symlink and never blocking on a FIFO. not_found when
// missing; corruption when it is not a regular file or has another size.
Result<std::string> read_file_of_size(const std::string& path, uint64_t size);

// Writes `content` to a temporary file beside `path`, fsyncs it, renames it
// over `path` and fsyncs the directory: after a crash the file is either the
// old one or the new one. With overwrite=false, already_exists if present.
Status write_file_atomic(const std::string& path, std::string_view content, uint32_t mode,
                         bool overwrite = true);

// fsync on a directory, so a rename or create inside it is durable.
Status fsync_dir(const std::string& dir);

std::string trim(std::string_view s);

// Why a relative path taken from a manifest or the network is unsafe, or empty
// when it is safe: not empty, not absolute, no "." or ".." or empty component,
// no NUL, valid UTF-8, within length limits.
inline constexpr size_t kMaxPathBytes = 4096;
inline constexpr size_t kMaxNameBytes = 255;
std::string unsafe_path_reason(std::string_view rel);

bool is_valid_utf8(std::string_view s);

// Printable form of a path for error messages: control and non-UTF-8 bytes
// are escaped as \xNN, so a hostile name cannot forge log lines.
std::string printable(std::string_view s);

}  // namespace bc
