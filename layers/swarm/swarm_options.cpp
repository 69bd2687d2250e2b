#include "layers/swarm/swarm_options.hpp"

#include "layers/swarm/ip_subnet.hpp"

namespace bc {

Status check_web_seed_url(const std::string& u) {
  if ((u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0) || u.find_first_of("?# \r\n") != std::string::npos)
    return Status::invalid_argument("'" + u.substr(0, 64) + "' is not an http(s) URL without query");
  return Status();
}

Status SwarmNodeOptions::validate() const {
  auto bad = [](const std::string& what) { return Status::invalid_argument("swarm node options: " + what); };
  if (data_dir.empty()) return bad("no data_dir");
  if (listen_interfaces.empty()) return bad("no listen_interfaces");
  if (!enable_utp && !enable_tcp) return bad("neither uTP nor TCP is enabled");
  for (const auto& s : lan_subnets)
    if (auto r = IpSubnet::parse(s); !r.ok()) return bad("lan_subnets: " + r.status().message());
  for (const auto& s : reflector_ips)
    if (auto r = parse_ip(s); !r.ok()) return bad("reflector_ips: " + r.status().message());
  if (wan_download_bytes_per_s < 0 || wan_upload_bytes_per_s < 0 || lan_download_bytes_per_s < 0 ||
      lan_upload_bytes_per_s < 0)
    return bad("rate limits must be >= 0 (0 = unlimited)");
  if (wan_download_bytes_per_s > INT32_MAX || wan_upload_bytes_per_s > INT32_MAX ||
      lan_download_bytes_per_s > INT32_MAX || lan_upload_bytes_per_s > INT32_MAX)
    return bad("rate limits must be below 2 GiB/s");
  if (socket_buffer_bytes < 64 * 1024 || socket_buffer_bytes > (64 << 20))
    return bad("socket_buffer_bytes must be in [64 KiB, 64 MiB]");
  if (connections_limit < 2 || connections_limit > 65536) return bad("connections_limit must be in [2, 65536]");
  if (unchoke_slots < 1 || unchoke_slots > 10000) return bad("unchoke_slots must be in [1, 10000]");
  if (peer_dscp < 0 || peer_dscp > 63) return bad("peer_dscp must be a DSCP in [0, 63] (1 = Lower-Effort)");
  if (alert_queue_size < 100 || alert_queue_size > 1'000'000) return bad("alert_queue_size must be in [100, 1000000]");
  if (!tracker_key.empty() && tracker_key_param.empty()) return bad("tracker_key without tracker_key_param");
  if (tracker_key.find_first_of("&?#= \r\n") != std::string::npos ||
      tracker_key_param.find_first_of("&?#= \r\n") != std::string::npos)
    return bad("tracker key and parameter must be URL-safe tokens");
  if (web_seed_urls.size() > kMaxWebSeedUrls) return bad("more than 16 web_seed_urls");
  for (const auto& u : web_seed_urls)
    if (!check_web_seed_url(u).ok()) return bad("web_seed_urls: " + check_web_seed_url(u).message());
  if (limiter_tick_ms < 5 || limiter_tick_ms > 1000) return bad("limiter_tick_ms must be in [5, 1000]");
  if (min_announce_interval_s < 1) return bad("min_announce_interval_s must be >= 1");
  if (idle_reannounce_min_ms < 100 || idle_reannounce_max_ms < idle_reannounce_min_ms)
    return bad("idle reannounce: need 100 <= idle_reannounce_min_ms <= idle_reannounce_max_ms");
  if (ban_ttl_s < 1) return bad("ban_ttl_s must be >= 1");
  if (resume_interval_ms != 0 && resume_interval_ms < 100) return bad("resume_interval_ms must be 0 (never) or >= 100");
  if (resume_every_pieces < 0) return bad("resume_every_pieces must be >= 0 (0 = never)");
  if (progress_interval_ms < 10) return bad("progress_interval_ms must be >= 10");
  return Status();
}

}  // namespace bc
