// bcctl's exit codes, one per failure class, so scripts can tell "not there"
// from "not allowed" from "tracker unreachable" (docs/bcctl.md, "Exit codes").
#pragma once

#include <string>

#include "layers/util/status.hpp"

namespace bc::ctl {

enum class Exit : int {
  ok = 0,
  usage = 1,        // bad flags or arguments, no context configured, a local file unreadable
  not_found = 2,    // the tracker has no such layer, branch, node, token (HTTP 404)
  denied = 3,       // token unknown, revoked or its role too low (HTTP 401, 403)
  invalid = 4,      // the tracker refused the content or it conflicts (HTTP 400, 409, 413, 415, 422)
  unreachable = 5,  // no connection, TLS refused, the tracker's CA is not the pinned one
  failed = 6,       // the tracker failed (5xx), or this build cannot do it (push placeholder)
};

// The exit class of an error Status as bcctl's API client returns them
// (tracker/HTTP errors already translated, see api_client.hpp).
Exit exit_for(const Status& s);

// Prints "bcctl: MESSAGE" to stderr and returns the code as an int.
int fail(Exit code, const std::string& message);
int fail(const Status& s);

}  // namespace bc::ctl
