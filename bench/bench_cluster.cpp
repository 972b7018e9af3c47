#include "bench/bench_cluster.h"

#include <algorithm>
#include <thread>

#include "schema/cluster_codec.h"

namespace ts::bench {
namespace {

using namespace ts::cluster;

// Heartbeats are small; bigger bus frames are write batches and state, which
// the observer skips undecoded to keep its CPU share down.
constexpr size_t kLargestHeartbeatFrame = 512;
constexpr std::chrono::milliseconds kStopGrace{5'000};
// Orphaned nodes (should this process die without killing them) save and exit after this.
constexpr int kNodeBrokerTimeoutMs = 30'000;

}  // namespace

BenchCluster::BenchCluster(BenchClusterOptions options) : options_(std::move(options)) {}

BenchCluster::~BenchCluster() { StopAll(); }

std::string BenchCluster::client_endpoint() const { return layout_.ClientEndpoints(); }

Status BenchCluster::StartBroker() {
  Result<launcher::ClusterLayout> layout = launcher::ClusterLayout::OnFreePorts(options_.node_count, options_.broker_count);
  if (!layout.ok()) return layout.error();
  layout_ = layout.value();
  layout_.tsbroker = options_.tsbroker;
  layout_.tsnode = options_.tsnode;
  layout_.log_dir = options_.work_dir;
  layout_.heartbeat = std::chrono::milliseconds(options_.heartbeat_ms);
  layout_.liveness = options_.liveness;
  layout_.save_files = false;
  layout_.min_acks = options_.min_acks;
  layout_.max_clients = options_.max_clients;
  layout_.broker_timeout = std::chrono::milliseconds(kNodeBrokerTimeoutMs);

  bus_.emplace(context_, zmq::socket_type::sub);
  bus_->set(zmq::sockopt::linger, 0);
  bus_->set(zmq::sockopt::subscribe, "");
  bus_->set(zmq::sockopt::reconnect_ivl, 50);
  for (const launcher::NodeSpec& node : layout_.nodes) bus_->connect(node.bus.Tcp());

  brokers_.clear();
  for (int id = 1; id <= layout_.broker_count(); ++id) {
    const launcher::PartId broker = launcher::PartId::Broker(static_cast<uint32_t>(id));
    brokers_.push_back(std::make_unique<launcher::ChildProcess>(layout_.Argv(broker), layout_.LogPath(broker)));
    if (Status started = brokers_.back()->Start(); !started.ok()) return started;
  }
  return Status::Ok();
}

void BenchCluster::KillBroker(uint32_t id) {
  if (id >= 1 && id <= brokers_.size()) brokers_[id - 1]->Kill();
}

Status BenchCluster::RestartBroker(uint32_t id) {
  if (id < 1 || id > brokers_.size()) return Error{ErrorKind::kInternal, "no broker " + std::to_string(id)};
  return brokers_[id - 1]->Start();
}

Status BenchCluster::StartNode(NodeId id) {
  if (layout_.node(id) == nullptr) return Error{ErrorKind::kInternal, "no node " + std::to_string(id)};
  ForgetNode(id);
  const launcher::PartId node = launcher::PartId::Node(id);
  auto child = std::make_unique<launcher::ChildProcess>(layout_.Argv(node), layout_.LogPath(node));
  Status started = child->Start();
  nodes_[id] = std::move(child);
  return started;
}

void BenchCluster::KillNode(NodeId id) {
  if (auto it = nodes_.find(id); it != nodes_.end()) it->second->Kill();
}

void BenchCluster::StopAll() {
  for (auto& [id, node] : nodes_) node->Stop(kStopGrace);
  for (auto& broker : brokers_) broker->Stop(kStopGrace);
}

pid_t BenchCluster::node_pid(NodeId id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? -1 : it->second->pid();
}

bool BenchCluster::node_running(NodeId id) {
  auto it = nodes_.find(id);
  return it != nodes_.end() && it->second->running();
}

void BenchCluster::ForgetNode(NodeId id) { seen_.erase(id); }

void BenchCluster::Pump(std::chrono::milliseconds wait) {
  if (!bus_) {
    std::this_thread::sleep_for(wait);
    return;
  }
  const auto deadline = Clock::now() + wait;
  zmq::message_t frame;
  while (true) {
    while (bus_->recv(frame, zmq::recv_flags::dontwait)) {
      if (frame.size() > kLargestHeartbeatFrame) continue;
      Result<PeerMessage> message = DecodePeerMessage(std::string_view(frame.data<char>(), frame.size()));
      if (!message.ok() || !std::holds_alternative<Heartbeat>(message.value())) continue;
      const Heartbeat& heartbeat = std::get<Heartbeat>(message.value());
      const auto now = Clock::now();
      auto [it, inserted] = seen_.try_emplace(heartbeat.from, NodeSeen{heartbeat, now, now});
      it->second.heartbeat = heartbeat;
      it->second.heard = now;
      highest_term_ = std::max(highest_term_, heartbeat.term);
    }
    const auto now = Clock::now();
    if (now >= deadline) return;
    zmq::pollitem_t items[] = {{bus_->handle(), 0, ZMQ_POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1);
    zmq::poll(items, 1, left);
  }
}

bool BenchCluster::WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    Pump(std::chrono::milliseconds(5));
  }
}

std::optional<NodeSeen> BenchCluster::seen(NodeId id) const {
  auto it = seen_.find(id);
  if (it == seen_.end()) return std::nullopt;
  const auto window = layout_.LivenessWindow();
  if (Clock::now() - it->second.heard > window) return std::nullopt;
  return it->second;
}

NodeId BenchCluster::primary() const {
  NodeId best = kNoNode;
  uint64_t best_term = 0;
  for (const auto& [id, node] : seen_) {
    if (!seen(id) || node.heartbeat.role != Role::kPrimary) continue;
    if (best == kNoNode || node.heartbeat.term > best_term) {
      best = id;
      best_term = node.heartbeat.term;
    }
  }
  return best;
}

uint64_t BenchCluster::highest_term() const { return highest_term_; }

bool BenchCluster::AllInSync(uint64_t min_seq) const {
  const NodeId leader = primary();
  if (leader == kNoNode) return false;
  const uint64_t term = seen_.at(leader).heartbeat.term;
  for (NodeId id = 1; id <= static_cast<NodeId>(options_.node_count); ++id) {
    if (id == leader) continue;
    std::optional<NodeSeen> node = seen(id);
    if (!node) return false;
    const Heartbeat& h = node->heartbeat;
    if (h.role != Role::kBackup || h.term != term || h.primary_id != leader || h.last.seq < min_seq) return false;
  }
  return true;
}

std::string BenchCluster::DescribeView() const {
  std::string text;
  for (const auto& [id, node] : seen_) {
    const Heartbeat& h = node.heartbeat;
    text += (text.empty() ? "" : "; ") + std::to_string(id) + ":" + std::string(RoleName(h.role)) + " t" +
            std::to_string(h.term) + " @" + Describe(h.last) + (seen(id) ? "" : " (silent)");
  }
  return text.empty() ? "no heartbeat heard" : text;
}

}  // namespace ts::bench
