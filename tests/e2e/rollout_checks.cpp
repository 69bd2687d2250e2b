#include "tests/e2e/rollout_checks.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "layers/crypto/ed25519.hpp"
#include "layers/model/layer_dir.hpp"
#include "layers/model/trusted_manifest.hpp"
#include "layers/swarm/ban_list.hpp"
#include "tests/layers/swarm/swarm_test_util.hpp"

namespace bc::test {

namespace fs = std::filesystem;
using nlohmann::json;

// A base image tree: image-like files, small files, an executable, a symlink.
uint64_t make_base_tree(const std::string& dir) {
  uint64_t bytes = 0;
  auto put = [&](const std::string& rel, const std::string& content, unsigned mode = 0644) {
    write_file(dir + "/" + rel, content, mode);
    ::chmod((dir + "/" + rel).c_str(), mode);
    bytes += content.size();
  };
  put("etc/motd", "branchcast base v1\n");
  put("etc/hosts", "127.0.0.1 localhost\n");
  put("usr/bin/tool", random_bytes(300'000, 11), 0755);
  fs::create_symlink("tool", dir + "/usr/bin/tool-link");
  put("var/lib/images/disk0.img", random_bytes(8u << 20, 12));
  put("var/lib/images/disk1.img", random_bytes(5u << 20, 13));
  for (int i = 0; i < 40; ++i)
    put("usr/share/doc/page" + std::to_string(i) + ".txt", random_bytes(4096 + 977 * i, 100 + i));
  return bytes;
}

uint64_t make_app_tree(const std::string& dir) {
  write_file(dir + "/opt/office/VERSION", "office 1\n");
  write_file(dir + "/opt/office/office.bin", random_bytes(2u << 20, 21), 0755);
  ::chmod((dir + "/opt/office/office.bin").c_str(), 0755);
  write_file(dir + "/etc/motd", "the app layer wins this path\n");
  return 9 + (2u << 20) + 29;
}

// base v2: ~5% of the bytes differ: block-aligned rewrites inside the images,
// two small files replaced, one added, motd changed.
void make_base_v2(const std::string& v1, const std::string& v2) {
  fs::copy(v1, v2, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  auto rewrite = [&](const std::string& rel, uint64_t piece, uint64_t seed) {
    std::fstream f(v2 + "/" + rel, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(piece * kPiece));
    std::string b = random_bytes(kPiece, seed);
    f.write(b.data(), std::streamsize(b.size()));
  };
  for (uint64_t p : {3, 40, 41, 97}) rewrite("var/lib/images/disk0.img", p, 1000 + p);
  for (uint64_t p : {5, 60}) rewrite("var/lib/images/disk1.img", p, 2000 + p);
  write_file(v2 + "/usr/share/doc/page7.txt", random_bytes(9000, 3007));
  write_file(v2 + "/usr/share/doc/page8.txt", random_bytes(12000, 3008));
  write_file(v2 + "/usr/share/doc/new-in-v2.txt", random_bytes(200'000, 3009));
  write_file(v2 + "/etc/motd", "branchcast base v2\n");
}

// What the BitTorrent wire carries for a tree: v2 aligns every file to a
// piece, and a file's last 16 KiB block travels whole (its tail is padding).
// The origin's own upload counter counts these bytes; the nodes' counters
// count payload only.
uint64_t wire_bytes(const std::vector<std::string>& trees) {
  constexpr uint64_t kBlock = 16 * 1024;
  uint64_t n = 0;
  for (const auto& t : trees)
    for (const auto& e : fs::recursive_directory_iterator(t))
      if (e.is_regular_file() && !e.is_symlink()) n += (e.file_size() + kBlock - 1) / kBlock * kBlock;
  return n;
}

namespace {
// The published layers' torrent files, each rounded up to `unit` bytes.
uint64_t payload_file_bytes(const std::vector<std::string>& layer_dirs, uint64_t unit) {
  uint64_t n = 0;
  for (const auto& d : layer_dirs) {
    auto l = load_layer_dir(d);
    REQUIRE_MESSAGE(l.ok(), l.status().to_string());
    auto m = l->peek();
    REQUIRE_MESSAGE(m.ok(), m.status().to_string());
    for (const auto& f : m->payload_files()) n += (f.size + unit - 1) / unit * unit;
  }
  return n;
}
}  // namespace

uint64_t payload_bytes(const std::vector<std::string>& layer_dirs) { return payload_file_bytes(layer_dirs, 1); }

uint64_t padded_payload_bytes(const std::vector<std::string>& layer_dirs) {
  return payload_file_bytes(layer_dirs, 16 * 1024);  // libtorrent sends a file's last block whole
}

// The tree an endpoint should hold: the layers in stack order (later wins),
// plus its user's file.
std::map<std::string, std::string> expected_tree(const std::vector<std::string>& trees) {
  std::map<std::string, std::string> out;
  for (const auto& t : trees)
    for (auto& [p, d] : describe_tree(t)) out[p] = d;
  return out;
}

void check_tree(const Node& n, const std::map<std::string, std::string>& expected) {
  auto got = describe_tree(n.root);
  for (const auto& [path, desc] : expected) {
    auto it = got.find(path);
    CHECK_MESSAGE(it != got.end(), n.name << ": missing " << path);
    if (it != got.end()) CHECK_MESSAGE(it->second == desc, n.name << ": " << path << " is " << it->second << ", want " << desc);
  }
  CHECK_MESSAGE(read_file(n.root + "/home/user/notes.txt") == "mine: " + n.name + "\n", n.name << ": user file changed");
}

uint64_t source_bytes(const json& report, const char* source) {
  if (!report.is_object() || !report.contains("bytes_by_source")) return 0;
  return report["bytes_by_source"].value(source, uint64_t{0});
}

uint64_t all_bytes(const json& report) {
  return source_bytes(report, "origin") + source_bytes(report, "reflector") + source_bytes(report, "peer");
}

bool reported_applied(RolloutWorld& w, const Node& n, const std::vector<std::string>& stack) {
  json r = w.reported(n);
  return r.is_object() && r.value("applied", json::array()) == json(stack);
}

// Fraction of a layer's bytes an endpoint has verified, from its latest report.
double reported_progress(RolloutWorld& w, const Node& n) {
  json r = w.reported(n);
  if (!r.is_object() || !r.contains("layers") || r["layers"].empty()) return 0;
  const json& l = r["layers"][0];
  uint64_t total = l.value("bytes_total", uint64_t{0});
  if (l.value("state", "") == "applied" || l.value("state", "") == "complete") return 1.0;
  return total ? double(l.value("bytes_done", uint64_t{0})) / double(total) : 0.0;
}

void give_users_files(RolloutWorld& w) {
  for (Node* n : w.endpoints()) write_file(n->root + "/home/user/notes.txt", "mine: " + n->name + "\n");
}

// base@1 built from a generated tree, published and assigned to `branch`;
// every endpoint's user file placed. Returns the tree (the expected content).
std::string publish_base1(RolloutWorld& w, const std::string& branch) {
  std::string tree = w.dir() + "/tree-base1";
  make_base_tree(tree);
  w.publish(tree, "base", 1, "base");
  give_users_files(w);
  w.assign_branch(branch, {"base@1"});
  return tree;
}

DiskCheck check_on_disk(RolloutWorld& w, const Node& n, const std::string& ref) {
  // The endpoint keeps each layer it fetches as DIR/layers/REF: the signed
  // manifest, the torrent and the payload directory being downloaded into.
  const std::string ldir = n.dir + "/layers/" + ref;
  std::string sig_hex = read_file(ldir + "/manifest.sig");
  while (!sig_hex.empty() && std::isspace(static_cast<unsigned char>(sig_hex.back()))) sig_hex.pop_back();
  auto sig = signature_from_hex(sig_hex);
  auto signer = public_key_from_hex(w.tracker_public_key());
  REQUIRE((sig.ok() && signer.ok()));
  auto trusted = TrustedManifest::verify(read_file(ldir + "/manifest.json"), *sig, *signer);
  REQUIRE_MESSAGE(trusted.ok(), trusted.status().to_string());
  // A copy, so the check cannot touch what the node resumes from.
  const std::string scratch = w.dir() + "/disk-check-" + n.name;
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  fs::copy(ldir + "/payload", scratch + "/payload", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  auto node = start_node(scratch + "/swarm", "127.0.0.1");  // no tracker, no peers: it only checks
  Status added = node->add_layer(*trusted, read_file(ldir + "/layer.torrent"), scratch + "/payload", LayerMode::download);
  REQUIRE_MESSAGE(added.ok(), added.to_string());
  std::vector<SwarmEvent> seen;
  REQUIRE_MESSAGE(poll_until({node.get()}, node.get(), &seen, is<LayerChecked>, 120'000), "no check of " << ldir);
  const auto& checked = std::get<LayerChecked>(seen.back());
  return {checked.done_bytes, checked.total_bytes};
}

std::vector<std::string> banned_peers(const Node& n) {
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto bans = BanList::load(n.dir + "/swarm/banned-peers", now_s, 24 * 3600);  // every ban of this test
  REQUIRE_MESSAGE(bans.ok(), bans.status().to_string());
  std::vector<std::string> ips;
  for (const auto& [ip, at_s] : bans->entries()) ips.push_back(ip);
  return ips;
}

}  // namespace bc::test
