// BullyElection: one node's part in a bully election, ranked by freshness.
//
// Phases (one place, bstar.c style):
//   kIdle                not electing
//   kAwaitingAnswers     broadcast Election; a better-ranked node may answer
//   kAwaitingCoordinator a better node answered; wait for it to take over
//   kAwaitingPreVote     nobody better answered; asked the broker
//   kAwaitingRegistration pre-vote granted, term raised, registering
//   kBackingOff          the broker said no; try again after a while
// Events: Start, OnElection, OnAnswer, OnPreVoteAnswer, OnRegistrationAnswer,
// OnTick (timeouts), Stop (a primary was found). A step returns what to send
// and, once the broker accepted the registration, the term won.
// Rank = (last log position, id): the freshest node wins, so no acknowledged
// write is lost to a stale winner; the broker double-checks (fencing).
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
  kAwaitingRegistration,
  kBackingOff,
};
std::string_view ElectionPhaseName(ElectionPhase phase);

struct ElectionStep {
  std::vector<PeerMessage> to_bus;
  std::vector<NodeToBroker> to_broker;
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
  ElectionStep OnPreVoteAnswer(const PreVoteAnswer& answer, const Rank& mine,
                               uint64_t max_term_seen, TimePoint now);
  ElectionStep OnRegistrationAnswer(const RegistrationAnswer& answer, TimePoint now);
  ElectionStep OnTick(const Rank& mine, uint64_t max_term_seen, TimePoint now);
  void Stop();

  ElectionPhase phase() const { return phase_; }
  bool running() const { return phase_ != ElectionPhase::kIdle; }
  uint64_t term_asked() const { return term_asked_; }

 private:
  ElectionStep AskPreVote(const Rank& mine, uint64_t max_term_seen, TimePoint now);
  void BackOff(TimePoint now);

  NodeId self_;
  Millis answer_timeout_;
  Millis coordinator_timeout_;
  Millis broker_answer_timeout_;
  Millis backoff_;
  ElectionPhase phase_ = ElectionPhase::kIdle;
  TimePoint deadline_{0};
  uint64_t term_asked_ = 0;  // proposed (pre-vote) or registered term
};

}  // namespace ts::cluster
