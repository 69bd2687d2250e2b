// The report's content facts: the raw and wire bytes an assignment brings new
// to a branch, counted from the layers (hand-computed cases), and content.json
// read back with its errors named.
#include <doctest/doctest.h>

#include "netsim/report/content_facts.hpp"

namespace bc::netsim {
namespace {

constexpr std::uint64_t P = 64 * 1024;

ContentUnit unit(std::string path, std::uint64_t size, std::uint64_t id, std::vector<std::uint64_t> pieces = {},
                 std::vector<std::uint64_t> members = {}) {
  return ContentUnit{std::move(path), size, id, std::move(pieces), std::move(members)};
}

// base@1: a 4-piece file, a 20,000-byte file and a bin of two small files;
// base@2: one piece of the big file changed, one small file rewritten (its own
// bin), the other small file re-packed alone (bin of held members), a new
// 2-piece file; app@1: a copy of base's 20,000-byte file.
ContentFacts facts() {
  ContentFacts f;
  VersionContent b1{"base", 1, P, {}, {}};
  b1.raw = {unit("big", 200000, 0xa1, {1, 2, 3, 4}), unit("small", 20000, 0xb1), unit("m1", 3000, 0xc1),
            unit("m2", 4000, 0xd1)};
  b1.wire = {unit("big", 200000, 0xa1, {11, 12, 13, 14}), unit("small", 20000, 0xb1),
             unit(".bc-pack/0", 7000, 0xe0, {}, {0xc1, 0xd1})};
  VersionContent b2{"base", 2, P, {}, {}};
  b2.raw = {unit("big", 200000, 0xa2, {1, 2, 5, 4}), unit("small", 20000, 0xb1), unit("m1", 3000, 0xc1),
            unit("m2", 4500, 0xd2), unit("new", 70000, 0xf1, {6, 7})};
  b2.wire = {unit("big", 200000, 0xa2, {11, 12, 15, 14}), unit("small", 20000, 0xb1),
             unit(".bc-pack/0", 3000, 0xe1, {}, {0xc1}), unit(".bc-pack/1", 4500, 0xe2, {}, {0xd2}),
             unit("new", 70000, 0xf1, {16, 17})};
  VersionContent a1{"app", 1, P, {}, {}};
  a1.raw = {unit("copy", 20000, 0xb1)};
  a1.wire = {unit("copy", 20000, 0xb1)};
  f.versions = {b1, b2, a1};
  return f;
}

Scenario scenario() {
  Scenario s;
  s.assignments = {{0, "base", 1, {}}, {0, "app", 1, {}}, {10, "base", 2, {"a"}}, {20, "base", 2, {"a"}}};
  return s;
}

TEST_CASE("new content: raw counts unheld files and changed pieces, wire counts block-rounded torrent bytes") {
  const ContentFacts f = facts();
  CHECK(f.versions[0].raw_bytes() == 227000);
  CHECK(f.versions[0].wire_bytes() == 212992 + 32768 + 16384);  // 13 + 2 + 1 blocks of 16 KiB
  auto a = assignment_new_content(scenario(), f, "a");
  REQUIRE(a.size() == 4);
  // base@1, nothing held: everything; the big file's last piece (3,392 bytes) costs one block.
  CHECK(a[0].raw_bytes == 227000);
  CHECK(a[0].wire_bytes == 3 * P + 16384 + 32768 + 16384);
  // app@1 only copies a file base@1 brought: nothing new.
  CHECK(a[1].raw_bytes == 0);
  CHECK(a[1].wire_bytes == 0);
  // base@2: raw = the changed piece + the rewritten small file + the new file;
  // wire = the changed piece + the new member's bin (one block) + the new
  // file's two pieces (the second rounded to a block); the bin of a held
  // member is assembled, so it costs nothing.
  CHECK(a[2].raw_bytes == P + 4500 + 70000);
  CHECK(a[2].wire_bytes == P + 16384 + P + 16384);
  CHECK(a[3].raw_bytes == 0);  // a repeat
  CHECK(a[3].wire_bytes == 0);
  for (const NewContent& n : a) CHECK(n.known);
  // Branch b never gets base@2.
  auto b = assignment_new_content(scenario(), f, "b");
  CHECK(b[2].raw_bytes == 0);
  CHECK(b[2].wire_bytes == 0);
}

TEST_CASE("new content: v2 without v1 is whole, and a layer version missing from the facts is unknown") {
  Scenario s;
  s.assignments = {{0, "base", 2, {}}, {5, "base", 1, {}}, {6, "gone", 1, {}}};
  auto n = assignment_new_content(s, facts(), "a");
  CHECK(n[0].raw_bytes == 200000 + 20000 + 3000 + 4500 + 70000);
  // v1 after v2: the old piece (3) and the old small file (m2) are new again.
  CHECK(n[1].raw_bytes == P + 4000);
  CHECK(n[0].known);
  CHECK_FALSE(n[2].known);
}

TEST_CASE("content.json round-trips and names the field of a bad value") {
  const ContentFacts f = facts();
  auto back = ContentFacts::from_json(f.to_json());
  REQUIRE_MESSAGE(back.ok(), back.status().to_string());
  REQUIRE(back->versions.size() == 3);
  CHECK(back->versions[1].wire[2].members == std::vector<std::uint64_t>{0xc1});
  CHECK(back->versions[0].raw[0].pieces == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(back->find("base", 2)->wire_bytes() == f.find("base", 2)->wire_bytes());
  CHECK(back->find("base", 3) == nullptr);

  nlohmann::json j = f.to_json();
  j["versions"][1]["wire"][3]["pieces"] = {"xyz"};
  CHECK(std::string(ContentFacts::from_json(j).status().message()) ==
        "content.versions[1].wire[3].pieces: ids are 16 hex digits");
  j = f.to_json();
  j["versions"][0]["piece_bytes"] = 1000;
  CHECK(std::string(ContentFacts::from_json(j).status().message()) ==
        "content.versions[0].piece_bytes: must be a power of two in [16 KiB, 1 GiB]");
  j = f.to_json();
  j["versions"][2]["raw"][0].erase("size");
  CHECK(std::string(ContentFacts::from_json(j).status().message()) ==
        "content.versions[2].raw[0].size: must be a number >= 0");
  CHECK(std::string(ContentFacts::from_json(nlohmann::json::object()).status().message()) == "content.schema: must be 1");
}

}  // namespace
}  // namespace bc::netsim
