// Every socket of tsbroker, made in one place with its security. All three
// endpoints are bound ROUTERs, CURVE servers on the broker's key with a ZAP
// domain each (common/security/roles.h): the node endpoint admits node keys,
// the client endpoint the client allow-list (and the admin key), the
// shutdown endpoint only the admin key. --clients-open leaves the client
// endpoint NULL (no handshake check, a warning at start and in status);
// --insecure makes all three plain text.
//
// ROUTER_MANDATORY turns a send to a departed peer into an error the shell
// sees (a client slot to free, a node frame to drop) instead of a silent drop;
// queue limits bound memory per peer; MAXMSGSIZE refuses frames the decoders
// would refuse anyway, before they are read into memory.
#pragma once

#include <optional>
#include <string_view>
#include <zmq.hpp>

#include "brokers/broker_shell.h"
#include "common/security/process_security.h"
#include "schema/messages.h"

namespace ts::cluster {

struct BrokerSockets {
  zmq::socket_t clients;
  zmq::socket_t nodes;
  zmq::socket_t shutdown;
  zmq::socket_t client_monitor;  // PAIR: the client ROUTER's ACCEPTED/DISCONNECTED events
};

inline constexpr std::string_view kClientsOpenWarning =
    "--clients-open: the client endpoint is plain text and admits anyone who can reach it (read and write every pair)";

// Bound; nullopt after logging what failed.
std::optional<BrokerSockets> OpenBrokerSockets(zmq::context_t& context, const security::ProcessSecurity& security,
                                               const BrokerShellOptions& options);

// The "security" row of `status`: mode, whether clients are open, and the
// ZAP handler's admitted/refused counts per endpoint.
Pair SecurityStatusRow(const security::ProcessSecurity& security, bool clients_open);

}  // namespace ts::cluster
