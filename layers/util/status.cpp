#include "layers/util/status.hpp"

namespace bc {

const char* Status::code_name(Code c) {
  switch (c) {
    case Code::ok: return "ok";
    case Code::not_found: return "not found";
    case Code::corruption: return "corruption";
    case Code::invalid_argument: return "invalid argument";
    case Code::io_error: return "I/O error";
    case Code::permission_denied: return "permission denied";
    case Code::already_exists: return "already exists";
    case Code::unavailable: return "unavailable";
    case Code::no_space: return "no space";
    case Code::unsupported: return "unsupported";
    case Code::aborted: return "aborted";
    case Code::internal: return "internal error";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  return std::string(code_name(code_)) + ": " + message_;
}

Status Status::with_context(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace bc
