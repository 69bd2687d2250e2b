// A libtorrent torrent plugin that counts payload bytes received (and sent)
// per peer address and remembers which peers sent blocks of a piece that failed its
// hash check. libtorrent calls it on its network thread; the node reads it on
// the owner thread, so the shared state is behind a mutex. Exact (every
// received block is counted when it arrives), and unaffected by peers
// disconnecting, unlike polling get_peer_info.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <libtorrent/extensions.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace bc {

inline constexpr size_t kMaxTappedPeers = 4096;       // per layer; beyond: counted in overflow
inline constexpr size_t kMaxTappedFailedPieces = 256;  // failed pieces remembered per layer
inline constexpr size_t kMaxTappedBans = 256;          // bans queued per layer between polls

struct PeerTapState {
  // Pieces shorter than the piece size (the last piece of each file in a v2
  // torrent): blocks are sent padded, only the file bytes count. Set before
  // the torrent is added, read-only after.
  std::map<int, int> short_pieces;

  std::mutex mu;
  std::map<boost::asio::ip::address, uint64_t> bytes_by_ip;
  uint64_t overflow_bytes = 0;  // from peers beyond kMaxTappedPeers
  // Payload bytes sent per peer address (the WAN governor's upload count).
  std::map<boost::asio::ip::address, uint64_t> sent_by_ip;
  uint64_t sent_overflow_bytes = 0;  // to peers beyond kMaxTappedPeers
  std::map<int, std::vector<boost::asio::ip::address>> failed_piece_peers;
  // Peers disconnected because they were banned (trust points), in order.
  std::vector<boost::asio::ip::address> banned;

  void add_bytes(const boost::asio::ip::address& a, uint64_t n);
  void add_sent(const boost::asio::ip::address& a, uint64_t n);
  // Payload bytes of a received block (padding excluded).
  uint64_t payload_of(int piece, int start, int length) const;
  void add_failure(int piece, const boost::asio::ip::address& a);
  std::vector<boost::asio::ip::address> take_failure(int piece);
  void add_banned(const boost::asio::ip::address& a);
  std::vector<boost::asio::ip::address> take_banned();
};

// For add_torrent_params::extensions.
std::shared_ptr<libtorrent::torrent_plugin> make_peer_tap(std::shared_ptr<PeerTapState> state);

}  // namespace bc
