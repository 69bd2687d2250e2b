// The origin seed (DESIGN §4): a libtorrent session inside bc-tracker that
// seeds every published layer from the origin store (DATA/origin/<key>/, laid
// out by tracker/service/layer_importer.hpp: files at their manifest paths),
// with its own upload cap. In BtService terms the origin is a node of role
// NodeRole::origin announcing with OriginOptions::announce_key.
//
// Thread affinity: the SwarmNode is owned by one thread the seeder starts;
// publish/remove/uploaded_bytes are thread-safe (commands go through a
// bounded queue the owner thread drains). Events are logged with spdlog.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "layers/model/trusted_manifest.hpp"
#include "tracker/config/origin_options.hpp"

namespace bc::tracker {

class OriginSeeder {
 public:
  // Called on the owner thread with payload bytes uploaded since the last
  // call (for TrackerMetrics::add_origin_bytes). May be empty.
  using BytesSink = std::function<void(uint64_t bytes)>;

  // The origin's TLS identity for SSL torrents (a certificate naming "*",
  // issued by the tracker CA) and when to ask for the next one.
  struct PeerCertificate {
    std::string cert_pem;
    std::string key_pem;  // a secret: never logged
    int64_t renew_at_unix = 0;
  };
  // Called on the owner thread at start and whenever renew_at_unix has
  // passed (an error is logged and retried after 10 s). May be empty: no
  // certificate, plain torrents only.
  using CertSource = std::function<Result<PeerCertificate>()>;

  // Validates options, starts the session (listening) and the owner thread.
  // Errors: invalid_argument (options), io_error, unavailable (listen).
  static Result<std::unique_ptr<OriginSeeder>> start(const OriginOptions& options, BytesSink sink = {},
                                                     CertSource certs = {});
  // Stops the owner thread and the session (saves resume data).
  ~OriginSeeder();
  OriginSeeder(const OriginSeeder&) = delete;
  OriginSeeder& operator=(const OriginSeeder&) = delete;

  uint16_t listen_port() const { return port_; }

  // Seeds a verified layer whose files sit at payload_dir/<manifest path>
  // (LayerMode::seed: the importer already ran verify_payload). Asynchronous:
  // errors of the session (bad torrent, duplicate) are logged. Returns
  // no_space when the command queue is full (kMaxOriginLayers).
  Status publish(const TrustedManifest& layer, std::string torrent, std::string payload_dir);
  // Stops seeding a retired layer (its files stay). Asynchronous like publish.
  Status remove(const LayerRef& layer);
  // Every live revoked certificate serial (the tracker's whole list): peers
  // presenting one are dropped at the swarm's next tick. Asynchronous.
  Status set_revoked_serials(std::vector<std::string> serials);

  // Blocks until every command queued so far was applied (tests, startup).
  void flush();
  // Payload bytes uploaded since start.
  uint64_t uploaded_bytes() const { return uploaded_.load(); }
  // Layers in the session (as last seen by the owner thread).
  size_t layer_count() const { return layer_count_.load(); }

 private:
  struct Publish {
    TrustedManifest layer;
    std::string torrent;
    std::string payload_dir;
  };
  struct Remove {
    LayerRef layer;
  };
  struct Revoked {
    std::vector<std::string> serials;
  };
  using Command = std::variant<Publish, Remove, Revoked>;
  struct Impl;

  OriginSeeder() = default;
  Status enqueue(Command c);
  void run();
  void apply(Command& c);
  void account_upload();
  void renew_certificate();

  std::unique_ptr<Impl> impl_;
  OriginOptions options_;
  BytesSink sink_;
  CertSource certs_;
  int64_t cert_due_unix_ = 0;  // owner thread: when to call certs_ next
  uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Command> queue_;
  uint64_t queued_ = 0, applied_ = 0;  // guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  std::atomic<uint64_t> uploaded_{0};
  std::atomic<size_t> layer_count_{0};
  std::thread thread_;
};

}  // namespace bc::tracker
