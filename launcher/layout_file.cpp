#include "launcher/layout_file.h"

#include "common/cluster_file/cluster_flags.h"

namespace ts::launcher {
namespace {

cluster_file::TcpEndpoint ToFile(const Endpoint& endpoint) { return {endpoint.host, endpoint.port}; }
Endpoint FromFile(const cluster_file::TcpEndpoint& endpoint) { return {endpoint.host, endpoint.port}; }

std::optional<cluster_file::TcpEndpoint> ToFile(const std::optional<Endpoint>& endpoint) {
  if (!endpoint) return std::nullopt;
  return ToFile(*endpoint);
}
std::optional<Endpoint> FromFile(const std::optional<cluster_file::TcpEndpoint>& endpoint) {
  if (!endpoint) return std::nullopt;
  return FromFile(*endpoint);
}

}  // namespace

cluster_file::ClusterFile ToClusterFile(const ClusterLayout& layout) {
  cluster_file::ClusterFile file;
  for (const BrokerSpec& broker : layout.brokers) {
    file.brokers.push_back({broker.id, broker.host, ToFile(broker.clients), ToFile(broker.nodes),
                            ToFile(broker.shutdown), ToFile(broker.metrics)});
  }
  for (const NodeSpec& node : layout.nodes) {
    cluster_file::NodeEntry entry{node.id, node.host, ToFile(node.bus), ToFile(node.transfer), ToFile(node.metrics),
                                  std::nullopt, std::nullopt};
    if (layout.node_data_dirs || node.data_dir) entry.data_dir = layout.NodeDataDir(node.id);
    if (layout.save_files || node.save) entry.save = layout.SavePath(node.id);
    file.nodes.push_back(entry);
  }
  file.keys_dir = layout.keys_dir;
  file.insecure = !layout.keys_dir;
  file.clients_open = layout.keys_dir && layout.clients_open;
  file.sync = layout.sync;
  file.log_level = layout.log_level;
  cluster_file::Timing& timing = file.timing;
  timing.heartbeat = layout.heartbeat;
  timing.liveness = layout.liveness;
  timing.broker_timeout = layout.broker_timeout;
  timing.hold = layout.hold;
  timing.client_idle = layout.client_idle;
  timing.shutdown_grace = layout.shutdown_grace;
  timing.min_acks = layout.min_acks;
  timing.max_clients = layout.max_clients;
  return file;
}

ClusterLayout LayoutFromClusterFile(const cluster_file::ClusterFile& file) {
  ClusterLayout layout;
  for (const cluster_file::BrokerEntry& entry : file.brokers) {
    BrokerSpec broker;
    broker.id = entry.id;
    broker.host = entry.host;
    broker.clients = FromFile(entry.clients);
    broker.nodes = FromFile(entry.nodes);
    broker.shutdown = FromFile(entry.shutdown);
    broker.metrics = FromFile(entry.metrics);
    layout.brokers.push_back(broker);
  }
  for (const cluster_file::NodeEntry& entry : file.nodes) {
    NodeSpec node;
    node.id = entry.id;
    node.host = entry.host;
    node.bus = FromFile(entry.bus);
    node.transfer = FromFile(entry.transfer);
    node.metrics = FromFile(entry.metrics);
    node.data_dir = entry.data_dir;
    node.save = entry.save;
    layout.nodes.push_back(node);
  }
  // Each node's data directory and export are its own (above), or none.
  layout.save_files = false;
  layout.node_data_dirs = false;
  layout.keys_dir = file.keys_dir;
  layout.clients_open = file.clients_open;
  layout.sync = file.sync;
  layout.log_level = file.log_level;
  const cluster_file::Timing& timing = file.timing;
  layout.heartbeat = timing.heartbeat.value_or(cluster_file::kNodeDefaultHeartbeat);
  layout.liveness = timing.liveness.value_or(cluster_file::kNodeDefaultLiveness);
  layout.broker_timeout = timing.broker_timeout;
  layout.hold = timing.hold;
  layout.client_idle = timing.client_idle;
  layout.shutdown_grace = timing.shutdown_grace;
  layout.min_acks = timing.min_acks;
  layout.max_clients = timing.max_clients;
  return layout;
}

}  // namespace ts::launcher
