#include "node/desired_store.hpp"

#include "layers/util/fs.hpp"
#include "layers/util/json.hpp"

namespace bc::node {

Status save_desired_state(const std::string& path, const nlohmann::json& state) {
  return write_file_atomic(path, state.dump() + "\n", 0600);
}

Result<nlohmann::json> load_desired_state(const std::string& path) {
  auto text = read_small_file(path, kMaxDesiredStateBytes);
  if (!text.ok() && text.status().code() == Status::Code::not_found)
    return Status::not_found(path + ": no desired state saved");
  if (!text.ok()) return Status::corruption(path + ": " + text.status().message());
  auto state = parse_json(*text, JsonLimits{kMaxDesiredStateBytes, 16});
  if (!state.ok() || !state->is_object())
    return Status::corruption(path + ": the saved desired state is not a JSON object" +
                              (state.ok() ? std::string() : " (" + state.status().message() + ")"));
  return state;
}

}  // namespace bc::node
