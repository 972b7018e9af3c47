// Every socket of a tsnode, made in one place with its security: the bus PUB
// and the state-transfer ROUTER are CURVE servers of the ZAP domain
// node-link (admitting node and broker keys, common/security/roles.h); the
// bus SUB, the transfer DEALERs toward peers and the broker DEALER are CURVE
// clients presenting this node's key and expecting each server's public key
// from the cluster's keys folder. With --insecure all of them are plain text.
//
// Connecting DEALERs use ZMQ_IMMEDIATE: while a link is down a send fails at
// once and the frame is dropped, instead of queueing and arriving stale after
// a reconnect (the core retries what matters). The transfer ROUTER is
// ROUTER_MANDATORY, so an answer to a requester that has gone is an error the
// shell logs, not a silent drop.
#pragma once

#include <optional>
#include <vector>
#include <zmq.hpp>

#include "common/security/process_security.h"
#include "nodes/node_shell.h"

namespace ts::cluster {

struct PeerLink {
  NodeId id = kNoNode;
  zmq::socket_t transfer;  // DEALER to the peer's state-transfer ROUTER
};

struct NodeSockets {
  zmq::socket_t bus_out;   // PUB, bound: heartbeats, batches, elections, shutdown
  zmq::socket_t bus_in;    // SUB to every peer's PUB, everything subscribed
  zmq::socket_t transfer;  // ROUTER, bound: state-transfer requests in, answers out
  std::vector<zmq::socket_t> brokers;  // DEALER to each broker's node ROUTER (index = broker id - 1)
  std::vector<PeerLink> peers;
};

// The sockets, bound and connected; nullopt after logging what failed.
// The bus SUB connects to every peer's PUB, each with its own server key:
// libzmq copies a socket's options into each connection at connect(), so the
// key is set again before every connect.
std::optional<NodeSockets> OpenNodeSockets(const security::ProcessSecurity& security,
                                           const NodeShellOptions& options);

}  // namespace ts::cluster
