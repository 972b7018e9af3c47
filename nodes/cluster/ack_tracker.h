// AckTracker: the primary's bookkeeping of who applied what, and what may be
// acknowledged.
//
// A backup's heartbeat is its ack when it says "backup, following me in my
// term": its applied seq counts (the highest one heard, per backup). Such a
// backup is in sync while heard within the liveness window. A seq is committed
// once every in-sync backup and never fewer than min_acks of them have applied
// it; commits never go back. "Heard within the window" is common/liveness.h's
// rule, over the heartbeats this term. A backup that follows me but is still syncing,
// or a live candidate that will follow me, is "in reach": it does not ack yet
// but lets the primary accept writes instead of refusing them.
// The lease: a follower's heartbeat echoes the stamp (the primary's clock,
// ms) of the latest primary heartbeat it heard; LeaseEchoes counts the
// followers whose echo is younger than the liveness window, the nodes that
// will vote for nobody else before that stamp is a window old.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "common/liveness.h"
#include "schema/cluster_messages.h"

namespace ts::cluster {

class AckTracker {
 public:
  AckTracker(NodeId self, size_t min_acks, Millis liveness_window)
      : self_(self), min_acks_(min_acks), liveness_(liveness_window) {}

  // Becoming primary in term, with everything up to floor_seq committed
  // already as far as this node knows (commits only move forward from there).
  void Reset(uint64_t term, uint64_t floor_seq);
  void OnHeartbeat(const Heartbeat& heartbeat, TimePoint now);

  std::vector<NodeId> InSync(TimePoint now) const;
  size_t InReach(TimePoint now) const;  // in sync + syncing toward me + live candidates
  size_t LeaseEchoes(TimePoint now) const;
  // How many backups have reported applying seq in this term (live or not):
  // what a "confirmed by only N" message can truthfully say.
  size_t AckedBy(uint64_t seq) const;
  // Advances the commit point toward last_seq; returns it.
  uint64_t Advance(uint64_t last_seq, TimePoint now);
  uint64_t committed() const { return committed_; }
  // (backup, highest seq it acked in this term) for each backup heard
  // following me, live or not, by id: the metrics' lag per backup.
  std::vector<std::pair<NodeId, uint64_t>> AckedSeqs() const;
  size_t min_acks() const { return min_acks_; }

 private:
  struct Backup {
    Role role = Role::kCandidate;
    bool follows_me = false;  // latest heartbeat: my term, primary == me
    uint64_t acked_seq = 0;   // highest seq applied while in sync with me
    uint64_t lease_echo = 0;  // highest lease stamp echoed while following me
  };
  NodeId self_;
  size_t min_acks_;
  LivenessTracker<NodeId> liveness_;  // each backup's heartbeats
  uint64_t term_ = 0;
  uint64_t committed_ = 0;
  std::map<NodeId, Backup> backups_;
};

}  // namespace ts::cluster
