// A cluster whose every part runs in a network namespace of its own
// (netns.h): a ClusterLayout with each part's host = its namespace's
// address, the processes (ChildProcess, started with `ip netns exec NS
// tsnode ...` from layout.Argv), CURVE keys in DIR/keys (or --insecure), and
// what the nemesis needs: kill, pause, resume, restart on the same data
// directory, and who the primary is (the broker's STATUS, asked from the root
// namespace like any client).
//
// Parts are named as in the nemesis plan: "b1" the broker, "n1".."nN" the
// nodes. The brokers are a list (one today) so that a broker pair is a
// change of the layout, not of this class. The destructor kills every part
// and removes the namespaces. Not thread-safe; start it from the main thread
// (ChildProcess's die-with-parent).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clients/client_transport.h"
#include "common/status.h"
#include "launcher/child_process.h"
#include "launcher/cluster_layout.h"
#include "launcher/cluster_status.h"
#include "launcher/chaos/netns.h"
#include "launcher/chaos/nemesis_plan.h"

namespace ts::launcher::chaos {

using Millis = std::chrono::milliseconds;

struct NetnsClusterLimits {
  static constexpr int kPortBase = 7100;                // inside each namespace: nothing else listens there
  static constexpr Millis kHeartbeat{100};              // tsnode --heartbeat-ms
  static constexpr int kLiveness = 3;                   // tsnode --liveness
  static constexpr Millis kProbeTimeout{500};           // one STATUS request
  static constexpr Millis kReadyPollInterval{100};      // between STATUS requests while waiting
  static constexpr Millis kStopGrace{3'000};            // SIGTERM, then SIGKILL
};

struct NetnsClusterOptions {
  std::string run;        // netns.h run name (1-4 letters or digits)
  std::string dir;        // data/, logs/, keys/ go here
  std::string build_dir;  // BUILD/nodes/tsnode, BUILD/brokers/tsbroker
  int nodes = 3;
  int brokers = 2;  // a broker pair, as ./run.sh up starts
  bool insecure = false;                     // every part --insecure (else CURVE, DIR/keys)
  std::vector<std::string> extra_node_args;  // e.g. --unsafe-ack-before-replication (tschaos --unsafe)
  // TEST ONLY (tschaos --unsafe): nodes without a data directory, the first
  // wave's in-memory nodes, so a crash of every node loses what was acknowledged.
  bool in_memory_nodes = false;
};

class NetnsCluster {
 public:
  static Result<std::unique_ptr<NetnsCluster>> Create(const NetnsClusterOptions& options);
  ~NetnsCluster();
  NetnsCluster(const NetnsCluster&) = delete;
  NetnsCluster& operator=(const NetnsCluster&) = delete;

  const ClusterLayout& layout() const { return layout_; }
  NetnsNetwork& network() { return *network_; }
  PlanShape Shape() const;  // the part names for the nemesis plan
  std::vector<std::string> parts() const;

  Status StartAll();
  Status Start(const std::string& part);  // again, with the same argv (same data directory)
  void Kill(const std::string& part);     // SIGKILL and reap (SIGCONT first is not needed)
  void Pause(const std::string& part);    // SIGSTOP
  void Resume(const std::string& part);   // SIGCONT
  bool Running(const std::string& part);
  bool Paused(const std::string& part) const { return paused_.count(part) > 0; }
  // Every part: resumed, and started again when it is not running. The
  // first error, if any (the others are still tried).
  Status ReviveAll();
  void StopAll();  // SIGCONT, SIGTERM, up to kStopGrace, SIGKILL
  int restarts() const { return restarts_; }

  // The primary's part name as the broker reports it; "" when none (or no answer).
  std::string PrimaryPart();
  // Until a primary serves and every node is live, up to `timeout`: true
  // when it came; `last_seen` gets the last status or error for the report.
  bool WaitServing(Millis timeout, std::string* last_seen = nullptr);

  // For the history clients and tsctl, from the root namespace.
  std::vector<std::string> ClientEndpoints() const;
  std::string ClientKeyBase() const;    // "" with --insecure
  std::string ServerKeyPath() const;    // the broker's public key; "" with --insecure
  std::vector<std::string> BrokerLogs() const;
  Result<ClusterStatus> Probe() const;  // the status of the first broker that names a primary
  std::string LogPath(const std::string& part) const;

 private:
  NetnsCluster() = default;
  PartId Id(const std::string& part) const;

  ClusterLayout layout_;
  std::unique_ptr<NetnsNetwork> network_;
  std::map<std::string, ChildProcess> processes_;
  std::map<std::string, bool> paused_;
  std::optional<ClientCurve> curve_;
  std::string dir_;
  int restarts_ = 0;
};

// "b1" <-> PartId::Broker(), "n2" <-> PartId::Node(2).
std::string PartName(PartId part);

}  // namespace ts::launcher::chaos
