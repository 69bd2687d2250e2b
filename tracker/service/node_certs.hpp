// The tracker's book of node certificates (SSL torrents, docs/security.md):
// which certificates it issued to whom, which serials are revoked, and which
// nodes are revoked for good. Records (JSON, tables of lmdb_env.hpp):
//   node_certs      "<node>/<serial>" -> {"node","serial","key_sha256","names":[..],
//                                         "issued_at","not_after","pem"}
//   revoked_serials "<serial>"        -> {"node","not_after","reason","revoked_at"}
//   revoked_nodes   "<node>"          -> {"id","revoked_at","by"}
// A certificate's DNS names are the torrent names ("NAME-vVERSION") of the
// layers the node is entitled to, by the rule the BitTorrent tracker applies
// to announces (tracker/service/bt_directory.hpp): an endpoint its effective
// desired stack, a reflector what its branch's endpoints and the branch's own
// assignment need. Layers without a torrent are left out. A layer's names
// are its record's "cert_names" (set at import: the torrent name, and for a
// single-file layer also the file's name libtorrent matches against).
//
// Bounds: a node holds at most kMaxLiveCertsPerNode unexpired certificates
// (older ones are revoked as superseded); a certificate carries at most
// kMaxCertNames names; a new key is certified at most once per
// kMinNewKeyInterval_s; revoked serials are kept only until their
// certificate expires (short lifetimes keep the list small).
// Pure functions over a transaction: no clock, no CA, no locks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tracker/store/store.hpp"

namespace bc::tracker {

inline constexpr size_t kMaxLiveCertsPerNode = 4;
inline constexpr size_t kMaxCertNames = 512;        // ~40 KiB of names at most: well under TLS's 100 KiB chain bound
inline constexpr int64_t kMinNewKeyInterval_s = 60;  // a node changing its key more often is refused
inline constexpr size_t kMaxRevokedSerials = 100'000;

struct NodeCert {
  std::string node;
  std::string serial;  // lower-case hex
  std::string key_sha256;  // SHA-256 (hex) of the certified public key (DER SubjectPublicKeyInfo)
  std::vector<std::string> names;
  int64_t issued_at = 0;
  int64_t not_after = 0;
  std::string pem;
  nlohmann::json to_json() const;
  static std::optional<NodeCert> from_json(const nlohmann::json& j);
};

// The sorted torrent names `node_id` (role "endpoint" or "reflector") is
// entitled to. not_found for a node without a record; unsupported (naming
// the count and the limit) beyond kMaxCertNames.
Result<std::vector<std::string>> entitled_torrent_names(const Txn& txn, const std::string& node_id,
                                                        const std::string& role);

// The node's certificates unexpired at now_s, oldest first.
Result<std::vector<NodeCert>> live_node_certs(const Txn& txn, const std::string& node_id, int64_t now_s);

// What to do with a certificate request (pure). `live`: live_node_certs.
struct IssuePlan {
  std::optional<NodeCert> reuse;        // answer with this one (same key and names, before half-life)
  Status refused;                       // not OK: answer with it (a new key too soon)
  std::vector<NodeCert> supersede;      // revoke these when the new one is recorded
};
IssuePlan plan_issue(const std::vector<NodeCert>& live, const std::vector<std::string>& names,
                     const std::string& key_sha256, int64_t now_s);

// Records a new certificate and revokes `superseded` ("superseded"), after
// dropping the node's expired records and expired revoked serials.
Status record_issued(Txn& txn, const NodeCert& cert, const std::vector<NodeCert>& superseded, int64_t now_s);

// Marks the node revoked and every live certificate of it revoked. Returns
// the serials it revoked. OK also for a node already revoked.
Result<std::vector<std::string>> revoke_node(Txn& txn, const std::string& node_id, const std::string& by,
                                             int64_t now_s);
Result<bool> node_revoked(const Txn& txn, const std::string& node_id);

// Revoked serials whose certificate is unexpired at now_s, sorted.
Result<std::vector<std::string>> live_revoked_serials(const Txn& txn, int64_t now_s);

}  // namespace bc::tracker
