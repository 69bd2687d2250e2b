#include "netsim/realistic/realistic_tree.hpp"

#include <cmath>
#include <filesystem>

#include "layers/util/fs.hpp"

namespace bc::netsim {

namespace fs = std::filesystem;

namespace {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The names layers/capture refuses (docs/architecture.md, "layers/capture"):
// a root may hold a few (locale files, test data), and one refused name
// would fail the whole capture.
bool capturable_name(const std::string& name) {
  if (name.size() > 240 || !is_valid_utf8(name)) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
    if (c == 0xe2 && i + 2 < name.size() && static_cast<unsigned char>(name[i + 1]) == 0x80) {
      const auto d = static_cast<unsigned char>(name[i + 2]);
      if (d == 0x8e || d == 0x8f || (d >= 0xaa && d <= 0xae)) return false;  // U+200E/F, U+202A..E
    }
  }
  return true;
}

Status copy_entry(const fs::directory_entry& e, const fs::path& to, SubsetStats& st) {
  std::error_code ec;
  const fs::file_status s = e.symlink_status(ec);
  if (ec) return Status::io_error("stat " + e.path().string() + ": " + ec.message());
  if (fs::is_symlink(s)) {
    fs::copy_symlink(e.path(), to, ec);
    if (ec) return Status::io_error("copying the symlink " + e.path().string() + ": " + ec.message());
    ++st.symlinks;
    return Status();
  }
  if (!fs::is_regular_file(s)) {
    ++st.skipped;
    return Status();
  }
  fs::copy_file(e.path(), to, ec);
  if (!ec) fs::permissions(to, s.permissions(), ec);  // set-id bits too, as the root has them
  if (ec) return Status::io_error("copying " + e.path().string() + ": " + ec.message());
  ++st.files;
  st.bytes += e.file_size(ec);
  return Status();
}

}  // namespace

Result<RealisticRoots> find_realistic_roots(const std::string& cache_dir) {
  std::error_code ec;
  for (const char* v : {"v1", "v2"}) {
    if (!fs::exists(cache_dir + "/" + v + ".done", ec) || !fs::is_directory(cache_dir + "/" + v, ec))
      return Status::not_found("realistic content: no Debian root " + cache_dir + "/" + v +
                               " (made with its .done marker); run `scripts/realistic-roots.sh " + cache_dir +
                               "` as root (mmdebstrap, about 4 minutes; this machine's /usr when Debian's archive is "
                               "not reachable)");
  }
  RealisticRoots r;
  r.v1 = fs::absolute(cache_dir + "/v1").string();
  r.v2 = fs::absolute(cache_dir + "/v2").string();
  r.usr_fallback = fs::exists(cache_dir + "/FALLBACK", ec);
  return r;
}

bool subset_keeps(std::string_view rel_path, double fraction) {
  if (fraction >= 1.0) return true;
  // The hash's top 53 bits as a uniform number in [0, 1).
  const double u = static_cast<double>(fnv1a(rel_path) >> 11) * 0x1.0p-53;
  return u < fraction;
}

Result<SubsetStats> copy_subset(const SubsetOptions& o, const std::string& dest) {
  if (o.root.empty()) return Status::invalid_argument("copy_subset: root required");
  if (!(o.fraction > 0 && o.fraction <= 1))
    return Status::invalid_argument("copy_subset: fraction must be in (0, 1], got " + std::to_string(o.fraction));
  const fs::path from = o.subtree.empty() ? fs::path(o.root) : fs::path(o.root) / o.subtree;
  std::error_code ec;
  if (!fs::is_directory(from, ec)) return Status::not_found("realistic content: no directory " + from.string());
  if (fs::exists(dest, ec)) return Status::already_exists("copy_subset: " + dest + " exists");
  fs::create_directories(dest, ec);
  if (ec) return Status::io_error("creating " + dest + ": " + ec.message());
  SubsetStats st;
  fs::recursive_directory_iterator it(from, fs::directory_options::none, ec), end;
  if (ec) return Status::io_error("reading " + from.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::io_error("reading below " + from.string() + ": " + ec.message());
    const fs::path rel = it->path().lexically_relative(from);
    const fs::path to = fs::path(dest) / rel;
    if (!capturable_name(it->path().filename().string())) {
      ++st.skipped;
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      fs::create_directory(to, it->path(), ec);  // with the source's mode
      if (ec) return Status::io_error("creating " + to.string() + ": " + ec.message());
      ++st.dirs;
      continue;
    }
    if (!subset_keeps(rel.generic_string(), o.fraction)) continue;
    BC_RETURN_IF_ERROR(copy_entry(*it, to, st));
  }
  if (ec) return Status::io_error("reading below " + from.string() + ": " + ec.message());
  return st;
}

}  // namespace bc::netsim
