// The replicated state of a node: the tuple space, the exactly-once client
// table, the recent log, and the position of the last entry applied.
//
// Primary and backups keep the same state by applying the same entries in
// seq order. The primary executes a request on the space and then Records the
// entry (the space already holds its effect); a backup Applies it (effect on
// the space, then Record). The recent log keeps the last entries so a backup
// that is only a little behind catches up from it instead of a snapshot. The
// client table is bounded: when full, the row of the oldest write goes (by seq,
// so every node evicts the same rows).
//
// With a durable log (NodeConfig::durable), the state also keeps a journal of
// what changed since the shell last took it: every entry recorded, in order,
// or, once a snapshot was installed, only that fact (the shell then writes the
// whole state as a snapshot; the entries before it are replaced).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nodes/cluster/change_history.h"
#include "schema/cluster_messages.h"
#include "nodes/node_config.h"
#include "nodes/space/space.h"

namespace ts::cluster {

// Each client's recent writes and their replies (exactly-once retries). A
// pipelined client has many requests out; after a failover the broker sends
// the unanswered ones to the new primary again, oldest first, so the table
// keeps each client's last `per_client` writes, not only its last. At most
// max_rows rows in all: when full, the row of the oldest write goes (by seq,
// so every node evicts the same rows).
class ClientTable {
 public:
  explicit ClientTable(size_t max_rows, size_t per_client = NodeDefaults::kRepliesKeptPerClient)
      : max_rows_(max_rows), per_client_(per_client) {}

  // The row of this request of this client, while it is kept.
  const ClientRecord* Find(uint64_t client_id, uint64_t request_number) const;
  // The client's newest request number kept (0: none).
  uint64_t NewestRequest(uint64_t client_id) const;
  // Recording a request again replaces its reply (an undone write's answer).
  void Record(uint64_t client_id, uint64_t request_number, uint64_t seq, const Reply& reply);
  std::vector<ClientRecord> Rows() const;  // by seq
  void Replace(const std::vector<ClientRecord>& rows);
  size_t size() const { return rows_.size(); }
  size_t per_client() const { return per_client_; }

 private:
  using RowKey = std::pair<uint64_t, uint64_t>;  // (client id, request number)
  void Erase(std::map<RowKey, ClientRecord>::iterator row);

  size_t max_rows_;
  size_t per_client_;
  std::map<RowKey, ClientRecord> rows_;
  std::set<std::pair<uint64_t, RowKey>> by_seq_;  // (seq, row), for eviction
};

// The last entries (at most `capacity` of them and about `max_bytes` of
// effects and replies), after a base position (where a snapshot left off).
class RecentLog {
 public:
  explicit RecentLog(size_t capacity, size_t max_bytes = NodeDefaults::kRecentLogBytes)
      : capacity_(capacity), max_bytes_(max_bytes) {}

  void Reset(LogPosition base);
  void Append(const LogEntry& entry);  // entry.position.seq must be last().seq + 1
  LogPosition last() const;
  // The term of the entry at seq, when this log still knows it (the base counts).
  std::optional<uint64_t> TermAt(uint64_t seq) const;
  // Every entry after seq, when all of them are still kept.
  std::optional<std::vector<LogEntry>> EntriesAfter(uint64_t seq) const;

 private:
  size_t capacity_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  LogPosition base_;
  std::deque<std::pair<LogEntry, size_t>> entries_;  // entry, its approximate size
};

struct ReplicaState {
  ReplicaState(const SpaceLimits& limits, size_t max_clients, size_t log_capacity,
               size_t log_max_bytes = NodeDefaults::kRecentLogBytes)
      : space(limits), clients(max_clients), log(log_capacity, log_max_bytes) {}

  // A backup applies a replicated entry: effect, table row, log, changes, position.
  void Apply(const LogEntry& entry);
  // The primary already executed the request: table row, log, changes,
  // position. erased_values: the values the effect's erased keys had, in
  // order (the space no longer holds them).
  void Record(const LogEntry& entry, const std::vector<std::string>& erased_values = {});
  // Replaces everything with a snapshot; the pairs are taken from `staged`
  // (left empty), not copied.
  void Install(TupleSpace& staged, LogPosition at, const std::vector<ClientRecord>& client_rows);

  LogPosition last() const { return last_applied; }

  // What the journal holds since the last take (see above).
  struct Journal {
    std::vector<LogEntry> entries;  // recorded since the last take, in log order
    bool installed = false;         // a snapshot replaced the history: entries are empty
  };
  Journal TakeJournal();

  TupleSpace space;
  ClientTable clients;
  RecentLog log;
  ChangeHistory changes;  // for WATCH: reset wherever the log is
  LogPosition last_applied;
  bool journaling = false;  // durable mode: keep the journal
  Journal journal;
};

}  // namespace ts::cluster
