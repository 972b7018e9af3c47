// The cluster description file: one JSON file that says what a tuplestar
// cluster is made of (its brokers and nodes, the host each runs on, every
// endpoint each binds or connects to, the nodes' data directories, the keys
// folder, the timeouts), so that the same file copied to several machines
// runs one cluster. tsnode/tsbroker --cluster FILE --id N, tsctl --cluster
// FILE and tscluster up --cluster FILE --host NAME all read it; the launcher
// writes one (DIR/cluster.json) for every cluster it starts. The format is
// docs/OPERATIONS.md "The cluster file"; docs/examples/cluster-3hosts.json is
// a full example.
//
// Parsing is pure (text in, a validated ClusterFile or an error out; no
// sockets, no clock). An error names the field and the entry, as
// "nodes[2].bus: 'udp://x:1' is not a tcp:// endpoint"; unknown fields are
// errors too (a typo must not silently fall back to a default). The cluster's
// size is the number of nodes in the file. Fields left out are unset
// (std::nullopt): the binaries' own defaults then apply.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace ts::cluster_file {

using Millis = std::chrono::milliseconds;

// "tcp://HOST:PORT" as written; host and port split out.
struct TcpEndpoint {
  std::string host;
  int port = 0;
  std::string Tcp() const { return "tcp://" + host + ":" + std::to_string(port); }
  std::string HostPort() const { return host + ":" + std::to_string(port); }
  friend bool operator==(const TcpEndpoint&, const TcpEndpoint&) = default;
};
// The error says what is wrong with `text` (without naming the field).
Result<TcpEndpoint> ParseTcpEndpoint(const std::string& text);

struct BrokerEntry {
  uint32_t id = 0;   // 1..B in order
  std::string host;  // the machine it runs on (tscluster --host NAME)
  TcpEndpoint clients, nodes, shutdown;  // bound by the broker; clients / nodes / admins connect
  std::optional<TcpEndpoint> metrics;    // HTTP /metrics (bound); none: off
  friend bool operator==(const BrokerEntry&, const BrokerEntry&) = default;
};

struct NodeEntry {
  uint32_t id = 0;  // 1..N in order
  std::string host;
  TcpEndpoint bus, transfer;  // bound by the node; every other node connects to both
  std::optional<TcpEndpoint> metrics;
  std::optional<std::string> data_dir;  // tsnode --data-dir (its durable log); none: in memory
  std::optional<std::string> save;      // tsnode --save (an export at shutdown); none: no export
  friend bool operator==(const NodeEntry&, const NodeEntry&) = default;
};

// Timeouts and limits; each unset one is the binary's default.
struct Timing {
  std::optional<Millis> heartbeat;        // tsnode --heartbeat-ms
  std::optional<int> liveness;            // tsnode --liveness (heartbeats); the broker uses heartbeat x liveness
  std::optional<Millis> broker_timeout;   // tsnode --broker-timeout-ms (0: wait forever)
  std::optional<Millis> hold;             // tsbroker --hold-ms
  std::optional<Millis> client_idle;      // tsbroker --client-idle-ms
  std::optional<Millis> shutdown_grace;   // tsbroker --shutdown-grace-ms
  std::optional<size_t> min_acks;         // tsnode --min-acks
  std::optional<size_t> max_clients;      // tsbroker --max-clients
  friend bool operator==(const Timing&, const Timing&) = default;
};

struct ClusterFile {
  std::vector<BrokerEntry> brokers;  // at least one
  std::vector<NodeEntry> nodes;      // at least one; the cluster's size
  // Security: exactly one of keys_dir (every part's --keys: the folder
  // `tskeys cluster` or `./run.sh up` made, copied to each host) and insecure.
  std::optional<std::string> keys_dir;
  bool insecure = false;
  bool clients_open = false;              // tsbroker --clients-open
  std::optional<std::string> client_key;  // tsctl --key BASE; default keys_dir/clients/client
  std::optional<std::string> sync;        // tsnode --sync always|none
  std::optional<std::string> log_level;   // every part's --log-level
  Timing timing;

  size_t cluster_size() const { return nodes.size(); }
  const BrokerEntry* broker(uint32_t id) const;  // nullptr when there is none
  const NodeEntry* node(uint32_t id) const;
  // Every broker's endpoint of one kind, broker 1 first, as a comma list.
  std::string ClientEndpoints() const;
  std::string NodeEndpoints() const;
  std::string ShutdownEndpoints() const;
  // tsctl's client key BASE: client_key, else keys_dir/clients/client; none when insecure.
  std::optional<std::string> ClientKeyBase() const;
  // The broker liveness window, heartbeat x liveness, when both are set.
  std::optional<Millis> LivenessWindow() const;
  // The hosts named, in order of first appearance.
  std::vector<std::string> Hosts() const;

  friend bool operator==(const ClusterFile&, const ClusterFile&) = default;
};

// `text` is the file's contents; `source` names it in errors ("FILE: ...").
Result<ClusterFile> ParseClusterFile(const std::string& text, const std::string& source = "cluster file");
// Reads and parses `path`; the error names the path.
Result<ClusterFile> LoadClusterFile(const std::string& path);
// The JSON text of a file (pretty, 2 spaces); ParseClusterFile reads it back as equal.
std::string FormatClusterFile(const ClusterFile& file);
// Writes `path` whole (temp file, rename).
Status WriteClusterFile(const std::string& path, const ClusterFile& file);

}  // namespace ts::cluster_file
