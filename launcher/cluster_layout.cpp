#include "launcher/cluster_layout.h"

#include <algorithm>
#include <charconv>

#include "launcher/ports.h"

namespace ts::launcher {
namespace {

std::string Number(int64_t value) { return std::to_string(value); }

Error LayoutError(const std::string& message) { return Error{ErrorKind::kMalformedRequest, message}; }

}  // namespace

Result<Endpoint> ParseEndpoint(const std::string& text) {
  constexpr std::string_view kScheme = "tcp://";
  const size_t colon = text.rfind(':');
  if (text.rfind(kScheme, 0) != 0 || colon == std::string::npos || colon <= kScheme.size()) {
    return LayoutError("'" + text + "' is not an endpoint tcp://HOST:PORT");
  }
  Endpoint endpoint;
  endpoint.host = text.substr(kScheme.size(), colon - kScheme.size());
  const std::string port = text.substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || endpoint.port < 1 ||
      endpoint.port > 65535) {
    return LayoutError("'" + text + "': the port '" + port + "' is not a number from 1 to 65535");
  }
  return endpoint;
}

namespace {
std::string BrokerSuffix(uint32_t broker, const std::string& separator) {
  return broker <= 1 ? "" : separator + Number(broker);
}
}  // namespace

std::string PartId::Name() const { return is_broker() ? "broker" + BrokerSuffix(broker, "") : "node-" + Number(node); }
std::string PartId::Label() const {
  return is_broker() ? "broker" + BrokerSuffix(broker, " ") : "node " + Number(node);
}
std::string PartId::Word() const { return is_broker() ? "broker" + BrokerSuffix(broker, "") : Number(node); }
std::string PartId::Binary() const { return is_broker() ? "tsbroker" : "tsnode"; }

ClusterLayout ClusterLayout::FromPortBase(int base, int node_count, int broker_count) {
  ClusterLayout layout;
  layout.port_base = base;
  for (uint32_t b = 1; b <= static_cast<uint32_t>(std::clamp(broker_count, 1, PortLayout::kMaxBrokers)); ++b) {
    BrokerSpec broker;
    broker.id = b;
    broker.clients.port = base + PortLayout::BrokerPort(b, PortLayout::kBrokerClients);
    broker.nodes.port = base + PortLayout::BrokerPort(b, PortLayout::kBrokerNodes);
    broker.shutdown.port = base + PortLayout::BrokerPort(b, PortLayout::kBrokerShutdown);
    broker.metrics = Endpoint{"127.0.0.1", base + PortLayout::BrokerMetrics(b)};
    layout.brokers.push_back(broker);
  }
  for (uint32_t id = 1; id <= static_cast<uint32_t>(node_count); ++id) {
    NodeSpec node;
    node.id = id;
    node.bus.port = base + PortLayout::NodeBus(id);
    node.transfer.port = base + PortLayout::NodeTransfer(id);
    node.metrics = Endpoint{"127.0.0.1", base + PortLayout::NodeMetrics(id)};
    layout.nodes.push_back(node);
  }
  return layout;
}

Result<ClusterLayout> ClusterLayout::OnFreePorts(int node_count, int broker_count, bool metrics) {
  ClusterLayout layout;
  layout.brokers.resize(static_cast<size_t>(std::max(broker_count, 1)));
  std::vector<Endpoint*> endpoints;
  for (size_t b = 0; b < layout.brokers.size(); ++b) {
    BrokerSpec& broker = layout.brokers[b];
    broker.id = static_cast<uint32_t>(b + 1);
    endpoints.insert(endpoints.end(), {&broker.clients, &broker.nodes, &broker.shutdown});
    if (metrics) endpoints.push_back(&broker.metrics.emplace());
  }
  layout.nodes.resize(static_cast<size_t>(node_count));
  for (uint32_t id = 1; id <= static_cast<uint32_t>(node_count); ++id) {
    NodeSpec& node = layout.nodes[id - 1];
    node.id = id;
    endpoints.push_back(&node.bus);
    endpoints.push_back(&node.transfer);
    if (metrics) endpoints.push_back(&node.metrics.emplace());
  }
  for (Endpoint* endpoint : endpoints) {
    Result<int> port = FreeTcpPort();
    if (!port.ok()) return port.error();
    endpoint->port = port.value();
  }
  return layout;
}

