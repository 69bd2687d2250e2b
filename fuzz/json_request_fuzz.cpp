// libFuzzer target: the JSON request decoder (bc::parse_json with its limits)
// and Manifest::decode. A manifest that decodes must re-encode to bytes that
// decode to the same manifest (encode is canonical), bins of packed files
// included (schema 2).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "layers/model/manifest.hpp"
#include "layers/util/json.hpp"

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bc::JsonLimits limits;
  limits.max_bytes = 64 * 1024;
  limits.max_depth = 8;
  auto j = bc::parse_json(text, limits);
  if (!j.ok()) FUZZ_CHECK(!j.status().message().empty());

  auto m = bc::Manifest::decode(text);
  if (m.ok()) {
    FUZZ_CHECK(m->validate().ok());
    std::string once = m->encode();
    auto again = bc::Manifest::decode(once);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->encode() == once);
    FUZZ_CHECK(again->entries == m->entries);
    FUZZ_CHECK(again->bins == m->bins);
  }
  return 0;
}
