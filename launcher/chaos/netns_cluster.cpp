#include "launcher/chaos/netns_cluster.h"

#include <signal.h>

#include <filesystem>
#include <thread>

#include "common/security/roles.h"
#include "launcher/cluster_keys_use.h"
#include "launcher/cluster_status.h"
#include "launcher/layout_file.h"

namespace ts::launcher::chaos {
namespace {

Error ClusterError(const std::string& message) { return Error{ErrorKind::kInternal, message}; }

}  // namespace

std::string PartName(PartId part) {
  return part.is_broker() ? "b" + std::to_string(part.broker) : "n" + std::to_string(part.node);
}

Result<std::unique_ptr<NetnsCluster>> NetnsCluster::Create(const NetnsClusterOptions& options) {
  std::unique_ptr<NetnsCluster> cluster(new NetnsCluster());
  cluster->dir_ = options.dir;
  ClusterLayout& layout = cluster->layout_;
  layout = ClusterLayout::FromPortBase(NetnsClusterLimits::kPortBase, options.nodes, options.brokers);
  layout.port_base = 0;  // one base, but every part on its own address
  layout.tsbroker = options.build_dir + "/brokers/tsbroker";
  layout.tsnode = options.build_dir + "/nodes/tsnode";
  for (const std::string& binary : {layout.tsbroker, layout.tsnode}) {
    if (!std::filesystem::exists(binary)) return ClusterError(binary + " is missing: build it first");
  }
  layout.data_dir = options.dir + "/data";
  layout.log_dir = options.dir + "/logs";
  layout.heartbeat = NetnsClusterLimits::kHeartbeat;
  layout.liveness = NetnsClusterLimits::kLiveness;
  layout.save_files = false;      // the write-ahead log is what a restart recovers from
  layout.node_data_dirs = !options.in_memory_nodes;
  if (layout.node_data_dirs) layout.sync = "always";
  std::error_code error;
  for (const std::string& folder : {layout.data_dir, layout.log_dir}) {
    std::filesystem::create_directories(folder, error);
    if (error) return ClusterError("cannot make " + folder + ": " + error.message());
  }
  std::vector<std::string> names;
  for (PartId part : layout.parts()) names.push_back(PartName(part));
  Result<std::unique_ptr<NetnsNetwork>> network = NetnsNetwork::Create(options.run, names);
  if (!network.ok()) return network.error();
  cluster->network_ = std::move(network.value());
  // Every endpoint on its part's own address.
  for (size_t b = 0; b < layout.brokers.size(); ++b) {
    BrokerSpec& broker = layout.brokers[b];
    const std::string broker_host = cluster->network_->host(PartName(PartId::Broker(static_cast<uint32_t>(b + 1)))).address;
    for (Endpoint* endpoint : {&broker.clients, &broker.nodes, &broker.shutdown}) endpoint->host = broker_host;
  }
  for (NodeSpec& node : layout.nodes) {
    node.bus.host = node.transfer.host = cluster->network_->host(PartName(PartId::Node(node.id))).address;
  }
  if (!options.insecure) {
    Result<std::string> keys = EnsureLayoutKeys(options.dir, layout);
    if (!keys.ok()) return keys.error();
    Result<std::optional<ClientCurve>> curve = LauncherCurve(layout, security::KeyRole::kClient);
    if (!curve.ok()) return curve.error();
    cluster->curve_ = curve.value();
  }
  // Each namespace is a host of the cluster file, and every part starts from
  // that file (--cluster FILE --id N), as on machines of their own.
  for (size_t b = 0; b < layout.brokers.size(); ++b) {
    layout.brokers[b].host = PartName(PartId::Broker(static_cast<uint32_t>(b + 1)));
  }
  for (NodeSpec& node : layout.nodes) node.host = PartName(PartId::Node(node.id));
  const std::string cluster_file = options.dir + "/cluster.json";
  if (Status written = cluster_file::WriteClusterFile(cluster_file, ToClusterFile(layout)); !written.ok()) {
    return written.error();
  }
  layout.cluster_file = cluster_file;
  for (PartId part : layout.parts()) {
    std::vector<std::string> argv = layout.Argv(part);
    if (!part.is_broker()) argv.insert(argv.end(), options.extra_node_args.begin(), options.extra_node_args.end());
    const std::string name = PartName(part);
    cluster->processes_.emplace(name, ChildProcess(cluster->network_->Wrap(name, argv), layout.LogPath(part)));
  }
  return cluster;
}

NetnsCluster::~NetnsCluster() {
  for (auto& [part, process] : processes_) {
    process.Signal(SIGCONT);
    process.Kill();
  }
}

PlanShape NetnsCluster::Shape() const {
  PlanShape shape;
  for (PartId part : layout_.parts()) (part.is_broker() ? shape.brokers : shape.nodes).push_back(PartName(part));
  return shape;
}

std::vector<std::string> NetnsCluster::parts() const {
  std::vector<std::string> names;
  for (PartId part : layout_.parts()) names.push_back(PartName(part));
  return names;
}

PartId NetnsCluster::Id(const std::string& part) const {
  const auto number = static_cast<uint32_t>(std::stoul(part.substr(1)));
  return part[0] == 'b' ? PartId::Broker(number) : PartId::Node(number);
}

Status NetnsCluster::StartAll() {
  for (const std::string& part : parts()) {
    if (Status started = Start(part); !started.ok()) return started;
  }
  return Status::Ok();
}

Status NetnsCluster::Start(const std::string& part) {
  ChildProcess& process = processes_.at(part);
  if (process.running()) return Status::Ok();
  paused_.erase(part);
  Status started = process.Start();
  if (!started.ok()) return ClusterError(part + ": " + started.error().message);
  return Status::Ok();
}

void NetnsCluster::Kill(const std::string& part) {
  processes_.at(part).Kill();
  paused_.erase(part);
}

void NetnsCluster::Pause(const std::string& part) {
  processes_.at(part).Signal(SIGSTOP);
  paused_[part] = true;
}

void NetnsCluster::Resume(const std::string& part) {
  processes_.at(part).Signal(SIGCONT);
  paused_.erase(part);
}

bool NetnsCluster::Running(const std::string& part) { return processes_.at(part).running(); }

Status NetnsCluster::ReviveAll() {
  Status revived = Status::Ok();
  for (const std::string& part : parts()) {
    if (Paused(part)) Resume(part);
    if (Running(part)) continue;
    ++restarts_;
    if (Status started = Start(part); !started.ok() && revived.ok()) revived = started;
  }
  return revived;
}

void NetnsCluster::StopAll() {
  for (auto& [part, process] : processes_) {
    process.Signal(SIGCONT);
    process.Signal(SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + NetnsClusterLimits::kStopGrace;
  for (auto& [part, process] : processes_) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (!process.Wait(std::max(left, Millis(0)))) process.Kill();
  }
  paused_.clear();
}

// The first broker that answers speaks for the cluster (a broker may be down
// or cut off in a round).
Result<ClusterStatus> NetnsCluster::Probe() const {
  Result<ClusterStatus> status = Error{ErrorKind::kUnavailable, "no broker"};
  for (const BrokerSpec& broker : layout_.brokers) {
    status = ProbeStatus(broker.clients.Tcp(), NetnsClusterLimits::kProbeTimeout, curve_);
    if (status.ok() && status.value().primary != 0) return status;
  }
  return status;
}

std::string NetnsCluster::PrimaryPart() {
  Result<ClusterStatus> status = Probe();
  if (!status.ok() || status.value().primary == 0) return "";
  return PartName(PartId::Node(status.value().primary));
}

bool NetnsCluster::WaitServing(Millis timeout, std::string* last_seen) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    Result<ClusterStatus> status = Probe();
    if (status.ok()) {
      bool ready = status.value().primary != 0;
      for (const NodeSpec& node : layout_.nodes) {
        auto seen = status.value().nodes.find(node.id);
        ready = ready && seen != status.value().nodes.end() && seen->second.live();
      }
      if (last_seen != nullptr) {
        *last_seen = "primary " + std::to_string(status.value().primary) + ", term " +
                     std::to_string(status.value().term);
      }
      if (ready) return true;
    } else if (last_seen != nullptr) {
      *last_seen = status.error().message;
    }
    std::this_thread::sleep_for(NetnsClusterLimits::kReadyPollInterval);
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

std::vector<std::string> NetnsCluster::ClientEndpoints() const {
  std::vector<std::string> endpoints;
  for (const BrokerSpec& broker : layout_.brokers) endpoints.push_back(broker.clients.Tcp());
  return endpoints;
}

std::string NetnsCluster::ClientKeyBase() const { return LauncherKeyBase(layout_, security::KeyRole::kClient); }

std::string NetnsCluster::ServerKeyPath() const {
  if (!layout_.keys_dir) return "";
  return *layout_.keys_dir + "/brokers/broker-1.pub";
}

std::vector<std::string> NetnsCluster::BrokerLogs() const {
  std::vector<std::string> logs;
  for (uint32_t b = 1; b <= layout_.brokers.size(); ++b) logs.push_back(layout_.LogPath(PartId::Broker(b)));
  return logs;
}

std::string NetnsCluster::LogPath(const std::string& part) const { return layout_.LogPath(Id(part)); }

}  // namespace ts::launcher::chaos
