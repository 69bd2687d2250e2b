#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bc {

std::string to_hex(std::span<const uint8_t> bytes);
// Lower- or upper-case hex; nullopt on odd length or a non-hex digit.
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);

}  // namespace bc
