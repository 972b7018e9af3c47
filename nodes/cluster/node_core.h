// NodeCore: one tuple-space node, every role, as a pure state machine.
//
// The tsnode shell (and the simulation) feeds it everything that happens:
// messages from peers and from the broker, client requests, and the time;
// each call returns NodeActions for the shell to carry out. It reads no clock,
// owns no socket and starts no thread, so the same inputs always give the
// same outputs.
//
// How a shell drives it, each poll cycle:
//   1. for each frame received: decode it and call on_message (peer bus,
//      state-transfer sockets, broker DEALER); client requests arrive from the
//      broker as BrokerToNode::ClientRequestFrame and are decoded in here;
//   2. call on_tick(now) once per cycle (and at least every heartbeat
//      interval / 4): it runs the timers and publishes the cycle's writes as
//      ONE WriteBatch (so everything that arrived in one cycle is one PUB
//      message and one ack round);
//   3. with a durable log (config.durable): TakeDurableWork, write it, sync
//      it once (group commit: one fdatasync for the whole cycle), then
//      on_durable(work.through, work.term, now), whose actions are carried out too;
//   4. carry out every action: to_bus -> PUB; to_peer -> the state-transfer
//      socket toward that node (requests go to the primary's ROUTER; answers go
//      back to the requester's routing id); to_broker -> every broker's
//      DEALER, except a ClientReplyFrame: to the broker of its tag (via);
//      events -> log lines / status; save_and_exit -> save --save FILE, exit.
// Merging actions from several calls and sending them in order is correct.
//
// Durability (etcd raft's Ready, by pull): the core never calls storage. It
// says what must be made durable (TakeDurableWork: the entries recorded since
// the last take, or "a snapshot replaced the history: write the state at
// `through`", and its term), and nothing it sends claims more than the shell
// reported durable: a backup's heartbeat (its ack) names its durable
// position, a backup is in sync only once an installed snapshot is on disk,
// and the primary commits (so replies, and tells the broker) only what its
// own disk and the backups' acks cover. So the order in which the shell sends
// the cycle's messages and syncs does not matter for safety: an ack never
// leaves before the fsync that covers it returned. The same holds for votes:
// a node's term and vote (its own, as a candidate, or the one it grants) are
// in the work, and the RequestVote / VoteAnswer that rests on them is held
// until on_durable says they are on disk. Without config.durable
// everything counts as durable at once (today's in-memory node).
//
// Inside (etcd raft's step style, node_core_state.h): every message goes
// through one Step that settles its term once (a newer term: step down /
// follow; an older one: dropped, or answered), then to the step function of
// the node's role (StepPrimary, StepFollower, StepCandidate); the role
// transitions are listed as a states/events table in node_core_state.h and
// written, one function each, in node_core_roles.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schema/cluster_messages.h"
#include "nodes/node_config.h"
#include "nodes/space/space.h"

namespace ts::cluster {

// Things the operator is told (log line, status output).
enum class NodeEventKind {
  kPeerSeen,        // first heartbeat from a peer
  kPeerFailed,      // a peer fell silent for the liveness window
  kPeerRejoined,    // a failed peer is heard again
  kPeerRestarted,   // a peer came back with an empty log (it lost its memory)
  kTermChanged,     // this node follows / leads a new term
  kBecamePrimary,
  kSteppedDown,     // was primary, is not any more (newer term, broker lost)
  kPrimaryLost,     // the followed primary fell silent: election
  kResyncStarted,
  kResyncDone,
  kBrokerLost,
  kBrokerBack,
  kShutdown,        // told to stop, or broker silent past broker_timeout
  kNotice,          // anything else worth a log line (stale request, ...)
};
std::string_view NodeEventKindName(NodeEventKind kind);

struct NodeEvent {
  NodeEventKind kind = NodeEventKind::kNotice;
  NodeId peer = kNoNode;  // the node concerned (this node for own transitions)
  uint64_t term = 0;
  std::string text;       // a complete sentence for the log
};

struct PeerSend {
  NodeId to = kNoNode;
  PeerMessage message;
};

// What the shell must make durable (see "Durability" above).
struct DurableWork {
  std::vector<LogEntry> entries;  // recorded since the last take, in log order
  bool install = false;           // a snapshot replaced the history: write the whole state (at `through`)
  uint64_t term = 0;              // the node's term now (record it when it rose)
  NodeId voted_for = kNoNode;     // its vote in `term` (kNoNode: none): record it before its answer leaves
  LogPosition through;            // the log's last position once this is written
  bool empty() const { return entries.empty() && !install; }
};

struct NodeActions {
  std::vector<PeerMessage> to_bus;
  std::vector<PeerSend> to_peer;
  std::vector<NodeToBroker> to_broker;
  std::vector<NodeEvent> events;
  bool save_and_exit = false;

