// NodeCore's votes: the rules a node grants its vote by, the term it raises,
// and the vote messages that wait for their term to be on disk. The rules
// (ARCHITECTURE.md "Election"), each a reason to refuse in WhyNotVote:
//  - at most one candidate per term: a term below this node's is refused, and
//    in this node's own term only the candidate it voted for gets the vote
//    again (a node following a primary of that term votes for nobody else);
//  - never while this node is primary, or follows a primary it heard within
//    the liveness window, or within one window of its own start: that
//    primary's lease counts on this node not voting (Fencing);
//  - only for a log at least as fresh as this node's own (Rank order of
//    positions): a majority holds every acknowledged write, and any majority
//    of voters shares a node with it, so the winner holds them all.
// A grant raises the term, records the vote, and its answer is held until the
// shell made both durable (SendOnceDurable): a vote survives any crash.
#include <algorithm>

#include "nodes/cluster/node_core_state.h"

namespace ts::cluster {

void NodeCore::State::RaiseTerm(uint64_t new_term) {
  if (new_term > term) {
    term = new_term;
    voted_for = kNoNode;
  }
  max_term_seen = std::max(max_term_seen, term);
  if (!config.durable) durable_term = term;
}

std::string NodeCore::State::WhyNotVote(const RequestVote& m, TimePoint now) const {
  const std::string self = "node " + std::to_string(config.id);
  if (m.term < term) {
    return self + " is in term " + std::to_string(term) + ", above " + std::to_string(m.term);
  }
  if (m.term == term && voted_for != m.from) {
    if (voted_for != kNoNode) return self + " voted for node " + std::to_string(voted_for) + " in that term";
    return self + " is in that term with primary " + std::to_string(primary);
  }
  if (role == Role::kPrimary) return self + " is the primary of term " + std::to_string(term);
  if (Following() && followed_primary.Live(now, config.liveness_window)) {
    return self + " follows live primary " + std::to_string(primary);
  }
  if (now < votes_not_before) return self + " started less than a liveness window ago";
  if (m.last < replica.last()) {
    return "its log at " + Describe(m.last) + " is behind " + self + "'s at " + Describe(replica.last());
  }
  return "";
}

void NodeCore::State::OnRequestVote(const RequestVote& m, TimePoint now, NodeActions& out) {
  if (m.from == config.id) return;
  if (const std::string why = WhyNotVote(m, now); !why.empty()) {
    // A refusal promises nothing: it leaves at once.
    out.to_bus.push_back(VoteAnswer{config.id, m.from, m.term, false, why});
    return;
  }
  if (m.term > term) {
    RaiseTerm(m.term);
    if (Following()) LosePrimary(now, out);  // its primary fell silent; this tick would say so
    voted_for = m.from;
    // Give the candidate one window to win before running ourselves.
    election.Stop();
    election_not_before = now + config.liveness_window;
    Event(out, NodeEventKind::kTermChanged, m.from,
          "votes for node " + std::to_string(m.from) + " in term " + std::to_string(m.term));
  }
  SendOnceDurable(m.term, VoteAnswer{config.id, m.from, m.term, true, ""}, now, out);
}

void NodeCore::State::SendOnceDurable(uint64_t for_term, PeerMessage message, TimePoint now,
                                      NodeActions& out) {
  held_for_vote.emplace_back(for_term, std::move(message));
  ReleaseDurableVotes(now, out);
}

void NodeCore::State::ReleaseDurableVotes(TimePoint now, NodeActions& out) {
  std::vector<std::pair<uint64_t, PeerMessage>> waiting;
  std::vector<PeerMessage> ready;
  for (auto& [for_term, message] : held_for_vote) {
    if (for_term <= durable_term) {
      ready.push_back(std::move(message));
    } else {
      waiting.emplace_back(for_term, std::move(message));
    }
  }
  held_for_vote = std::move(waiting);
  for (PeerMessage& message : ready) {
    const auto* answer = std::get_if<VoteAnswer>(&message);
    if (answer != nullptr && answer->from == config.id && answer->to == config.id) {
      // This node's own vote, now on its disk: the first it counts.
      if (role == Role::kCandidate && answer->term == term) {
        ApplyElectionStep(election.OnVoteAnswer(*answer, MyRank(), now), now, out);
      }
      continue;
    }
    out.to_bus.push_back(std::move(message));
  }
}

bool NodeCore::State::LeaseHolds(TimePoint now) const {
  if (now < primary_since + config.liveness_window) return true;  // the first echoes are on their way
  return (acks.LeaseEchoes(now) + 1) * 2 > ClusterSize();  // itself + echoes: more than half
}

bool NodeCore::State::CheckLease(TimePoint now, NodeActions& out) {
  if (role != Role::kPrimary) return false;
  if (LeaseHolds(now)) return true;
  StepDown("no majority of the " + std::to_string(ClusterSize()) + " nodes echoed its heartbeats for " +
               std::to_string(config.liveness_window.count()) + " ms (its lease ran out)",
           now, out);
  return false;
}

}  // namespace ts::cluster