const NodeSpec* ClusterLayout::node(uint32_t id) const {
  for (const NodeSpec& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

const BrokerSpec* ClusterLayout::broker(uint32_t id) const {
  for (const BrokerSpec& broker : brokers) {
    if (broker.id == id) return &broker;
  }
  return nullptr;
}

namespace {
std::string JoinedEndpoints(const std::vector<BrokerSpec>& brokers, Endpoint BrokerSpec::*which) {
  std::string joined;
  for (const BrokerSpec& broker : brokers) joined += (joined.empty() ? "" : ",") + (broker.*which).Tcp();
  return joined;
}
}  // namespace

std::string ClusterLayout::ClientEndpoints() const { return JoinedEndpoints(brokers, &BrokerSpec::clients); }
std::string ClusterLayout::ShutdownEndpoints() const { return JoinedEndpoints(brokers, &BrokerSpec::shutdown); }
std::string ClusterLayout::NodeEndpoints() const { return JoinedEndpoints(brokers, &BrokerSpec::nodes); }

std::vector<PartId> ClusterLayout::all_parts() const {
  std::vector<PartId> parts;
  for (const BrokerSpec& broker : brokers) parts.push_back(PartId::Broker(broker.id));
  for (const NodeSpec& node : nodes) parts.push_back(PartId::Node(node.id));
  return parts;
}

bool ClusterLayout::IsLocal(PartId part) const {
  if (!local_host) return true;
  if (part.is_broker()) return broker(part.broker) != nullptr && broker(part.broker)->host == *local_host;
  return node(part.node) != nullptr && node(part.node)->host == *local_host;
}

std::vector<PartId> ClusterLayout::parts() const {
  std::vector<PartId> parts;
  for (PartId part : all_parts()) {
    if (IsLocal(part)) parts.push_back(part);
  }
  return parts;
}

std::string ClusterLayout::SavePath(uint32_t id) const {
  const NodeSpec* spec = node(id);
  return spec != nullptr && spec->save ? *spec->save : data_dir + "/node-" + Number(id) + ".snapshot";
}
std::string ClusterLayout::NodeDataDir(uint32_t id) const {
  const NodeSpec* spec = node(id);
  return spec != nullptr && spec->data_dir ? *spec->data_dir : data_dir + "/node-" + Number(id) + ".data";
}
std::string ClusterLayout::LogPath(PartId part) const { return log_dir + "/" + part.Name() + ".log"; }

std::vector<std::string> ClusterLayout::BrokerArgv(uint32_t broker_id) const {
  const BrokerSpec* spec = this->broker(broker_id);
  if (spec == nullptr) return {};
  const BrokerSpec& broker = *spec;
  if (cluster_file) return {tsbroker, "--cluster", *cluster_file, "--id", Number(broker_id)};
  std::vector<std::string> argv = {tsbroker,
                                   "--clients", broker.clients.Tcp(),
                                   "--nodes", broker.nodes.Tcp(),
                                   "--shutdown", broker.shutdown.Tcp(),
                                   "--primary-liveness-ms", Number(LivenessWindow().count()),
                                   "--cluster-size", Number(node_count())};
  if (max_clients) argv.insert(argv.end(), {"--max-clients", Number(static_cast<int64_t>(*max_clients))});
  if (hold) argv.insert(argv.end(), {"--hold-ms", Number(hold->count())});
  if (client_idle) argv.insert(argv.end(), {"--client-idle-ms", Number(client_idle->count())});
  if (shutdown_grace) argv.insert(argv.end(), {"--shutdown-grace-ms", Number(shutdown_grace->count())});
  if (log_level) argv.insert(argv.end(), {"--log-level", *log_level});
  if (broker.metrics) argv.insert(argv.end(), {"--metrics", broker.metrics->HostPort()});
  AppendSecurityArgs(argv, /*broker=*/true);
  return argv;
}

std::vector<std::string> ClusterLayout::NodeArgv(uint32_t id, const std::string& load_file) const {
  const NodeSpec* self = node(id);
  if (self == nullptr) return {};
  if (cluster_file) {
    std::vector<std::string> argv = {tsnode, "--cluster", *cluster_file, "--id", Number(id)};
    if (!load_file.empty()) argv.insert(argv.end(), {"--load", load_file});
    return argv;
  }
  std::vector<std::string> argv = {tsnode,
                                   "--id", Number(id),
                                   "--bus", self->bus.Tcp(),
                                   "--transfer", self->transfer.Tcp(),
                                   "--broker", NodeEndpoints(),
                                   "--heartbeat-ms", Number(heartbeat.count()),
                                   "--liveness", Number(liveness)};
  if (min_acks) argv.insert(argv.end(), {"--min-acks", Number(static_cast<int64_t>(*min_acks))});
  if (broker_timeout) argv.insert(argv.end(), {"--broker-timeout-ms", Number(broker_timeout->count())});
  if (log_level) argv.insert(argv.end(), {"--log-level", *log_level});
  if (save_files || self->save) argv.insert(argv.end(), {"--save", SavePath(id)});
  if (node_data_dirs || self->data_dir) argv.insert(argv.end(), {"--data-dir", NodeDataDir(id)});
  if ((node_data_dirs || self->data_dir) && sync) argv.insert(argv.end(), {"--sync", *sync});
  if (self->metrics) argv.insert(argv.end(), {"--metrics", self->metrics->HostPort()});
  for (const NodeSpec& peer : nodes) {
    if (peer.id == id) continue;
    argv.insert(argv.end(), {"--peer", Number(peer.id) + "," + peer.bus.Tcp() + "," + peer.transfer.Tcp()});
  }
  if (!load_file.empty()) argv.insert(argv.end(), {"--load", load_file});
  AppendSecurityArgs(argv, /*broker=*/false);
  return argv;
}

void ClusterLayout::AppendSecurityArgs(std::vector<std::string>& argv, bool is_broker) const {
  if (!keys_dir) {
    argv.push_back("--insecure");
    return;
  }
  argv.insert(argv.end(), {"--keys", *keys_dir});
  if (is_broker && clients_open) argv.push_back("--clients-open");
}

std::vector<std::string> ClusterLayout::Argv(PartId part, const std::string& load_file) const {
  return part.is_broker() ? BrokerArgv(part.broker) : NodeArgv(part.node, load_file);
}

std::vector<std::pair<int, std::string>> ClusterLayout::ListeningPorts() const {
  std::vector<std::pair<int, std::string>> ports;
  for (const BrokerSpec& broker : brokers) {
    if (!IsLocal(PartId::Broker(broker.id))) continue;
    const std::string name = PartId::Broker(broker.id).Name();
    ports.emplace_back(broker.clients.port, name + "-clients");
    ports.emplace_back(broker.nodes.port, name + "-nodes");
    ports.emplace_back(broker.shutdown.port, name + "-shutdown");
  }
  for (const NodeSpec& node : nodes) {
    if (!IsLocal(PartId::Node(node.id))) continue;
    ports.emplace_back(node.bus.port, "node-" + Number(node.id) + "-bus");
    ports.emplace_back(node.transfer.port, "node-" + Number(node.id) + "-transfer");
  }
  return ports;
}

std::vector<std::pair<int, std::string>> ClusterLayout::MetricsPorts() const {
  std::vector<std::pair<int, std::string>> ports;
  for (const BrokerSpec& broker : brokers) {
    if (broker.metrics && IsLocal(PartId::Broker(broker.id))) ports.emplace_back(broker.metrics->port, PartId::Broker(broker.id).Name() + "-metrics");
  }
  for (const NodeSpec& node : nodes) {
    if (node.metrics && IsLocal(PartId::Node(node.id))) ports.emplace_back(node.metrics->port, "node-" + Number(node.id) + "-metrics");
  }
  return ports;
}

// ---- JSON ----------------------------------------------------------------------

nlohmann::json ToJson(const ClusterLayout& layout) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeSpec& node : layout.nodes) {
    nodes.push_back({{"id", node.id}, {"host", node.host}, {"bus", node.bus.Tcp()}, {"transfer", node.transfer.Tcp()}});
    if (node.metrics) nodes.back()["metrics"] = node.metrics->Tcp();
    if (node.data_dir) nodes.back()["data_dir"] = *node.data_dir;
    if (node.save) nodes.back()["save"] = *node.save;
  }
  nlohmann::json brokers = nlohmann::json::array();
  for (const BrokerSpec& broker : layout.brokers) {
    brokers.push_back({{"id", broker.id},
                       {"host", broker.host},
                       {"clients", broker.clients.Tcp()},
                       {"nodes", broker.nodes.Tcp()},
                       {"shutdown", broker.shutdown.Tcp()}});
    if (broker.metrics) brokers.back()["metrics"] = broker.metrics->Tcp();
  }
  nlohmann::json json = {
      {"port_base", layout.port_base},
      {"brokers", brokers},
      {"nodes", nodes},
      {"tsbroker", layout.tsbroker},
      {"tsnode", layout.tsnode},
      {"data_dir", layout.data_dir},
      {"log_dir", layout.log_dir},
      {"heartbeat_ms", layout.heartbeat.count()},
      {"liveness", layout.liveness},
      {"save_files", layout.save_files},
      {"node_data_dirs", layout.node_data_dirs},
  };
  if (!brokers.empty()) {  // broker 1 alone, as files before the pair had it
    json["broker"] = {{"clients", brokers[0]["clients"]}, {"nodes", brokers[0]["nodes"]},
                      {"shutdown", brokers[0]["shutdown"]}};
  }
  if (layout.min_acks) json["min_acks"] = *layout.min_acks;
  if (layout.broker_timeout) json["broker_timeout_ms"] = layout.broker_timeout->count();
  if (layout.max_clients) json["max_clients"] = *layout.max_clients;
  if (layout.hold) json["hold_ms"] = layout.hold->count();
  if (layout.client_idle) json["client_idle_ms"] = layout.client_idle->count();
  if (layout.shutdown_grace) json["shutdown_grace_ms"] = layout.shutdown_grace->count();
  if (layout.cluster_file) json["cluster_file"] = *layout.cluster_file;
  if (layout.local_host) json["local_host"] = *layout.local_host;
  if (layout.log_level) json["log_level"] = *layout.log_level;
  if (layout.sync) json["sync"] = *layout.sync;
  if (layout.keys_dir) json["keys_dir"] = *layout.keys_dir;
  if (layout.clients_open) json["clients_open"] = true;
  return json;
}

