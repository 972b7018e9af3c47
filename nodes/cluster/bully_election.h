// BullyElection: one node's part in a bully election, ranked by freshness.
//
// Phases (one place, bstar.c style):
//   kIdle                not electing
//   kAwaitingAnswers     broadcast Election; a better-ranked node may answer
//   kAwaitingCoordinator a better node answered; wait for it to take over
//   kAwaitingPreVote     nobody better answered; asked every live broker
//   kAwaitingVotes       pre-vote granted, term raised, this node votes for
//                        itself and asks every node for its vote (RequestVote)
//   kAwaitingRegistration a majority of the configured nodes voted for it:
//                        registering, with the voters as the term's proof
//   kBackingOff          the broker or the voters said no; try again later
// Events: Start, OnElection, OnAnswer, OnPreVoteAnswer, OnVoteAnswer,
// OnRegistrationAnswer, OnTick (timeouts), Stop (a primary was found). A step
// returns what to send, the term to vote for itself in (NodeCore records it
// durably before the RequestVote leaves, and then feeds its own vote back in
// through OnVoteAnswer) and, once the broker accepted the registration, the
// term won.
// Several brokers (Binary Star's guard, stretched): the pre-vote goes to
// every broker live toward this node; one refusal vetoes (that broker still
// hears a live primary, or holds a newer commit), the grants of all asked
// let it go on at once, and when the answer timeout passes with at least one
// grant and no refusal it goes on too (a broker that does not answer is
// presumed down: it cannot veto, or a dead broker would stop every
// failover). The registration goes to every broker; the first acceptance
// wins the term, and only refusals from every broker asked make it back off.
// Rank = (last log position, id): the freshest node runs, ties to the highest
// id (the bully part: no needless contest, no flapping). Safety is the
// votes': only a majority makes a primary, and a node votes only for a log at
// least as fresh as its own, once per term (NodeCore::State::OnRequestVote).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/cluster_messages.h"
#include "nodes/node_config.h"

namespace ts::cluster {

enum class ElectionPhase {
  kIdle,
  kAwaitingAnswers,
  kAwaitingCoordinator,
  kAwaitingPreVote,
  kAwaitingVotes,
  kAwaitingRegistration,
  kBackingOff,
};
std::string_view ElectionPhaseName(ElectionPhase phase);

struct ElectionStep {
  std::vector<PeerMessage> to_bus;
  std::vector<NodeToBroker> to_broker;
  std::optional<uint64_t> vote_for_self_in;  // record term + own vote durably, then send
  std::optional<uint64_t> won_term;
  std::string note;  // what happened, for the operator log (empty: nothing to say)
};

class BullyElection {
 public:
  BullyElection(NodeId self, const NodeConfig& config);

  ElectionStep Start(const Rank& mine, uint64_t max_term_seen, TimePoint now);
  ElectionStep OnElection(const Election& election, const Rank& mine, uint64_t max_term_seen,
                          TimePoint now);
  ElectionStep OnAnswer(const ElectionAnswer& answer, TimePoint now);
  ElectionStep OnPreVoteAnswer(BrokerId from, const PreVoteAnswer& answer, const Rank& mine,
                               uint64_t max_term_seen, TimePoint now);
  ElectionStep OnVoteAnswer(const VoteAnswer& answer, const Rank& mine, TimePoint now);
  ElectionStep OnRegistrationAnswer(BrokerId from, const RegistrationAnswer& answer, TimePoint now);
  // live_brokers: the brokers live toward the node now (asked for a pre-vote).
  ElectionStep OnTick(const Rank& mine, uint64_t max_term_seen, const std::vector<BrokerId>& live_brokers,
                      TimePoint now);
  void Stop();

  ElectionPhase phase() const { return phase_; }
  bool running() const { return phase_ != ElectionPhase::kIdle; }
  uint64_t term_asked() const { return term_asked_; }
  // Who voted for this node in term_asked() (the proof it registers with).
  const std::vector<NodeId>& voters() const { return voters_; }

 private:
  ElectionStep AskPreVote(const Rank& mine, uint64_t max_term_seen, const std::vector<BrokerId>& live_brokers,
                          TimePoint now);
  // Every broker asked granted (or the time ran out with some grants): ask for votes.
  ElectionStep AskVotes(const Rank& mine, uint64_t max_term_seen, TimePoint now);
  static bool Covers(const std::vector<BrokerId>& answered, const std::vector<BrokerId>& asked);
  void BackOff(TimePoint now);

  NodeId self_;
  Millis answer_timeout_;
  Millis coordinator_timeout_;
  Millis broker_answer_timeout_;
  Millis backoff_;
  uint32_t cluster_size_;
  ElectionPhase phase_ = ElectionPhase::kIdle;
  TimePoint deadline_{0};
  uint64_t term_asked_ = 0;  // proposed (pre-vote) or registered term
  std::vector<NodeId> voters_;  // granted votes in term_asked_ (kAwaitingVotes on)
  std::vector<BrokerId> brokers_asked_;  // live when the pre-vote went out
  std::vector<BrokerId> answered_;       // granted the pre-vote, or refused the registration
  uint64_t served_term_seen_ = 0;        // the highest term a granting broker serves
};

}  // namespace ts::cluster
