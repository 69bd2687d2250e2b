#include "layers/swarm/swarm_session.hpp"

#include <libtorrent/alert_types.hpp>
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/peer_class.hpp>
#include <libtorrent/session_params.hpp>

#include <algorithm>
#include <chrono>

#include "layers/swarm/swarm_settings.hpp"

namespace bc {

namespace lt = libtorrent;

Result<std::unique_ptr<SwarmSession>> SwarmSession::start(const SwarmNodeOptions& options, int socket_buffer_cap_bytes,
                                                          const Clock& clock, const std::vector<IpSubnet>& lan,
                                                          const std::map<std::string, int64_t>& bans) {
  std::unique_ptr<SwarmSession> s(new SwarmSession());
  lt::session_params params(make_swarm_settings(options, socket_buffer_cap_bytes));
  params.extensions.clear();  // see the header: no ut_metadata, PEX or smart ban
  try {
    s->ios_ = std::make_unique<boost::asio::io_context>(1);
    s->pacer_ = PacerHub::create(*s->ios_, clock);
    s->guard_ = CertGuardHub::create(*s->ios_, clock);
    s->tls_ = !options.insecure_plain_peers;
    s->ses_ = std::make_unique<lt::session>(std::move(params), *s->ios_);
    s->net_thread_ = std::thread([ios = s->ios_.get()] { ios->run(); });
    s->set_up_classes(options, lan);
    s->set_bans(bans);
  } catch (const std::exception& e) {
    return Status::internal(std::string("swarm node: libtorrent session: ") + e.what());  // the destructor stops it
  }
  BC_RETURN_IF_ERROR(s->wait_for_listen(options.listen_interfaces));
  return s;
}

void SwarmSession::set_up_classes(const SwarmNodeOptions& options, const std::vector<IpSubnet>& lan) {
  lan_class_ = ses_->create_peer_class("lan");
  wan_class_ = ses_->create_peer_class("wan");
  lt::peer_class_info info = ses_->get_peer_class(lan_class_);
  info.ignore_unchoke_slots = true;  // every LAN peer is served; slots ration the WAN
  ses_->set_peer_class(lan_class_, info);
  if (options.wan_ignore_unchoke_slots) {  // the origin: every entitled peer served at once
    info = ses_->get_peer_class(wan_class_);
    info.ignore_unchoke_slots = true;
    ses_->set_peer_class(wan_class_, info);
  }
  set_class_limits(lan_class_, options.lan_download_bytes_per_s, options.lan_upload_bytes_per_s);
  set_class_limits(wan_class_, options.wan_download_bytes_per_s, options.wan_upload_bytes_per_s);
  set_lan(lan);
}

// Bounded (50 rounds of at most 100 ms), so listen_port() is meaningful.
Status SwarmSession::wait_for_listen(const std::string& listen_interfaces) {
  for (int i = 0; i < 50 && listen_port() == 0; ++i) {
    for (lt::alert* a : pop_alerts(100))
      if (auto* f = lt::alert_cast<lt::listen_failed_alert>(a))
        return Status::unavailable("swarm node: cannot listen on " + f->address.to_string() + ":" +
                                   std::to_string(f->port) + ": " + f->error.message());
  }
  if (listen_port() == 0)
    return Status::unavailable(std::string("swarm node: no ") + (tls_ ? "TLS " : "") + "listen socket on '" +
                               listen_interfaces + "'");
  return Status();
}

std::vector<lt::alert*> SwarmSession::pop_alerts(int timeout_ms) {
  ses_->wait_for_alert(lt::milliseconds(std::max(timeout_ms, 0)));
  std::vector<lt::alert*> alerts;
  ses_->pop_alerts(&alerts);
  return alerts;
}

// Replacing the whole filter also drops libtorrent's default "local" class
// for private ranges and loopback, so the emulated WAN (10.x) is governed.
void SwarmSession::set_lan(const std::vector<IpSubnet>& lan) {
  const uint32_t global = 1u << static_cast<uint32_t>(lt::session::global_peer_class_id);
  const uint32_t wan = global | (1u << static_cast<uint32_t>(wan_class_));
  const uint32_t lan_bits = global | (1u << static_cast<uint32_t>(lan_class_));
  lt::ip_filter f;
  f.add_rule(lt::make_address("0.0.0.0"), lt::make_address("255.255.255.255"), wan);
  f.add_rule(lt::make_address("::"), lt::make_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), wan);
  for (const auto& s : lan) f.add_rule(s.first(), s.last(), lan_bits);
  ses_->set_peer_class_filter(f);
  pacer_->set_lan(lan);
}

void SwarmSession::set_bans(const std::map<std::string, int64_t>& bans) {
  lt::ip_filter f;
  for (const auto& [ip, at] : bans) {
    lt::error_code ec;
    lt::address a = lt::make_address(ip, ec);
    if (!ec) f.add_rule(a, a, lt::ip_filter::blocked);
  }
  ses_->set_ip_filter(std::move(f));
}

void SwarmSession::set_class_limits(lt::peer_class_t c, int64_t down, int64_t up) {
  lt::peer_class_info info = ses_->get_peer_class(c);
  info.download_limit = int(std::clamp<int64_t>(down, 0, INT32_MAX));
  info.upload_limit = int(std::clamp<int64_t>(up, 0, INT32_MAX));
  ses_->set_peer_class(c, info);
}

void SwarmSession::set_peer_dscp(int dscp) {
  lt::settings_pack p;
  p.set_int(lt::settings_pack::peer_dscp, peer_dscp_setting(dscp));
  ses_->apply_settings(std::move(p));
}

void SwarmSession::stop() {
  if (stopped_ || !ios_) return;
  stopped_ = true;
  if (pacer_) pacer_->stop();
  lt::session_proxy proxy;  // destroyed last, once the network thread is gone
  if (ses_) {
    proxy = ses_->abort();
    ses_.reset();
    // run() returns once the session's shutdown has finished its handlers;
    // bounded, so a handler that never completes cannot hang the node's exit.
    for (int i = 0; i < 200 && !ios_->stopped(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ios_->stop();
  if (net_thread_.joinable()) net_thread_.join();
}

}  // namespace bc
