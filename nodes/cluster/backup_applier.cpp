#include "nodes/cluster/backup_applier.h"

namespace ts::cluster {

BackupApplier::BackupApplier(NodeId self, const NodeConfig& config, uint64_t incarnation)
    : self_(self),
      transfer_timeout_(config.state_transfer_timeout),
      behind_timeout_(config.behind_timeout),
      keep_limit_(config.recent_log_entries),
      incarnation_(incarnation),
      staged_(config.space_limits) {}

void BackupApplier::Follow(NodeId primary, uint64_t term) {
  if (primary == primary_ && term == term_) return;
  primary_ = primary;
  term_ = term;
  need_transfer_ = true;
  in_flight_ = false;
  ForgetChunks();
  end_.reset();
  kept_.clear();
  behind_target_.reset();
}

void BackupApplier::Unfollow() {
  primary_ = kNoNode;
  need_transfer_ = false;
  in_flight_ = false;
  ForgetChunks();
  end_.reset();
  kept_.clear();
  behind_target_.reset();
}

BackupApplier::BatchOutcome BackupApplier::OnBatch(const WriteBatch& batch, ReplicaState& state) {
  if (!following() || batch.term != term_ || batch.from != primary_) return BatchOutcome::kIgnored;
  if (need_transfer_) {
    for (const LogEntry& entry : batch.entries) Keep(entry, state);
    return BatchOutcome::kBuffered;
  }
  bool gap = false;
  for (const LogEntry& entry : batch.entries) {
    const uint64_t seq = entry.position.seq;
    if (seq <= state.last().seq) continue;  // a duplicate
    if (seq == state.last().seq + 1 && !gap) {
      state.Apply(entry);
    } else {
      gap = true;
      Keep(entry, state);
    }
  }
  DrainKept(state);
  if (!kept_.empty()) {
    need_transfer_ = true;
    return BatchOutcome::kGap;
  }
  return BatchOutcome::kApplied;
}

void BackupApplier::OnPrimaryHeartbeat(const Heartbeat& heartbeat, const ReplicaState& state,
                                       TimePoint now) {
  if (!following() || need_transfer_ || heartbeat.from != primary_ || heartbeat.term != term_) return;
  if (behind_target_ && state.last().seq >= *behind_target_) behind_target_.reset();
  if (heartbeat.last.seq <= state.last().seq) return;
  if (!behind_target_) {
    behind_target_ = heartbeat.last.seq;
    behind_since_ = now;
  } else if (now - behind_since_ >= behind_timeout_) {
    need_transfer_ = true;  // the batch holding *behind_target_ never came
    behind_target_.reset();
  }
}

std::optional<StateTransferRequest> BackupApplier::TakeRequest(const ReplicaState& state,
                                                                TimePoint now) {
  if (!following() || !need_transfer_) return std::nullopt;
  if (in_flight_ && now < transfer_deadline_) return std::nullopt;
  in_flight_ = true;
  transfer_deadline_ = now + transfer_timeout_;
  transfer_id_ = (incarnation_ << 24) + (++transfer_counter_ & 0xffffff);
  ForgetChunks();
  end_.reset();
  ++transfers_started_;
  return StateTransferRequest{self_, transfer_id_, term_, state.last()};
}

bool BackupApplier::Matches(uint64_t transfer_id, uint64_t term) const {
  return following() && in_flight_ && transfer_id == transfer_id_ && term == term_;
}

bool BackupApplier::OnChunk(const SnapshotChunk& chunk, ReplicaState& state, TimePoint now) {
  if (!Matches(chunk.transfer_id, chunk.term) || chunk.from != primary_) return false;
  // Straight into the staged space: no second copy of the snapshot waits
  // in chunk buffers (a fresh backup's peak memory is one space, not two).
  if (chunk_indices_.insert(chunk.index).second) {
    for (const auto& [key, value] : chunk.pairs) staged_.Upsert(key, value);
  }
  transfer_deadline_ = now + transfer_timeout_;  // progress
  return InstallIfComplete(state);
}

bool BackupApplier::OnEnd(const SnapshotEnd& end, ReplicaState& state, TimePoint now) {
  if (!Matches(end.transfer_id, end.term) || end.from != primary_) return false;
  if (end_ && (end_->at != end.at || end_->chunk_count != end.chunk_count)) {
    // Two different snapshots under one id: the chunks cannot be told apart. Ask again.
    in_flight_ = false;
    ForgetChunks();
    end_.reset();
    return false;
  }
  end_ = end;
  transfer_deadline_ = now + transfer_timeout_;
  return InstallIfComplete(state);
}

bool BackupApplier::OnCatchUp(const CatchUp& catch_up, ReplicaState& state) {
  if (!Matches(catch_up.transfer_id, catch_up.term) || catch_up.from != primary_) return false;
  for (const LogEntry& entry : catch_up.entries) {
    if (entry.position.seq <= state.last().seq) continue;
    if (entry.position.seq != state.last().seq + 1) break;  // cannot happen from a sane primary
    state.Apply(entry);
  }
  Finish(state);
  return !need_transfer_;
}

bool BackupApplier::InstallIfComplete(ReplicaState& state) {
  if (!end_ || chunk_indices_.size() != end_->chunk_count) return false;
  state.Install(staged_, end_->at, end_->clients);
  ++snapshots_installed_;
  Finish(state);
  return !need_transfer_;
}

void BackupApplier::ForgetChunks() {
  chunk_indices_.clear();
  staged_.Clear();
}

void BackupApplier::Finish(ReplicaState& state) {
  in_flight_ = false;
  need_transfer_ = false;
  ForgetChunks();
  end_.reset();
  behind_target_.reset();
  DrainKept(state);
  if (!kept_.empty()) need_transfer_ = true;  // still a hole: ask for the rest
}

void BackupApplier::Keep(const LogEntry& entry, const ReplicaState& state) {
  if (entry.position.seq <= state.last().seq) return;
  if (kept_.size() >= keep_limit_) kept_.clear();  // the next transfer covers them
  kept_.emplace(entry.position.seq, entry);
}

void BackupApplier::DrainKept(ReplicaState& state) {
  while (!kept_.empty()) {
    auto first = kept_.begin();
    if (first->first <= state.last().seq) {
      kept_.erase(first);
    } else if (first->first == state.last().seq + 1) {
      state.Apply(first->second);
      kept_.erase(first);
    } else {
      break;
    }
  }
}

}  // namespace ts::cluster
