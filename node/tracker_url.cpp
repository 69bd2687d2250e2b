#include "node/tracker_url.hpp"

#include <algorithm>
#include <cctype>

namespace bc::node {

namespace {

Status bad(std::string_view url, const std::string& why) {
  return Status::invalid_argument("tracker URL '" + std::string(url) + "': " + why);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

// Splits "HOST[:PORT]" (HOST may be "[v6]") into the URL's host and port.
Status parse_authority(std::string_view url, std::string_view auth, TrackerUrl& out) {
  std::string_view port;
  if (!auth.empty() && auth.front() == '[') {
    size_t close = auth.find(']');
    if (close == std::string_view::npos) return bad(url, "IPv6 literal without ']'");
    out.host = std::string(auth.substr(1, close - 1));
    if (out.host.empty() || out.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
      return bad(url, "bad IPv6 literal");
    std::string_view rest = auth.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return bad(url, "junk after the IPv6 literal");
    if (!rest.empty()) port = rest.substr(1), out.explicit_port = true;
  } else {
    size_t colon = auth.find(':');
    if (colon != std::string_view::npos && auth.find(':', colon + 1) != std::string_view::npos)
      return bad(url, "an IPv6 host must be in brackets");
    out.host = std::string(auth.substr(0, colon));
    if (colon != std::string_view::npos) port = auth.substr(colon + 1), out.explicit_port = true;
    if (out.host.empty()) return bad(url, "no host");
    if (out.host.find_first_of("@ \t") != std::string::npos) return bad(url, "bad host");
  }
  if (!out.explicit_port) return Status();
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
    return bad(url, "bad port");
  int p = std::stoi(std::string(port));
  if (p < 1 || p > 65535) return bad(url, "port out of 1..65535");
  out.port = static_cast<uint16_t>(p);
  return Status();
}

}  // namespace

std::string TrackerUrl::base() const {
  const bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<TrackerUrl> parse_tracker_url(std::string_view url) {
  TrackerUrl out;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad(url, "must start with http:// or https://");
  out.scheme = lower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") return bad(url, "scheme must be http or https");
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) return bad(url, "no query or fragment allowed");
  size_t slash = rest.find('/');
  std::string_view auth = rest.substr(0, slash);
  if (auth.find('@') != std::string_view::npos) return bad(url, "no user info allowed");
  BC_RETURN_IF_ERROR(parse_authority(url, auth, out));
  if (!out.explicit_port) out.port = out.scheme == "https" ? 443 : 80;
  std::string path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();
  out.path = path;
  return out;
}

Result<TrackerUrl> parse_node_tracker_url(std::string_view url) {
  BC_ASSIGN_OR_RETURN(TrackerUrl u, parse_tracker_url(url));
  if (!u.explicit_port) return bad(url, "must name its port (https://HOST:PORT)");
  if (!u.path.empty()) return bad(url, "must have no path (https://HOST:PORT)");
  return u;
}

Status check_tracker_transport(const TrackerUrl& url, const std::string& ca_file, bool insecure_plain_http) {
  const std::string u = url.base();
  if (url.tls()) {
    if (insecure_plain_http)
      return Status::invalid_argument("insecure_plain_http = true does not go with the https tracker URL " + u +
                                      ": drop it");
    if (ca_file.empty())
      return Status::invalid_argument("tracker_ca_file is required with the https tracker URL " + u +
                                      " (the tracker's CA pinned at enrollment: enroll again)");
    return Status();
  }
  if (!insecure_plain_http)
    return Status::invalid_argument("the tracker URL " + u + " is plain http: use https:// (enroll again), or set " +
                                    "insecure_plain_http = true to send tokens and requests in clear");
  return Status();
}

}  // namespace bc::node
