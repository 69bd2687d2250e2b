#include "ctl/cli/exit_codes.hpp"

#include <iostream>

namespace bc::ctl {

Exit exit_for(const Status& s) {
  switch (s.code()) {
    case Status::Code::ok: return Exit::ok;
    case Status::Code::not_found: return Exit::not_found;
    case Status::Code::permission_denied: return Exit::denied;
    case Status::Code::invalid_argument:
    case Status::Code::already_exists:
    case Status::Code::aborted:
    case Status::Code::corruption: return Exit::invalid;
    case Status::Code::unavailable: return Exit::unreachable;
    default: return Exit::failed;
  }
}

int fail(Exit code, const std::string& message) {
  std::cerr << "bcctl: " << message << "\n";
  return static_cast<int>(code);
}

int fail(const Status& s) { return fail(exit_for(s), s.message()); }

}  // namespace bc::ctl
