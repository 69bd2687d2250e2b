#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bc {

std::string to_hex(std::span<const uint8_t> bytes);
// The value of one hex digit (either case), or -1 for any other byte.
int hex_digit_value(char c);
// Lower- or upper-case hex; nullopt on odd length or a non-hex digit.
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);

}  // namespace bc