  void Append(NodeActions&& other);
  bool empty() const;
};

// A snapshot of the node for status output and tests.
struct NodeStatus {
  NodeId id = kNoNode;
  Role role = Role::kCandidate;
  uint64_t term = 0;
  NodeId primary_id = kNoNode;
  LogPosition last;
  uint64_t committed_seq = 0;  // primary: highest seq it may acknowledge (0 until its term's first)
  bool broker_live = false;             // some broker is live
  std::vector<BrokerId> live_brokers;   // which ones
  size_t pairs = 0;
  size_t pair_bytes = 0;                // the text of every key and value
  std::vector<NodeId> live_peers;
  std::vector<NodeId> in_sync_backups;  // primary only
  size_t backups_in_reach = 0;          // primary only: in sync, syncing toward it, or live candidates
  size_t pending_replies = 0;           // primary only: client replies not sent yet
  size_t waiting_requests = 0;          // primary only: GET/TAKE --wait and WATCH requests held
  // Primary only: (backup, highest seq it acked this term), by id.
  std::vector<std::pair<NodeId, uint64_t>> backup_acked;
};

struct ProcessFacts {
  uint64_t rss_bytes = 0;    // resident memory
  uint64_t zap_refused = 0;  // handshakes the ZAP handler refused
};

class NodeCore {
 public:
  // now: the time the node starts (its startup grace and broker timeout run
  // from here). Load the space with Preload before the first event.
  NodeCore(NodeConfig config, TimePoint now);
  ~NodeCore();
  NodeCore(const NodeCore&) = delete;
  NodeCore& operator=(const NodeCore&) = delete;

  // Fills the space from a file's pairs (--load). Only before the first event.
  void Preload(std::string key_text, std::string value_text);
  // The log position the preloaded pairs are at (from the --load file's
  // header; 0:0 when it has none). Only before the first event. The node then
  // ranks, reports and resynchronises from that position like a node that
  // applied the log up to it, and a term it starts lies above its term.
  void SetLoadedPosition(LogPosition at);
  // Durable mode, only before the first event: the state recovered from the
  // node's own log (the snapshot's pairs through Preload first, then this:
  // the snapshot's position and client rows, the entries after it, and the
  // term). The node comes up at that position and term, which are durable
  // already, and ranks by them like SetLoadedPosition.
  void Restore(LogPosition snapshot_at, const std::vector<ClientRecord>& client_rows,
               const std::vector<LogEntry>& entries, uint64_t term, NodeId voted_for = kNoNode);

  // Durable mode: what to write now (see "Durability" above); empty work
  // still carries the term and the position.
  DurableWork TakeDurableWork();
  // The shell made everything taken up to `through` durable: acks and
  // replies that waited for it go out now.
  // `durable_term`: the term whose term and vote records the sync covered
  // (a sync that began before a vote was written does not cover it).
  NodeActions on_durable(LogPosition through, uint64_t durable_term, TimePoint now);
  // The position the node would come back at after a crash (durable mode),
  // or its log position (without a durable log).
  std::optional<LogPosition> durable() const;

  NodeActions on_message(const PeerMessage& message, TimePoint now);
  NodeActions on_message(const BrokerToNode& message, TimePoint now);  // from broker 1
  // From broker `from` (1..config.broker_count). Heartbeats, pre-votes and
  // registrations in to_broker go to every broker; a ClientReplyFrame goes
  // to the broker its tag names (ClientTag::via, set here on arrival).
  NodeActions on_message(BrokerId from, const BrokerToNode& message, TimePoint now);
  // A decoded client request (the broker path decodes ClientRequestFrame and
  // calls this); its reply comes out later, in order, as ClientReplyFrame.
  NodeActions on_client_request(const ClientTag& client, const Request& request, TimePoint now);
  NodeActions on_tick(TimePoint now);

  // What the shell knows of its process, carried in later heartbeats for
  // status (the core decides nothing on it).
  void SetProcessFacts(const ProcessFacts& facts);

  NodeStatus status(TimePoint now) const;
  Role role() const;
  uint64_t term() const;
  NodeId voted_for() const;  // in term() (kNoNode: no vote)
  LogPosition last() const;
  const TupleSpace& space() const;  // --save writes space().pairs()
  // Snapshot chunks still to send (snapshot_sender.h): the shell's next
  // turn should not wait for traffic, the next slice is due.
  bool sending_snapshot() const;
  std::vector<ClientRecord> client_rows() const;  // the exactly-once table, by seq (snapshots)
  const NodeConfig& config() const;

  struct State;  // the composed parts (node_core_state.h), public for the handlers

 private:
  std::unique_ptr<State> state_;
};

}  // namespace ts::cluster
