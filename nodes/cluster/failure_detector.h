// FailureDetector: which peers are live, and what each last said about itself.
//
// Liveness is common/liveness.h's rule (a LivenessTracker over node ids): a
// peer is live while heard within the liveness window; Heard reports a peer
// seen for the first time (kSeen) or heard again after its failure was taken
// (kRejoined), and TakeFailures returns each peer that fell silent since the
// last call, once. Only a heartbeat introduces a peer (it says what the peer
// is); any other message from a live peer keeps it alive (KeepAlive). The
// latest heartbeat of every peer is kept, so the node can read its peers'
// roles, terms and log positions.
#pragma once

#include <map>
#include <vector>

#include "common/liveness.h"
#include "schema/cluster_messages.h"

namespace ts::cluster {

class FailureDetector {
 public:
  explicit FailureDetector(Millis liveness_window) : liveness_(liveness_window) {}

  LivenessChange Heard(const Heartbeat& heartbeat, TimePoint now);
  // A message other than a heartbeat: refreshes a peer that is live, and
  // nothing else (a dead or unknown peer comes back with its heartbeat).
  void KeepAlive(NodeId peer, TimePoint now);

  bool Live(NodeId peer, TimePoint now) const { return liveness_.Live(peer, now); }
  std::vector<NodeId> LivePeers(TimePoint now) const { return liveness_.LivePeers(now); }
  const Heartbeat* Latest(NodeId peer) const;  // null when never heard
  std::vector<NodeId> TakeFailures(TimePoint now) { return liveness_.TakeFailures(now); }

 private:
  LivenessTracker<NodeId> liveness_;
  std::map<NodeId, Heartbeat> latest_;
};

}  // namespace ts::cluster
