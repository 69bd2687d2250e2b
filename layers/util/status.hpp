// Errors are values. A Status says whether an operation worked and, if not,
// which kind of failure it was and a sentence naming what failed and why.
// Result<T> carries either a T or a non-OK Status. Exceptions never cross a
// module boundary: third-party errors are translated into these at the edge.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace bc {

class Status {
 public:
  enum class Code {
    ok = 0,
    not_found,         // the thing named does not exist
    corruption,        // bytes on disk or on the wire are not what they claim
    invalid_argument,  // the caller's input is malformed or out of range
    io_error,          // the OS refused a read, write or rename
    permission_denied, // authentication or authorization failed
    already_exists,    // a create found something in the way
    unavailable,       // a remote party cannot be reached right now
    no_space,          // a disk, quota or bounded queue is full
    unsupported,       // valid input we deliberately do not handle
    aborted,           // a precondition of an in-flight operation no longer holds
    internal,          // a bug: an invariant of ours did not hold
  };

  Status() = default;  // OK
  static Status ok_status() { return Status(); }
  static Status not_found(std::string m) { return Status(Code::not_found, std::move(m)); }
  static Status corruption(std::string m) { return Status(Code::corruption, std::move(m)); }
  static Status invalid_argument(std::string m) { return Status(Code::invalid_argument, std::move(m)); }
  static Status io_error(std::string m) { return Status(Code::io_error, std::move(m)); }
  static Status permission_denied(std::string m) { return Status(Code::permission_denied, std::move(m)); }
  static Status already_exists(std::string m) { return Status(Code::already_exists, std::move(m)); }
  static Status unavailable(std::string m) { return Status(Code::unavailable, std::move(m)); }
  static Status no_space(std::string m) { return Status(Code::no_space, std::move(m)); }
  static Status unsupported(std::string m) { return Status(Code::unsupported, std::move(m)); }
  static Status aborted(std::string m) { return Status(Code::aborted, std::move(m)); }
  static Status internal(std::string m) { return Status(Code::internal, std::move(m)); }

  bool ok() const { return code_ == Code::ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "corruption: manifest.json: entry 3: path '../x' leaves the root"
  std::string to_string() const;
  static const char* code_name(Code c);

  // Returns a copy whose message is prefixed with `context` ("context: message").
  Status with_context(const std::string& context) const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::ok;
  std::string message_;
};

// Either a value or a non-OK Status. REQUIRES: constructed from a non-OK Status
// when it carries no value.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status s) : v_(std::move(s)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace bc

#define BC_CONCAT_INNER(a, b) a##b
#define BC_CONCAT(a, b) BC_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define BC_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::bc::Status bc_status_ = (expr);       \
    if (!bc_status_.ok()) return bc_status_; \
  } while (0)

// `BC_ASSIGN_OR_RETURN(auto x, make_x());` — x is the value, or the enclosing
// function returns the error.
#define BC_ASSIGN_OR_RETURN(lhs, rexpr) \
  BC_ASSIGN_OR_RETURN_IMPL(BC_CONCAT(bc_result_, __LINE__), lhs, rexpr)
#define BC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
