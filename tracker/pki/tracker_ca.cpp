#include "tracker/pki/tracker_ca.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "layers/util/fs.hpp"
#include "layers/util/private_dir.hpp"

namespace bc::tracker {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kRenewBeforeS = 30LL * 86400;
constexpr uint64_t kMaxPemBytes = 64 * 1024;

Result<std::string> read_pem(const std::string& path, bool secret) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Status::not_found(path + ": missing");
  if (!S_ISREG(st.st_mode)) return Status::corruption(path + ": not a regular file");
  if (secret) BC_RETURN_IF_ERROR(check_secret_file(path, "private key file"));
  if (static_cast<uint64_t>(st.st_size) > kMaxPemBytes) return Status::corruption(path + ": larger than 64 KiB");
  return read_file_of_size(path, static_cast<uint64_t>(st.st_size));
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// True when the certificate names every wanted name (DNS or IP).
bool covers(const pki::CertInfo& c, const std::vector<std::string>& wanted) {
  for (const auto& n : wanted) {
    const auto& have = is_ip(n) ? c.ip_addresses : c.dns_names;
    if (std::find(have.begin(), have.end(), n) == have.end()) return false;
  }
  return true;
}

Status make_https(const std::string& dir, const TrackerCa& ca, const std::vector<std::string>& names,
                  int64_t now, int64_t lifetime_s) {
  BC_ASSIGN_OR_RETURN(pki::KeyPair key, pki::generate_key());
  pki::CertSpec spec;
  spec.common_name = "branchcast tracker";
  for (const auto& n : names) (is_ip(n) ? spec.ip_addresses : spec.dns_names).push_back(n);
  spec.not_before_unix = now - 300;  // tolerate nodes whose clocks run a little behind
  spec.not_after_unix = now + lifetime_s;
  BC_ASSIGN_OR_RETURN(std::string cert, ca.issue(key.public_pem, spec));
  BC_RETURN_IF_ERROR(write_file_atomic(dir + "/https.key", key.private_pem, 0600));
  return write_file_atomic(dir + "/https.pem", cert, 0644);
}

}  // namespace

Status TrackerCaOptions::validate() const {
  if (dir.empty()) return Status::invalid_argument("pki dir is required");
  if (ca_lifetime_s < 86400) return Status::invalid_argument("ca_lifetime_s must be at least a day");
  if (https_lifetime_s <= kRenewBeforeS) return Status::invalid_argument("https_lifetime_s must exceed 30 days");
  for (const auto& n : https_names)
    if (n.empty() || n.size() > 253) return Status::invalid_argument("tls name '" + n + "' must be 1..253 characters");
  return Status();
}

std::vector<std::string> local_tls_names() {
  std::vector<std::string> out{"localhost", "127.0.0.1", "::1"};
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0]) out.emplace_back(host);
  ifaddrs* ifs = nullptr;
  if (::getifaddrs(&ifs) == 0) {
    for (ifaddrs* i = ifs; i; i = i->ifa_next) {
      if (!i->ifa_addr) continue;
      char text[INET6_ADDRSTRLEN] = {};
      if (i->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
      } else if (i->ifa_addr->sa_family == AF_INET6) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)) continue;  // needs a scope id; nobody dials it
        inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
      } else {
        continue;
      }
      if (text[0]) out.emplace_back(text);
    }
    ::freeifaddrs(ifs);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<TrackerCa> TrackerCa::open(const TrackerCaOptions& o, const Clock& clock) {
  BC_RETURN_IF_ERROR(o.validate());
  std::error_code ec;
  if (!fs::exists(o.dir, ec)) {
    fs::create_directories(o.dir, ec);
    if (ec) return Status::io_error(o.dir + ": " + ec.message());
    ::chmod(o.dir.c_str(), 0700);
  }
  TrackerCa ca;
  ca.dir_ = o.dir;
  const int64_t now = clock.unix_s();
  const std::string key_path = o.dir + "/ca.key", cert_path = o.dir + "/ca.pem";
  auto key = read_pem(key_path, true);
  if (key.ok()) {
    ca.ca_key_ = *key;
    BC_ASSIGN_OR_RETURN(ca.ca_cert_, read_pem(cert_path, false));
  } else if (key.status().code() == Status::Code::not_found) {
    if (fs::exists(cert_path, ec))
      return Status::corruption(cert_path + " exists without its key " + key_path +
                                ": restore the key from backup, or move both away to make a new CA "
                                "(every layer must then be republished)");
    BC_ASSIGN_OR_RETURN(pki::KeyPair kp, pki::generate_key());
    pki::CertSpec spec;
    spec.common_name = "branchcast tracker CA";
    spec.not_before_unix = now - 300;
    spec.not_after_unix = now + o.ca_lifetime_s;
    spec.is_ca = true;
    BC_ASSIGN_OR_RETURN(std::string cert, pki::self_signed_ca(kp.private_pem, spec));
    BC_RETURN_IF_ERROR(write_file_atomic(key_path, kp.private_pem, 0600));
    BC_RETURN_IF_ERROR(write_file_atomic(cert_path, cert, 0644));
    ca.ca_key_ = kp.private_pem;
    ca.ca_cert_ = cert;
  } else {
    return key.status();
  }
  BC_ASSIGN_OR_RETURN(pki::CertInfo info, pki::inspect(ca.ca_cert_));
  if (!info.is_ca) return Status::corruption(cert_path + " is not a CA certificate");
  if (info.not_after_unix <= now) return Status::aborted(cert_path + " expired; make a new CA and republish every layer");
  ca.ca_fingerprint_ = info.fingerprint_sha256;

  std::vector<std::string> names = o.https_names;
  if (o.local_names)
    for (auto& n : local_tls_names()) names.push_back(std::move(n));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  ca.https_names_ = names;

  bool fresh = false;
  auto https = read_pem(ca.https_cert_file(), false);
  auto https_key = read_pem(ca.https_key_file(), true);
  if (https.ok() && https_key.ok()) {
    auto hi = pki::inspect(*https);
    fresh = hi.ok() && pki::verify_issued_by(*https, ca.ca_cert_, now).ok() &&
            hi->not_after_unix - now > kRenewBeforeS && covers(*hi, names) &&
            [&] { auto p = pki::public_key_of(*https_key); return p.ok() && *p == hi->public_pem; }();
  } else if (!https_key.ok() && https_key.status().code() == Status::Code::permission_denied) {
    return https_key.status();
  }
  if (!fresh) BC_RETURN_IF_ERROR(make_https(o.dir, ca, names, now, o.https_lifetime_s));
  return ca;
}

Result<std::string> TrackerCa::issue(const std::string& subject_public_pem, const pki::CertSpec& spec) const {
  return pki::issue(ca_cert_, ca_key_, subject_public_pem, spec);
}

}  // namespace bc::tracker
