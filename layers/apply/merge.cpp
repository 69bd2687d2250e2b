#include <string_view>

#include "layers/apply/plan.hpp"
#include "layers/util/fs.hpp"

namespace bc {

static bool in_state_dir(std::string_view path) {
  std::string_view first = path.substr(0, path.find('/'));
  return first == kStateDirName;
}

Result<MergedStack> merge_stack(const std::vector<const Manifest*>& stack) {
  MergedStack merged;
  for (size_t i = 0; i < stack.size(); ++i) {
    const Manifest& m = *stack[i];
    for (const Entry& e : m.entries) {
      if (in_state_dir(e.path))
        return Status::invalid_argument(m.ref().to_string() + ": entry '" + printable(e.path) +
                                        "' is inside " + kStateDirName +
                                        "/, which is reserved for apply state");
      merged[e.path] = StackEntry{e, i};
      if (e.type == EntryType::dir) continue;
      // A file or symlink here hides whatever an earlier layer had below it.
      std::string prefix = e.path + "/";
      auto it = merged.lower_bound(prefix);
      while (it != merged.end() && it->first.compare(0, prefix.size(), prefix) == 0)
        it = merged.erase(it);
    }
  }
  return merged;
}

const char* to_string(DiskType t) {
  switch (t) {
    case DiskType::absent:
      return "absent";
    case DiskType::file:
      return "file";
    case DiskType::dir:
      return "dir";
    case DiskType::symlink:
      return "symlink";
    case DiskType::other:
      return "other";
  }
  return "?";
}

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::move_out:
      return "move_out";
    case OpKind::move_in:
      return "move_in";
    case OpKind::make_dir:
      return "make_dir";
    case OpKind::remove_dir:
      return "remove_dir";
    case OpKind::set_mode:
      return "set_mode";
  }
  return "?";
}

const char* to_string(SlotArea a) {
  switch (a) {
    case SlotArea::none:
      return "none";
    case SlotArea::stage:
      return "stage";
    case SlotArea::snapshot:
      return "snapshot";
    case SlotArea::trash:
      return "trash";
    case SlotArea::rescued:
      return "rescued";
  }
  return "?";
}

}  // namespace bc
