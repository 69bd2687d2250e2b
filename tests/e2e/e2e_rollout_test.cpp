// End to end (label e2e): the real bc-tracker with its origin seed, and per
// branch a bc-reflector and bc-endpoint processes on their own loopback
// addresses (127.k.0.0/16 per branch). Nodes learn peers only from the
// tracker. Each test states the behaviour it proves.
#include <doctest/doctest.h>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_info.hpp>

#include <filesystem>
#include <fstream>

#include "layers/diff/layer_diff.hpp"
#include "layers/model/layer_dir.hpp"
#include "tests/e2e/rollout_world.hpp"
#include "tests/integration/support/local_client.hpp"
#include "tests/tracker/origin/range_file_server.hpp"

using namespace bc;
using namespace bc::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kPiece = 64 * 1024;
constexpr int kRolloutTimeoutMs = 240'000;

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

#define WAIT_OR_FAIL(w, pred, ms, what) \
  if (!RolloutWorld::eventually([&] { return (pred); }, (ms))) FAIL(what << "\n" << (w).logs_tail())

}  // namespace

TEST_CASE("two branches roll out base+app through their reflectors with origin bytes <= 1.02x per branch, then a 5% base update moves <= 1.1x the changed pieces") {
  WorldOptions o;
  o.branches = {{"east", 1, 3}, {"west", 1, 3}};
  RolloutWorld w(o);
  std::string base1 = w.dir() + "/tree-base1", app = w.dir() + "/tree-office1", base2 = w.dir() + "/tree-base2";
  const uint64_t stack_bytes = make_base_tree(base1) + make_app_tree(app);
  std::string base1_dir = w.publish(base1, "base", 1, "base");
  w.publish(app, "office", 1, "app");
  give_users_files(w);
  const std::vector<std::string> stack1{"base@1", "office@1"};
  w.assign_branch("east", stack1);
  w.assign_branch("west", stack1);
  w.start_all();

  WAIT_OR_FAIL(w, w.all_applied(stack1), kRolloutTimeoutMs, "the stack was not applied everywhere");
  auto want1 = expected_tree({base1, app});
  for (Node* n : w.endpoints()) check_tree(*n, want1);

  // Reports reach the tracker; origin bytes per branch are the reflector's.
  for (Node* n : w.endpoints()) WAIT_OR_FAIL(w, reported_applied(w, *n, stack1), 30'000, n->name << " never reported");
  std::map<std::string, uint64_t> refl_origin1;
  for (Node* r : w.reflectors()) {
    WAIT_OR_FAIL(w, source_bytes(w.reported(*r), "origin") >= stack_bytes, 30'000, r->name << " reported no download");
    uint64_t branch_origin = source_bytes(w.reported(*r), "origin");
    for (Node* e : w.endpoints(r->branch)) branch_origin += source_bytes(w.reported(*e), "origin");
    refl_origin1[r->branch] = source_bytes(w.reported(*r), "origin");
    MESSAGE("branch " << r->branch << ": origin/WAN bytes " << branch_origin << " for " << stack_bytes
                      << " layer bytes (" << double(branch_origin) / double(stack_bytes) << "x)");
    CHECK(branch_origin <= uint64_t(1.02 * double(stack_bytes)));
    for (Node* e : w.endpoints(r->branch)) {
      json rep = w.reported(*e);
      CHECK_MESSAGE(source_bytes(rep, "origin") == 0, e->name << " fetched across the WAN");
      CHECK_MESSAGE(all_bytes(rep) >= stack_bytes, e->name << " counted " << all_bytes(rep) << " bytes: " << rep.dump()
                                                   << "\n" << read_file(e->log()));
    }
  }
  // The origin's own counter, against the bytes the wire must carry.
  const uint64_t stack_wire = wire_bytes({base1, app});
  uint64_t origin1 = 0;
  WAIT_OR_FAIL(w, (origin1 = w.origin_upload_bytes()) >= 2 * stack_bytes, 10'000, "origin counter short");
  MESSAGE("origin uploaded " << origin1 << " bytes for 2 branches x " << stack_bytes << " layer bytes ("
                             << stack_wire << " on the wire with block padding)");
  CHECK(origin1 <= uint64_t(1.02 * 2.0 * double(stack_wire)));

  // base@2: only the pieces that differ cross the WAN.
  make_base_v2(base1, base2);
  std::string base2_dir = w.publish(base2, "base", 2, "base");
  auto l1 = load_layer_dir(base1_dir), l2 = load_layer_dir(base2_dir);
  REQUIRE(l1.ok());
  REQUIRE(l2.ok());
  auto m1 = l1->peek(), m2 = l2->peek();
  auto t1 = read_layer_torrent(l1->torrent), t2 = read_layer_torrent(l2->torrent);
  REQUIRE((m1.ok() && m2.ok() && t1.ok() && t2.ok()));
  const uint64_t differing = diff_layers(*m1, &*t1, *m2, &*t2).bytes_to_move;
  MESSAGE("base@2 differs from base@1 in " << differing << " bytes of pieces");
  REQUIRE(differing > 0);
  const std::vector<std::string> stack2{"base@2", "office@1"};
  w.assign_branch("east", stack2);
  w.assign_branch("west", stack2);
  WAIT_OR_FAIL(w, w.all_applied(stack2), kRolloutTimeoutMs, "base@2 was not applied everywhere");
  auto want2 = expected_tree({base2, app});
  for (Node* n : w.endpoints()) check_tree(*n, want2);
  for (Node* n : w.endpoints()) WAIT_OR_FAIL(w, reported_applied(w, *n, stack2), 30'000, n->name << " never reported");
  for (Node* r : w.reflectors()) {
    WAIT_OR_FAIL(w, source_bytes(w.reported(*r), "origin") > refl_origin1[r->branch], 30'000, r->name << " no v2 bytes: " << w.reported(*r).dump() << " endpoints: " << w.reported(*w.endpoints(r->branch)[0]).dump());
    uint64_t moved = source_bytes(w.reported(*r), "origin") - refl_origin1[r->branch];
    for (Node* e : w.endpoints(r->branch)) CHECK(source_bytes(w.reported(*e), "origin") == 0);
    MESSAGE("branch " << r->branch << ": base@2 moved " << moved << " bytes from the origin for " << differing
                      << " differing (" << double(moved) / double(differing) << "x)");
    CHECK(moved <= uint64_t(1.1 * double(differing)));
  }
  uint64_t origin2 = 0;
  WAIT_OR_FAIL(w, (origin2 = w.origin_upload_bytes()) > origin1, 10'000, "origin counter did not move");
  CHECK(origin2 - origin1 <= uint64_t(1.1 * 2.0 * double(differing)));
}

TEST_CASE("an endpoint killed with SIGKILL mid-download resumes after restart without fetching a verified piece twice") {
  WorldOptions o;
  o.branches = {{"east", 1, 3}};
  o.endpoint_lan_limit["east-e1"] = 1 << 20;  // slow enough to be killed mid-way
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "east");
  w.start_all();
  Node& e1 = w.node("east-e1");
  WAIT_OR_FAIL(w, reported_progress(w, e1) >= 0.25, 120'000, "east-e1 made no progress");
  double at_kill = reported_progress(w, e1);
  REQUIRE_MESSAGE(at_kill < 0.9, "east-e1 finished too fast to be killed mid-download: " << at_kill);
  e1.proc.kill9();
  w.start(e1);
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "not applied after the restart");
  for (Node* n : w.endpoints()) check_tree(*n, expected_tree({base1}));

  // The restarted process hashed what was on disk ("checked: N of M") and
  // then received only the rest.
  std::string log = read_file(e1.log());
  size_t at = log.find("base@1: checked: ");
  REQUIRE_MESSAGE(at != std::string::npos, log);
  unsigned long long verified = 0, total = 0;
  REQUIRE(std::sscanf(log.c_str() + at, "base@1: checked: %llu of %llu", &verified, &total) == 2);
  WAIT_OR_FAIL(w, reported_applied(w, e1, {"base@1"}), 30'000, "no report after the restart");
  uint64_t fetched = all_bytes(w.reported(e1));
  MESSAGE("east-e1 killed at " << at_kill * 100 << "%: restart found " << verified << " of " << total
                               << " bytes verified and fetched " << fetched << " more");
  CHECK(verified > 0);
  CHECK(verified < total);
  CHECK(fetched >= total - verified);
  // Slack for end-game duplicates (the same block from two peers near the
  // end): 2% of what was missing plus 4 pieces, far less than what had been
  // verified, so a re-fetch of verified pieces could not hide in it.
  const uint64_t missing = total - verified, slack = missing / 50 + 4 * kPiece;
  REQUIRE(slack < verified / 2);
  CHECK(fetched <= missing + slack);
}

TEST_CASE("a reflector killed with SIGKILL mid-rollout: the branch's endpoints still finish from peers and the origin") {
  WorldOptions o;
  o.branches = {{"east", 1, 3}};
  o.reflector_download_limit = 2 << 20;  // the reflector is the branch's bottleneck
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "east");
  w.start_all();
  WAIT_OR_FAIL(w, reported_progress(w, w.node("east-e1")) >= 0.15, 120'000, "no progress");
  double at_kill = reported_progress(w, w.node("east-e1"));
  REQUIRE_MESSAGE(at_kill < 0.9, "the rollout finished before the reflector could be killed: " << at_kill);
  w.node("east-r1").proc.kill9();
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "endpoints did not finish without their reflector");
  for (Node* n : w.endpoints()) check_tree(*n, expected_tree({base1}));
  uint64_t from_origin = 0;
  for (Node* n : w.endpoints()) {
    WAIT_OR_FAIL(w, reported_applied(w, *n, {"base@1"}), 30'000, n->name << " never reported");
    from_origin += source_bytes(w.reported(*n), "origin");
  }
  MESSAGE("reflector killed at " << at_kill * 100 << "%; endpoints then took " << from_origin
                                 << " bytes from the origin (WAN fallback)");
  CHECK(from_origin > 0);  // the reflector's share had to come from somewhere: the origin
}

TEST_CASE("the tracker stopped mid-rollout: endpoints finish from the peers they know and their reports arrive after it returns") {
  WorldOptions o;
  o.branches = {{"east", 1, 3}};
  for (int i = 1; i <= 3; ++i) o.endpoint_lan_limit["east-e" + std::to_string(i)] = 2 << 20;
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "east");
  w.start_all();
  Node& r1 = w.node("east-r1");
  WAIT_OR_FAIL(w, source_bytes(w.reported(r1), "origin") > 0 && [&] {
    json rep = w.reported(r1);
    for (const auto& l : rep.value("layers", json::array()))
      if (l.value("state", "") == "complete") return true;
    return false;
  }(), 120'000, "the reflector did not finish its prefetch");
  for (Node* n : w.endpoints()) WAIT_OR_FAIL(w, reported_progress(w, *n) > 0, 60'000, n->name << " did not start");
  double before = 1;
  for (Node* n : w.endpoints()) before = std::min(before, reported_progress(w, *n));
  REQUIRE_MESSAGE(before < 0.9, "endpoints finished before the tracker could be stopped");
  CHECK(w.tracker().stop() == 0);
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "endpoints did not finish with the tracker down");
  for (Node* n : w.endpoints()) check_tree(*n, expected_tree({base1}));
  int queued = 0;
  for (Node* n : w.endpoints()) queued += w.local_status(*n).value("queued_reports", 0);
  CHECK(queued >= 3);  // at least each endpoint's "applied" report waits on disk
  w.tracker().start();
  for (Node* n : w.endpoints())
    WAIT_OR_FAIL(w, reported_applied(w, *n, {"base@1"}), 60'000, n->name << ": report not delivered after the restart");
  for (Node* n : w.endpoints())
    WAIT_OR_FAIL(w, w.local_status(*n).value("queued_reports", -1) == 0, 30'000, n->name << ": reports still queued");
}

namespace {

namespace lt = libtorrent;

// A hostile insider: enrolled as an endpoint of the branch, it announces the
// layer as complete and serves a payload with a flipped byte in many pieces.
// It claims every piece without hashing (have_pieces), so it really sends the
// bad bytes.
struct HostileSeed {
  std::unique_ptr<lt::session> ses;
  lt::torrent_handle handle;

  HostileSeed(RolloutWorld& w, const std::string& tree, const std::string& branch, const std::string& ip) {
    SecretKey key = SecretKey::generate();
    SystemClock clock;
    tracker::TrackerClient client(local_client(w.tracker_port()), &key, "", clock);
    auto rec = client.enroll(w.endpoint_token(), {}, branch);
    REQUIRE_MESSAGE(rec.ok(), rec.status().to_string());
    std::string announce_key = (*rec)["announce_key"].get<std::string>();
    auto t = w.admin().admin_call("GET", "/api/v1/layers/base@1/torrent");
    REQUIRE((t.ok() && t->status == 200));
    auto facts = read_layer_torrent(t->body);
    REQUIRE(facts.ok());
    std::string dir = w.dir() + "/hostile";
    for (const auto& [path, f] : facts->files) {
      std::string bytes = read_file(tree + "/" + path);
      for (size_t off = 1000; off < bytes.size(); off += 3 * kPiece) bytes[off] ^= 0x5a;  // every third piece
      write_file(dir + "/" + facts->top_dir + "/" + path, bytes);
    }
    lt::settings_pack s;
    s.set_str(lt::settings_pack::listen_interfaces, ip + ":0");
    s.set_str(lt::settings_pack::outgoing_interfaces, ip);
    s.set_bool(lt::settings_pack::enable_dht, false);
    s.set_bool(lt::settings_pack::enable_lsd, false);
    s.set_bool(lt::settings_pack::enable_upnp, false);
    s.set_bool(lt::settings_pack::enable_natpmp, false);
    s.set_bool(lt::settings_pack::enable_outgoing_utp, false);
    s.set_int(lt::settings_pack::alert_mask, 0);
    ses = std::make_unique<lt::session>(lt::session_params(std::move(s)));
    lt::add_torrent_params atp;
    atp.ti = std::make_shared<lt::torrent_info>(lt::span<const char>(t->body.data(), long(t->body.size())), lt::from_span);
    atp.save_path = dir;
    atp.have_pieces.resize(atp.ti->num_pieces(), true);
    atp.trackers = {w.tracker_url() + "/announce?bckey=" + announce_key};
    atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
    handle = ses->add_torrent(std::move(atp));
  }
  // Announced and seeding (the tracker counts it as a complete peer).
  bool ready() {
    lt::torrent_status st = handle.status();
    return st.is_seeding && st.num_complete >= 1;
  }
};

}  // namespace

TEST_CASE("a hostile peer serving corrupt pieces is caught by the hash check and banned, and nothing corrupt is applied") {
  WorldOptions o;
  o.branches = {{"south", 0, 1}};         // no reflector: the hostile insider and the origin are the sources
  o.origin_upload_limit = 2 << 20;        // the hostile peer is faster than the origin: it gets to send
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "south");
  HostileSeed hostile(w, base1, "south", "127.1.0.99");
  WAIT_OR_FAIL(w, hostile.ready(), 30'000, "the hostile seed never announced");
  w.start_all();
  Node& e1 = w.node("south-e1");
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "the endpoint did not finish next to a hostile peer");
  check_tree(e1, expected_tree({base1}));
  std::string log = read_file(e1.log());
  CHECK_MESSAGE(log.find("failed its hash check (from 127.1.0.99") != std::string::npos, log);
  CHECK_MESSAGE(log.find("peer 127.1.0.99 banned") != std::string::npos, log);
}

TEST_CASE("with the origin seed off, a BEP 19 web seed over the origin store alone brings an endpoint its stack") {
  TmpDir store;  // the HTTP server's root: links to the tracker's origin store, as an nginx alias would
  RangeFileServer server(store.path());
  WorldOptions o;
  o.branches = {{"south", 0, 1}};
  o.origin_seed = false;
  o.web_seeds = {server.base_url()};
  RolloutWorld w(o);
  const std::string base1 = publish_base1(w, "south");
  for (const auto& e : fs::directory_iterator(w.dir() + "/data/origin"))
    if (e.is_directory() && e.path().filename().string()[0] != '.')
      fs::create_directory_symlink(e.path(), store.path() + "/" + e.path().filename().string());
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"base@1"}), kRolloutTimeoutMs, "the endpoint did not finish from the web seed");
  check_tree(w.node("south-e1"), expected_tree({base1}));
  uint64_t layer_bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(base1))
    if (e.is_regular_file() && !e.is_symlink()) layer_bytes += e.file_size();
  MESSAGE("the web seed served " << server.bytes_sent() << " bytes for a " << layer_bytes << "-byte layer");
  CHECK(server.bytes_sent() >= layer_bytes);
}

namespace {

// A size-limited tmpfs mounted over `dir` for the test's life (needs root).
struct SmallDisk {
  std::string dir;
  bool mounted = false;
  SmallDisk(const std::string& d, const std::string& size) : dir(d) {
    fs::create_directories(dir);
    mounted = std::system(("mount -t tmpfs -o size=" + size + " tmpfs '" + dir + "' 2>/dev/null").c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted) (void)std::system(("umount -l '" + dir + "'").c_str());
  }
};

}  // namespace

TEST_CASE("an endpoint whose disk fills up reports the precise error and keeps its previous stack applied") {
  if (::geteuid() != 0) {
    MESSAGE("SKIPPED: needs root to mount a small tmpfs");
    return;
  }
  WorldOptions o;
  o.branches = {{"east", 1, 1}};
  RolloutWorld w(o);
  Node& e1 = w.node("east-e1");
  SmallDisk disk(e1.dir, "8m");  // the endpoint's state (downloads): office fits, base does not
  REQUIRE(disk.mounted);
  std::string app = w.dir() + "/tree-office1", base1 = w.dir() + "/tree-base1";
  make_app_tree(app);
  make_base_tree(base1);
  w.publish(app, "office", 1, "app");
  w.publish(base1, "base", 1, "base");
  give_users_files(w);
  w.assign_branch("east", {"office@1"});
  w.start_all();
  WAIT_OR_FAIL(w, w.all_applied({"office@1"}), kRolloutTimeoutMs, "the small stack was not applied");
  w.assign_branch("east", {"base@1", "office@1"});
  WAIT_OR_FAIL(w, w.reported(e1).value("last_error", "").find("not enough disk space for layer base@1") !=
                      std::string::npos,
               120'000, "no disk-full error reported: " << w.reported(e1).dump());
  MESSAGE("reported: " << w.reported(e1).value("last_error", ""));
  CHECK(e1.proc.running());
  CHECK(w.local_status(e1).value("applied", json::array()) == json::array({"office@1"}));
  check_tree(e1, expected_tree({app}));
}
