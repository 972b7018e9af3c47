#include "tests/integration/cluster_fixture.h"

#include <algorithm>

#include "launcher/cluster_keys_use.h"

#include <signal.h>

#include <exception>
#include <iostream>

#include "nodes/space/persistence.h"
#include "nodes/space/space.h"

namespace ts::itest {

using testing::BinaryPath;
using testing::TailLines;
using testing::WaitUntil;

namespace {

// A start whose process exits at once (a port taken between choosing and
// binding it) is tried again on fresh ports, this many times in all.
constexpr int kStartAttempts = 3;
// Probing requests give up quickly so a wait loop can look again.
constexpr Millis kProbeRequestTimeout{2'000};
// How many log lines of each process a failed test prints.
constexpr size_t kLogLinesOnFailure = 150;

ClientOptions ProbeOptions() {
  ClientOptions options;
  options.request_timeout = kProbeRequestTimeout;
  options.retries = 0;
  return options;
}

std::string Number(int64_t value) { return std::to_string(value); }

}  // namespace

ClientOptions PatientClientOptions() {
  ClientOptions options;
  options.request_timeout = Millis(8'000);
  options.retries = 2;
  return options;
}

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {}

Cluster::~Cluster() {
  if (std::uncaught_exceptions() > 0 || FailedAssertionsInCurrentTest() > 0) {
    DumpLogs(std::cout, kLogLinesOnFailure);
  }
  StopAll();
}

launcher::ClusterLayout Cluster::Layout() const {
  Result<launcher::ClusterLayout> free = launcher::ClusterLayout::OnFreePorts(options_.node_count, options_.broker_count);
  if (!free.ok()) throw std::runtime_error("no free ports: " + free.error().message);
  launcher::ClusterLayout layout = free.value();
  layout.tsbroker = BinaryPath("brokers/tsbroker");
  layout.tsnode = BinaryPath("nodes/tsnode");
  layout.data_dir = dir_.path().string();
  layout.log_dir = dir_.path().string();
  layout.heartbeat = options_.heartbeat;
  layout.liveness = options_.liveness;
  layout.save_files = options_.save_files;
  layout.node_data_dirs = options_.data_dirs;
  layout.min_acks = options_.min_acks;
  layout.broker_timeout = options_.broker_timeout;
  layout.max_clients = options_.max_clients;
  layout.hold = options_.hold;
  layout.client_idle = options_.client_idle;
  layout.log_level = options_.log_level;
  if (options_.curve) {
    Result<std::string> keys = launcher::EnsureLayoutKeys(dir_.path().string(), layout);
    if (!keys.ok()) throw std::runtime_error("cannot make the cluster's keys: " + keys.error().message);
  }
  return layout;
}

bool Cluster::Start() {
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    StopAll();
    layout_ = Layout();
    Result<std::optional<ClientCurve>> curve = launcher::LauncherCurve(layout_, security::KeyRole::kClient);
    if (!curve.ok()) throw std::runtime_error("the cluster's client key: " + curve.error().message);
    client_curve_ = curve.value();
    auto start = [&](launcher::PartId part) {
      auto load = options_.load_files.find(part.node);
      std::vector<std::string> argv =
          layout_.Argv(part, part.is_broker() || load == options_.load_files.end() ? "" : load->second);
      const std::string binary = argv.front();
      argv.erase(argv.begin());
      return std::make_unique<ChildProcess>(binary, argv, layout_.LogPath(part));
    };
    for (const launcher::BrokerSpec& broker : layout_.brokers) brokers_.push_back(start(launcher::PartId::Broker(broker.id)));
    for (const launcher::NodeSpec& node : layout_.nodes) nodes_[node.id] = start(launcher::PartId::Node(node.id));
    if (WaitWritesAcknowledged(kStartTimeout)) return true;
    bool someone_exited = false;
    for (auto& broker : brokers_) someone_exited = someone_exited || !broker->running();
    for (auto& [id, node] : nodes_) someone_exited = someone_exited || !node->running();
    if (!someone_exited) {
      last_error_ = "no write was acknowledged within " + Number(kStartTimeout.count()) + " ms";
      return false;
    }
    last_error_ = "a process exited during start (attempt " + Number(attempt) + ")";
  }
  return false;
}

bool Cluster::WaitWritesAcknowledged(Millis timeout) {
  Client client(client_endpoint(), WithKeys(ProbeOptions()));
  return WaitUntil(
      [&] {
        for (auto& broker : brokers_) {
          if (!broker->running()) return true;  // checked by the caller
        }
        for (auto& [id, node] : nodes_) {
          if (!node->running()) return true;
        }
        Result<Reply> put = client.Put({Pair{{"fixture", "ready"}, {"1"}}});
        if (!put.ok() || !put.value().ok()) return false;
        Result<Reply> erase = client.Delete("fixture,ready", ".*");
        return erase.ok() && erase.value().ok();
      },
      timeout) &&
         std::all_of(brokers_.begin(), brokers_.end(), [](const auto& broker) { return broker->running(); });
}

void Cluster::StopAll() {
  for (auto& [id, node] : nodes_) node.reset();  // SIGKILL and reap
  nodes_.clear();
  brokers_.clear();
}

std::string Cluster::client_endpoint() const { return layout_.ClientEndpoints(); }
std::string Cluster::shutdown_endpoint() const { return layout_.ShutdownEndpoints(); }
Client Cluster::NewClient(ClientOptions options) const { return Client(client_endpoint(), WithKeys(options)); }

ClientOptions Cluster::WithKeys(ClientOptions options) const {
  if (!options.curve) options.curve = client_curve_;
  return options;
}

std::string Cluster::save_path(uint32_t id) const { return dir_ / ("node-" + Number(id) + ".snapshot"); }

std::string Cluster::data_dir(uint32_t id) const { return dir_ / ("node-" + Number(id) + ".data"); }

std::vector<uint32_t> Cluster::node_ids() const {
  std::vector<uint32_t> ids;
  for (const auto& [id, unused] : nodes_) ids.push_back(id);
  return ids;
}

std::optional<ClusterView> Cluster::Status() const {
  Result<ClusterView> view = launcher::ProbeStatus(client_endpoint(), kProbeRequestTimeout, client_curve_);
  if (!view.ok()) return std::nullopt;
  return view.value();
}

std::optional<PrimaryView> Cluster::WaitForPrimary(Millis timeout, uint32_t not_this) const {
  Client client(client_endpoint(), WithKeys(ProbeOptions()));
  std::optional<PrimaryView> found;
  WaitUntil(
      [&] {
        Result<Reply> reply = client.Get("fixture,probe", ".*");
        if (!reply.ok()) {
          last_error_ = "probe GET: " + reply.error().message;
          return false;
        }
        if (!reply.value().ok()) {
          last_error_ = "probe GET answered by node " + Number(reply.value().served_by) + ": " +
                        std::string(ErrorKindName(reply.value().error->kind)) + ": " + reply.value().error->message;
          return false;
        }
        if (reply.value().served_by == 0 || reply.value().served_by == not_this) {
          last_error_ = "probe GET served by node " + Number(reply.value().served_by);
          return false;
        }
        found = PrimaryView{reply.value().served_by, reply.value().term};
        return true;
      },
      timeout);
  return found;
}

bool Cluster::WaitCaughtUp(uint32_t id, Millis timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
  };
  std::optional<uint64_t> target;
  WaitUntil(
      [&] {
        std::optional<ClusterView> view = Status();
        if (!view || view->primary == 0 || view->primary == id) return false;
        auto primary = view->nodes.find(view->primary);
        if (primary == view->nodes.end()) return false;
        target = primary->second.applied();
        return target.has_value();
      },
      left());
  if (!target) return false;
  return WaitUntil(
      [&] {
        std::optional<ClusterView> view = Status();
        if (!view) return false;
        auto node = view->nodes.find(id);
        if (node == view->nodes.end()) return false;
        std::optional<uint64_t> applied = node->second.applied();
        return node->second.live() && node->second.field("role") == "backup" && applied &&
               *applied >= *target;
      },
      left());
}

bool Cluster::WaitAllLive(Millis timeout) const {
  return WaitUntil(
      [&] {
        std::optional<ClusterView> view = Status();
        if (!view) return false;
        for (const auto& [id, node] : nodes_) {
          if (!node->running()) continue;
          auto seen = view->nodes.find(id);
          if (seen == view->nodes.end() || !seen->second.live()) return false;
        }
        return true;
      },
      timeout);
}

void Cluster::Kill(uint32_t id) {
  ChildProcess& process = node(id);
  process.Signal(SIGKILL);
  if (!process.Wait(kProcessExitTimeout)) throw std::runtime_error("node " + Number(id) + " survived SIGKILL");
}

std::optional<int> Cluster::Terminate(uint32_t id, Millis timeout) {
  ChildProcess& process = node(id);
  process.Signal(SIGTERM);
  return process.Wait(timeout);
}

void Cluster::Restart(uint32_t id) {
  ChildProcess& process = node(id);
  if (process.running()) throw std::runtime_error("node " + Number(id) + " is still running");
  process.Start();
}

void Cluster::DumpLogs(std::ostream& out, size_t lines) const {
  auto dump = [&](const std::string& name, const ChildProcess* process) {
    if (process == nullptr) return;
    out << "----- " << name << " (" << process->log_path() << "), last " << lines << " lines -----\n"
        << TailLines(process->log(), lines) << "\n";
  };
  for (size_t b = 0; b < brokers_.size(); ++b) dump("tsbroker " + Number(static_cast<int64_t>(b + 1)), brokers_[b].get());
  for (const auto& [id, node] : nodes_) dump("tsnode " + Number(id), node.get());
  out << std::flush;
}

Result<std::map<std::string, std::string>> ReadSnapshot(const std::string& path) {
  TupleSpace space;
  Status loaded = LoadSpace(path, &space);
  if (!loaded.ok()) return loaded.error();
  std::map<std::string, std::string> pairs;
  for (const auto& [key, value] : space.pairs()) pairs.emplace(key, value);
  return pairs;
}

Result<std::map<std::string, std::string>> ReadAll(Client& client, const std::string& key_pattern) {
  Result<Reply> reply = client.Get(key_pattern, ".*");
  if (!reply.ok()) return reply.error();
  if (!reply.value().ok()) return *reply.value().error;
  std::map<std::string, std::string> pairs;
  for (const Pair& pair : reply.value().pairs) pairs[TupleText(pair.key)] = TupleText(pair.value);
  return pairs;
}

}  // namespace ts::itest
