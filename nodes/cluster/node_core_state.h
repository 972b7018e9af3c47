// The parts NodeCore composes, and the transitions its handlers share.
// Private to nodes/node_core*.cpp; the shells use node_core.h only.
//
// Node states and events, in one place (bstar.c style):
//
//   state      event                                   -> next state
//   candidate  heartbeat/coordinator/batch of a primary
//              whose term >= every term seen           -> syncing (Follow)
//   candidate  election won (broker accepted term)     -> primary (BecomePrimary)
//   syncing    state transfer complete                 -> backup
//   backup     gap in the stream / seq never arrived   -> syncing
//   backup,
//   syncing    primary silent for the liveness window  -> candidate (election)
//   backup,
//   syncing    a primary with a newer term             -> syncing (Follow it)
//   primary    a newer term (peer or broker)           -> candidate/syncing (StepDown)
//   primary    broker silent for the liveness window   -> candidate (StepDown)
//   any        Shutdown from my primary / ShutdownCommand,
//              or broker silent past broker_timeout    -> stopped (a last heartbeat,
//                                                         role stopped, to the broker;
//                                                         save and exit)
#pragma once

#include <map>
#include <string>

#include "common/liveness.h"
#include "nodes/cluster/ack_tracker.h"
#include "nodes/cluster/backup_applier.h"
#include "nodes/cluster/bully_election.h"
#include "nodes/cluster/failure_detector.h"
#include "nodes/cluster/node_core.h"
#include "nodes/cluster/primary_replicator.h"
#include "nodes/cluster/replica_state.h"

namespace ts::cluster {

struct NodeCore::State {
  State(NodeConfig config_in, TimePoint now);

  NodeConfig config;
  Role role = Role::kCandidate;
  uint64_t term = 0;           // the term this node leads or follows
  uint64_t max_term_seen = 0;  // highest term of a real primary heard of (or served by the broker)
  NodeId primary = kNoNode;
  bool started = false;        // an event arrived (Preload is over)

  ReplicaState replica;
  FailureDetector peers;
  Liveness broker;           // heard at start: one window before it counts as lost
  AckTracker acks;
  BullyElection election;
  PrimaryReplicator primary_side;
  BackupApplier backup_side;

  Liveness followed_primary;  // its heartbeats and batches; marked dead when it stops leading
  // The last transfer served to each peer: a request that arrives twice
  // (duplicated) must not get two snapshots under one transfer id.
  std::map<NodeId, uint64_t> last_transfer_served;
  TimePoint next_heartbeat{0};
  uint64_t commit_told_broker = 0;  // primary: the highest committed seq the broker was sent
  TimePoint election_not_before{0};

  // Transitions (node_core.cpp).
  Rank MyRank() const { return Rank{replica.last(), config.id}; }
  Heartbeat MakeHeartbeat(TimePoint now) const;
  void SendHeartbeat(TimePoint now, NodeActions& out);
  void Event(NodeActions& out, NodeEventKind kind, NodeId peer, std::string text) const;
  void SeeTerm(uint64_t seen_term);
  void Follow(NodeId new_primary, uint64_t new_term, TimePoint now, NodeActions& out);
  void BecomePrimary(uint64_t won_term, TimePoint now, NodeActions& out);
  void StepDown(const std::string& why, TimePoint now, NodeActions& out);
  void Stop(const std::string& why, TimePoint now, NodeActions& out);
  void RefreshFollowerRole(TimePoint now, NodeActions& out);
  void ApplyElectionStep(ElectionStep step, TimePoint now, NodeActions& out);
  void RequestTransferIfDue(TimePoint now, NodeActions& out);
  void AdvanceCommitAndRelease(TimePoint now, NodeActions& out);

  // Handlers (node_core_handlers.cpp), one per message kind.
  void Handle(const Heartbeat& m, TimePoint now, NodeActions& out);
  void Handle(const WriteBatch& m, TimePoint now, NodeActions& out);
  void Handle(const Election& m, TimePoint now, NodeActions& out);
  void Handle(const ElectionAnswer& m, TimePoint now, NodeActions& out);
  void Handle(const Coordinator& m, TimePoint now, NodeActions& out);
  void Handle(const Shutdown& m, TimePoint now, NodeActions& out);
  void Handle(const StateTransferRequest& m, TimePoint now, NodeActions& out);
  void Handle(const SnapshotChunk& m, TimePoint now, NodeActions& out);
  void Handle(const SnapshotEnd& m, TimePoint now, NodeActions& out);
  void Handle(const CatchUp& m, TimePoint now, NodeActions& out);
  void Handle(const BrokerStatus& m, TimePoint now, NodeActions& out);
  void Handle(const PreVoteAnswer& m, TimePoint now, NodeActions& out);
  void Handle(const RegistrationAnswer& m, TimePoint now, NodeActions& out);
  void Handle(const ClientRequestFrame& m, TimePoint now, NodeActions& out);
  void Handle(const ShutdownCommand& m, TimePoint now, NodeActions& out);
  // A primary heartbeat, coordinator or batch names (node, term) as primary.
  void SeePrimary(NodeId node, uint64_t its_term, TimePoint now, NodeActions& out);
  void Tick(TimePoint now, NodeActions& out);
};

}  // namespace ts::cluster
