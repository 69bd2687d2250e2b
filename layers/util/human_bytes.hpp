// Byte counts for people: binary units with one decimal ("1.5 MiB"), whole
// bytes below 1 KiB ("512 B"). Used by bc-layer's reports and the benches.
#pragma once

#include <cstdint>
#include <string>

namespace bc {

std::string human_bytes(uint64_t bytes);

}  // namespace bc
