#include "node/tracker_pin.hpp"

#include <cctype>
#include <cstdio>

#include "layers/pki/pki.hpp"
#include "layers/util/fs.hpp"
#include "layers/util/json.hpp"

namespace bc::node {

using nlohmann::json;

namespace {

constexpr size_t kMaxCaBytes = 64 * 1024;

// GET /api/v1/tracker as JSON, whatever the connection's checks.
Result<json> tracker_info(const tracker::HttpClientOptions& o) {
  tracker::HttpClient http(o);
  BC_ASSIGN_OR_RETURN(tracker::ClientResponse r, http.request("GET", "/api/v1/tracker", "", {}));
  if (r.status != 200)
    return Status::unavailable("GET /api/v1/tracker answered " + std::to_string(r.status));
  auto j = parse_json(r.body, JsonLimits{kMaxCaBytes * 2, 8});
  if (!j.ok() || !j->is_object()) return Status::corruption("GET /api/v1/tracker: not a JSON object");
  return *j;
}

// The CA certificate the admin gave, checked to be one.
Result<std::string> read_given_ca(const std::string& path) {
  BC_ASSIGN_OR_RETURN(std::string pem, read_small_file(path, kMaxCaBytes));
  auto info = pki::inspect(pem);
  if (!info.ok()) return info.status().with_context("--tracker-ca " + path);
  if (!info->is_ca)
    return Status::invalid_argument("--tracker-ca " + path + " holds a certificate that is not a CA (CN " +
                                    info->common_name + "): give the tracker's DATA/pki/ca.pem");
  return pem;
}

// The CA the tracker serves, read over an unchecked connection: compared
// with the pinned fingerprint, or trusted on first use.
Result<std::string> fetch_served_ca(const TrackerPinOptions& o, const Logger& log) {
  tracker::HttpClientOptions h = tracker_http_options(o.url, "", o.timeout_ms);
  h.tls_verify = false;  // public data only: nothing secret goes out on this connection
  BC_ASSIGN_OR_RETURN(json info, tracker_info(h));
  const std::string pem = info.value("ca_cert", "");
  if (pem.empty())
    return Status::unavailable("tracker at " + o.url.base() + " serves no ca_cert at /api/v1/tracker (an older "
                               "tracker?): give its CA with --tracker-ca");
  BC_ASSIGN_OR_RETURN(pki::CertInfo ca, pki::inspect(pem));
  const std::string served = pki::colon_fingerprint(ca.fingerprint_sha256);
  if (!o.ca_fingerprint.empty()) {
    const std::string want = normalize_fingerprint(o.ca_fingerprint);
    if (ca.fingerprint_sha256 != want)
      return Status::permission_denied("tracker at " + o.url.base() + " serves a CA certificate with SHA256 " +
                                       served + ", not the pinned " + pki::colon_fingerprint(want) +
                                       " (--tracker-ca-fingerprint): refusing it; the token was not sent");
    return pem;
  }
  log->warn("TRUST ON FIRST USE: pinning the tracker's CA SHA256 {} as served by {} now, unchecked; compare it "
            "with the fingerprint bc-tracker logs at start, or enroll with --tracker-ca-fingerprint or --tracker-ca",
            served, o.url.base());
  return pem;
}

}  // namespace

Status TrackerPinOptions::validate() const {
  if (url.tls() && insecure_plain_http)
    return Status::invalid_argument("--insecure-plain-http does not go with an https:// tracker URL");
  if (!url.tls() && !insecure_plain_http)
    return Status::invalid_argument("tracker URL " + url.base() + " is plain http: use https://, or pass "
                                    "--insecure-plain-http to enroll without TLS (tokens and keys in clear)");
  if (!url.tls() && (!ca_file.empty() || !ca_fingerprint.empty()))
    return Status::invalid_argument("--tracker-ca and --tracker-ca-fingerprint need an https:// tracker URL");
  if (url.tls() && save_path.empty()) return Status::invalid_argument("pin: save_path is required");
  if (!ca_fingerprint.empty() && normalize_fingerprint(ca_fingerprint).empty())
    return Status::invalid_argument("--tracker-ca-fingerprint '" + ca_fingerprint +
                                    "' is not a SHA-256 fingerprint (64 hex digits, colons allowed)");
  return Status();
}

std::string normalize_fingerprint(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out.size() == 64 ? out : "";
}

tracker::HttpClientOptions tracker_http_options(const TrackerUrl& url, const std::string& ca_file,
                                                uint32_t timeout_ms) {
  tracker::HttpClientOptions o;
  o.host = url.host;
  o.port = url.port;
  o.tls = url.tls();
  o.ca_file = ca_file;
  o.timeout_ms = timeout_ms;
  return o;
}

Result<PinnedTracker> pin_tracker(const TrackerPinOptions& o, const Logger& log) {
  BC_RETURN_IF_ERROR(o.validate());
  PinnedTracker out;
  if (!o.url.tls()) {
    log->warn("INSECURE: talking to the tracker at {} over plain HTTP (--insecure-plain-http): the token and every "
              "request cross the network in clear and the tracker is not authenticated", o.url.base());
    BC_ASSIGN_OR_RETURN(out.info, tracker_info(tracker_http_options(o.url, "", o.timeout_ms)));
    return out;
  }
  std::string pem;
  if (!o.ca_file.empty()) {
    BC_ASSIGN_OR_RETURN(pem, read_given_ca(o.ca_file));
  } else {
    BC_ASSIGN_OR_RETURN(pem, fetch_served_ca(o, log));
  }
  BC_ASSIGN_OR_RETURN(pki::CertInfo ca, pki::inspect(pem));
  if (!o.ca_fingerprint.empty() && ca.fingerprint_sha256 != normalize_fingerprint(o.ca_fingerprint))
    return Status::permission_denied("--tracker-ca " + o.ca_file + " has SHA256 " +
                                     pki::colon_fingerprint(ca.fingerprint_sha256) +
                                     ", not --tracker-ca-fingerprint " + o.ca_fingerprint);
  // Check the tracker against the candidate before it replaces the pin.
  const std::string candidate = o.save_path + ".new";
  BC_RETURN_IF_ERROR(write_file_atomic(candidate, pem, 0644));
  auto info = tracker_info(tracker_http_options(o.url, candidate, o.timeout_ms));
  if (!info.ok()) {
    std::remove(candidate.c_str());
    if (info.status().code() != Status::Code::permission_denied) return info.status();
    // Name where the CA came from, not the scratch file just removed.
    std::string msg = info.status().message();
    const size_t at = msg.find(candidate);
    if (at != std::string::npos) msg.replace(at, candidate.size(), o.ca_file.empty() ? "as pinned" : o.ca_file);
    return Status::permission_denied(msg);
  }
  if (std::rename(candidate.c_str(), o.save_path.c_str()) != 0)
    return Status::io_error("cannot rename " + candidate + " to " + o.save_path);
  out.ca_file = o.save_path;
  out.ca_fingerprint = ca.fingerprint_sha256;
  out.trusted_on_first_use = o.ca_file.empty() && o.ca_fingerprint.empty();
  out.info = std::move(*info);
  return out;
}

}  // namespace bc::node
