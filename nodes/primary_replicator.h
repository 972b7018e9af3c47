// PrimaryReplicator: what the primary does with client requests.
//
// Each write is executed on the space, numbered (term, seq), recorded in the
// exactly-once table and queued for this cycle's WriteBatch. Its reply waits
// until the AckTracker commits its seq (sync mode) and replies leave in the
// order their requests arrived, so a client's replies keep its order. A read
// waits for the writes before it (it must not show a write that could still
// be lost). A retry of a client's last write gets the recorded reply, never a
// second execution. With fewer backups in reach than min_acks a write is
// refused (kNotEnoughReplicas) before it touches the space; for one liveness
// window after taking over this check is waived, while backups resync.
// Every term opens with a no-op entry: the broker's fencing compares logs by
// the position of the last entry, which must belong to the reporting term.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "nodes/ack_tracker.h"
#include "nodes/cluster_messages.h"
#include "nodes/node_config.h"
#include "nodes/replica_state.h"

namespace ts::cluster {

class PrimaryReplicator {
 public:
  PrimaryReplicator(NodeId self, const NodeConfig& config);

  void Begin(uint64_t term, ReplicaState& state, TimePoint now);
  void End();  // stepping down: unsent replies are dropped (the broker resends)
  bool active() const { return active_; }

  void Handle(const ClientTag& client, const Request& request, ReplicaState& state,
              const AckTracker& acks, TimePoint now);
  // A frame that did not decode: answered with the decoder's error, in order.
  void HandleUndecodable(const ClientTag& client, const Error& error);

  std::optional<WriteBatch> TakeBatch(uint64_t committed_seq);
  // Replies now allowed out (committed, or all in async mode), in order.
  std::vector<ClientReplyFrame> Release(uint64_t committed_seq);
  // What the broker is told is committed: nothing until the term's no-op is.
  LogPosition ReportedCommit(uint64_t committed_seq) const;

  uint64_t term() const { return term_; }
  uint64_t term_start_seq() const { return term_start_seq_; }
  size_t pending_replies() const { return pending_.size(); }

 private:
  struct Pending {
    ClientTag client;
    uint64_t needs_seq = 0;
    Reply reply;
  };
  void Queue(const ClientTag& client, uint64_t needs_seq, Reply reply);

  NodeId self_;
  size_t min_acks_;
  bool async_replies_;
  Millis takeover_grace_;
  bool active_ = false;
  uint64_t term_ = 0;
  uint64_t term_start_seq_ = 0;
  TimePoint began_at_{0};
  std::deque<Pending> pending_;
  std::vector<LogEntry> batch_;
};

}  // namespace ts::cluster
