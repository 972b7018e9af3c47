#include "nodes/cluster/failure_detector.h"

namespace ts::cluster {

FailureDetector::Change FailureDetector::Heard(const Heartbeat& heartbeat, TimePoint now) {
  auto [it, inserted] = peers_.try_emplace(heartbeat.from);
  Peer& peer = it->second;
  Change change = Change::kNone;
  if (inserted) {
    change = Change::kSeen;
  } else if (peer.reported_dead || !Live(heartbeat.from, now)) {
    change = Change::kRejoined;
  }
  peer.last_heard = now;
  peer.latest = heartbeat;
  peer.reported_dead = false;
  return change;
}

void FailureDetector::HeardFrom(NodeId peer_id, TimePoint now) {
  auto it = peers_.find(peer_id);
  // Only a heartbeat introduces a peer (it says what the peer is); a message
  // from a peer we know keeps it alive as long as it was not declared dead.
  if (it != peers_.end() && !it->second.reported_dead && Live(peer_id, now)) {
    it->second.last_heard = now;
  }
}

bool FailureDetector::Live(NodeId peer_id, TimePoint now) const {
  auto it = peers_.find(peer_id);
  return it != peers_.end() && now - it->second.last_heard <= window_;
}

std::vector<NodeId> FailureDetector::LivePeers(TimePoint now) const {
  std::vector<NodeId> live;
  for (const auto& [id, peer] : peers_) {
    if (now - peer.last_heard <= window_) live.push_back(id);
  }
  return live;
}

const Heartbeat* FailureDetector::Latest(NodeId peer_id) const {
  auto it = peers_.find(peer_id);
  if (it == peers_.end() || !it->second.latest) return nullptr;
  return &*it->second.latest;
}

std::vector<NodeId> FailureDetector::TakeFailures(TimePoint now) {
  std::vector<NodeId> failed;
  for (auto& [id, peer] : peers_) {
    if (!peer.reported_dead && now - peer.last_heard > window_) {
      peer.reported_dead = true;
      failed.push_back(id);
    }
  }
  return failed;
}

}  // namespace ts::cluster
