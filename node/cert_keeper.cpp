#include "node/cert_keeper.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include <spdlog/logger.h>

#include "layers/pki/pki.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/private_dir.hpp"

namespace bc::node {

using nlohmann::json;

Status CertKeeperOptions::validate() const {
  if (dir.empty()) return Status::invalid_argument("cert keeper: dir is empty");
  if (revoked_poll_ms < 100 || retry_ms < 100 || early_renew_interval_ms < 0)
    return Status::invalid_argument("cert keeper: periods must be >= 100 ms");
  return Status();
}

Result<std::unique_ptr<CertKeeper>> CertKeeper::open(CertKeeperOptions options, tracker::TrackerClient& client,
                                                     const Clock& clock, CertSink sink, Logger log) {
  BC_RETURN_IF_ERROR(options.validate());
  std::unique_ptr<CertKeeper> k(new CertKeeper(std::move(options), client, clock, std::move(sink), std::move(log)));
  BC_RETURN_IF_ERROR(k->load_or_make_key());
  auto saved = read_small_file(k->o_.dir + "/peer.pem", 1 << 20);
  if (saved.ok()) {
    Status s = k->take(*saved, false);
    if (!s.ok()) k->log_->warn("saved peer certificate not used: {}", s.to_string());
  }
  return k;
}

// A secret key others can read may already be copied: refuse it (the
// operator removes it and the node makes a new one).
Status CertKeeper::load_or_make_key() {
  const std::string path = o_.dir + "/peer.key";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    BC_ASSIGN_OR_RETURN(pki::KeyPair kp, pki::generate_key());
    BC_RETURN_IF_ERROR(write_file_atomic(path, kp.private_pem, 0600));
    key_pem_ = kp.private_pem;
    public_pem_ = kp.public_pem;
    log_->info("made TLS peer key {}", path);
    return Status();
  }
  BC_RETURN_IF_ERROR(check_secret_file(path, "peer key file"));
  BC_ASSIGN_OR_RETURN(key_pem_, read_small_file(path, 16 * 1024));
  auto pub = pki::public_key_of(key_pem_);
  if (!pub.ok()) return Status::invalid_argument(path + ": not a PEM private key; remove it to make a new one");
  public_pem_ = *pub;
  return Status();
}

// Checks the certificate is for our key and unexpired, hands it to the
// swarm, then (save) writes it. Renewal is due at half its life.
Status CertKeeper::take(const std::string& cert_pem, bool save) {
  BC_ASSIGN_OR_RETURN(pki::CertInfo info, pki::inspect(cert_pem));
  if (info.public_pem != public_pem_) return Status::invalid_argument("peer certificate is not for peer.key");
  if (info.not_after_unix <= clock_.unix_s()) return Status::invalid_argument("peer certificate has expired");
  if (sink_.set_certificate) BC_RETURN_IF_ERROR(sink_.set_certificate(cert_pem, key_pem_));
  if (save) BC_RETURN_IF_ERROR(write_file_atomic(o_.dir + "/peer.pem", cert_pem, 0644));
  serial_ = info.serial_hex;
  names_ = info.dns_names;
  not_after_ = info.not_after_unix;
  renew_at_ = info.not_after_unix - (info.not_after_unix - info.not_before_unix) / 2;
  expiry_logged_ = false;
  return Status();
}

Status CertKeeper::request() {
  auto r = tracker::expect_json(client_.node_call("POST", "/api/v1/cert", json{{"public_key", public_pem_}}.dump()),
                                "certificate");
  if (!r.ok()) return r.status();
  if (!r->contains("cert") || !(*r)["cert"].is_string())
    return Status::corruption("certificate answer has no \"cert\"");
  const std::string old = serial_;
  BC_RETURN_IF_ERROR(take((*r)["cert"].get<std::string>(), true));
  if (serial_ != old) {
    std::string list;
    for (const auto& n : names_) list += (list.empty() ? "" : " ") + n;
    log_->info("peer certificate {} for [{}], valid until unix {}", serial_, list, not_after_);
  }
  return Status();
}

void CertKeeper::tick() {
  const int64_t now_ms = clock_.now_ms();
  const int64_t now_s = clock_.unix_s();
  if ((serial_.empty() || now_s >= renew_at_) && now_ms >= next_request_ms_) {
    Status s = request();
    // Also after an answer that is not yet due for renewal by our clock (the
    // tracker's clock lags and reused the certificate): ask again later, not
    // every turn.
    next_request_ms_ = s.ok() && clock_.unix_s() < renew_at_ ? INT64_MIN : now_ms + o_.retry_ms;
    if (!s.ok()) log_->warn("peer certificate: {} (retrying in {} ms)", s.to_string(), o_.retry_ms);
  }
  if (!serial_.empty() && now_s >= not_after_ && !expiry_logged_) {
    expiry_logged_ = true;
    log_->error("peer certificate {} expired at unix {} without renewal: peers refuse this node until the "
                "tracker issues a new one", serial_, not_after_);
  }
  // A layer added while an early renewal was not allowed (two assignments in
  // quick succession): ask when the period has passed, not never.
  wanted_.erase(std::remove_if(wanted_.begin(), wanted_.end(), [&](const std::string& n) { return covers(n); }),
                wanted_.end());
  if (!wanted_.empty() && (last_early_ms_ == INT64_MIN || now_ms - last_early_ms_ >= o_.early_renew_interval_ms)) {
    last_early_ms_ = now_ms;
    Status s = request();
    if (!s.ok()) log_->warn("peer certificate for {}: {}", wanted_.front(), s.to_string());
    wanted_.erase(std::remove_if(wanted_.begin(), wanted_.end(), [&](const std::string& n) { return covers(n); }),
                  wanted_.end());
  }
  if (now_ms >= next_revoked_ms_) {
    next_revoked_ms_ = now_ms + o_.revoked_poll_ms;
    poll_revoked();
  }
}

void CertKeeper::poll_revoked() {
  auto r = tracker::expect_json(client_.node_call("GET", "/api/v1/revoked"), "revoked certificates");
  if (!r.ok() || !r->contains("serials") || !(*r)["serials"].is_array()) return;  // keep the last list
  std::vector<std::string> serials;
  for (const auto& s : (*r)["serials"])
    if (s.is_string()) serials.push_back(s.get<std::string>());
  if (sink_.set_revoked) sink_.set_revoked(std::move(serials));
}

bool CertKeeper::covers(const std::string& name) const {
  return clock_.unix_s() < not_after_ &&
         std::any_of(names_.begin(), names_.end(), [&](const std::string& n) { return n == name || n == "*"; });
}

bool CertKeeper::ensure_covers(const std::string& torrent_name) {
  if (covers(torrent_name)) return true;
  if (std::find(wanted_.begin(), wanted_.end(), torrent_name) == wanted_.end() && wanted_.size() < 1024)
    wanted_.push_back(torrent_name);
  const int64_t now_ms = clock_.now_ms();
  if (last_early_ms_ != INT64_MIN && now_ms - last_early_ms_ < o_.early_renew_interval_ms) return false;
  last_early_ms_ = now_ms;
  Status s = request();
  if (!s.ok()) log_->warn("peer certificate for {}: {}", torrent_name, s.to_string());
  if (!covers(torrent_name)) log_->warn("peer certificate does not name {}: the tracker does not entitle this node",
                                        torrent_name);
  return covers(torrent_name);
}

}  // namespace bc::node
