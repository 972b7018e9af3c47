#include "nodes/cluster/term_claim.h"

#include <variant>

#include "nodes/cluster/overloaded.h"

namespace ts::cluster {

TermClaim TermClaimOf(const PeerMessage& message) {
  return std::visit(
      Overloaded{
          [](const Heartbeat& m) {
            return TermClaim{m.role == Role::kPrimary ? TermClaim::kLeader : TermClaim::kMember, m.term,
                             m.from, true};
          },
          [](const WriteBatch& m) { return TermClaim{TermClaim::kLeader, m.term, m.from}; },
          [](const Coordinator& m) { return TermClaim{TermClaim::kLeader, m.term, m.from}; },
          [](const Election& m) { return TermClaim{TermClaim::kHeardOf, m.max_term_seen}; },
          [](const ElectionAnswer&) { return TermClaim{}; },
          [](const RequestVote&) { return TermClaim{}; },
          [](const VoteAnswer&) { return TermClaim{}; },
          [](const Shutdown& m) { return TermClaim{TermClaim::kForTerm, m.term}; },
          [](const StateTransferRequest& m) { return TermClaim{TermClaim::kForTerm, m.term}; },
          [](const SnapshotChunk& m) { return TermClaim{TermClaim::kForTerm, m.term}; },
          [](const SnapshotEnd& m) { return TermClaim{TermClaim::kForTerm, m.term}; },
          [](const CatchUp& m) { return TermClaim{TermClaim::kForTerm, m.term}; },
      },
      message);
}

TermClaim TermClaimOf(const BrokerToNode& message) {
  return std::visit(
      Overloaded{
          [](const BrokerStatus& m) { return TermClaim{TermClaim::kServes, m.served_term, m.primary_id}; },
          [](const PreVoteAnswer& m) { return TermClaim{TermClaim::kHeardOf, m.served_term}; },
          [](const RegistrationAnswer& m) { return TermClaim{TermClaim::kHeardOf, m.served_term}; },
          [](const ClientRequestFrame&) { return TermClaim{}; },
          [](const ShutdownCommand&) { return TermClaim{}; },
      },
      message);
}

NodeId SenderOf(const PeerMessage& message) {
  return std::visit([](const auto& m) { return m.from; }, message);
}

}  // namespace ts::cluster
