// PrimaryReplicator: what the primary does with client requests.
//
// Each write is executed on the space, numbered (term, seq), recorded in the
// exactly-once table and queued for this cycle's WriteBatch; until it commits,
// the primary also keeps what it replaced (WriteUndo). Replies leave in the
// order their requests arrived, each once the AckTracker has committed what it
// shows: a write's reply its own seq, a read's the writes before it (a read
// must not show a write that could still be lost). Right after a takeover a
// read may also leave once the broker's committed position covers the log
// this node took over with (everything it shows is then known to survive).
// A retry of a client's last write gets the recorded reply, never a second
// execution. Every reply leaves stamped with this node's id and term, also a
// reply resent from the exactly-once table.
//
// Not enough replicas. With fewer backups in reach than min_acks (after the
// takeover grace of one liveness window, while backups resync):
//  - a new write is refused before it touches the space; its message starts
//    with kNothingChanged;
//  - nothing can commit, so FailUnconfirmed takes back every write of this
//    term that is not committed, newest first, each by a new log entry that
//    restores what the write replaced and records a kNotEnoughReplicas reply
//    in the exactly-once table (a retry gets that same answer), then answers
//    everything queued, in order: those writes "not enough replicas" (applied,
//    confirmed by too few, undone; a backup holding it could still bring it
//    back after a failover, so its fate is open), reads run again on the
//    restored space (answered if what they show is committed, else "not enough
//    replicas"), everything else as it stands.
//
// Waiting requests (WaitingSet). A GET or TAKE with a wait that matches
// nothing, and every WATCH, wait in the set instead of being answered:
// ServeWaiting (each AdvanceCommitAndRelease) tries the GETs and TAKEs again
// once a write changed the space, in arrival order (so of two takers the
// first gets the pair), and answers a WATCH once a committed change after its
// cursor matches; at the deadline each is answered as it stands (nothing
// matched: an empty reply; a TAKE records that in the exactly-once table like
// any write). A TAKE that finds a pair is an ordinary write from there on. A
// WATCH shows committed changes only (a failover cannot take back what a
// watcher saw), from the ChangeHistory every node keeps.
// Every term opens with a no-op entry: the broker's fencing compares logs by
// the position of the last entry, which must belong to the reporting term.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "nodes/cluster/ack_tracker.h"
#include "nodes/cluster/waiting_set.h"
#include "schema/cluster_messages.h"
#include "nodes/node_config.h"
#include "nodes/cluster/replica_state.h"

namespace ts::cluster {

// The message of a write refused before it touched the space starts with
// this: the request changed nothing and may be sent again. Every other
// kNotEnoughReplicas answer to a write leaves its outcome open.
inline constexpr std::string_view kNothingChanged = "nothing was changed";

class PrimaryReplicator {
 public:
  PrimaryReplicator(NodeId self, const NodeConfig& config);

  void Begin(uint64_t term, ReplicaState& state, TimePoint now);
  void End();  // stepping down: unsent replies are dropped (the broker resends)
  bool active() const { return active_; }
  // The broker's committed position (BrokerStatus): every entry up to it
  // survives any failover. Kept across terms; only moves forward.
  void NoteBrokerCommitted(LogPosition committed);

  void Handle(const ClientTag& client, const Request& request, ReplicaState& state,
              const AckTracker& acks, TimePoint now);
  // Answers the waiting requests that can be answered now, or whose time is
  // up (see "Waiting requests" above); committed_seq as for Release.
  void ServeWaiting(ReplicaState& state, const AckTracker& acks, uint64_t committed_seq, TimePoint now);
  size_t waiting_requests() const { return waiting_.size(); }
  // A frame that did not decode: answered with the decoder's error, in order.
  void HandleUndecodable(const ClientTag& client, const Error& error);

  std::optional<WriteBatch> TakeBatch(uint64_t committed_seq);
  // Replies now allowed out (committed, or all in async mode), in order.
  std::vector<ClientReplyFrame> Release(uint64_t committed_seq);
  // Too few backups in reach to commit anything (never in async mode, nor in
  // the takeover grace).
  bool CannotCommit(const AckTracker& acks, TimePoint now) const;
  // Undoes the unconfirmed writes and answers everything queued (see above).
  struct Failed {
    std::vector<ClientReplyFrame> replies;
    size_t writes_undone = 0;
  };
  Failed FailUnconfirmed(ReplicaState& state, const AckTracker& acks, TimePoint now);
  // What the broker is told is committed: nothing until the term's no-op is.
  LogPosition ReportedCommit(uint64_t committed_seq) const;

  uint64_t term() const { return term_; }
  uint64_t term_start_seq() const { return term_start_seq_; }
  size_t pending_replies() const { return pending_.size(); }
  size_t unconfirmed_writes() const { return unconfirmed_.size(); }

 private:
  struct Pending {
    ClientTag client;
    uint64_t needs_seq = 0;    // leaves once committed_seq reaches it
    bool shows_takeover_log = false;  // or once the broker's commit covers took_over_at_
    uint64_t entry_seq = 0;    // a write: the entry whose reply this is (0: none)
    std::optional<Request> read;  // a GET, run again if writes it saw are undone
    Reply reply;
  };
  // A write of this term not known committed: how to take it back.
  struct Unconfirmed {
    uint64_t seq = 0;
    RequestId id;
    std::string op_name;
    WriteEffect restore;
  };
  void Queue(Pending pending);
  // Runs a GET or write now; false when it matched nothing and may wait
  // (may_wait), having changed nothing.
  bool Serve(const ClientTag& client, const Request& request, bool may_wait, ReplicaState& state,
             const AckTracker& acks, TimePoint now);
  // A WATCH's answer when there is one now (matching committed changes, an
  // error, or its deadline); nullopt: it keeps waiting.
  std::optional<Reply> WatchAnswer(WaitingRequest& watch, ReplicaState& state, uint64_t committed_seq,
                                   TimePoint now) const;
  bool TooFewInReach(const AckTracker& acks, TimePoint now) const;  // after the takeover grace
  bool Releasable(const Pending& pending, uint64_t committed_seq) const;
  void ForgetCommitted(uint64_t committed_seq);  // their undo is no longer needed
  void Send(Pending& pending, LogPosition reported, std::vector<ClientReplyFrame>& out) const;
  Reply NotEnoughReplicas(const RequestId& id, const std::string& op_name, std::string message) const;

  NodeId self_;
  size_t min_acks_;
  bool async_replies_;
  Millis takeover_grace_;
  bool active_ = false;
  uint64_t term_ = 0;
  uint64_t term_start_seq_ = 0;
  LogPosition took_over_at_;     // this node's log position when its term began
  LogPosition broker_committed_;
  // The space holds exactly the state after this seq: entries after it (if
  // any) are undone writes and their undo entries.
  uint64_t content_seq_ = 0;
  // (Reads need content_seq_ committed; it never drops below term_start_seq_.)
  TimePoint began_at_{0};
  std::deque<Pending> pending_;
  std::deque<Unconfirmed> unconfirmed_;  // by seq, oldest first; sync mode only
  std::vector<LogEntry> batch_;
  WaitingSet waiting_;
  uint64_t waiting_tried_at_seq_ = 0;  // content_seq_ when the waiting GETs/TAKEs were last tried
  size_t max_watch_changes_;
};

}  // namespace ts::cluster
