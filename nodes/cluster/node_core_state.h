// The parts NodeCore composes, its state machine, and its step functions.
// Private to nodes/cluster/node_core*.cpp; the shells use node_core.h only.
//
// Every message goes through one Step (node_core_step.cpp, etcd raft style):
//   1. a stopped node drops everything; a node drops its own bus messages;
//   2. the sender is heard (peer liveness, or that broker's: one tracker per broker);
//   2b. a RequestVote is answered by every role alike (OnRequestVote);
//   3. SettleTerm settles the message's term, once (TermClaim, term_claim.h):
//      - every term named raises max_term_seen (the highest term heard of);
//      - a newer term than this node's, from a peer in or leading it or from
//        the broker serving it (or serving another node in this node's term),
//        makes a primary step down;
//      - a primary's claim (heartbeat, batch, coordinator) of the newest term
//        heard of is followed, unless this node follows it already;
//      - older: a leader's claim (batch, coordinator) of a term older than this
//        node's is dropped (our heartbeats tell the stale primary), and so is
//        anything for a term's replication (shutdown, state transfer) that is
//        not this node's term; a broker status of an older term is answered by
//        a primary, which registers again (the broker restarted);
//   4. the message goes to the step function of the node's role:
//      StepPrimary, StepFollower (syncing and backup), StepCandidate. What a
//      role's function does not list, that role ignores.
// Tick runs the timers the same way: the broker's and the peers' for every
// role, then TickPrimary / TickFollower / TickCandidate.
//
// Node states and events, in one place (bstar.c style); the transitions are
// the functions named, all in node_core_roles.cpp:
//
//   state      event                                        -> next state   (transition)
//   candidate  a primary's claim of the newest term heard   -> syncing      (Follow)
//   candidate  election won: a majority voted for me and
//                the broker accepted that proof             -> primary      (BecomePrimary)
//   candidate, granting a vote in a newer term (a RequestVote
//   syncing,     whose log is at least as fresh, while no live
//   backup       primary is followed)                       -> candidate    (RaiseTerm; a
//                                                              follower whose primary just
//                                                              fell silent: LosePrimary)
//   syncing    state transfer complete (and, with a durable
//                log, the snapshot it installed is on disk)  -> backup       (Resync)
//   backup     a gap in the stream / a seq that never came  -> syncing      (Resync)
//   syncing,   a primary's claim of a newer term that is
//   backup       the newest heard                           -> syncing      (Follow)
//   syncing,   the followed primary silent for the liveness
//   backup       window, or its heartbeat says it no longer
//                leads (marked dead)                        -> candidate    (LosePrimary)
//   primary    a newer term (a peer in or leading it, the
//                broker serving it or another node in mine) -> candidate    (StepDown),
//                                                              then syncing (Follow) when a
//                                                              primary's claim of the newest term
//   primary    every broker silent for the liveness window,
//                or the last live one refuses my registration, or
//                no majority echoed my lease for the window -> candidate    (StepDown)
//   syncing,   Shutdown from my primary in my term          -> stopped      (Stop)
//   backup
//   any        ShutdownCommand from any broker (a primary
//                first tells its backups: Shutdown), or
//                every broker silent past broker_timeout    -> stopped      (Stop: a last
//                                                              heartbeat, role stopped, to every
//                                                              broker; save and exit)
//   stopped    anything                                     -> stopped (dropped)
#pragma once

#include <algorithm>
#include <map>
#include <utility>
#include <vector>
#include <optional>
#include <string>

#include "common/liveness.h"
#include "nodes/cluster/ack_tracker.h"
#include "nodes/cluster/backup_applier.h"
#include "nodes/cluster/bully_election.h"
#include "nodes/cluster/failure_detector.h"
#include "nodes/cluster/node_core.h"
#include "nodes/cluster/primary_replicator.h"
#include "nodes/cluster/replica_state.h"
#include "nodes/cluster/snapshot_sender.h"
#include "nodes/cluster/term_claim.h"

namespace ts::cluster {

struct NodeCore::State {
  State(NodeConfig config_in, TimePoint now);

  NodeConfig config;
  Role role = Role::kCandidate;
  uint64_t term = 0;           // the term this node is in: leads, follows, or voted in (<= max_term_seen)
  NodeId voted_for = kNoNode;  // its vote in `term` (itself, as a candidate), kNoNode: none
  uint64_t max_term_seen = 0;  // highest term of a real primary heard of (or served by the broker)
  NodeId primary = kNoNode;
  bool started = false;        // an event arrived (Preload is over)

  ReplicaState replica;
  FailureDetector peers;
  // Each broker (1..broker_count), heard at start: one window before it
  // counts as lost. A primary needs one live broker; a candidate asks the
  // live ones (AnyBrokerLive, LiveBrokers).
  LivenessTracker<BrokerId> brokers;
  Liveness followed_primary;  // its heartbeats and batches; marked dead when it stops leading
  AckTracker acks;
  BullyElection election;
  PrimaryReplicator primary_side;
  BackupApplier backup_side;  // following exactly while role is syncing or backup

