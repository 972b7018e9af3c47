// BrokerActions: what one call into BrokerCore asks its shell to carry out.
//
// Frames for clients (on the client endpoint) and for operators (answers on
// the shutdown endpoint), messages for nodes, events, and "exit". The shell
// sends them in the order given (consecutive messages to one node may leave
// as one multi-part message) and decides nothing about them; events are its
// log lines and the status view's recent events, each kind listed once here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schema/cluster_messages.h"

namespace ts::cluster {

struct ClientFrame {
  ClientAddress client;
  std::string frame;  // an encoded Reply, to send as is
};

struct NodeSend {
  NodeId to = kNoNode;
  BrokerToNode message;
};

enum class BrokerEventKind {
  kNodeSeen,
  kNodeLost,            // a node fell silent for primary_liveness
  kNodeStopped,         // a node that confirmed the shutdown went quiet, as it should
  kPrimaryAccepted,     // registration accepted: (peer, term)
  kPrimaryRefused,      // a registration refused (said once per node and reason, not at every retry)
  kPrimaryLost,         // the primary fell silent or stepped down: requests are held
  kPreVote,             // a pre-vote answered (granted, or refused for a reason new for that node)
  kServiceWaiting,      // no live candidate holds the committed position: the service cannot come back yet
  kServiceBack,         // ... and a node that holds it became primary
  kClientRefused,
  kShutdownRequested,   // the first SHUTDOWN: the handshake starts
  kShutdownRepeated,    // another SHUTDOWN while it runs: answered when it ends
  kShutdownRelayed,     // ShutdownCommand to a node, the first time
  kShutdownResent,      // ... and again, not confirmed yet
  kShutdownIgnored,     // a pre-vote or registration while stopping: no new term
  kShutdownFrameRefused,  // not a SHUTDOWN on the shutdown endpoint
  kShutdownConfirmed,   // the handshake ended: no live node is still running
  kShutdownTimedOut,    // the grace passed with a live node not stopped
};

struct BrokerEvent {
  BrokerEventKind kind = BrokerEventKind::kNodeSeen;
  NodeId node = kNoNode;
  uint64_t term = 0;
  std::string text;
};

struct BrokerActions {
  std::vector<ClientFrame> to_clients;
  std::vector<ClientFrame> to_operators;  // answers on the shutdown endpoint
  std::vector<NodeSend> to_nodes;
  std::vector<BrokerEvent> events;
  bool exit = false;  // the shutdown handshake ended: flush the sockets and exit

  void Append(BrokerActions&& other);
};

}  // namespace ts::cluster
