#include "brokers/broker_sockets.h"

#include <spdlog/spdlog.h>

#include "schema/cluster_codec.h"
#include "schema/codec.h"

namespace ts::cluster {
namespace {

constexpr const char* kClientMonitorEndpoint = "inproc://tsbroker-client-connections";

}  // namespace

std::optional<BrokerSockets> OpenBrokerSockets(zmq::context_t& context, const security::ProcessSecurity& security,
                                               const BrokerShellOptions& options) {
  const int linger = static_cast<int>(options.exit_linger.count());
  const auto client_max_frame = static_cast<int64_t>(DecodeLimits{}.max_frame_bytes);
  const auto cluster_max_frame = static_cast<int64_t>(kClusterDecodeLimits.max_frame_bytes);
  auto open = [&](const std::string& endpoint, int queue_limit, int64_t max_frame, std::string_view domain,
                  bool plain, const char* what) -> std::optional<zmq::socket_t> {
    Result<zmq::socket_t> made = plain ? Result<zmq::socket_t>(zmq::socket_t(context, zmq::socket_type::router))
                                       : security.sockets().Server(zmq::socket_type::router, domain);
    if (!made.ok()) {
      spdlog::error("cannot make the {} endpoint: {}", what, made.error().message);
      return std::nullopt;
    }
    zmq::socket_t socket = std::move(made).value();
    socket.set(zmq::sockopt::linger, linger);
    socket.set(zmq::sockopt::router_mandatory, 1);
    socket.set(zmq::sockopt::sndhwm, queue_limit);
    socket.set(zmq::sockopt::rcvhwm, queue_limit);
    socket.set(zmq::sockopt::maxmsgsize, max_frame);
    try {
      socket.bind(endpoint);
    } catch (const zmq::error_t& e) {
      spdlog::error("cannot bind the {} endpoint {}: {}", what, endpoint, e.what());
      return std::nullopt;
    }
    const bool curve = !plain && !security.insecure();
    spdlog::info("{} endpoint: ROUTER bound at {} ({})", what, endpoint,
                 curve ? "CURVE, admits " + std::string(domain) : std::string("plain text"));
    return socket;
  };
  if (options.clients_open && !security.insecure()) spdlog::warn("{}", kClientsOpenWarning);
  auto clients = open(options.clients_endpoint, BrokerShellDefaults::kClientQueueLimit, client_max_frame,
                      security::zap_domain::kClients, options.clients_open, "client");
  if (!clients) return std::nullopt;
  // Connection events, so that a departed client's slot is freed (client_connections.h).
  if (zmq_socket_monitor(clients->handle(), kClientMonitorEndpoint, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0) {
    spdlog::error("cannot monitor the client endpoint: {}", zmq_strerror(zmq_errno()));
    return std::nullopt;
  }
  zmq::socket_t client_monitor(context, zmq::socket_type::pair);
  client_monitor.set(zmq::sockopt::linger, 0);
  client_monitor.set(zmq::sockopt::rcvhwm, 0);  // events must not be dropped on our side
  client_monitor.connect(kClientMonitorEndpoint);
  auto nodes = open(options.nodes_endpoint, BrokerShellDefaults::kNodeQueueLimit, cluster_max_frame,
                    security::zap_domain::kNodes, false, "node");
  if (!nodes) return std::nullopt;
  auto shutdown = open(options.shutdown_endpoint, BrokerShellDefaults::kShutdownQueueLimit, client_max_frame,
                       security::zap_domain::kShutdown, false, "shutdown");
  if (!shutdown) return std::nullopt;
  return BrokerSockets{std::move(*clients), std::move(*nodes), std::move(*shutdown), std::move(client_monitor)};
}

Pair SecurityStatusRow(const security::ProcessSecurity& security, bool clients_open) {
  Tuple facts{"mode=" + std::string(security.insecure() ? "insecure" : "curve"),
              "clients=" + std::string(security.insecure() || clients_open ? "open" : "allow-list")};
  if (security.insecure()) facts.push_back("warning=plain text on every link (--insecure)");
  else if (clients_open) facts.push_back("warning=client endpoint open (--clients-open)");
  if (const security::ZapHandler* zap = security.zap()) {
    for (const security::ZapDomainCount& count : zap->Counts()) {
      facts.push_back("admitted_" + count.domain + "=" + std::to_string(count.admitted));
      facts.push_back("refused_" + count.domain + "=" + std::to_string(count.refused));
    }
  }
  return Pair{{"security"}, std::move(facts)};
}

}  // namespace ts::cluster
