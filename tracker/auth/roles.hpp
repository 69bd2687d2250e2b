// Admin roles. A token is bound to one role; each API route names the least
// role it needs. admin > operator > viewer:
//   viewer   read anything (GET)
//   operator viewer + assignments, groups, retiring layers
//   admin    everything (branches, layers import, tokens, enrollment tokens)
#pragma once

#include <optional>
#include <string_view>

namespace bc::tracker {

enum class Role { viewer = 1, operator_ = 2, admin = 3 };

const char* to_string(Role r);
std::optional<Role> parse_role(std::string_view s);
// True when a token of role `have` may do what needs `need`.
inline bool role_allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

}  // namespace bc::tracker
