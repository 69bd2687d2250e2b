// The one parser of tracker URLs, for every node program (endpoint,
// reflector, their tools). Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layers/util/status.hpp"

namespace bc::node {

struct TrackerUrl {
  std::string scheme;         // "http" or "https"
  std::string host;           // name, IPv4, or IPv6 without its brackets
  uint16_t port = 0;          // the URL's port, or 80/443 by scheme
  bool explicit_port = false; // the URL named its port
  std::string path;           // "" or "/a/b" (trailing slashes dropped)

  // "https://HOST:PORT" (IPv6 in brackets): the base other URLs are built on,
  // e.g. base() + "/announce".
  std::string base() const;
  bool tls() const { return scheme == "https"; }
};

// Parses SCHEME://HOST[:PORT][/PATH][/...]: scheme http or https (any case),
// host a name, an IPv4 address or an IPv6 literal in brackets ("[::1]"),
// port 1..65535, trailing slashes ignored. invalid_argument naming the URL
// and what is wrong otherwise (userinfo, query and fragment are refused).
Result<TrackerUrl> parse_tracker_url(std::string_view url);

// The tracker a node dials: https (the tracker's CA pinned at enrollment,
// node/tracker_pin.hpp) or http (only with the node's explicit
// insecure_plain_http, which the node's config checks), an explicit port, no
// path (the tracker's API sits at the root). invalid_argument with the
// reason otherwise.
Result<TrackerUrl> parse_node_tracker_url(std::string_view url);

// Checks a node config's tracker settings: an https URL needs the pinned CA
// file (tracker_ca_file); an http URL needs insecure_plain_http = true, and
// the two do not mix. invalid_argument naming the key and the fix otherwise.
Status check_tracker_transport(const TrackerUrl& url, const std::string& ca_file, bool insecure_plain_http);

}  // namespace bc::node
