#include "nodes/cluster/bully_election.h"

#include <algorithm>

namespace ts::cluster {

std::string_view ElectionPhaseName(ElectionPhase phase) {
  switch (phase) {
    case ElectionPhase::kIdle: return "idle";
    case ElectionPhase::kAwaitingAnswers: return "awaiting_answers";
    case ElectionPhase::kAwaitingCoordinator: return "awaiting_coordinator";
    case ElectionPhase::kAwaitingPreVote: return "awaiting_pre_vote";
    case ElectionPhase::kAwaitingVotes: return "awaiting_votes";
    case ElectionPhase::kAwaitingRegistration: return "awaiting_registration";
    case ElectionPhase::kBackingOff: return "backing_off";
  }
  return "unknown";
}

BullyElection::BullyElection(NodeId self, const NodeConfig& config)
    : self_(self),
      answer_timeout_(config.election_answer_timeout),
      coordinator_timeout_(config.coordinator_timeout),
      broker_answer_timeout_(config.broker_answer_timeout),
      // Nodes back off for different lengths (by id) so that two refused
      // candidates do not keep asking the broker in lockstep.
      backoff_(config.election_answer_timeout * 2 + config.heartbeat_interval * (self % 4) / 2),
      cluster_size_(static_cast<uint32_t>(std::max<size_t>(config.cluster_size, 1))) {}

ElectionStep BullyElection::Start(const Rank& mine, uint64_t max_term_seen, TimePoint now) {
  phase_ = ElectionPhase::kAwaitingAnswers;
  deadline_ = now + answer_timeout_;
  ElectionStep step;
  step.to_bus.push_back(Election{self_, mine, max_term_seen});
  return step;
}

ElectionStep BullyElection::OnElection(const Election& election, const Rank& mine,
                                       uint64_t max_term_seen, TimePoint now) {
  ElectionStep step;
  if (election.from == self_) return step;
  if (election.rank < mine) {
    // Bully: tell the weaker node to stand down, and run for it ourselves.
    step.to_bus.push_back(ElectionAnswer{self_, election.from, mine});
    if (phase_ == ElectionPhase::kIdle || phase_ == ElectionPhase::kBackingOff) {
      ElectionStep started = Start(mine, max_term_seen, now);
      step.to_bus.insert(step.to_bus.end(), started.to_bus.begin(), started.to_bus.end());
    }
  } else if (phase_ == ElectionPhase::kAwaitingAnswers) {
    // A better node is running: that is as good as its answer.
    phase_ = ElectionPhase::kAwaitingCoordinator;
    deadline_ = now + coordinator_timeout_;
  }
  return step;
}

ElectionStep BullyElection::OnAnswer(const ElectionAnswer& answer, TimePoint now) {
  ElectionStep step;
  if (answer.to != self_) return step;
  if (phase_ == ElectionPhase::kAwaitingAnswers || phase_ == ElectionPhase::kAwaitingPreVote) {
    phase_ = ElectionPhase::kAwaitingCoordinator;
    deadline_ = now + coordinator_timeout_;
    step.note = "node " + std::to_string(answer.from) + " ranks higher; waiting for it to take over";
  }
  return step;
}

bool BullyElection::Covers(const std::vector<BrokerId>& answered, const std::vector<BrokerId>& asked) {
  return std::all_of(asked.begin(), asked.end(), [&](BrokerId b) {
    return std::find(answered.begin(), answered.end(), b) != answered.end();
  });
}

ElectionStep BullyElection::OnPreVoteAnswer(BrokerId from, const PreVoteAnswer& answer, const Rank& mine,
                                            uint64_t max_term_seen, TimePoint now) {
  ElectionStep step;
  if (phase_ != ElectionPhase::kAwaitingPreVote || answer.proposed_term != term_asked_) return step;
  if (!answer.granted) {  // any broker's veto
    BackOff(now);
    step.note = "pre-vote for term " + std::to_string(term_asked_) + " refused by broker " + std::to_string(from) +
                ": " + answer.reason;
    return step;
  }
  if (std::find(answered_.begin(), answered_.end(), from) == answered_.end()) answered_.push_back(from);
  served_term_seen_ = std::max(served_term_seen_, answer.served_term);
  if (!Covers(answered_, brokers_asked_)) return step;
  return AskVotes(mine, max_term_seen, now);
}

ElectionStep BullyElection::AskVotes(const Rank& mine, uint64_t max_term_seen, TimePoint now) {
  ElectionStep step;
  term_asked_ = std::max({term_asked_, served_term_seen_ + 1, max_term_seen + 1});
  phase_ = ElectionPhase::kAwaitingVotes;
  // The voters answer once their vote is on disk: one fsync each, like a
  // write's ack; the broker's answer timeout leaves room for a slow disk.
  deadline_ = now + broker_answer_timeout_;
  voters_.clear();
  step.vote_for_self_in = term_asked_;
  step.to_bus.push_back(RequestVote{self_, term_asked_, mine.last});
  return step;
}

ElectionStep BullyElection::OnVoteAnswer(const VoteAnswer& answer, const Rank& mine, TimePoint now) {
  ElectionStep step;
  if (phase_ != ElectionPhase::kAwaitingVotes || answer.to != self_ || answer.term != term_asked_) return step;
  if (!answer.granted) {
    if (answer.from != self_) {
      step.note = "node " + std::to_string(answer.from) + " refused its vote in term " +
                  std::to_string(term_asked_) + ": " + answer.reason;
    }
    return step;
  }
  if (std::find(voters_.begin(), voters_.end(), answer.from) == voters_.end()) voters_.push_back(answer.from);
  if (!WhyNotMajority(voters_, cluster_size_).empty()) return step;
  phase_ = ElectionPhase::kAwaitingRegistration;
  deadline_ = now + broker_answer_timeout_;
  answered_.clear();
  step.to_broker.push_back(Registration{self_, term_asked_, mine.last, voters_, cluster_size_});
  return step;
}

ElectionStep BullyElection::OnRegistrationAnswer(BrokerId from, const RegistrationAnswer& answer, TimePoint now) {
  ElectionStep step;
  if (phase_ != ElectionPhase::kAwaitingRegistration || answer.term != term_asked_) return step;
  if (answer.accepted) {
    phase_ = ElectionPhase::kIdle;
    step.won_term = term_asked_;
    return step;
  }
  step.note = "registration for term " + std::to_string(term_asked_) + " refused by broker " +
              std::to_string(from) + ": " + answer.reason;
  if (std::find(answered_.begin(), answered_.end(), from) == answered_.end()) answered_.push_back(from);
  if (Covers(answered_, brokers_asked_)) BackOff(now);  // every broker said no
  return step;
}

ElectionStep BullyElection::OnTick(const Rank& mine, uint64_t max_term_seen,
                                   const std::vector<BrokerId>& live_brokers, TimePoint now) {
  if (phase_ == ElectionPhase::kIdle || now < deadline_) return {};
  switch (phase_) {
    case ElectionPhase::kAwaitingAnswers:
      return AskPreVote(mine, max_term_seen, live_brokers, now);
    case ElectionPhase::kAwaitingCoordinator:
    case ElectionPhase::kBackingOff:
      return Start(mine, max_term_seen, now);
    case ElectionPhase::kAwaitingVotes: {
      BackOff(now);
      ElectionStep step;
      step.note = "no majority voted in term " + std::to_string(term_asked_) + " (" +
                  std::to_string(voters_.size()) + " of " + std::to_string(cluster_size_) + " nodes)";
      return step;
    }
    case ElectionPhase::kAwaitingPreVote:
      // Some broker granted and none refused: the silent ones are presumed down.
      if (!answered_.empty()) return AskVotes(mine, max_term_seen, now);
      [[fallthrough]];
    case ElectionPhase::kAwaitingRegistration: {
      BackOff(now);
      ElectionStep step;
      step.note = "no answer from the broker about term " + std::to_string(term_asked_);
      return step;
    }
    case ElectionPhase::kIdle:
      break;
  }
  return {};
}

void BullyElection::Stop() { phase_ = ElectionPhase::kIdle; }

ElectionStep BullyElection::AskPreVote(const Rank& mine, uint64_t max_term_seen,
                                       const std::vector<BrokerId>& live_brokers, TimePoint now) {
  // Above every term heard of, and above the term of this node's own last
  // entry: they differ only for a node started from a save file (--load),
  // whose entries' term no live node may have heard of; a new term at or
  // below it would number new entries below the loaded ones.
  term_asked_ = std::max(max_term_seen, mine.last.term) + 1;
  phase_ = ElectionPhase::kAwaitingPreVote;
  deadline_ = now + broker_answer_timeout_;
  brokers_asked_ = live_brokers;
  answered_.clear();
  served_term_seen_ = 0;
  ElectionStep step;
  step.to_broker.push_back(PreVoteRequest{self_, term_asked_, mine.last});
  return step;
}

void BullyElection::BackOff(TimePoint now) {
  phase_ = ElectionPhase::kBackingOff;
  deadline_ = now + backoff_;
}

}  // namespace ts::cluster
