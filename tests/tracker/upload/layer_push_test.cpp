// Layer push end to end: the real push client against the real bc-tracker
// over HTTPS, with real files: dedup by file root and by piece hash, resume
// after the client is killed, and the published layer's bytes.
#include <signal.h>

#include <fstream>

#include "tests/integration/support/child_process.hpp"
#include "tests/tracker/upload/upload_fixture.hpp"

namespace bc::test {
namespace {

ctl::PushResult push(UploadWorld& w, const ctl::PushRequest& r) {
  auto res = ctl::push_layer(w.target(), r, nullptr);
  REQUIRE_MESSAGE(res.ok(), res.status().to_string());
  return *res;
}

// The published layer's record (GET /api/v1/layers/REF).
nlohmann::json layer(UploadWorld& w, const std::string& ref) {
  auto rec = w.rt.admin.admin_json("GET", "/api/v1/layers/" + ref);
  REQUIRE_MESSAGE(rec.ok(), rec.status().to_string());
  return *rec;
}

void overwrite(const std::string& path, uint64_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(std::streamoff(offset));
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

TEST_CASE("push: v2 of a layer with three changed pieces sends only those pieces, and publishes its bytes") {
  UploadWorld w;
  std::string dir = w.make_tree("v1", 4 << 20, 1);
  auto v1 = push(w, w.request(dir, "base", "1"));
  CHECK(v1.sent_bytes == v1.content_bytes);  // a first push sends everything
  CHECK(v1.reused_bytes == 0);
  CHECK_FALSE(v1.resumed);
  // Change three pieces in place: the first, one in the middle, the last (short) one.
  overwrite(dir + "/disk.img", 0, "changed-0");
  overwrite(dir + "/disk.img", 17 * kPiece + 5, "changed-17");
  overwrite(dir + "/disk.img", (4 << 20) - 3, "end");
  auto v2 = push(w, w.request(dir, "base", "2", "base@1"));
  CHECK(v2.sent_bytes == 3 * kPiece);
  CHECK(v2.reused_bytes == v2.content_bytes - 3 * kPiece);
  auto rec = layer(w, "base@2");
  CHECK(rec["total_bytes"] == v2.content_bytes);
  CHECK(read_file(rec["origin_dir"].get<std::string>() + "/disk.img") == read_file(dir + "/disk.img"));
  CHECK(std::filesystem::exists(rec["origin_dir"].get<std::string>() + "/.bc-pack/0"));  // the small files' bin
  CHECK(std::filesystem::is_empty(w.rt.tmp.path() + "/data/uploads"));  // staging removed after commit
}

TEST_CASE("push: a layer sharing whole files with a published one sends none of their bytes") {
  UploadWorld w;
  std::string base = w.make_tree("base", 2 << 20, 2);
  push(w, w.request(base, "base", "1"));
  std::string app = w.work / "app";
  write_file(app + "/opt/app/disk-copy.img", read_file(base + "/disk.img"));  // same bytes, another path
  write_file(app + "/opt/app/new.bin", random_bytes(300'000, 3));
  auto r = push(w, w.request(app, "app", "1"));
  CHECK(r.sent_bytes == 300'000);
  CHECK(r.reused_bytes == 2u << 20);
  CHECK(read_file(layer(w, "app@1")["origin_dir"].get<std::string>() + "/opt/app/disk-copy.img") ==
        read_file(base + "/disk.img"));
}

TEST_CASE("push: killed with SIGKILL mid-upload, the same push run again continues and publishes") {
  UploadWorld w;
  std::string dir = w.make_tree("big", 48 << 20, 4);
  ChildProcess child;
  child.start({BC_PUSH_CHILD_BIN, std::to_string(w.rt.port), w.rt.proc.ca_file(), kAdminToken, dir, "base", "1",
               w.work / "cache", std::to_string(kPiece)},
              w.work / "child.log");
  // Wait until the tracker holds some of the child's chunks, then kill it.
  uint64_t received = 0;
  REQUIRE(eventually([&] {
    auto list = w.rt.admin.admin_json("GET", "/api/v1/uploads");
    if (list.ok() && !list->empty()) received = (*list)[0].value("received_bytes", uint64_t(0));
    return received > 0;
  }, 60'000));
  child.kill9();
  auto again = push(w, w.request(dir, "base", "1"));
  CHECK(again.resumed);
  CHECK(again.sent_bytes < again.content_bytes);
  CHECK(again.sent_bytes + again.reused_bytes == again.content_bytes);
  CHECK(read_file(layer(w, "base@1")["origin_dir"].get<std::string>() + "/disk.img") == read_file(dir + "/disk.img"));
}

}  // namespace
}  // namespace bc::test
