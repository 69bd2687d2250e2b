#include "reflector/role.hpp"
namespace bc::reflector {
const char* role_summary() { return "bc-reflector: the reflector role of branchcast (built out by issue #4)"; }
}  // namespace bc::reflector
