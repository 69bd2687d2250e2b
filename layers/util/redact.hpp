// Secrets never reach logs. Announce URLs carry the per-node key in their
// query (`bckey=`), and a log line that prints a URL or a request target
// would hand that key (and with it the node's swarm identity) to whoever
// reads the log. Every place that logs a URL or target passes it through
// redact_secrets first.
#pragma once

#include <string>
#include <string_view>

namespace bc {

inline constexpr std::string_view kRedacted = "<redacted>";

// `text` with the value of every secret query parameter (`bckey`, `key`,
// `token`, `passkey`, `access_token`, `sig`: a name right after '?' or '&',
// compared without case) replaced by kRedacted. The value ends at '&', '#',
// whitespace, a quote or the end of the text. Everything else is unchanged.
std::string redact_secrets(std::string_view text);

}  // namespace bc
