// BackupApplier: a backup following its primary.
//
// Following a primary starts with a state transfer (on start, restart, or a
// newer term): the backup sends its log position; the primary answers with
// the entries after it (CatchUp) when its recent log proves the backup's log
// is a prefix of its own (never from 0:0, which names no entry: a node there
// may hold a --load file), else with snapshot chunks and an End. The stream
// (WriteBatch) is applied strictly in seq order; while a transfer runs, or
// after a gap, entries are kept aside and applied once the state reaches them.
// A gap (an entry after a missing one), or a primary heartbeat showing a seq
// that does not arrive within behind_timeout (its batch was lost), starts a
// new transfer. The current state is kept until a snapshot is complete, so a
// node never holds less than it acknowledged. Answers carry the transfer id;
// stale ones are ignored, and a transfer without progress is asked again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "schema/cluster_messages.h"
#include "nodes/node_config.h"
#include "nodes/cluster/replica_state.h"

namespace ts::cluster {

class BackupApplier {
 public:
  // incarnation: any number that differs between two runs of the same node
  // (its start time), so answers meant for an earlier run are not taken.
  BackupApplier(NodeId self, const NodeConfig& config, uint64_t incarnation);

  void Follow(NodeId primary, uint64_t term);  // a state transfer comes first
  void Unfollow();
  bool following() const { return primary_ != kNoNode; }
  NodeId primary() const { return primary_; }
  uint64_t term() const { return term_; }
  bool syncing() const { return need_transfer_; }

  enum class BatchOutcome { kIgnored, kApplied, kBuffered, kGap };
  BatchOutcome OnBatch(const WriteBatch& batch, ReplicaState& state);
  void OnPrimaryHeartbeat(const Heartbeat& heartbeat, const ReplicaState& state, TimePoint now);

  // The request to send now, when a transfer is needed and none is in flight
  // (or the one in flight made no progress for state_transfer_timeout).
  std::optional<StateTransferRequest> TakeRequest(const ReplicaState& state, TimePoint now);
  // Each returns true when this answer completed the transfer.
  bool OnChunk(const SnapshotChunk& chunk, ReplicaState& state, TimePoint now);
  bool OnEnd(const SnapshotEnd& end, ReplicaState& state, TimePoint now);
  bool OnCatchUp(const CatchUp& catch_up, ReplicaState& state);

  uint64_t transfers_started() const { return transfers_started_; }
  uint64_t snapshots_installed() const { return snapshots_installed_; }

 private:
  bool Matches(uint64_t transfer_id, uint64_t term) const;
  bool InstallIfComplete(ReplicaState& state);
  void Finish(ReplicaState& state);
  void Keep(const LogEntry& entry, const ReplicaState& state);
  void DrainKept(ReplicaState& state);
  void ForgetChunks();

  NodeId self_;
  Millis transfer_timeout_;
  Millis behind_timeout_;
  size_t keep_limit_;
  uint64_t incarnation_;
  NodeId primary_ = kNoNode;
  uint64_t term_ = 0;

  bool need_transfer_ = false;
  bool in_flight_ = false;
  uint64_t transfer_counter_ = 0;
  uint64_t transfer_id_ = 0;
  TimePoint transfer_deadline_{0};
  // The snapshot being received: which chunks are in, and their pairs.
  std::set<uint32_t> chunk_indices_;
  TupleSpace staged_;
  std::optional<SnapshotEnd> end_;

  std::map<uint64_t, LogEntry> kept_;  // stream entries not applicable yet, by seq
  std::optional<uint64_t> behind_target_;  // a seq the primary has that we wait for
  TimePoint behind_since_{0};

  uint64_t transfers_started_ = 0;
  uint64_t snapshots_installed_ = 0;
};

}  // namespace ts::cluster
