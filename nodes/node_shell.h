// The tsnode shell: the node's sockets and one poll loop around NodeCore.
//
// Each loop turn waits at most min(heartbeat interval / 4, kMaxPollWait) for
// a frame, drains what arrived on every socket (a bounded number per socket),
// decodes each frame and feeds it to NodeCore::on_message, calls on_tick once
// with the steady clock (which publishes the turn's writes as one WriteBatch),
// then carries out the merged actions in order: bus messages on the PUB,
// state-transfer requests on the DEALER toward the peer, transfer answers on
// the ROUTER back to the requester's routing id, broker messages on the broker
// DEALER, events as log lines. A frame that does not decode is counted and
// logged (throttled), never fatal. With --data-dir, after carrying out the
// turn's actions it persists the turn's work (node_log.h: appended, ONE
// fdatasync for the turn) and only then carries out what the core released
// with it (acks, replies). On save_and_exit, or when *stop is set
// (SIGINT/SIGTERM), the sockets flush (bounded by linger), the space is saved
// to --save (atomically, nodes/space/persistence.h) and RunNode returns.
// Every kFactsInterval it hands the core its process facts (resident memory,
// ZAP refusals: heartbeats carry them to status) and, with --metrics,
// publishes node_metrics.h's text (fed the broker's frames and the actions).
// At start, --data-dir is recovered before any socket is made; --load imports
// a save file only into an empty data directory (without --data-dir, --load
// is the node's whole starting state, as before).
// docs/ARCHITECTURE.md "Processes and sockets" has the socket table.
#pragma once

#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "nodes/node_config.h"
#include "nodes/node_log.h"
#include "common/security/process_security.h"

namespace ts::cluster {

// The shell's own limits and timeouts (the core's are in node_config.h).
struct NodeShellDefaults {
  // Longest wait for a frame; the wait is also at most heartbeat interval / 4.
  static constexpr Millis kMaxPollWait{25};
  // How long closing sockets may keep flushing queued frames at exit.
  static constexpr Millis kExitLinger{1'000};
  // Frames read from one socket per loop turn before the others get a turn.
  static constexpr int kMaxFramesPerSocketPerTurn = 1'000;
  // Queued frames per link before sends are refused (then dropped: the core
  // recovers lost frames by gap detection, catch-up and retries).
  static constexpr int kBusQueueLimit = 10'000;
  static constexpr int kTransferQueueLimit = 10'000;
  static constexpr int kBrokerQueueLimit = 100'000;
  // Connecting sockets retry a lost connection this often.
  static constexpr Millis kReconnectInterval{100};
  // The brokers' key in the keys folder: keys/brokers/broker-1. Every broker
  // of a cluster presents it (one service key for the clients to check).
  static constexpr uint32_t kBrokerKeyId = 1;
  // How often the resident memory and ZAP refusals are read for status
  // (heartbeats carry them) and the metrics text is rendered (--metrics).
  static constexpr Millis kFactsInterval{250};
};

struct PeerAddress {
  NodeId id = kNoNode;
  std::string bus_endpoint;       // its PUB
  std::string transfer_endpoint;  // its state-transfer ROUTER
};

struct NodeShellOptions {
  NodeConfig core;
  std::string bus_endpoint;       // own PUB, bound
  std::string transfer_endpoint;  // own state-transfer ROUTER, bound
  // Every broker's node ROUTER, broker 1 first; a DEALER connects to each.
  std::vector<std::string> broker_endpoints;
  std::vector<PeerAddress> peers;  // every other node
  std::optional<std::string> load_path;
  std::optional<std::string> save_path;
  std::optional<std::string> data_dir;  // the durable log; none: in memory only
  NodeLogOptions log;
  Millis exit_linger = NodeShellDefaults::kExitLinger;
  // --keys DIR/keys or --insecure (node_sockets.h); neither: tsnode refuses to start.
  security::SecurityFlags security;
  uint32_t broker_key_id = NodeShellDefaults::kBrokerKeyId;  // whose public key every broker DEALER expects
  std::string metrics_endpoint;  // HOST:PORT for Prometheus (GET /metrics, node_metrics.h); "" serves none
};

// Exit codes of tsnode.
inline constexpr int kNodeExitOk = 0;         // saved (if --save) after shutdown, broker loss or a signal
inline constexpr int kNodeExitFailure = 1;    // an endpoint could not be bound, a socket failed, or --save failed
inline constexpr int kNodeExitBadLoad = 2;    // the --load file is unreadable or malformed (message on stderr)
inline constexpr int kNodeExitBadLog = 3;     // --data-dir cannot be recovered (damage a crash cannot leave, a
                                              // bad snapshot, an I/O error): the message names file and offset
inline constexpr int kNodeExitNoKeys = 4;     // neither --keys nor --insecure, or a key unreadable (message on stderr)

// Runs the node until the core says save_and_exit or *stop is set.
int RunNode(const NodeShellOptions& options, const volatile std::sig_atomic_t* stop);

}  // namespace ts::cluster
