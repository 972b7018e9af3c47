#include "nodes/node_sockets.h"

#include <spdlog/spdlog.h>

#include "schema/cluster_codec.h"

namespace ts::cluster {

using security::KeyRole;

std::optional<NodeSockets> OpenNodeSockets(const security::ProcessSecurity& security,
                                           const NodeShellOptions& options) {
  const security::SocketSecurity& secure = security.sockets();
  const int linger = static_cast<int>(options.exit_linger.count());
  const auto max_frame = static_cast<int64_t>(kClusterDecodeLimits.max_frame_bytes);
  const int reconnect = static_cast<int>(NodeShellDefaults::kReconnectInterval.count());
  std::string doing;
  auto tune = [&](zmq::socket_t socket, int queue_limit) {
    socket.set(zmq::sockopt::linger, linger);
    socket.set(zmq::sockopt::sndhwm, queue_limit);
    socket.set(zmq::sockopt::rcvhwm, queue_limit);
    socket.set(zmq::sockopt::maxmsgsize, max_frame);
    socket.set(zmq::sockopt::reconnect_ivl, reconnect);
    return socket;
  };
  auto check = [&](auto result) {
    if (!result.ok()) throw std::runtime_error(result.error().message);
    return std::move(result).value();
  };
  // The public key of the server a client socket connects to (none in plain text).
  auto key_of = [&](KeyRole role, uint32_t id) -> std::optional<security::CurveKey> {
    if (secure.insecure()) return std::nullopt;
    return check(security.PeerKey(role, id));
  };
  try {
    doing = "make the bus PUB";
    zmq::socket_t bus_out = tune(check(secure.Server(zmq::socket_type::pub, security::zap_domain::kNodeLink)),
                                 NodeShellDefaults::kBusQueueLimit);
    doing = "make the transfer ROUTER";
    zmq::socket_t transfer = tune(check(secure.Server(zmq::socket_type::router, security::zap_domain::kNodeLink)),
                                  NodeShellDefaults::kTransferQueueLimit);
    std::vector<zmq::socket_t> brokers;
    for (size_t k = 0; k < options.broker_endpoints.size(); ++k) {
      // The brokers of a cluster present one key, the service's (a client
      // checks it whichever broker it reaches): keys/brokers/broker-ID.
      doing = "read the brokers' public key (broker-" + std::to_string(options.broker_key_id) + ")";
      const std::optional<security::CurveKey> broker_key = key_of(KeyRole::kBroker, options.broker_key_id);
      doing = "make the DEALER to broker " + std::to_string(k + 1);
      brokers.push_back(tune(check(secure.Client(zmq::socket_type::dealer, broker_key)),
                             NodeShellDefaults::kBrokerQueueLimit));
    }
    doing = "make the bus SUB";
    // A CURVE client needs some server key to start with; each peer's is set before its connect.
    zmq::socket_t bus_in = tune(check(secure.Client(zmq::socket_type::sub, key_of(KeyRole::kBroker, options.broker_key_id))),
                                NodeShellDefaults::kBusQueueLimit);
    NodeSockets s{std::move(bus_out), std::move(bus_in), std::move(transfer), std::move(brokers), {}};
    doing = "bind the bus endpoint " + options.bus_endpoint;
    s.bus_out.bind(options.bus_endpoint);
    doing = "bind the transfer endpoint " + options.transfer_endpoint;
    s.transfer.set(zmq::sockopt::router_mandatory, 1);
    s.transfer.bind(options.transfer_endpoint);
    s.bus_in.set(zmq::sockopt::subscribe, "");
    for (size_t k = 0; k < s.brokers.size(); ++k) {
      doing = "connect to broker " + std::to_string(k + 1) + " at " + options.broker_endpoints[k];
      s.brokers[k].set(zmq::sockopt::immediate, 1);
      s.brokers[k].connect(options.broker_endpoints[k]);
    }
    for (const PeerAddress& peer : options.peers) {
      doing = "read node " + std::to_string(peer.id) + "'s public key";
      const std::optional<security::CurveKey> peer_key = key_of(KeyRole::kNode, peer.id);
      if (peer_key) s.bus_in.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(peer_key->data(), peer_key->size()));
      doing = "connect to node " + std::to_string(peer.id) + "'s bus at " + peer.bus_endpoint;
      s.bus_in.connect(peer.bus_endpoint);
      doing = "make the transfer DEALER to node " + std::to_string(peer.id);
      PeerLink link{peer.id, tune(check(secure.Client(zmq::socket_type::dealer, peer_key)),
                                  NodeShellDefaults::kTransferQueueLimit)};
      link.transfer.set(zmq::sockopt::immediate, 1);
      doing = "connect to node " + std::to_string(peer.id) + "'s transfer endpoint at " + peer.transfer_endpoint;
      link.transfer.connect(peer.transfer_endpoint);
      s.peers.push_back(std::move(link));
    }
    return s;
  } catch (const std::exception& e) {
    spdlog::error("cannot {}: {}", doing, e.what());
    return std::nullopt;
  }
}

}  // namespace ts::cluster
