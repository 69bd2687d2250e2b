// A directory under $TMPDIR that is removed when the test ends.
#pragma once

#include <cstdint>
#include <string>

namespace bc::test {

class TmpDir {
 public:
  TmpDir();
  ~TmpDir();
  TmpDir(const TmpDir&) = delete;
  TmpDir& operator=(const TmpDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Writes `content` to `path`, creating parent directories.
void write_file(const std::string& path, const std::string& content, unsigned mode = 0644);
std::string read_file(const std::string& path);
// Deterministic pseudo-random bytes (seeded), for content that does not compress.
std::string random_bytes(size_t n, uint64_t seed);

}  // namespace bc::test
