// One description of a cluster: its broker and nodes, their ids and
// endpoints, where their files go, their timing, and from that the command
// line of tsbroker and of each tsnode. The launcher, the integration tests
// and the benchmarks all start their clusters from a ClusterLayout, so the
// flags, the port layout and the rule "broker liveness = heartbeat x
// liveness" are written here only.
//
// A layout is plain data: FromPortBase lays the ports out from a base (the
// launcher's rule, below), OnFreePorts draws each port from the kernel (tests
// and benchmarks, side by side on one machine). ToJson/LayoutFromJson write
// and read it (the launcher keeps it in DIR/run/cluster.json; a cluster file
// naming several hosts can be the same form). Optional flags that are unset
// stay off the command line, so the binaries' own defaults apply.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace ts::launcher {

using Millis = std::chrono::milliseconds;

// Ports from a base B: broker 1's clients B, nodes B+1, shutdown B+2; broker
// 2's B+3..B+5, broker 3's B+6..B+8; node i's bus B+10+2i and transfer
// B+11+2i (node 1: B+12, B+13). The nodes' ports lie above every broker's.
struct PortLayout {
  static constexpr int kBrokerClients = 0;
  static constexpr int kBrokerNodes = 1;
  static constexpr int kBrokerShutdown = 2;
  static constexpr int kPortsPerBroker = 3;
  static constexpr int kMaxBrokers = 3;
  static int BrokerPort(uint32_t broker, int which) {
    return which + kPortsPerBroker * (static_cast<int>(broker) - 1);
  }
  static int NodeBus(uint32_t id) { return 10 + 2 * static_cast<int>(id); }
  static int NodeTransfer(uint32_t id) { return 11 + 2 * static_cast<int>(id); }
  // Metrics (HTTP, Prometheus): broker b's B+99+b (B+100..B+109 are the
  // brokers'), node i's B+110+i (node 1: B+111).
  static int BrokerMetrics(uint32_t broker) { return 99 + static_cast<int>(broker); }
  static int NodeMetrics(uint32_t id) { return 110 + static_cast<int>(id); }
  // The highest port a cluster of `node_count` nodes uses, above its base.
  static int Span(int node_count) {
    const auto last = static_cast<uint32_t>(node_count);
    return NodeMetrics(last) > NodeTransfer(last) ? NodeMetrics(last) : NodeTransfer(last);
  }
};

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string Tcp() const { return "tcp://" + host + ":" + std::to_string(port); }
  std::string HostPort() const { return host + ":" + std::to_string(port); }  // --metrics takes this
};
// "tcp://HOST:PORT" -> Endpoint; the error says what is wrong with `text`.
Result<Endpoint> ParseEndpoint(const std::string& text);

// A part of a cluster: broker `broker` (node 0), or node `node`. Broker 1
// keeps the names it had when a cluster had one broker ("broker",
// broker.log); broker k > 1 is "broker<k>".
struct PartId {
  uint32_t node = 0;    // 0: a broker
  uint32_t broker = 0;  // which broker (1..B) when node is 0; 0 for a node
  static PartId Broker(uint32_t id = 1) { return PartId{0, id}; }
  static PartId Node(uint32_t id) { return PartId{id, 0}; }
  bool is_broker() const { return node == 0; }
  std::string Name() const;   // "broker", "broker2", "node-2": its files' names
  std::string Label() const;  // "broker", "broker 2", "node 2": what messages call it
  std::string Word() const;   // "broker", "broker2", "2": what a command takes
  std::string Binary() const; // "tsbroker", "tsnode"
  friend bool operator==(const PartId&, const PartId&) = default;
  friend auto operator<=>(const PartId&, const PartId&) = default;
};

// Where a part runs, for a layout that stands for a cluster file naming no
// machines (./run.sh up on one machine).
inline constexpr const char* kLocalHost = "local";

struct BrokerSpec {
  uint32_t id = 1;  // 1..B; every broker presents the service's key, keys/brokers/broker-1
  std::string host = kLocalHost;  // the machine it runs on (the cluster file's "host")
  Endpoint clients, nodes, shutdown;
  std::optional<Endpoint> metrics;  // tsbroker --metrics (HTTP); none: off
};

struct NodeSpec {
  uint32_t id = 0;
  std::string host = kLocalHost;
  Endpoint bus, transfer;
  std::optional<Endpoint> metrics;  // tsnode --metrics (HTTP); none: off
  // From a cluster file: this node's own --data-dir / --save, in place of
  // the layout's data_dir/node-<id>.data and .snapshot.
  std::optional<std::string> data_dir, save;
};

struct ClusterLayout {
  int port_base = 0;  // 0: the ports were not laid out from a base
  std::vector<BrokerSpec> brokers;  // ids 1..B, in order; every node connects to each
  std::vector<NodeSpec> nodes;  // ids 1..N, in order

