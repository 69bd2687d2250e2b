#include "tracker/webseed/web_seed_key.hpp"

#include <sodium.h>

#include <filesystem>

#include "layers/util/fs.hpp"
#include "layers/util/private_dir.hpp"

namespace bc::tracker {

Result<WebSeedSecret> load_web_seed_secret(const std::string& path, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) return Status::not_found("web seed secret " + path + " does not exist");
    WebSeedSecret fresh{};
    randombytes_buf(fresh.data(), fresh.size());
    BC_RETURN_IF_ERROR(write_file_atomic(path, {reinterpret_cast<const char*>(fresh.data()), fresh.size()}, 0600,
                                         /*overwrite=*/false));
    return fresh;
  }
  BC_RETURN_IF_ERROR(check_secret_file(path, "web seed secret"));
  BC_ASSIGN_OR_RETURN(std::string bytes, read_small_file(path, 4096));
  if (bytes.size() != kWebSeedSecretBytes)
    return Status::corruption("web seed secret " + path + " holds " + std::to_string(bytes.size()) +
                              " bytes, not " + std::to_string(kWebSeedSecretBytes) +
                              " (make one with: head -c 32 /dev/urandom > " + path + "; chmod 600 " + path + ")");
  WebSeedSecret s{};
  std::copy(bytes.begin(), bytes.end(), s.begin());
  return s;
}

}  // namespace bc::tracker
