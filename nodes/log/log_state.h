// LogState: what a node's log adds up to (the position of its last entry,
// its current term and its vote), and the rules every record must keep to
// follow it. The writer checks a record against them before it writes it;
// recovery checks every record it reads against them, so a log on disk that
// breaks them is reported, never replayed.
//
// The rules:
//  - Entries extend the log: each is at seq last.seq + 1, and terms never go
//    down (an entry's term is >= the term of the entry before it). An entry of
//    a term above the current term raises the current term (and clears the
//    vote): a node holds no entry of a term it has not seen.
//  - A term change only raises the term, and clears the vote.
//  - A vote is for a term >= the current term, for a real node, and a node
//    votes for one candidate per term (voting again for the same one is
//    allowed, and a no-op). Voting in a higher term raises the term.
//  - To replace the log's history (a divergent tail, a state transfer), the
//    node installs a snapshot; the log restarts after its position.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"
#include "schema/log_records.h"

namespace ts::wal {

struct LogState {
  LogPosition last;  // the last entry (the snapshot's position if none after it)
  uint64_t term = 0;
  NodeId voted_for = cluster::kNoNode;  // in `term`; kNoNode: no vote yet

  Status CheckEntries(std::span<const LogEntry> entries) const;
  void ApplyEntries(std::span<const LogEntry> entries);  // after CheckEntries passed

  Status CheckTerm(uint64_t new_term) const;
  void ApplyTerm(uint64_t new_term);

  Status CheckVote(const Vote& vote) const;
  void ApplyVote(const Vote& vote);

  friend bool operator==(const LogState&, const LogState&) = default;
};

// "last 3:17, term 4, voted for 2" for log lines.
std::string Describe(const LogState& state);

}  // namespace ts::wal
