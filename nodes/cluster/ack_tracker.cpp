#include "nodes/cluster/ack_tracker.h"

#include <algorithm>
#include <limits>

namespace ts::cluster {

void AckTracker::Reset(uint64_t term, uint64_t floor_seq) {
  term_ = term;
  committed_ = floor_seq;
  backups_.clear();
  liveness_ = LivenessTracker<NodeId>(liveness_.window());
}

void AckTracker::OnHeartbeat(const Heartbeat& heartbeat, TimePoint now) {
  if (heartbeat.from == self_) return;
  Backup& backup = backups_[heartbeat.from];
  liveness_.Heard(heartbeat.from, now);
  backup.role = heartbeat.role;
  backup.follows_me = heartbeat.term == term_ && heartbeat.primary_id == self_;
  if (backup.follows_me) backup.lease_echo = std::max(backup.lease_echo, heartbeat.lease_stamp);
  if (backup.follows_me && heartbeat.role == Role::kBackup) {
    backup.acked_seq = std::max(backup.acked_seq, heartbeat.last.seq);
  }
}

std::vector<NodeId> AckTracker::InSync(TimePoint now) const {
  std::vector<NodeId> in_sync;
  for (const auto& [id, backup] : backups_) {
    if (backup.follows_me && backup.role == Role::kBackup && liveness_.Live(id, now)) {
      in_sync.push_back(id);
    }
  }
  return in_sync;
}

size_t AckTracker::InReach(TimePoint now) const {
  size_t in_reach = 0;
  for (const auto& [id, backup] : backups_) {
    if (!liveness_.Live(id, now)) continue;
    bool following_me = backup.follows_me &&
                        (backup.role == Role::kBackup || backup.role == Role::kSyncing);
    if (following_me || backup.role == Role::kCandidate) ++in_reach;
  }
  return in_reach;
}

size_t AckTracker::LeaseEchoes(TimePoint now) const {
  size_t echoes = 0;
  for (const auto& [id, backup] : backups_) {
    if (!backup.follows_me || backup.lease_echo == 0) continue;
    // Stamps are the primary's clock + 1 (0 means none).
    if (static_cast<int64_t>(backup.lease_echo) - 1 + liveness_.window().count() > now.count()) ++echoes;
  }
  return echoes;
}

size_t AckTracker::AckedBy(uint64_t seq) const {
  size_t acked = 0;
  for (const auto& [id, backup] : backups_) acked += backup.acked_seq >= seq ? 1 : 0;
  return acked;
}

uint64_t AckTracker::Advance(uint64_t last_seq, TimePoint now) {
  std::vector<NodeId> in_sync = InSync(now);
  if (in_sync.size() < min_acks_) return committed_;
  uint64_t every_backup_has = last_seq;
  for (NodeId id : in_sync) every_backup_has = std::min(every_backup_has, backups_.at(id).acked_seq);
  committed_ = std::max(committed_, every_backup_has);
  return committed_;
}

std::vector<std::pair<NodeId, uint64_t>> AckTracker::AckedSeqs() const {
  std::vector<std::pair<NodeId, uint64_t>> acked;
  for (const auto& [id, backup] : backups_) {
    if (backup.follows_me) acked.emplace_back(id, backup.acked_seq);
  }
  return acked;
}

}  // namespace ts::cluster