  // The last transfer served to each peer: a request that arrives twice
  // (duplicated) must not get two snapshots under one transfer id.
  std::map<NodeId, uint64_t> last_transfer_served;
  SnapshotSender snapshot_sender;  // primary: the snapshots under way, a slice per tick
  TimePoint next_heartbeat{0};
  ProcessFacts process_facts;  // the shell's, for heartbeats (status only)
  uint64_t commit_told_broker = 0;  // primary: the highest committed seq the broker was sent
  TimePoint election_not_before{0};
  // Durable mode: the last position the shell reported durable, in the
  // current history; nullopt while a snapshot installed (or a file imported)
  // since is not on disk yet. Heartbeats (acks) and commits never claim more.
  std::optional<LogPosition> durable_at = LogPosition{};
  // Votes (raft's Ready): the highest term whose term + vote the shell has
  // made durable, the one the last TakeDurableWork carried, and the vote
  // messages (RequestVote, VoteAnswer; a VoteAnswer to itself is its own
  // vote, fed to the election) that wait for their term to be on disk.
  uint64_t durable_term = 0;
  uint64_t taken_term = 0;
  std::vector<std::pair<uint64_t, PeerMessage>> held_for_vote;
  // A node that (re)started votes for nobody for one liveness window: it may
  // have followed a primary whose lease still counts on it (Fencing).
  TimePoint votes_not_before{0};
  // Primary: who voted for it in its term (the proof it registers with) and
  // when it became primary (its lease's grace while the first echoes come).
  std::vector<NodeId> term_voters;
  TimePoint primary_since{0};
  // Follower: the lease stamp of the followed primary's latest heartbeat.
  uint64_t primary_lease_stamp = 0;

  bool AnyBrokerLive(TimePoint now) const { return !brokers.LivePeers(now).empty(); }
  std::vector<BrokerId> LiveBrokers(TimePoint now) const { return brokers.LivePeers(now); }
  // How long since the last word from any broker.
  Millis BrokerSilence(TimePoint now) const;
  bool Following() const { return role == Role::kSyncing || role == Role::kBackup; }
  // The configured node count (at least this node).
  uint32_t ClusterSize() const { return static_cast<uint32_t>(std::max<size_t>(config.cluster_size, 1)); }

  // The step prelude and the per-role step functions (node_core_step.cpp).
  void Step(const PeerMessage& message, TimePoint now, NodeActions& out);
  void Step(BrokerId from, BrokerToNode message, TimePoint now, NodeActions& out);
  bool SettleTerm(const TermClaim& claim, TimePoint now, NodeActions& out);  // false: dropped
  void StepPrimary(const PeerMessage& message, TimePoint now, NodeActions& out);
  void StepPrimary(BrokerId from, const BrokerToNode& message, TimePoint now, NodeActions& out);
  void StepFollower(const PeerMessage& message, TimePoint now, NodeActions& out);
  void StepFollower(BrokerId from, const BrokerToNode& message, TimePoint now, NodeActions& out);
  void StepCandidate(const PeerMessage& message, TimePoint now, NodeActions& out);
  void StepCandidate(BrokerId from, const BrokerToNode& message, TimePoint now, NodeActions& out);
  void Tick(TimePoint now, NodeActions& out);
  void TickPrimary(TimePoint now, NodeActions& out);
  void TickFollower(TimePoint now, NodeActions& out);
  void TickCandidate(TimePoint now, NodeActions& out);

  // The transitions of the table above (node_core_roles.cpp).
  void Follow(NodeId new_primary, uint64_t new_term, TimePoint now, NodeActions& out);
  void BecomePrimary(uint64_t won_term, TimePoint now, NodeActions& out);
  void StepDown(const std::string& why, TimePoint now, NodeActions& out);
  void LosePrimary(TimePoint now, NodeActions& out);
  void Resync(TimePoint now, NodeActions& out);  // syncing <-> backup, as the applier says
  void Stop(const std::string& why, TimePoint now, NodeActions& out);

  // Votes (node_core_vote.cpp): raising the term, the vote a node grants,
  // and the vote messages held until their term is durable.
  void RaiseTerm(uint64_t new_term);
  void OnRequestVote(const RequestVote& m, TimePoint now, NodeActions& out);
  std::string WhyNotVote(const RequestVote& m, TimePoint now) const;
  void SendOnceDurable(uint64_t for_term, PeerMessage message, TimePoint now, NodeActions& out);
  void ReleaseDurableVotes(TimePoint now, NodeActions& out);
  // The lease (Fencing): whether a primary still may serve.
  bool LeaseHolds(TimePoint now) const;
  bool CheckLease(TimePoint now, NodeActions& out);  // false: stepped down

  // What several roles share (node_core.cpp).
  Rank MyRank() const { return Rank{replica.last(), config.id}; }
  // What heartbeats say this node holds: with a durable log, what is on disk
  // (a snapshot not on disk yet: its position, while the node says syncing).
  LogPosition ReportedLast() const;
  // The highest seq the primary may commit as far as its own copy goes.
  uint64_t CommitCeiling() const;
  bool InstallNotDurable() const { return config.durable && !durable_at; }
  Heartbeat MakeHeartbeat(TimePoint now) const;
  void SendHeartbeat(TimePoint now, NodeActions& out);
  void Event(NodeActions& out, NodeEventKind kind, NodeId peer, std::string text) const;
  void ApplyElectionStep(ElectionStep step, TimePoint now, NodeActions& out);
  void RequestTransferIfDue(TimePoint now, NodeActions& out);
  void AdvanceCommitAndRelease(TimePoint now, NodeActions& out);
  void ServeStateTransfer(const StateTransferRequest& m, NodeActions& out);
};

}  // namespace ts::cluster
