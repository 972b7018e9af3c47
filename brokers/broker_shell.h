// The tsbroker shell: three ROUTER sockets and one poll loop around BrokerCore.
//
// Each loop turn waits at most poll_interval for a frame, drains what arrived
// (a bounded number per socket, so that ticks keep coming under load), feeds
// BrokerCore (client frames, decoded node messages, frames on the shutdown
// endpoint) and ticks it with the steady clock, then carries out its actions:
// replies to clients, answers to operators, frames to nodes, log lines. The
// shell itself decides only how to move bytes: a STATUS request on the client
// endpoint is answered from ClusterView (never relayed), a node frame that
// does not decode is counted, and a reply to a client that has gone
// (ZMQ_ROUTER_MANDATORY says so) frees its slot. Everything about a shutdown
// (the handshake, what is refused while it runs, the operator's answer) is
// BrokerCore's; the loop goes on until the core's actions say exit, then
// RunBroker returns (after the sockets flushed, bounded by linger). It also
// returns when *stop becomes non-zero (the signal handlers' flag, checked
// every turn). docs/ARCHITECTURE.md "Processes and sockets" has the socket
// table.
#pragma once

#include <csignal>
#include <string>

#include "brokers/broker_config.h"
#include "common/security/process_security.h"

namespace ts::cluster {

// The shell's own limits and timeouts (the core's are in broker_config.h).
struct BrokerShellDefaults {
  // Longest wait for a frame: on_tick runs at least this often.
  static constexpr Millis kPollInterval{10};
  // How long closing sockets may keep flushing queued frames at exit.
  static constexpr Millis kExitLinger{1'000};
  // Frames read from one socket per loop turn before the others get a turn.
  static constexpr int kMaxFramesPerSocketPerTurn = 1'000;
  // Clients remembered as taking bundled replies (frame_bundle.h); past it the
  // set starts again (a forgotten client gets plain replies until it bundles).
  static constexpr size_t kMaxBundlingClients = 4'096;
  // Queued frames per peer before sends are refused (then dropped and logged).
  static constexpr int kClientQueueLimit = 10'000;
  static constexpr int kNodeQueueLimit = 100'000;
  static constexpr int kShutdownQueueLimit = 100;
  static constexpr uint32_t kBrokerKeyId = 1;  // one broker per cluster: keys/brokers/broker-1
};

struct BrokerShellOptions {
  std::string clients_endpoint;   // ROUTER, bind: client REQ/DEALER sockets
  std::string nodes_endpoint;     // ROUTER, bind: node DEALER sockets
  std::string shutdown_endpoint;  // ROUTER, bind: shutdown commands (REQ senders)
  BrokerConfig core;  // with the shutdown handshake's resend interval and grace
  Millis poll_interval = BrokerShellDefaults::kPollInterval;
  Millis exit_linger = BrokerShellDefaults::kExitLinger;
  std::string metrics_endpoint;  // HOST:PORT for Prometheus (GET /metrics); "" serves none
  // --keys DIR/keys or --insecure (broker_sockets.h); neither: tsbroker refuses to start.
  security::SecurityFlags security;
  uint32_t broker_key_id = BrokerShellDefaults::kBrokerKeyId;  // this broker's pair: keys/brokers/broker-ID
  bool clients_open = false;  // --clients-open: the client endpoint plain text, for trusted networks
  // Bumped by SIGHUP: the loop then reloads the allow-lists (null: never).
  const volatile std::sig_atomic_t* reload_keys = nullptr;
};

// Exit codes of tsbroker.
inline constexpr int kBrokerExitOk = 0;            // after a shutdown (confirmed or timed out), or a signal
inline constexpr int kBrokerExitFailure = 1;       // an endpoint could not be bound, or a socket failed
inline constexpr int kBrokerExitNoKeys = 4;        // neither --keys nor --insecure, or a key unreadable

// Runs the broker until a shutdown handshake ends or *stop is set.
// Errors go to the log; the return value is an exit code.
int RunBroker(const BrokerShellOptions& options, const volatile std::sig_atomic_t* stop);

}  // namespace ts::cluster
