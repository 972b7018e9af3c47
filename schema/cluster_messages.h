// Every message between nodes, and between a node and the broker, as plain
// C++ values. The pure cores (NodeCore, BrokerCore) consume and produce only
// these; the socket shells encode them in Cap'n Proto frames (schema/) and
// back. Nothing here does I/O.
//
// Vocabulary (docs/ARCHITECTURE.md has the full story):
//  - A node id is >= 1; kNoNode (0) means "none".
//  - Every write the primary accepts becomes a LogEntry numbered (term, seq):
//    term is the term of the primary that created it, seq is one more than the
//    entry before it (seq keeps counting across terms). A node's LogPosition is
//    the (term, seq) of the last entry it has applied. Two nodes with the same
//    LogPosition hold identical spaces (one primary per term, logs only grow by
//    the primary's appends), so positions compare nodes' freshness.
//  - An election ranks nodes by Rank = (LogPosition, node id), highest wins.
//  - A backup's applied seq in its heartbeat is its acknowledgement.
//  - Client request / reply bodies travel as encoded frames (schema/codec.h);
//    the broker never looks inside a request and only validates replies.
//
// API stability: the shells are written against this file. Changes after the
// first version are listed here:
//  - ClientTag (address + broker token) replaced the bare address in
//    ClientRequestFrame / ClientReplyFrame (before the shells were written).
//  - NodeStatus::committed_seq (node_core.h) is the seq the broker is told
//    (0 until the term's no-op commits); NodeConfig gained recent_log_bytes.
//  - Majority elections: RequestVote / VoteAnswer (peer bus), Registration
//    gained voters + cluster_size, Heartbeat gained lease_stamp.
//  - Heartbeat gained pairs, pair_bytes, rss_bytes, zap_refused (status).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "schema/messages.h"
#include "schema/write_effect.h"

