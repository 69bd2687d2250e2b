// The web seed token secret: 32 random bytes in DATA/webseed.key (0600),
// made on first start. An operator who lets external web servers check
// tokens themselves points [origin] web_seed_secret_file at a file shared
// with them; with nginx and auth_request (docs/security.md) the secret never
// leaves the tracker.
#pragma once

#include <string>

#include "tracker/webseed/web_seed_token.hpp"

namespace bc::tracker {

// Reads `path` (exactly kWebSeedSecretBytes bytes), or, when it does not
// exist and `create` is true, writes fresh random bytes there with mode 0600.
// Errors: permission_denied when group or others may read it (the fix
// named), corruption when its size is wrong, not_found when missing and
// !create, io_error from the file system.
Result<WebSeedSecret> load_web_seed_secret(const std::string& path, bool create);

}  // namespace bc::tracker
