#include "tracker/role.hpp"
namespace bc::tracker {
const char* role_summary() { return "bc-tracker: the tracker role of branchcast (built out by issue #3)"; }
}  // namespace bc::tracker
