// NodeCore's handlers: one small function per message kind, plus the tick.
// The state table is in node_core_state.h.
#include <algorithm>

#include "nodes/cluster/node_core_state.h"
#include "schema/codec.h"

namespace ts::cluster {

// ---- peers: heartbeat bus -------------------------------------------------

void NodeCore::State::Handle(const Heartbeat& m, TimePoint now, NodeActions& out) {
  if (m.from == config.id) return;
  const Heartbeat* before = peers.Latest(m.from);
  const bool lost_memory = before != nullptr && before->last.seq > 0 && m.last.seq == 0;
  switch (peers.Heard(m, now)) {
    case LivenessChange::kSeen:
      Event(out, NodeEventKind::kPeerSeen, m.from, "sees node " + std::to_string(m.from) + " (" +
                                                       std::string(RoleName(m.role)) + ")");
      break;
    case LivenessChange::kRejoined:
      Event(out, NodeEventKind::kPeerRejoined, m.from, "node " + std::to_string(m.from) + " rejoined");
      break;
    case LivenessChange::kNone:
      break;
  }
  if (lost_memory) {
    Event(out, NodeEventKind::kPeerRestarted, m.from,
          "node " + std::to_string(m.from) + " restarted with an empty log");
  }
  SeeTerm(m.term);
  if (role == Role::kPrimary) {
    acks.OnHeartbeat(m, now);
    if (m.term > term) {
      StepDown("node " + std::to_string(m.from) + " is in newer term " + std::to_string(m.term), now, out);
    } else {
      AdvanceCommitAndRelease(now, out);
    }
  }
  if (m.role == Role::kPrimary) SeePrimary(m.from, m.term, now, out);
  if ((role == Role::kBackup || role == Role::kSyncing) && m.from == primary && m.term == term) {
    if (m.role != Role::kPrimary) {
      // It stepped down (lost the broker, say) while we still hear it: it is
      // no primary any more, so elect now rather than follow a candidate.
      followed_primary.MarkDead();
      return;
    }
    followed_primary.Heard(now);
    backup_side.OnPrimaryHeartbeat(m, replica, now);
    RefreshFollowerRole(now, out);
    RequestTransferIfDue(now, out);
  }
}

void NodeCore::State::SeePrimary(NodeId node, uint64_t its_term, TimePoint now, NodeActions& out) {
  SeeTerm(its_term);
  // Only a primary of the newest term known is followed: an older one is cut
  // off and will step down; following it could throw away acked writes.
  if (its_term < max_term_seen || its_term < term) return;
  if (role == Role::kPrimary && its_term == term) return;  // cannot happen: one primary per term
  if ((role == Role::kBackup || role == Role::kSyncing) && primary == node && term == its_term) return;
  Follow(node, its_term, now, out);
}

void NodeCore::State::Handle(const WriteBatch& m, TimePoint now, NodeActions& out) {
  peers.KeepAlive(m.from, now);
  SeeTerm(m.term);
  if (role == Role::kPrimary && m.term > term) {
    StepDown("node " + std::to_string(m.from) + " publishes term " + std::to_string(m.term), now, out);
  }
  if (role == Role::kCandidate || m.term > term) SeePrimary(m.from, m.term, now, out);
  if (role != Role::kBackup && role != Role::kSyncing) return;
  if (m.from == primary && m.term == term) followed_primary.Heard(now);
  const auto outcome = backup_side.OnBatch(m, replica);
  if (outcome == BackupApplier::BatchOutcome::kApplied) {
    SendHeartbeat(now, out);  // the ack: at once, not on the timer
  }
  RefreshFollowerRole(now, out);
  RequestTransferIfDue(now, out);
}

void NodeCore::State::Handle(const Election& m, TimePoint now, NodeActions& out) {
  SeeTerm(m.max_term_seen);
  if (role != Role::kCandidate) return;  // a node with a live primary does not take part
  // A node that cannot reach the broker could never win: it must not bully
  // the others into waiting for it.
  if (!broker.Live(now, config.liveness_window)) return;
  ApplyElectionStep(election.OnElection(m, MyRank(), max_term_seen, now), now, out);
}

void NodeCore::State::Handle(const ElectionAnswer& m, TimePoint now, NodeActions& out) {
  if (role != Role::kCandidate) return;
  ApplyElectionStep(election.OnAnswer(m, now), now, out);
}

void NodeCore::State::Handle(const Coordinator& m, TimePoint now, NodeActions& out) {
  SeePrimary(m.from, m.term, now, out);
}

void NodeCore::State::Handle(const Shutdown& m, TimePoint now, NodeActions& out) {
  if ((role == Role::kBackup || role == Role::kSyncing) && m.from == primary && m.term == term) {
    Stop("primary " + std::to_string(m.from) + " shuts the service down", now, out);
  }
}

// ---- peers: state transfer ------------------------------------------------

void NodeCore::State::Handle(const StateTransferRequest& m, TimePoint, NodeActions& out) {
  if (role != Role::kPrimary || m.term != term) return;  // the requester will find the real one
  uint64_t& served = last_transfer_served[m.from];
  if (served == m.transfer_id) return;  // a duplicate: answered already
  served = m.transfer_id;
  const uint64_t committed = primary_side.ReportedCommit(acks.committed()).seq;
  // Position 0:0 names no entry: a node there may hold a --load file's pairs
  // (or nothing), so it always gets a snapshot.
  auto term_there = replica.log.TermAt(m.have.seq);
  if (m.have.seq > 0 && term_there && *term_there == m.have.term) {
    if (auto entries = replica.log.EntriesAfter(m.have.seq)) {
      out.to_peer.push_back(PeerSend{m.from, CatchUp{config.id, m.transfer_id, term, std::move(*entries),
                                                     committed}});
      return;
    }
  }
  const size_t per_chunk = std::max<size_t>(1, config.snapshot_chunk_pairs);
  SnapshotChunk chunk{config.id, m.transfer_id, term, 0, {}};
  for (const auto& [key, value] : replica.space.pairs()) {
    chunk.pairs.emplace_back(key, value);
    if (chunk.pairs.size() == per_chunk) {
      out.to_peer.push_back(PeerSend{m.from, chunk});
      chunk.pairs.clear();
      ++chunk.index;
    }
  }
  if (!chunk.pairs.empty()) {
    out.to_peer.push_back(PeerSend{m.from, chunk});
    ++chunk.index;
  }
  out.to_peer.push_back(PeerSend{m.from, SnapshotEnd{config.id, m.transfer_id, term, chunk.index,
                                                     replica.last(), replica.clients.Rows(), committed}});
  Event(out, NodeEventKind::kNotice, m.from,
        "sends a snapshot of " + std::to_string(replica.space.size()) + " pairs at " +
            Describe(replica.last()) + " to node " + std::to_string(m.from));
}

void NodeCore::State::Handle(const SnapshotChunk& m, TimePoint now, NodeActions& out) {
  if (backup_side.OnChunk(m, replica, now)) RefreshFollowerRole(now, out);
}

void NodeCore::State::Handle(const SnapshotEnd& m, TimePoint now, NodeActions& out) {
  if (backup_side.OnEnd(m, replica, now)) RefreshFollowerRole(now, out);
}

void NodeCore::State::Handle(const CatchUp& m, TimePoint now, NodeActions& out) {
  if (backup_side.OnCatchUp(m, replica)) RefreshFollowerRole(now, out);
  RequestTransferIfDue(now, out);
}

// ---- broker ---------------------------------------------------------------

void NodeCore::State::Handle(const BrokerStatus& m, TimePoint now, NodeActions& out) {
  SeeTerm(m.served_term);
  primary_side.NoteBrokerCommitted(m.committed);
  if (role != Role::kPrimary) return;
  if (m.served_term > term || (m.served_term == term && m.primary_id != config.id)) {
    StepDown("the broker serves node " + std::to_string(m.primary_id) + " in term " +
                 std::to_string(m.served_term),
             now, out);
  } else if (m.served_term < term) {
    // The broker restarted and forgot us: register again (same term, fenced).
    out.to_broker.push_back(Registration{config.id, term, replica.last()});
  }
}

void NodeCore::State::Handle(const PreVoteAnswer& m, TimePoint now, NodeActions& out) {
  SeeTerm(m.served_term);
  if (role != Role::kCandidate) return;
  ApplyElectionStep(election.OnPreVoteAnswer(m, MyRank(), max_term_seen, now), now, out);
}

void NodeCore::State::Handle(const RegistrationAnswer& m, TimePoint now, NodeActions& out) {
  if (role == Role::kPrimary && m.term == term && !m.accepted) {
    StepDown("the broker refused our registration again: " + m.reason, now, out);
    return;
  }
  if (role != Role::kCandidate) return;
  ApplyElectionStep(election.OnRegistrationAnswer(m, now), now, out);
  SeeTerm(m.served_term);
}

void NodeCore::State::Handle(const ClientRequestFrame& m, TimePoint now, NodeActions& out) {
  if (role != Role::kPrimary) return;  // the broker resends it to the next primary
  auto request = DecodeRequest(m.frame);
  if (request.ok()) {
    primary_side.Handle(m.client, request.value(), replica, acks, now);
  } else {
    primary_side.HandleUndecodable(m.client, request.error());
  }
  AdvanceCommitAndRelease(now, out);
}

void NodeCore::State::Handle(const ShutdownCommand&, TimePoint now, NodeActions& out) {
  if (role == Role::kPrimary) out.to_bus.push_back(Shutdown{config.id, term});
  Stop("shutdown command from the broker", now, out);
}

// ---- time -----------------------------------------------------------------

void NodeCore::State::Tick(TimePoint now, NodeActions& out) {
  if (config.broker_timeout.count() > 0 && broker.Silence(now) > config.broker_timeout) {
    Stop("no word from the broker for " + std::to_string(broker.Silence(now).count()) + " ms", now, out);
    return;
  }
  if (broker.TakeFailure(now, config.liveness_window)) {
    Event(out, NodeEventKind::kBrokerLost, kNoNode, "lost the broker");
    if (role == Role::kPrimary) StepDown("lost the broker", now, out);
  }
  for (NodeId failed : peers.TakeFailures(now)) {
    Event(out, NodeEventKind::kPeerFailed, failed, "node " + std::to_string(failed) + " failed");
  }
  if ((role == Role::kBackup || role == Role::kSyncing) &&
      !followed_primary.Live(now, config.liveness_window)) {
    Event(out, NodeEventKind::kPrimaryLost, primary,
          "primary " + std::to_string(primary) + " is silent; electing");
    backup_side.Unfollow();
    role = Role::kCandidate;
    primary = kNoNode;
    election_not_before = now;
  }
  if (role == Role::kCandidate && !broker.Live(now, config.liveness_window)) {
    election.Stop();  // see Handle(Election): no broker, no candidacy
  } else if (role == Role::kCandidate) {
    if (!election.running() && now >= election_not_before) {
      ApplyElectionStep(election.Start(MyRank(), max_term_seen, now), now, out);
    } else {
      ApplyElectionStep(election.OnTick(MyRank(), max_term_seen, now), now, out);
    }
  }
  if (role == Role::kBackup || role == Role::kSyncing) RequestTransferIfDue(now, out);
  if (role == Role::kPrimary) {
    AdvanceCommitAndRelease(now, out);
    const uint64_t committed = primary_side.ReportedCommit(acks.committed()).seq;
    if (auto batch = primary_side.TakeBatch(committed)) out.to_bus.push_back(std::move(*batch));
  }
  if (now >= next_heartbeat) SendHeartbeat(now, out);
}

}  // namespace ts::cluster
