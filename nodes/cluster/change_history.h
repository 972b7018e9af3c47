// ChangeHistory: the recent changes to single pairs, by log seq, for WATCH.
//
// Every node keeps it as it records or applies entries (ReplicaState), so a
// node that takes over answers a watcher's cursor from its own copy: the
// entries up to the committed position are the same on every node, and so
// are the changes derived from them (ChangeOf names the op from the entry
// alone). It covers the seqs after base(); a cursor older than that cannot be
// answered without a gap, and says so (kHistoryGone). Bounded by a change
// count and about a byte size (NodeConfig::watch_history_*): the oldest go
// first, raising base(). No sockets, threads or clocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "nodes/node_config.h"
#include "schema/cluster_messages.h"

namespace ts::cluster {

struct PairChange {
  uint64_t seq = 0;
  std::string op;          // "PUT", "POST", "DELETE", "TAKE", "UNDO"
  std::string key_text;
  std::string value_text;  // stored, or (erased) the value the pair had
  bool erased = false;
};

class ChangeHistory {
 public:
  explicit ChangeHistory(size_t max_changes = NodeDefaults::kWatchHistoryChanges,
                         size_t max_bytes = NodeDefaults::kWatchHistoryBytes)
      : max_changes_(max_changes), max_bytes_(max_bytes) {}

  // Forgets everything: the history starts after `seq` (a snapshot, a load).
  void Reset(uint64_t seq);
  // The changes of `entry`; erased_values[i] is the value erased_keys[i] had.
  void Add(const LogEntry& entry, const std::vector<std::string>& erased_values);

  uint64_t base() const { return base_; }  // covers seqs after this
  uint64_t last() const { return last_; }  // the last seq added (or the base)
  // Whether every change after `seq` is still kept.
  bool Covers(uint64_t seq) const { return seq >= base_; }
  // The changes with after < seq <= through, in log order, that `keep` (a
  // filter: the watcher's patterns) keeps: about `max` of them, never a seq
  // cut in two. Returns the seq up to which the result is complete: `through`,
  // or the seq before the first change left out.
  template <class Keep>
  uint64_t Collect(uint64_t after, uint64_t through, size_t max, Keep&& keep,
                   std::vector<const PairChange*>& out) const {
    for (auto it = FirstAfter(after); it != changes_.end() && it->seq <= through; ++it) {
      if (!keep(*it)) continue;
      if (out.size() >= max && out.back()->seq != it->seq) return it->seq - 1;
      out.push_back(&*it);
    }
    return through;
  }
  size_t size() const { return changes_.size(); }

 private:
  std::deque<PairChange>::const_iterator FirstAfter(uint64_t seq) const;
  void Trim();

  size_t max_changes_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  uint64_t base_ = 0;
  uint64_t last_ = 0;
  std::deque<PairChange> changes_;  // by seq (several per seq: one per pair)
};

// The op a change is shown with, from the entry alone (the same on every
// node): the recorded reply's op; an entry whose recorded reply is an error
// restores what a write changed ("UNDO"); an anonymous write's changes are
// named by what they did ("PUT": stored, "DELETE": removed).
std::string ChangeOp(const LogEntry& entry, bool erased);

}  // namespace ts::cluster
