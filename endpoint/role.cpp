#include "endpoint/role.hpp"
namespace bc::endpoint {
const char* role_summary() { return "bc-endpoint: the branchcast desktop agent (enroll, run, status, rollback)"; }
}  // namespace bc::endpoint
