// NodeCore's step prelude, its per-role step functions and its ticks (the
// rules are listed in node_core_state.h). The transitions they call are in
// node_core_roles.cpp.
#include <algorithm>
#include <variant>

#include "nodes/cluster/node_core_state.h"
#include "nodes/cluster/overloaded.h"
#include "schema/codec.h"

namespace ts::cluster {

// ---- the prelude ------------------------------------------------------------

void NodeCore::State::Step(const PeerMessage& message, TimePoint now, NodeActions& out) {
  if (role == Role::kStopped) return;
  const NodeId from = SenderOf(message);
  if (from == config.id) return;  // our own bus message, should the transport echo it
  if (const auto* heartbeat = std::get_if<Heartbeat>(&message)) {
    const Heartbeat* before = peers.Latest(from);
    const bool lost_memory = before != nullptr && before->last.seq > 0 && heartbeat->last.seq == 0;
    switch (peers.Heard(*heartbeat, now)) {
      case LivenessChange::kSeen:
        Event(out, NodeEventKind::kPeerSeen, from,
              "sees node " + std::to_string(from) + " (" + std::string(RoleName(heartbeat->role)) + ")");
        break;
      case LivenessChange::kRejoined:
        Event(out, NodeEventKind::kPeerRejoined, from, "node " + std::to_string(from) + " rejoined");
        break;
      case LivenessChange::kNone:
        break;
    }
    if (lost_memory) {
      Event(out, NodeEventKind::kPeerRestarted, from,
            "node " + std::to_string(from) + " restarted with an empty log");
    }
  } else {
    peers.KeepAlive(from, now);
  }
  if (!SettleTerm(TermClaimOf(message), now, out)) return;
  if (const auto* request = std::get_if<RequestVote>(&message)) return OnRequestVote(*request, now, out);
  switch (role) {
    case Role::kPrimary: return StepPrimary(message, now, out);
    case Role::kSyncing:
    case Role::kBackup: return StepFollower(message, now, out);
    case Role::kCandidate: return StepCandidate(message, now, out);
    case Role::kStopped: return;
  }
}

void NodeCore::State::Step(BrokerId from, BrokerToNode message, TimePoint now, NodeActions& out) {
  if (role == Role::kStopped) return;
  if (!brokers.Known(from)) return;  // not one of the configured brokers
  if (brokers.Heard(from, now) == LivenessChange::kRejoined) {
    Event(out, NodeEventKind::kBrokerBack, kNoNode, "hears broker " + std::to_string(from) + " again");
  }
  // Its reply must go back through the broker it came from.
  if (auto* request = std::get_if<ClientRequestFrame>(&message)) request->client.via = from;
  // Every role keeps the broker's committed position: a node that takes over
  // answers reads once it covers the log it took over with (PrimaryReplicator).
  if (const auto* status = std::get_if<BrokerStatus>(&message)) {
    primary_side.NoteBrokerCommitted(status->committed);
  }
  if (!SettleTerm(TermClaimOf(message), now, out)) return;
  switch (role) {
    case Role::kPrimary: return StepPrimary(from, message, now, out);
    case Role::kSyncing:
    case Role::kBackup: return StepFollower(from, message, now, out);
    case Role::kCandidate: return StepCandidate(from, message, now, out);
    case Role::kStopped: return;
  }
}

bool NodeCore::State::SettleTerm(const TermClaim& claim, TimePoint now, NodeActions& out) {
  if (claim.kind == TermClaim::kNone) return true;
  max_term_seen = std::max(max_term_seen, claim.term);
  const bool newer = claim.term > term;
  const std::string who = "node " + std::to_string(claim.node);
  switch (claim.kind) {
    case TermClaim::kNone:
    case TermClaim::kHeardOf:
      return true;
    case TermClaim::kForTerm:
      return claim.term == term;
    case TermClaim::kMember:
      if (role == Role::kPrimary && newer) {
        StepDown(who + " is in newer term " + std::to_string(claim.term), now, out);
      }
      return true;
    case TermClaim::kServes:
      if (role != Role::kPrimary) return true;
      if (newer || (claim.term == term && claim.node != config.id)) {
        StepDown("the broker serves " + who + " in term " + std::to_string(claim.term), now, out);
      } else if (claim.term < term) {
        // The broker restarted and forgot us: register again, with the
        // same proof (any broker checks it; none needs to remember).
        out.to_broker.push_back(Registration{config.id, term, replica.last(), term_voters, ClusterSize()});
      }
      return true;
    case TermClaim::kLeader:
      // A deposed primary: it learns our term from our heartbeats.
      if (claim.term < term) return claim.report;
      if (role == Role::kPrimary && newer) {
        StepDown(who + " leads newer term " + std::to_string(claim.term), now, out);
      }
      // Only a primary of the newest term heard of is followed: an older one
      // is cut off and will step down; following it could lose acked writes.
      if (claim.term == max_term_seen && role != Role::kPrimary &&
          !(Following() && primary == claim.node && term == claim.term)) {
        Follow(claim.node, claim.term, now, out);
      }
      return true;
  }
  return true;
}

// ---- per role -----------------------------------------------------------------

void NodeCore::State::StepPrimary(const PeerMessage& message, TimePoint now, NodeActions& out) {
  std::visit(
      Overloaded{
          [&](const Heartbeat& m) {  // every heartbeat is the sender's report: acks, reach
            acks.OnHeartbeat(m, now);
            AdvanceCommitAndRelease(now, out);
          },
          [&](const StateTransferRequest& m) { ServeStateTransfer(m, out); },
          [](const auto&) {},
      },
      message);
}

void NodeCore::State::StepPrimary(BrokerId from, const BrokerToNode& message, TimePoint now, NodeActions& out) {
  std::visit(
      Overloaded{
          [&](const RegistrationAnswer& m) {
            // Another broker may refuse what one accepted (it still serves an
            // older primary it hears, say): its term rule settles newer
            // terms; a refusal of ours only matters from the last broker.
            if (m.term == term && !m.accepted && LiveBrokers(now) == std::vector<BrokerId>{from}) {
              StepDown("broker " + std::to_string(from) + " refused our registration again: " + m.reason, now, out);
            }
          },
          [&](const ClientRequestFrame& m) {
            if (!CheckLease(now, out)) return;  // stepped down: the broker resends it
            auto request = DecodeRequest(m.frame);
            if (request.ok()) {
              primary_side.Handle(m.client, request.value(), replica, acks, now);
            } else {
              primary_side.HandleUndecodable(m.client, request.error());
            }
            AdvanceCommitAndRelease(now, out);
          },
          [&](const ShutdownCommand&) {
            out.to_bus.push_back(Shutdown{config.id, term});
            Stop("shutdown command from the broker", now, out);
          },
          [](const auto&) {},
      },
      message);
}

void NodeCore::State::StepFollower(const PeerMessage& message, TimePoint now, NodeActions& out) {
  std::visit(
      Overloaded{
          [&](const Heartbeat& m) {
            if (m.from != primary || m.term != term) return;
            if (m.role != Role::kPrimary) {
              // It stepped down (lost the broker, say) while we still hear it: it
              // is no primary any more, so elect now rather than follow a candidate.
              followed_primary.MarkDead();
              return;
            }
            followed_primary.Heard(now);
            primary_lease_stamp = std::max(primary_lease_stamp, m.lease_stamp);
            backup_side.OnPrimaryHeartbeat(m, replica, now);
            Resync(now, out);
            RequestTransferIfDue(now, out);
          },
          [&](const WriteBatch& m) {
            if (m.from == primary && m.term == term) followed_primary.Heard(now);
            // The ack: at once, not on the timer; with a durable log, once the
            // shell reports the batch on disk (on_durable).
            if (backup_side.OnBatch(m, replica) == BackupApplier::BatchOutcome::kApplied && !config.durable) {
              SendHeartbeat(now, out);
            }
            Resync(now, out);
            RequestTransferIfDue(now, out);
          },
          [&](const Shutdown& m) {
            if (m.from != primary) return;
            Stop("primary " + std::to_string(m.from) + " shuts the service down", now, out);
          },
          [&](const SnapshotChunk& m) {
            if (backup_side.OnChunk(m, replica, now)) Resync(now, out);
          },
          [&](const SnapshotEnd& m) {
            if (backup_side.OnEnd(m, replica, now)) Resync(now, out);
          },
          [&](const CatchUp& m) {
            if (backup_side.OnCatchUp(m, replica)) Resync(now, out);
            RequestTransferIfDue(now, out);
          },
          [](const auto&) {},
      },
      message);
}

void NodeCore::State::StepFollower(BrokerId, const BrokerToNode& message, TimePoint now, NodeActions& out) {
  if (std::holds_alternative<ShutdownCommand>(message)) Stop("shutdown command from the broker", now, out);
}

void NodeCore::State::StepCandidate(const PeerMessage& message, TimePoint now, NodeActions& out) {
  std::visit(
      Overloaded{
          [&](const Election& m) {
            // A node that cannot reach the broker could never win: it must
            // not bully the others into waiting for it.
            if (!AnyBrokerLive(now)) return;
            if (voted_for != kNoNode && voted_for != config.id && now < election_not_before) {
              // We just voted for another node: tell a weaker one to wait for
              // it, but do not run ourselves (that would raise the term over
              // the winner's and depose it as it takes over).
              if (m.rank < MyRank()) out.to_bus.push_back(ElectionAnswer{config.id, m.from, MyRank()});
              return;
            }
            ApplyElectionStep(election.OnElection(m, MyRank(), max_term_seen, now), now, out);
          },
          [&](const ElectionAnswer& m) { ApplyElectionStep(election.OnAnswer(m, now), now, out); },
          [&](const VoteAnswer& m) {
            if (m.term == term) ApplyElectionStep(election.OnVoteAnswer(m, MyRank(), now), now, out);
          },
          [](const auto&) {},
      },
      message);
}

void NodeCore::State::StepCandidate(BrokerId from, const BrokerToNode& message, TimePoint now, NodeActions& out) {
  std::visit(
      Overloaded{
          [&](const PreVoteAnswer& m) {
            // Binary Star's guard only: the votes decide (node_core_vote.cpp).
            ApplyElectionStep(election.OnPreVoteAnswer(from, m, MyRank(), max_term_seen, now), now, out);
          },
          [&](const RegistrationAnswer& m) {
            ApplyElectionStep(election.OnRegistrationAnswer(from, m, now), now, out);
          },
          [&](const ShutdownCommand&) { Stop("shutdown command from the broker", now, out); },
          [](const auto&) {},
      },
      message);
}

// ---- time -------------------------------------------------------------------

void NodeCore::State::Tick(TimePoint now, NodeActions& out) {
  if (role == Role::kStopped) return;
  // Every role: the broker and the peers.
  if (config.broker_timeout.count() > 0 && BrokerSilence(now) > config.broker_timeout) {
    Stop("no word from any broker for " + std::to_string(BrokerSilence(now).count()) + " ms", now, out);
    return;
  }
  for (BrokerId lost : brokers.TakeFailures(now)) {
    Event(out, NodeEventKind::kBrokerLost, kNoNode, "lost broker " + std::to_string(lost));
  }
  // One live broker is enough to serve through; with none, nobody can reach us.
  if (role == Role::kPrimary && !AnyBrokerLive(now)) StepDown("lost every broker", now, out);
  for (NodeId failed : peers.TakeFailures(now)) {
    Event(out, NodeEventKind::kPeerFailed, failed, "node " + std::to_string(failed) + " failed");
  }
  switch (role) {
    case Role::kPrimary: TickPrimary(now, out); break;
    case Role::kSyncing:
    case Role::kBackup: TickFollower(now, out); break;
    case Role::kCandidate: TickCandidate(now, out); break;
    case Role::kStopped: return;
  }
  if (now >= next_heartbeat) SendHeartbeat(now, out);
}

void NodeCore::State::TickPrimary(TimePoint now, NodeActions& out) {
  if (!CheckLease(now, out)) return;
  AdvanceCommitAndRelease(now, out);
  if (role != Role::kPrimary) return;
  const uint64_t committed = primary_side.ReportedCommit(acks.committed()).seq;
  if (auto batch = primary_side.TakeBatch(committed)) out.to_bus.push_back(std::move(*batch));
  snapshot_sender.Continue(out.to_peer);
}

void NodeCore::State::TickFollower(TimePoint now, NodeActions& out) {
  if (followed_primary.Live(now, config.liveness_window)) {
    RequestTransferIfDue(now, out);
    return;
  }
  LosePrimary(now, out);
  TickCandidate(now, out);  // and elect in this same tick
}

void NodeCore::State::TickCandidate(TimePoint now, NodeActions& out) {
  if (!AnyBrokerLive(now)) {
    election.Stop();  // see StepCandidate(Election): no broker, no candidacy
  } else if (!election.running() && now >= election_not_before) {
    ApplyElectionStep(election.Start(MyRank(), max_term_seen, now), now, out);
  } else {
    ApplyElectionStep(election.OnTick(MyRank(), max_term_seen, LiveBrokers(now), now), now, out);
  }
}

// ---- what a primary serves ------------------------------------------------------

void NodeCore::State::ServeStateTransfer(const StateTransferRequest& m, NodeActions& out) {
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
  // The state now, frozen (a count per leaf); the chunks go out a slice per
  // tick (snapshot_sender.h), this turn's first.
  snapshot_sender.Start(m.from, replica.space.pairs().Freeze(),
                        SnapshotEnd{config.id, m.transfer_id, term, 0, replica.last(), replica.clients.Rows(),
                                    committed});
  Event(out, NodeEventKind::kNotice, m.from,
        "sends a snapshot of " + std::to_string(replica.space.size()) + " pairs at " +
            Describe(replica.last()) + " to node " + std::to_string(m.from));
  snapshot_sender.Continue(out.to_peer);
}

}  // namespace ts::cluster