  std::string tsbroker = "tsbroker";  // the binaries' paths
  std::string tsnode = "tsnode";
  std::string data_dir = ".";  // node <id> saves data_dir/node-<id>.snapshot (when save_files)
  std::string log_dir = ".";   // <part>.log

  // Failure detection: nodes heartbeat every `heartbeat` and call a peer dead
  // after `liveness` silent heartbeats; the broker uses the same window.
  Millis heartbeat{100};
  int liveness = 3;

  bool save_files = true;                  // tsnode --save
  bool node_data_dirs = false;             // tsnode --data-dir data_dir/node-<id>.data (the durable log)
  std::optional<std::string> sync;         // tsnode --sync always|none (with node_data_dirs)
  std::optional<size_t> min_acks;          // tsnode --min-acks
  std::optional<Millis> broker_timeout;    // tsnode --broker-timeout-ms
  std::optional<size_t> max_clients;       // tsbroker --max-clients
  std::optional<Millis> hold;              // tsbroker --hold-ms
  std::optional<Millis> client_idle;       // tsbroker --client-idle-ms
  std::optional<Millis> shutdown_grace;    // tsbroker --shutdown-grace-ms
  std::optional<std::string> log_level;    // both --log-level
  // Security: the cluster's keys folder (DIR/keys) for every part's --keys;
  // none: every part runs --insecure (tests not about security).
  std::optional<std::string> keys_dir;
  bool clients_open = false;               // tsbroker --clients-open (with keys_dir)

  // The cluster file every part starts from (tsnode/tsbroker --cluster FILE
  // --id N), written from this layout (ToClusterFile); none: every part gets
  // the flags themselves (the integration tests and the benchmarks).
  std::optional<std::string> cluster_file;
  // Only the parts on this host run here (tscluster up --host NAME); none: all.
  std::optional<std::string> local_host;

  // Nodes 1..node_count and brokers 1..broker_count (at most
  // PortLayout::kMaxBrokers) on loopback, ports from `base` (PortLayout).
  static ClusterLayout FromPortBase(int base, int node_count, int broker_count = 1);
  // Nodes 1..node_count and brokers 1..broker_count on loopback, every port a FreeTcpPort.
  static Result<ClusterLayout> OnFreePorts(int node_count, int broker_count = 1, bool metrics = false);

  // How long a silent node still counts as live: heartbeat x liveness. The
  // nodes use it (their flags), the broker too (its --primary-liveness-ms),
  // so that the broker and the nodes call a primary dead alike; so does any
  // observer of the heartbeats (the failover benchmark).
  Millis LivenessWindow() const { return heartbeat * liveness; }

  int node_count() const { return static_cast<int>(nodes.size()); }
  int broker_count() const { return static_cast<int>(brokers.size()); }
  const NodeSpec* node(uint32_t id) const;  // nullptr when there is none
  const BrokerSpec* broker(uint32_t id) const;  // nullptr when there is none
  // The parts this launcher runs (those of local_host, when set), and all of them.
  std::vector<PartId> parts() const;        // brokers 1..B, then nodes 1..N
  std::vector<PartId> all_parts() const;
  bool IsLocal(PartId part) const;
  // Every broker's client (shutdown, node) endpoint, broker 1 first, as one
  // comma list: what a client (tsctl --broker, tsbench) or a node takes.
  std::string ClientEndpoints() const;
  std::string ShutdownEndpoints() const;
  std::string NodeEndpoints() const;
  std::string SavePath(uint32_t id) const;  // the node's own save, else data_dir/node-<id>.snapshot
  std::string NodeDataDir(uint32_t id) const;  // the node's own data_dir, else data_dir/node-<id>.data
  std::string LogPath(PartId part) const;   // log_dir/<part>.log

  // With cluster_file: BINARY --cluster FILE --id N (and --load); else every flag.
  std::vector<std::string> BrokerArgv(uint32_t broker_id = 1) const;
  // `load_file`: tsnode --load (empty: none).
  std::vector<std::string> NodeArgv(uint32_t id, const std::string& load_file = "") const;
  std::vector<std::string> Argv(PartId part, const std::string& load_file = "") const;
  // --keys keys_dir (and the broker's --clients-open), or --insecure.
  void AppendSecurityArgs(std::vector<std::string>& argv, bool is_broker) const;

  // Every port the parts() listen on, with what it is ("broker-clients",
  // "node-2-bus", ...), in the order of parts().
  std::vector<std::pair<int, std::string>> ListeningPorts() const;
  // The metrics (HTTP) ports: ("broker-metrics", "broker2-metrics", "node-2-metrics", ...).
  std::vector<std::pair<int, std::string>> MetricsPorts() const;
};

// JSON: "brokers" is a list of {"id", "clients", "nodes", "shutdown"}; "broker"
// (broker 1 alone) is written too, for readers from before the pair, and a
// file with only "broker" reads as one broker.
nlohmann::json ToJson(const ClusterLayout& layout);
// The error names the field that is missing or wrong.
Result<ClusterLayout> LayoutFromJson(const nlohmann::json& json);

}  // namespace ts::launcher
