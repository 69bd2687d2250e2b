#pragma once
namespace bc::tracker {
// The program's name and the issue that builds it out, for --help.
const char* role_summary();
}  // namespace bc::tracker
