// Every timeout and limit of a node, named, in one place. tsnode overrides
// them from flags; the simulation sets its own. Durations are Millis.
#pragma once

#include <cstddef>
#include <cstdint>

#include "schema/cluster_messages.h"
#include "nodes/space/space.h"

namespace ts::cluster {

struct NodeDefaults {
  static constexpr Millis kHeartbeatInterval{100};
  static constexpr int kLivenessHeartbeats = 3;  // a node silent this many intervals is dead
  static constexpr Millis kBrokerTimeout{60'000};  // then save and exit
  static constexpr size_t kMinAcks = 1;
  static constexpr size_t kSnapshotChunkPairs = 1'000;
  // A primary's loop turn encodes at most this many snapshot chunks (20,000
  // pairs): a state transfer is a slice per turn, not one long turn.
  static constexpr size_t kSnapshotChunksPerTurn = 20;
  static constexpr size_t kRecentLogEntries = 20'000;    // kept for cheap catch-up
  // ... and at most about this much memory. A backup further behind gets a
  // snapshot instead; 16 MiB holds ~100,000 one-pair writes, seconds of a
  // saturated primary, far more than a restart takes.
  static constexpr size_t kRecentLogBytes = 16u << 20;
  static constexpr size_t kMaxRememberedClients = 100'000;  // exactly-once table rows, in all
  // Writes remembered per client: a pipelined client's requests still out
  // when a primary fails (client_config::kDefaultMaxInFlight).
  static constexpr size_t kRepliesKeptPerClient = 64;
  // Waiting requests (GET/TAKE --wait, WATCH): the longest wait a request may
  // ask for, and how many may wait on a primary at once (more are refused).
  static constexpr Millis kMaxWait{60'000};
  static constexpr size_t kMaxWaitingRequests = 1'000;
  // WATCH's change history: at most this many single-pair changes, and about
  // this much memory; a cursor older than what is kept is answered "history gone".
  static constexpr size_t kWatchHistoryChanges = 100'000;
  static constexpr size_t kWatchHistoryBytes = 16u << 20;
  // A WATCH reply lists about this many changes at most (the rest: next poll).
  static constexpr size_t kMaxChangesPerWatchReply = 10'000;
};

struct NodeConfig {
  NodeId id = kNoNode;  // >= 1, unique in the cluster
  // How many nodes the cluster has, this one included (0: not known, counted
  // as 1). An election is won only with the votes of more than half of them,
  // and a write is acknowledged only once more than half hold it (min_acks is
  // raised to cluster_size / 2 backups if below).
  size_t cluster_size = 0;

  Millis heartbeat_interval = NodeDefaults::kHeartbeatInterval;
  // A peer (or the broker, for a primary) unheard for this long is dead.
  Millis liveness_window = NodeDefaults::kHeartbeatInterval * NodeDefaults::kLivenessHeartbeats;
  // Election: how long a candidate waits for a better node to answer, and how
  // long a node that was answered waits for that node to become primary.
  // An answer on the bus takes milliseconds; 1.5 heartbeats leaves room for
  // a slow peer and keeps kill-to-first-ack (liveness window + this) under
  // 500 ms with the defaults. Safety never rests on it: majority votes over
  // durable logs decide (ARCHITECTURE.md "Terms, log positions and fencing").
  Millis election_answer_timeout = NodeDefaults::kHeartbeatInterval * 3 / 2;
  Millis coordinator_timeout = NodeDefaults::kHeartbeatInterval * 10;
  // How many brokers serve the cluster (ids 1..broker_count): every one gets
  // the node's heartbeats, pre-votes and registrations.
  uint32_t broker_count = 1;
  // How long to wait for a pre-vote or registration answer from the broker.
  Millis broker_answer_timeout = NodeDefaults::kHeartbeatInterval * 5;
  // A state transfer without progress for this long is asked for again.
  Millis state_transfer_timeout = NodeDefaults::kHeartbeatInterval * 20;
  // A backup behind its primary's heartbeat for this long asks for a catch-up
  // (the batch that would have shown the gap may have been lost).
  Millis behind_timeout = NodeDefaults::kHeartbeatInterval * 3;
  // No word from the broker for this long: save and exit (0 = wait forever).
  Millis broker_timeout = NodeDefaults::kBrokerTimeout;

  size_t min_acks = NodeDefaults::kMinAcks;
  // The shell keeps a durable log (--data-dir): the node acknowledges only
  // what the shell reported durable (NodeCore::on_durable). Without it, what
  // a node applied counts at once, and lives only in its memory.
  bool durable = false;
  bool async_replies = false;  // reply before acks: faster, may lose writes on failover
  size_t snapshot_chunk_pairs = NodeDefaults::kSnapshotChunkPairs;
  size_t snapshot_chunks_per_turn = NodeDefaults::kSnapshotChunksPerTurn;
  size_t recent_log_entries = NodeDefaults::kRecentLogEntries;
  size_t recent_log_bytes = NodeDefaults::kRecentLogBytes;
  size_t max_remembered_clients = NodeDefaults::kMaxRememberedClients;
  Millis max_wait = NodeDefaults::kMaxWait;
  size_t max_waiting_requests = NodeDefaults::kMaxWaitingRequests;
  size_t watch_history_changes = NodeDefaults::kWatchHistoryChanges;
  size_t watch_history_bytes = NodeDefaults::kWatchHistoryBytes;
  size_t max_changes_per_watch_reply = NodeDefaults::kMaxChangesPerWatchReply;
  SpaceLimits space_limits;
};

}  // namespace ts::cluster
