// Pinning the tracker at enrollment (docs/security.md, "Control plane"): a
// node learns the tracker's CA certificate once, checks it against what the
// admin gave out of band (the CA file, or its SHA-256 fingerprint) or trusts
// it on first use with a loud warning, saves it as <node dir>/tracker-ca.pem,
// and from then on talks to the tracker only over TLS connections whose
// certificate chains to that CA and names the host dialled.
//
// Nothing secret is sent before the CA is settled: the only request on an
// unchecked connection is GET /api/v1/tracker (public), and only to read the
// CA when the admin gave none. The enrollment token goes out afterwards, on a
// connection checked against the pinned CA.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "layers/util/status.hpp"
#include "node/node_log.hpp"
#include "node/tracker_url.hpp"
#include "tracker/client/http_client.hpp"

namespace bc::node {

inline constexpr const char* kTrackerCaFileName = "tracker-ca.pem";

struct TrackerPinOptions {
  TrackerUrl url;                    // required: parse_node_tracker_url's result
  // --tracker-ca: the tracker's CA certificate (PEM), handed out of band
  // (the tracker's DATA/pki/ca.pem). Default none.
  std::string ca_file;
  // --tracker-ca-fingerprint: SHA-256 of the CA certificate (hex; colons and
  // case ignored), as the tracker logs it at start. Default none.
  std::string ca_fingerprint;
  // An http:// URL is refused unless this is true (no TLS: the token and the
  // node's requests cross the network in clear). Default false.
  bool insecure_plain_http = false;
  std::string save_path;             // where the pinned CA goes; required for https
  uint32_t timeout_ms = 10'000;      // each request; default 10 s
  Status validate() const;
};

struct PinnedTracker {
  std::string ca_file;                // save_path ("" for plain http)
  std::string ca_fingerprint;         // lower-case hex ("" for plain http)
  bool trusted_on_first_use = false;  // neither ca_file nor ca_fingerprint was given
  nlohmann::json info;                // GET /api/v1/tracker, read over the checked connection
};

// Settles the CA as the header says and returns what the tracker serves at
// /api/v1/tracker. permission_denied when the tracker's CA is not the one
// pinned (naming both fingerprints) or its certificate does not chain to it
// or name the host; unavailable when it cannot be reached. The file at
// save_path is replaced only on success.
Result<PinnedTracker> pin_tracker(const TrackerPinOptions& o, const Logger& log);

// Client options for a node talking to `url` (port, host, TLS checked
// against `ca_file` when https).
tracker::HttpClientOptions tracker_http_options(const TrackerUrl& url, const std::string& ca_file,
                                                uint32_t timeout_ms);

// "ab12..." from "AB:12:..." (colons, spaces and case ignored); "" when the
// text is not 64 hex digits.
std::string normalize_fingerprint(const std::string& text);

}  // namespace bc::node
