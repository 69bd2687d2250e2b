#include "layers/bundle/bundle_verify.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "layers/capture/parallel_hasher.hpp"
#include "layers/util/fs.hpp"

namespace bc {

Status verify_rebuilt(const TorrentFacts& facts, const std::string& payload_dir, unsigned threads) {
  std::vector<HashJob> jobs;
  std::vector<const TorrentFile*> want;
  std::vector<const std::string*> paths;
  for (const auto& [path, f] : facts.files) {
    jobs.push_back({payload_dir + "/" + path, f.size, -1});
    want.push_back(&f);
    paths.push_back(&path);
  }
  ParallelHashOptions ho;
  ho.piece_bytes = facts.piece_size;
  ho.threads = threads;
  auto hashes = hash_files_parallel(jobs, ho);
  if (!hashes.ok()) return hashes.status().with_context("verify rebuilt payload");
  for (size_t i = 0; i < jobs.size(); ++i)
    if ((*hashes)[i].root != want[i]->root)
      return Status::corruption("rebuilt " + printable(*paths[i]) +
                                " does not hash to the signed manifest's root: the bundle's bytes or a held "
                                "parent file are damaged");
  return Status();
}

Status materialize_tree(const Manifest& m, const std::string& payload_dir) {
  namespace fs = std::filesystem;
  for (const Entry& e : m.entries) {
    const std::string abs = payload_dir + "/" + e.path;
    std::error_code ec;
    if (e.type == EntryType::dir) {
      fs::create_directories(abs, ec);
      if (ec) return Status::io_error(abs + ": " + ec.message());
    } else if (e.type == EntryType::symlink) {
      fs::create_directories(fs::path(abs).parent_path(), ec);
      if (::symlink(e.target.c_str(), abs.c_str()) != 0)
        return Status::io_error(abs + ": symlink: " + std::strerror(errno));
    } else if (!e.packed()) {
      if (::chmod(abs.c_str(), e.mode) != 0) return Status::io_error(abs + ": chmod: " + std::strerror(errno));
    }
  }
  for (auto it = m.entries.rbegin(); it != m.entries.rend(); ++it)
    if (it->type == EntryType::dir && ::chmod((payload_dir + "/" + it->path).c_str(), it->mode) != 0)
      return Status::io_error(payload_dir + "/" + it->path + ": chmod: " + std::strerror(errno));
  return Status();
}

}  // namespace bc