namespace ts::cluster {

using NodeId = uint32_t;
inline constexpr NodeId kNoNode = 0;

// The broker's ROUTER routing id of a client (opaque bytes).
using ClientAddress = std::string;

// How the broker tags a client request it forwards, and how the node tags its
// reply: the client's address plus a token unique within the broker's run, so
// the broker matches each reply to its request without decoding either (and a
// request sent again to a new primary after failover keeps its token).
// A broker's number among the cluster's brokers: 1..B (tsnode --broker, in order).
using BrokerId = uint32_t;
inline constexpr BrokerId kFirstBroker = 1;

struct ClientTag {
  ClientAddress address;
  uint64_t token = 0;
  // Node side only, never on the wire: the broker the request came through,
  // so that its reply goes back through the same one.
  BrokerId via = kFirstBroker;
  bool operator==(const ClientTag&) const = default;
};

// What a node is doing; carried in every heartbeat.
enum class Role : uint8_t {
  kBackup,     // following primary_id in term, in sync: its applied seq is an ack
  kSyncing,    // following primary_id in term, state transfer under way
  kCandidate,  // no live primary known: electing (or waiting to)
  kPrimary,    // registered with the broker in term
  kStopped,    // told to shut down, or gave up on the broker
};
std::string_view RoleName(Role role);

// (term, seq) of a log entry; ordered by term, then seq.
struct LogPosition {
  uint64_t term = 0;
  uint64_t seq = 0;
  auto operator<=>(const LogPosition&) const = default;
};

// Election rank: the freshest log wins, ties go to the highest id.
struct Rank {
  LogPosition last;
  NodeId id = kNoNode;
  auto operator<=>(const Rank&) const = default;
};

// One replicated write. The effect is what the primary's space changed (the
// backups never run patterns); request_id and reply feed the exactly-once
// table. An entry with client_id 0 (e.g. the no-op that opens every term)
// has no reply and touches no table row.
struct LogEntry {
  LogPosition position;
  RequestId request_id;
  WriteEffect effect;
  std::optional<Reply> reply;
};

// One row of the exactly-once table: a client's last write and its reply.
struct ClientRecord {
  uint64_t client_id = 0;
  uint64_t request_number = 0;
  uint64_t seq = 0;  // the entry that recorded it (eviction is oldest-seq first)
  Reply reply;
};

// ---- Node <-> node: the heartbeat bus (PUB to every peer) ----------------

// Sent every heartbeat interval and at once after a backup applies a batch
// (that is the ack). The same struct goes to the broker (NodeToBroker).
struct Heartbeat {
  NodeId from = kNoNode;
  Role role = Role::kCandidate;
  uint64_t term = 0;          // the term this node is primary in / follows
  LogPosition last;           // (last term, applied seq)
  NodeId primary_id = kNoNode;
  uint64_t committed_seq = 0; // primary: highest seq it may acknowledge
  bool broker_live = false;   // primary: it hears the broker (informational)
  // The lease echo (ARCHITECTURE.md "Fencing"): a primary stamps its own
  // clock (ms) here; a follower echoes the stamp of the latest heartbeat of
  // the primary it follows. A primary serves only while a majority echoed a
  // stamp younger than the liveness window.
  uint64_t lease_stamp = 0;
  // For status only (nothing decides on them): the node's pair count and
  // text bytes, its resident memory and its ZAP refusals (0: not known).
  uint64_t pairs = 0;
  uint64_t pair_bytes = 0;
  uint64_t rss_bytes = 0;
  uint64_t zap_refused = 0;
};

// Everything one primary poll cycle wrote, in seq order.
struct WriteBatch {
  NodeId from = kNoNode;
  uint64_t term = 0;
  uint64_t committed_seq = 0;
  std::vector<LogEntry> entries;
};

// Bully election. A node that loses its primary broadcasts Election with its
// rank; every better-ranked node that hears it answers and runs its own
// election. A node with no better answer asks the broker for a pre-vote,
// raises the term and registers; once accepted it broadcasts Coordinator.
struct Election {
  NodeId from = kNoNode;
  Rank rank;
  uint64_t max_term_seen = 0;
};
struct ElectionAnswer {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Rank rank;
};
struct Coordinator {
  NodeId from = kNoNode;
  uint64_t term = 0;
  LogPosition last;
};

// Majority vote (after the broker's pre-vote): a candidate that recorded,
// durably, its term and its vote for itself asks every node for its vote in
// that term. A node grants at most one candidate per term, only one whose
// log is at least as fresh as its own, only while it follows no live primary,
// and only once the term and vote are on its disk. `granted` false says
// why not (for the log); the candidate counts only grants for its term.
struct RequestVote {
  NodeId from = kNoNode;
  uint64_t term = 0;
  LogPosition last;
};
struct VoteAnswer {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  uint64_t term = 0;
  bool granted = false;
  std::string reason;
};

// The primary tells its backups to save and exit.
struct Shutdown {
  NodeId from = kNoNode;
  uint64_t term = 0;
};

// ---- Node <-> node: state transfer (DEALER -> primary's ROUTER) -----------

// A backup asks its primary for the state. `have` is where the backup is; if
// the primary's recent log still holds the entry at have (same term), it
// answers CatchUp with the entries after it, else snapshot chunks then End.
struct StateTransferRequest {
  NodeId from = kNoNode;
  uint64_t transfer_id = 0;  // echoed in every answer, so stale answers are ignored
  uint64_t term = 0;         // the primary's term as the backup knows it
  LogPosition have;
};
struct SnapshotChunk {
  NodeId from = kNoNode;
  uint64_t transfer_id = 0;
  uint64_t term = 0;
  uint32_t index = 0;  // 0-based; chunks may arrive in any order
  std::vector<std::pair<std::string, std::string>> pairs;  // key text, value text
};
struct SnapshotEnd {
  NodeId from = kNoNode;
  uint64_t transfer_id = 0;
  uint64_t term = 0;
  uint32_t chunk_count = 0;
  LogPosition at;                     // the snapshot holds every entry up to here
  std::vector<ClientRecord> clients;  // the exactly-once table at `at`
  uint64_t committed_seq = 0;
};
struct CatchUp {
  NodeId from = kNoNode;
  uint64_t transfer_id = 0;
  uint64_t term = 0;
  std::vector<LogEntry> entries;  // every entry after the requester's `have`
  uint64_t committed_seq = 0;
};

using PeerMessage = std::variant<Heartbeat, WriteBatch, Election, ElectionAnswer, Coordinator,
                                 Shutdown, StateTransferRequest, SnapshotChunk, SnapshotEnd,
                                 CatchUp, RequestVote, VoteAnswer>;

// ---- Node -> broker (DEALER -> broker's node ROUTER) ----------------------

// A candidate asks whether it may start a term: granted only while the
// current primary is not live toward the broker and `last` holds every
// acknowledged write the broker has relayed.
struct PreVoteRequest {
  NodeId node = kNoNode;
  uint64_t proposed_term = 0;
  LogPosition last;
};
// A node that won an election (or a primary refreshing itself) registers,
// with the proof of its term: the nodes that voted for it in `term` (itself
// included) and the cluster size it counts a majority of. Any broker, even a
// fresh one, accepts only a registration whose voters are a majority.
struct Registration {
  NodeId node = kNoNode;
  uint64_t term = 0;
  LogPosition last;
  std::vector<NodeId> voters;
  uint32_t cluster_size = 0;
};
// Whether `voters` (distinct ids >= 1) are more than half of cluster_size
// nodes; empty: they are, else why not.
std::string WhyNotMajority(const std::vector<NodeId>& voters, uint32_t cluster_size);
// A reply for a client, in the primary's order. committed = (primary's term,
// highest seq it may acknowledge): the broker remembers the highest it
// relayed and refuses candidates whose log is older (no acked write is lost).
struct ClientReplyFrame {
  NodeId node = kNoNode;
  ClientTag client;
  LogPosition committed;
  std::string frame;  // EncodeReply bytes
};

using NodeToBroker = std::variant<Heartbeat, PreVoteRequest, Registration, ClientReplyFrame>;

// ---- Broker -> node -------------------------------------------------------

// The broker answers every node heartbeat with its view (this is how nodes
// know the broker is live, and how a stale primary learns it was replaced).
struct BrokerStatus {
  uint64_t served_term = 0;
  NodeId primary_id = kNoNode;
  bool primary_live = false;
  LogPosition committed;  // highest committed position relayed to a client
};
struct PreVoteAnswer {
  uint64_t proposed_term = 0;
  bool granted = false;
  uint64_t served_term = 0;
  NodeId primary_id = kNoNode;
  std::string reason;  // why not, for the log
  LogPosition committed;  // the broker's committed position (0:0: it knows none)
};
struct RegistrationAnswer {
  uint64_t term = 0;  // the term that was asked for
  bool accepted = false;
  uint64_t served_term = 0;
  NodeId primary_id = kNoNode;
  std::string reason;
};
// A client request for the primary, tagged with the client's address.
struct ClientRequestFrame {
  ClientTag client;
  std::string frame;  // EncodeRequest bytes, as the client sent them
};
// The operator asked the service to stop (relayed from the shutdown endpoint).
struct ShutdownCommand {};

using BrokerToNode =
    std::variant<BrokerStatus, PreVoteAnswer, RegistrationAnswer, ClientRequestFrame, ShutdownCommand>;

// Short one-line descriptions for traces and logs.
std::string Describe(const PeerMessage& message);
std::string Describe(const NodeToBroker& message);
std::string Describe(const BrokerToNode& message);
std::string Describe(const LogPosition& position);  // "3:17"

}  // namespace ts::cluster
