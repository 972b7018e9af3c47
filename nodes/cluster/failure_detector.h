// FailureDetector: which peers are live, from their heartbeats.
//
// A peer is live while heard within the liveness window. Each transition is
// reported once: a peer heard for the first time is "seen", one heard again
// after failing has "rejoined", and TakeFailures returns each peer that fell
// silent since the last call. The latest heartbeat of every peer is kept, so
// the node can read its peers' roles, terms and log positions.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "schema/cluster_messages.h"

namespace ts::cluster {

class FailureDetector {
 public:
  explicit FailureDetector(Millis liveness_window) : window_(liveness_window) {}

  enum class Change { kNone, kSeen, kRejoined };
  Change Heard(const Heartbeat& heartbeat, TimePoint now);
  // Any other message from a peer also shows it is alive.
  void HeardFrom(NodeId peer, TimePoint now);

  bool Live(NodeId peer, TimePoint now) const;
  std::vector<NodeId> LivePeers(TimePoint now) const;
  const Heartbeat* Latest(NodeId peer) const;  // null when never heard
  std::vector<NodeId> TakeFailures(TimePoint now);

 private:
  struct Peer {
    TimePoint last_heard{0};
    std::optional<Heartbeat> latest;
    bool reported_dead = false;
  };
  Millis window_;
  std::map<NodeId, Peer> peers_;
};

// The same rule for one party (the broker, seen from a node).
class LivenessTimer {
 public:
  LivenessTimer(Millis window, TimePoint start) : window_(window), last_heard_(start) {}
  void Heard(TimePoint now) { last_heard_ = now; }
  bool Live(TimePoint now) const { return now - last_heard_ <= window_; }
  Millis Silence(TimePoint now) const { return now - last_heard_; }

 private:
  Millis window_;
  TimePoint last_heard_;
};

}  // namespace ts::cluster
