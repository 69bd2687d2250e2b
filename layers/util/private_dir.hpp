// State directories at rest: every role keeps its state (the tracker's
// data_dir, a reflector's cache_dir, an endpoint's --dir) in a directory
// only the running user can enter, since it holds node keys, announce keys,
// signed manifests and payloads a node is entitled to and others are not.
#pragma once

#include <string>

#include "layers/util/status.hpp"

namespace bc {

// OK when `path` is a directory (symlinks followed) owned by the effective
// user with no group or other permission bits. Otherwise:
// permission_denied naming the path, its mode or owner and the fix
// ("chmod 700 PATH", "chown UID PATH"); not_found when missing;
// invalid_argument when not a directory.
Status check_private_dir(const std::string& path);

// Creates `path` (and missing parents) when absent, the last component with
// mode 0700 whatever the umask, then check_private_dir(path). An existing
// directory is never chmod-ed: a wrong mode is the operator's to fix (it may
// mean someone else could read what is inside).
Status ensure_private_dir(const std::string& path);

// A secret file (a private key) others may already have copied is refused,
// not used (the operator decides whether to rotate): permission_denied
// naming `what`, the path, its mode and "chmod 600 PATH" when group or
// others have any bit. OK when the file is private, or missing (the caller
// reads or makes it).
Status check_secret_file(const std::string& path, const std::string& what);

}  // namespace bc
