#include "node/desired_store.hpp"

#include <filesystem>

#include "layers/util/fs.hpp"

namespace bc::node {

Status save_desired_state(const std::string& path, const nlohmann::json& state) {
  return write_file_atomic(path, state.dump() + "\n", 0600);
}

Result<nlohmann::json> load_desired_state(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::not_found(path + ": no desired state saved");
  auto text = read_small_file(path, kMaxDesiredStateBytes);
  if (!text.ok()) return Status::corruption(path + ": " + text.status().message());
  auto state = nlohmann::json::parse(*text, nullptr, false);
  if (state.is_discarded() || !state.is_object())
    return Status::corruption(path + ": the saved desired state is not a JSON object");
  return state;
}

}  // namespace bc::node