namespace {

// Reads json[name] as T into *out; the error names the field.
template <class T>
Status Field(const nlohmann::json& json, const std::string& where, const std::string& name, T* out) {
  if (!json.is_object() || !json.contains(name)) return LayoutError(where + ": '" + name + "' is missing");
  try {
    *out = json.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    return LayoutError(where + ": '" + name + "' is " + json.at(name).dump() + ", not a " +
                       (std::is_same_v<T, std::string> ? "string" : std::is_same_v<T, bool> ? "boolean" : "number"));
  }
  return Status::Ok();
}

template <class T>
Status OptionalField(const nlohmann::json& json, const std::string& name, std::optional<T>* out) {
  if (!json.contains(name)) return Status::Ok();
  T value{};
  Status read = Field(json, "cluster", name, &value);
  if (read.ok()) *out = value;
  return read;
}

Status OptionalMillis(const nlohmann::json& json, const std::string& name, std::optional<Millis>* out) {
  std::optional<int64_t> count;
  Status read = OptionalField(json, name, &count);
  if (count) *out = Millis(*count);
  return read;
}

Status EndpointField(const nlohmann::json& json, const std::string& where, const std::string& name, Endpoint* out) {
  std::string text;
  if (Status read = Field(json, where, name, &text); !read.ok()) return read;
  Result<Endpoint> endpoint = ParseEndpoint(text);
  if (!endpoint.ok()) return LayoutError(where + ": '" + name + "': " + endpoint.error().message);
  *out = endpoint.value();
  return Status::Ok();
}

// Absent in files written before metrics: none.
Status OptionalEndpoint(const nlohmann::json& json, const std::string& where, const std::string& name,
                        std::optional<Endpoint>* out) {
  if (!json.is_object() || !json.contains(name)) return Status::Ok();
  return EndpointField(json, where, name, &out->emplace());
}

// Absent in files written before the cluster file: this machine.
Status OptionalHost(const nlohmann::json& json, const std::string& where, std::string* out) {
  if (!json.is_object() || !json.contains("host")) return Status::Ok();
  return Field(json, where, "host", out);
}

}  // namespace

