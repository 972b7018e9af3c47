// A tuplestar cluster of real processes for the failover benchmark: B
// tsbrokers (2 by default, as ./run.sh up starts) and N tsnode children on free loopback ports, logs in a work
// directory (their command lines from a launcher::ClusterLayout, started as
// launcher::ChildProcess: the launcher's and the tests' own), and a SUB
// socket on every node's bus that reads their heartbeats
// (id, role, term, applied position), so the benchmark sees who is primary
// and who is in sync as the nodes themselves say it.
//
// Contract: nodes are started, killed (SIGKILL) and restarted by id with the
// same flags (a restarted node starts empty and resynchronises). Pump(wait)
// reads heartbeats for at most `wait`; WaitFor pumps until a condition holds
// or its deadline passes (every wait is bounded). Ports are drawn once; a port
// taken meanwhile makes Start fail with the broker's or node's log named.
// Not thread-safe: the benchmark's main thread drives it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bench/bench_process.h"
#include "launcher/child_process.h"
#include "launcher/cluster_layout.h"
#include "schema/cluster_messages.h"

namespace ts::bench {

struct BenchClusterOptions {
  std::string tsbroker;  // binary paths
  std::string tsnode;
  std::string work_dir;  // logs go here
  int node_count = 3;
  int broker_count = 2;  // the launcher's default pair; client_endpoint() lists them all
  int heartbeat_ms = 100;
  int liveness = 3;
  size_t min_acks = 1;
  size_t max_clients = 64;
};

struct NodeSeen {
  cluster::Heartbeat heartbeat;
  std::chrono::steady_clock::time_point heard;
  std::chrono::steady_clock::time_point first_heard;  // since its last (re)start
};

class BenchCluster {
 public:
  using Clock = std::chrono::steady_clock;

  explicit BenchCluster(BenchClusterOptions options);
  ~BenchCluster();

  // Draws ports and starts every broker (nodes are started one by one).
  Status StartBroker();
  void KillBroker(uint32_t id);       // SIGKILL, reaped
  Status RestartBroker(uint32_t id);  // same flags, as the supervisor does
  Status StartNode(cluster::NodeId id);
  void KillNode(cluster::NodeId id);
  void StopAll();

  std::string client_endpoint() const;
  pid_t node_pid(cluster::NodeId id) const;
  bool node_running(cluster::NodeId id);

  // Reads bus frames for at most `wait`.
  void Pump(std::chrono::milliseconds wait);
  bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

  // From the heartbeats heard within the liveness window:
  std::optional<NodeSeen> seen(cluster::NodeId id) const;  // only when live
  cluster::NodeId primary() const;  // the live node saying it is primary in the highest term
  uint64_t highest_term() const;   // over every heartbeat ever heard
  // Every configured node is live; one is primary; every other one is a
  // backup of it (not syncing) whose applied seq has reached `min_seq`.
  bool AllInSync(uint64_t min_seq = 0) const;
  void ForgetNode(cluster::NodeId id);  // after a kill: its old heartbeats no longer count

  const BenchClusterOptions& options() const { return options_; }
  std::string DescribeView() const;  // one line, for logs

 private:
  BenchClusterOptions options_;
  launcher::ClusterLayout layout_;  // drawn by StartBroker
  std::vector<std::unique_ptr<launcher::ChildProcess>> brokers_;  // index = broker id - 1
  std::map<cluster::NodeId, std::unique_ptr<launcher::ChildProcess>> nodes_;
  zmq::context_t context_{1};
  std::optional<zmq::socket_t> bus_;
  std::map<cluster::NodeId, NodeSeen> seen_;
  uint64_t highest_term_ = 0;
};

}  // namespace ts::bench
