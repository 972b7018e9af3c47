#include "nodes/cluster/change_history.h"

#include <algorithm>

namespace ts::cluster {

std::string ChangeOp(const LogEntry& entry, bool erased) {
  if (entry.reply) {
    if (entry.reply->error) return "UNDO";
    if (!entry.reply->op_name.empty()) return entry.reply->op_name;
  }
  return erased ? "DELETE" : "PUT";
}

void ChangeHistory::Reset(uint64_t seq) {
  changes_.clear();
  bytes_ = 0;
  base_ = seq;
  last_ = seq;
}

void ChangeHistory::Add(const LogEntry& entry, const std::vector<std::string>& erased_values) {
  const uint64_t seq = entry.position.seq;
  if (seq <= last_) Reset(seq - 1);  // a history that went back (cannot happen in order; stay safe)
  for (const auto& [key, value] : entry.effect.upserts) {
    changes_.push_back(PairChange{seq, ChangeOp(entry, false), key, value, false});
    bytes_ += key.size() + value.size() + sizeof(PairChange);
  }
  for (size_t i = 0; i < entry.effect.erased_keys.size(); ++i) {
    const std::string& key = entry.effect.erased_keys[i];
    std::string value = i < erased_values.size() ? erased_values[i] : std::string();
    bytes_ += key.size() + value.size() + sizeof(PairChange);
    changes_.push_back(PairChange{seq, ChangeOp(entry, true), key, std::move(value), true});
  }
  last_ = seq;
  Trim();
}

void ChangeHistory::Trim() {
  // Whole seqs go: a cursor names a seq, so one is kept entirely or not at all.
  while (!changes_.empty() && (changes_.size() > max_changes_ || bytes_ > max_bytes_)) {
    const uint64_t seq = changes_.front().seq;
    while (!changes_.empty() && changes_.front().seq == seq) {
      bytes_ -= changes_.front().key_text.size() + changes_.front().value_text.size() + sizeof(PairChange);
      changes_.pop_front();
    }
    base_ = seq;
  }
}

std::deque<PairChange>::const_iterator ChangeHistory::FirstAfter(uint64_t seq) const {
  return std::upper_bound(changes_.begin(), changes_.end(), seq,
                          [](uint64_t s, const PairChange& change) { return s < change.seq; });
}

}  // namespace ts::cluster
