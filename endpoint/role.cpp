#include "endpoint/role.hpp"
namespace bc::endpoint {
const char* role_summary() { return "bc-endpoint: the endpoint role of branchcast (built out by issue #4)"; }
}  // namespace bc::endpoint
