#include "nodes/log/log_state.h"

namespace ts::wal {
namespace {

Error Refused(std::string message) { return Error{ErrorKind::kInternal, std::move(message)}; }

}  // namespace

Status LogState::CheckEntries(std::span<const LogEntry> entries) const {
  LogPosition previous = last;
  for (const LogEntry& entry : entries) {
    if (entry.position.seq != previous.seq + 1) {
      return Refused("entry " + cluster::Describe(entry.position) + " does not follow " +
                     cluster::Describe(previous) + " (seq must be " + std::to_string(previous.seq + 1) + ")");
    }
    if (entry.position.term < previous.term) {
      return Refused("entry " + cluster::Describe(entry.position) + " has a term below the entry before it (" +
                     cluster::Describe(previous) + ")");
    }
    previous = entry.position;
  }
  return Status::Ok();
}

void LogState::ApplyEntries(std::span<const LogEntry> entries) {
  if (entries.empty()) return;
  last = entries.back().position;
  if (last.term > term) {
    term = last.term;
    voted_for = cluster::kNoNode;
  }
}

Status LogState::CheckTerm(uint64_t new_term) const {
  if (new_term < term) {
    return Refused("term change to " + std::to_string(new_term) + " while at term " + std::to_string(term) +
                   ": terms never go back");
  }
  return Status::Ok();
}

void LogState::ApplyTerm(uint64_t new_term) {
  if (new_term > term) {
    term = new_term;
    voted_for = cluster::kNoNode;
  }
}

Status LogState::CheckVote(const Vote& vote) const {
  if (vote.voted_for == cluster::kNoNode) {
    return Refused("vote in term " + std::to_string(vote.term) + " for no node");
  }
  if (vote.term < term) {
    return Refused("vote in term " + std::to_string(vote.term) + " while at term " + std::to_string(term) +
                   ": terms never go back");
  }
  if (vote.term == term && voted_for != cluster::kNoNode && voted_for != vote.voted_for) {
    return Refused("vote for node " + std::to_string(vote.voted_for) + " in term " + std::to_string(vote.term) +
                   ": this node already voted for node " + std::to_string(voted_for) + " in that term");
  }
  return Status::Ok();
}

void LogState::ApplyVote(const Vote& vote) {
  term = vote.term;
  voted_for = vote.voted_for;
}

std::string Describe(const LogState& state) {
  std::string text = "last " + cluster::Describe(state.last) + ", term " + std::to_string(state.term);
  text += state.voted_for == cluster::kNoNode ? ", no vote" : ", voted for " + std::to_string(state.voted_for);
  return text;
}

}  // namespace ts::wal