Result<ClusterLayout> LayoutFromJson(const nlohmann::json& json) {
  ClusterLayout layout;
  int64_t heartbeat_ms = 0;
  const nlohmann::json empty = nlohmann::json::object();
  if (json.is_object() && json.contains("brokers")) {
    if (!json.at("brokers").is_array() || json.at("brokers").empty()) {
      return LayoutError("cluster: 'brokers' is not a list of at least one broker");
    }
    for (const nlohmann::json& entry : json.at("brokers")) {
      BrokerSpec spec;
      const std::string where = "broker " + Number(static_cast<int64_t>(layout.brokers.size()) + 1);
      for (Status read : {Field(entry, where, "id", &spec.id), EndpointField(entry, where, "clients", &spec.clients),
                          EndpointField(entry, where, "nodes", &spec.nodes),
                          EndpointField(entry, where, "shutdown", &spec.shutdown),
                          OptionalEndpoint(entry, where, "metrics", &spec.metrics),
                          OptionalHost(entry, where, &spec.host)}) {
        if (!read.ok()) return read.error();
      }
      if (spec.id != layout.brokers.size() + 1) {
        return LayoutError(where + ": its id is " + Number(spec.id) + "; brokers are numbered 1..B in order");
      }
      layout.brokers.push_back(spec);
    }
  } else {  // a file from before the pair: one broker
    const nlohmann::json& broker = json.is_object() && json.contains("broker") ? json.at("broker") : empty;
    BrokerSpec spec;
    for (Status read : {EndpointField(broker, "broker", "clients", &spec.clients),
                        EndpointField(broker, "broker", "nodes", &spec.nodes),
                        EndpointField(broker, "broker", "shutdown", &spec.shutdown)}) {
      if (!read.ok()) return read.error();
    }
    layout.brokers.push_back(spec);
  }
  for (Status read : {Field(json, "cluster", "port_base", &layout.port_base),
                      Field(json, "cluster", "tsbroker", &layout.tsbroker),
                      Field(json, "cluster", "tsnode", &layout.tsnode),
                      Field(json, "cluster", "data_dir", &layout.data_dir),
                      Field(json, "cluster", "log_dir", &layout.log_dir),
                      Field(json, "cluster", "heartbeat_ms", &heartbeat_ms),
                      Field(json, "cluster", "liveness", &layout.liveness),
                      Field(json, "cluster", "save_files", &layout.save_files),
                      OptionalField(json, "min_acks", &layout.min_acks),
                      OptionalMillis(json, "broker_timeout_ms", &layout.broker_timeout),
                      OptionalField(json, "max_clients", &layout.max_clients),
                      OptionalMillis(json, "hold_ms", &layout.hold),
                      OptionalMillis(json, "client_idle_ms", &layout.client_idle),
                      OptionalMillis(json, "shutdown_grace_ms", &layout.shutdown_grace),
                      OptionalField(json, "cluster_file", &layout.cluster_file),
                      OptionalField(json, "local_host", &layout.local_host),
                      OptionalField(json, "log_level", &layout.log_level),
                      OptionalField(json, "sync", &layout.sync)}) {
    if (!read.ok()) return read.error();
  }
  layout.heartbeat = Millis(heartbeat_ms);
  std::optional<bool> node_data_dirs;  // absent in files written before the durable log
  if (Status read = OptionalField(json, "node_data_dirs", &node_data_dirs); !read.ok()) return read.error();
  layout.node_data_dirs = node_data_dirs.value_or(false);
  std::optional<bool> clients_open;  // keys_dir and clients_open: absent in files written before CURVE
  if (Status read = OptionalField(json, "keys_dir", &layout.keys_dir); !read.ok()) return read.error();
  if (Status read = OptionalField(json, "clients_open", &clients_open); !read.ok()) return read.error();
  layout.clients_open = clients_open.value_or(false);
  if (!json.contains("nodes") || !json.at("nodes").is_array()) return LayoutError("cluster: 'nodes' is not a list");
  for (const nlohmann::json& entry : json.at("nodes")) {
    NodeSpec node;
    const std::string where = "node " + Number(static_cast<int64_t>(layout.nodes.size()) + 1);
    for (Status read : {Field(entry, where, "id", &node.id), EndpointField(entry, where, "bus", &node.bus),
                        EndpointField(entry, where, "transfer", &node.transfer),
                        OptionalEndpoint(entry, where, "metrics", &node.metrics),
                        OptionalHost(entry, where, &node.host), OptionalField(entry, "data_dir", &node.data_dir),
                        OptionalField(entry, "save", &node.save)}) {
      if (!read.ok()) return read.error();
    }
    if (node.id != layout.nodes.size() + 1) {
      return LayoutError(where + ": its id is " + Number(node.id) + "; nodes are numbered 1..N in order");
    }
    layout.nodes.push_back(node);
  }
  return layout;
}

}  // namespace ts::launcher
