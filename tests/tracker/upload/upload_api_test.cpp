// The upload API's bad input and limits over the real bc-tracker (HTTPS):
// precise errors, nothing half-published, no staging left behind.
#include <fcntl.h>
#include <sys/stat.h>

#include <ctime>

#include "tests/tracker/upload/upload_fixture.hpp"

namespace bc::test {
namespace {

std::string chunk_target(const std::string& id, uint32_t file, uint32_t piece) {
  return "/api/v1/uploads/" + id + "/files/" + std::to_string(file) + "/pieces/" + std::to_string(piece);
}

std::string error_of(const nlohmann::json& body) { return body.is_object() ? body.value("error", "") : ""; }

TEST_CASE("upload: a chunk whose hash does not match, or that is truncated, is refused naming file and piece") {
  UploadWorld w;
  std::string dir = w.make_tree("t", 1 << 20, 10);
  auto cap = w.capture(dir, "base", "1");
  auto [code, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  REQUIRE(code == 201);
  std::string id = st["id"];
  uint32_t disk = payload_index(cap.manifest, "disk.img");
  std::string piece3 = read_file(dir + "/disk.img").substr(3 * kPiece, kPiece);
  std::string bad = piece3;
  bad[100] ^= 1;
  auto [c1, b1] = w.call("PUT", chunk_target(id, disk, 3), bad, kAdminToken, "application/octet-stream");
  CHECK(c1 == 422);
  CHECK(error_of(b1).find("'disk.img' piece 3") != std::string::npos);
  auto [c2, b2] = w.call("PUT", chunk_target(id, disk, 3), piece3.substr(0, 1000), kAdminToken,
                         "application/octet-stream");
  CHECK(c2 == 422);
  CHECK(error_of(b2).find("truncated") != std::string::npos);
  auto [c3, s3] = w.call("GET", "/api/v1/uploads/" + id, "");
  CHECK(s3["received_bytes"] == 0);  // both dropped
  auto [c4, b4] = w.call("PUT", chunk_target(id, disk, 3), piece3, kAdminToken, "application/octet-stream");
  CHECK(c4 == 200);
  CHECK(b4["pieces"] == 1);
  // Commit before everything arrived: refused, with what is missing.
  auto [c5, b5] = w.call("POST", "/api/v1/uploads/" + id + "/commit", "");
  CHECK(c5 == 409);
  CHECK(error_of(b5).find("still lacks") != std::string::npos);
}

TEST_CASE("upload: a batch of small chunks is kept whole, or refused whole naming its bad unit") {
  UploadWorld w;
  std::string dir = w.make_tree("t", 256 << 10, 30);
  auto cap = w.capture(dir, "base", "1");
  auto [code, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  REQUIRE(code == 201);
  std::string id = st["id"];
  uint32_t disk = payload_index(cap.manifest, "disk.img");
  std::string bytes = read_file(dir + "/disk.img");
  auto unit = [&](uint32_t piece, std::string data) {
    return std::to_string(disk) + " " + std::to_string(piece) + " " + std::to_string(data.size()) + "\n" + data;
  };
  std::string bad = bytes.substr(2 * kPiece, kPiece);
  bad[9] ^= 1;
  auto [c1, b1] = w.call("PUT", "/api/v1/uploads/" + id + "/batch",
                         unit(0, bytes.substr(0, kPiece)) + unit(2, bad), kAdminToken, "application/octet-stream");
  CHECK(c1 == 422);
  CHECK(error_of(b1).find("'disk.img' piece 2") != std::string::npos);
  CHECK(w.call("GET", "/api/v1/uploads/" + id, "").second["received_bytes"] == 0);  // nothing kept
  auto [c2, b2] = w.call("PUT", "/api/v1/uploads/" + id + "/batch",
                         unit(0, bytes.substr(0, kPiece)) + unit(2, bytes.substr(2 * kPiece, kPiece)), kAdminToken,
                         "application/octet-stream");
  CHECK(c2 == 200);
  CHECK(b2["units"] == 2);
  CHECK(w.call("GET", "/api/v1/uploads/" + id, "").second["received_bytes"] == 2 * kPiece);
}

TEST_CASE("upload: nothing is visible before commit and a cancelled upload takes no chunk and leaves no staging") {
  UploadWorld w;
  auto cap = w.capture(w.make_tree("t", 1 << 20, 11), "base", "1");
  auto [code, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  REQUIRE(code == 201);
  std::string id = st["id"];
  CHECK(w.staged(id));
  auto layers = w.rt.admin.admin_json("GET", "/api/v1/layers");
  REQUIRE(layers.ok());
  CHECK(layers->empty());
  auto [c1, b1] = w.call("DELETE", "/api/v1/uploads/" + id, "");
  CHECK(c1 == 200);
  CHECK_FALSE(w.staged(id));
  auto [c2, b2] = w.call("PUT", chunk_target(id, 0, 0), std::string(kPiece, 'x'), kAdminToken,
                         "application/octet-stream");
  CHECK(c2 == 404);
  CHECK(error_of(b2).find("upload " + id + " does not exist") != std::string::npos);
  CHECK_FALSE(w.staged(id));
  auto audit = w.rt.admin.admin_json("GET", "/api/v1/audit");
  REQUIRE(audit.ok());
  std::string all = audit->dump();
  CHECK(all.find("upload.start") != std::string::npos);
  CHECK(all.find("upload.cancel") != std::string::npos);
}

TEST_CASE("upload: a 100 GB claim is refused at start, before any work, naming the limit") {
  UploadWorld w;
  nlohmann::json body = {{"content_bytes", uint64_t(100) << 30}, {"manifest", "not even a manifest"}, {"torrent", ""}};
  auto [code, b] = w.call("POST", "/api/v1/uploads", body.dump());
  CHECK(code == 400);
  CHECK(error_of(b).find("max_layer_bytes") != std::string::npos);
  CHECK(std::filesystem::is_empty(w.rt.tmp.path() + "/data/uploads"));
}

TEST_CASE("upload: a second admin pushing the same name@version gets 409 naming the first upload") {
  UploadWorld w;
  auto cap = w.capture(w.make_tree("t", 256 << 10, 12), "base", "1");
  auto [c1, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  REQUIRE(c1 == 201);
  // The same admin again resumes the same upload.
  auto [c2, again] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  CHECK(c2 == 200);
  CHECK(again["id"] == st["id"]);
  CHECK(again["resumed"] == true);
  auto [c3, b3] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap), w.token("operator"));
  CHECK(c3 == 409);
  CHECK(error_of(b3).find(st["id"].get<std::string>()) != std::string::npos);
}

TEST_CASE("upload: beyond [upload] max_concurrent a start is refused naming the limit and a cancel makes room") {
  UploadWorld w("[upload]\nmax_concurrent = 1\n");
  auto a = w.capture(w.make_tree("a", 64 << 10, 20), "a", "1");
  auto b = w.capture(w.make_tree("b", 64 << 10, 21), "b", "1");
  auto [c1, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(a));
  REQUIRE(c1 == 201);
  auto [c2, b2] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(b));
  CHECK(c2 == 503);
  CHECK(error_of(b2).find("max_concurrent") != std::string::npos);
  CHECK(w.call("DELETE", "/api/v1/uploads/" + st["id"].get<std::string>(), "").first == 200);
  CHECK(w.call("POST", "/api/v1/uploads", UploadWorld::start_body(b)).first == 201);
}

TEST_CASE("upload: a start the data directory has no room for is 507 naming what it needs, and stages nothing") {
  UploadWorld w("[upload]\nreserve_free_bytes = 1125899906842624\n");  // 1 PiB to spare: never free
  auto cap = w.capture(w.make_tree("t", 64 << 10, 22), "base", "1");
  auto [code, b] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  CHECK(code == 507);
  CHECK(error_of(b).find("reserve_free_bytes") != std::string::npos);
  CHECK(std::filesystem::is_empty(w.rt.tmp.path() + "/data/uploads"));
}

TEST_CASE("upload: a viewer token is refused every upload route") {
  UploadWorld w;
  std::string viewer = w.token("viewer");
  auto cap = w.capture(w.make_tree("t", 64 << 10, 13), "base", "1");
  CHECK(w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap), viewer).first == 403);
  CHECK(w.call("GET", "/api/v1/uploads", "", viewer).first == 403);
  CHECK(std::filesystem::is_empty(w.rt.tmp.path() + "/data/uploads"));
  auto res = ctl::push_layer(w.target(viewer), w.request(w.work / "t", "base", "1"), nullptr);
  CHECK(res.status().code() == Status::Code::permission_denied);
}

TEST_CASE("upload: the sweep removes a staged upload idle longer than [upload] stale_after_s") {
  UploadWorld w("[upload]\nstale_after_s = 1\nsweep_interval_s = 1\n");
  auto cap = w.capture(w.make_tree("t", 256 << 10, 14), "base", "1");
  auto [code, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  REQUIRE(code == 201);
  std::string id = st["id"];
  CHECK(w.staged(id));
  CHECK(eventually([&] { return !w.staged(id); }, 10'000, 50));
  CHECK(w.call("GET", "/api/v1/uploads/" + id, "").first == 404);
}

}  // namespace
}  // namespace bc::test

namespace bc::test {
namespace {

void age(const std::string& path, int64_t seconds) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = ::time(nullptr) - seconds;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

TEST_CASE("upload: at start the sweep removes uploads left idle too long and staging no upload owns") {
  UploadWorld w("[upload]\nstale_after_s = 600\nsweep_interval_s = 3600\n");
  auto cap = w.capture(w.make_tree("t", 256 << 10, 15), "base", "1");
  auto [code, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  REQUIRE(code == 201);
  std::string id = st["id"];
  std::string staging = w.rt.tmp.path() + "/data/uploads/";
  REQUIRE(w.rt.proc.stop() == 0);
  // An hour idle, as far as the files say; and an orphan of a start that crashed.
  age(staging + id + "/session.json", 3600);
  write_file(staging + "orphan/payload/x", "half");
  age(staging + "orphan", 3600);
  uint16_t port = w.rt.proc.start();
  CHECK_FALSE(w.staged(id));
  CHECK_FALSE(std::filesystem::exists(staging + "orphan"));
  tracker::HttpClient http(local_client(port, w.rt.proc.ca_file()));
  auto r = http.request("GET", "/api/v1/uploads/" + id, "", {{"Authorization", "Bearer " + kAdminToken}});
  REQUIRE(r.ok());
  CHECK(r->status == 404);
}

TEST_CASE("upload: staged uploads survive a tracker restart and continue") {
  UploadWorld w;
  std::string dir = w.make_tree("t", 1 << 20, 16);
  auto cap = w.capture(dir, "base", "1");
  auto [code, st] = w.call("POST", "/api/v1/uploads", UploadWorld::start_body(cap));
  REQUIRE(code == 201);
  std::string id = st["id"];
  uint32_t disk = payload_index(cap.manifest, "disk.img");
  auto [c1, b1] = w.call("PUT", "/api/v1/uploads/" + id + "/files/" + std::to_string(disk) + "/pieces/0",
                         read_file(dir + "/disk.img").substr(0, 2 * kPiece), kAdminToken, "application/octet-stream");
  REQUIRE(c1 == 200);
  REQUIRE(w.rt.proc.stop() == 0);
  uint16_t port = w.rt.proc.start();
  tracker::HttpClient http(local_client(port, w.rt.proc.ca_file()));
  auto r = http.request("GET", "/api/v1/uploads/" + id, "", {{"Authorization", "Bearer " + kAdminToken}});
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  auto again = nlohmann::json::parse(r->body);
  CHECK(again["received_bytes"] == 2 * kPiece);
  CHECK(again["need_bytes"] == st["need_bytes"].get<uint64_t>() - 2 * kPiece);
}

}  // namespace
}  // namespace bc::test
