#include "netsim/role.hpp"
namespace bc::netsim {
const char* role_summary() { return "bc-netsim: the netsim role of branchcast (built out by issue #5)"; }
}  // namespace bc::netsim
