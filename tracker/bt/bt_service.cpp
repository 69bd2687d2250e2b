#include "tracker/bt/bt_service.hpp"

#include <algorithm>

namespace bc::tracker::bt {

Status BtServiceOptions::validate() const {
  if (interval_s == 0) return Status::invalid_argument("interval_s must be positive");
  if (min_interval_s > interval_s) return Status::invalid_argument("min_interval_s must not exceed interval_s");
  // Otherwise a peer announcing on time would be dropped between announces.
  if (registry.peer_timeout_s <= int64_t(interval_s))
    return Status::invalid_argument("peer_timeout_s must exceed interval_s");
  if (grant_holder_interval_s == 0 || int64_t(grant_holder_interval_s) >= registry.swarm.origin_grants.ttl_s)
    return Status::invalid_argument("grant_holder_interval_s must be positive and below the origin grant ttl (" +
                                    std::to_string(registry.swarm.origin_grants.ttl_s) + " s)");
  if (max_numwant == 0 || default_numwant > max_numwant)
    return Status::invalid_argument("need 0 < default_numwant <= max_numwant");
  BC_RETURN_IF_ERROR(query.validate());
  BC_RETURN_IF_ERROR(registry.validate());
  return selection.validate();
}

BtService::BtService(BtServiceOptions options, BtDirectory& directory)
    : options_(std::move(options)), directory_(directory), registry_(options_.registry), rng_(options_.rng_seed) {}

Result<PeerUpdate> BtService::peer_update(const AnnounceRequest& req, const NodeIdentity& id,
                                          const IpAddress& source) const {
  PeerUpdate u;
  u.node_id = id.node_id;
  u.source = source;  // the entry's key: another address cannot touch this entry
  u.role = id.role;
  u.branch = id.role == NodeRole::origin ? BranchId() : id.branch;
  u.left_bytes = req.left;
  auto set = [&](const IpAddress& a, uint16_t port) {
    PeerEndpoint ep{a, port ? port : req.port};
    (a.v6 ? u.v6 : u.v4) = ep;
  };
  if (options_.trust_client_ip) {
    if (req.ip) set(*req.ip, 0);
    for (const PeerEndpoint& e : req.ipv4) set(e.address, e.port);
    for (const PeerEndpoint& e : req.ipv6) set(e.address, e.port);
  }
  if (!(source.v6 ? u.v6 : u.v4)) set(source, 0);
  return u;
}

AnnounceResult BtService::announce_result(std::string_view query, const IpAddress& source, int64_t now_s) {
  AnnounceResult out;
  ++counters_.announces;
  auto fail = [&](Status s, uint64_t& counter) {
    ++counter;
    out.status = std::move(s);
    return out;
  };
  auto req = parse_announce_query(query, options_.query);
  if (!req.ok()) return fail(req.status(), counters_.bad_requests);
  if (req->node_key.empty())
    return fail(Status::permission_denied(std::string(kNodeKeyParam) +
                                          ": missing; announce with the URL the tracker issued at enrollment"),
                counters_.denied);
  if (!req->compact)
    return fail(Status::unsupported("compact=0: this tracker sends compact peer lists only (BEP 23)"),
                counters_.bad_requests);
  auto id = directory_.node_for_key(req->node_key, source);
  if (!id.ok()) return fail(id.status(), counters_.denied);
  auto bytes = directory_.torrent_bytes(req->info_hash);
  if (!bytes.ok())
    return fail(bytes.status(), bytes.status().code() == Status::Code::permission_denied ? counters_.forbidden_announces
                                                                                          : counters_.unregistered);
  auto update = peer_update(*req, *id, source);
  if (!update.ok()) return fail(update.status(), counters_.bad_requests);

  bool stopped = req->event == AnnounceEvent::stopped;
  bool completed = req->event == AnnounceEvent::completed;
  auto swarm = registry_.announce(req->info_hash, *bytes, *update, stopped, completed, now_s);
  if (!swarm.ok()) return fail(swarm.status(), counters_.refused_full);

  AnnounceResponse& resp = out.response;
  resp.interval_s = options_.interval_s;
  resp.min_interval_s = options_.min_interval_s;
  Swarm* s = *swarm;
  if (!s) {  // stopped: no peers needed
    ScrapeCounts c = registry_.scrape(req->info_hash);
    resp.complete = c.complete;
    resp.incomplete = c.incomplete;
    return out;
  }
  const PeerEntry* self = s->find(update->node_id, update->source);
  Requester who = Requester::from_entry(*self, id->parent_branch, id->branch_has_live_reflector);
  who.wan_fallback = id->wan_fallback;
  size_t numwant = std::min(req->numwant.value_or(options_.default_numwant), options_.max_numwant);
  Selection sel = select_peers(who, *s, numwant, options_.selection, rng_, now_s);
  if (sel.origin_refused) ++counters_.origin_refused;
  for (const SelectedPeer& p : sel.peers) {
    ++(crosses_wan(p.tier) ? counters_.wan_peers : counters_.lan_peers);
    out.tiers.push_back(p.tier);
    out.peer_ids.push_back(p.peer->node_id);
  }
  if (!who.seed && s->origin_grants().holds(who.node_id)) {  // its announces renew the lease
    resp.interval_s = std::min(resp.interval_s, options_.grant_holder_interval_s);
    resp.min_interval_s = std::min(resp.min_interval_s, resp.interval_s);
  }
  resp.peers = endpoints_for(sel, who);
  resp.complete = s->complete();
  resp.incomplete = s->incomplete();
  return out;
}

std::string BtService::announce(std::string_view query, const IpAddress& source, int64_t now_s) {
  AnnounceResult r = announce_result(query, source, now_s);
  if (!r.status.ok()) return encode_failure(r.status.message());
  return encode_announce_response(r.response);
}

std::string BtService::scrape(std::string_view query, const IpAddress& source, int64_t now_s) {
  ++counters_.scrapes;
  auto req = parse_scrape_query(query, options_.query);
  if (!req.ok()) {
    ++counters_.bad_requests;
    return encode_failure(req.status().message());
  }
  if (req->node_key.empty()) {
    ++counters_.denied;
    return encode_failure(std::string(kNodeKeyParam) + ": missing; scrape with the URL the tracker issued at enrollment");
  }
  auto id = directory_.node_for_key(req->node_key, source);
  if (!id.ok()) {
    ++counters_.denied;
    return encode_failure(id.status().message());
  }
  std::vector<std::pair<InfoHash, ScrapeCounts>> files;
  for (const InfoHash& h : req->info_hashes) {
    auto bytes = directory_.torrent_bytes(h);
    if (bytes.ok()) files.emplace_back(h, registry_.scrape(h));  // unknown or not entitled: left out
    else if (bytes.status().code() == Status::Code::permission_denied) ++counters_.forbidden_scrapes;
  }
  return encode_scrape_response(std::move(files));
}

}  // namespace bc::tracker::bt
