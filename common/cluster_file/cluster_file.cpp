#include "common/cluster_file/cluster_file.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ts::cluster_file {
namespace {

using nlohmann::json;

Error FileError(const std::string& message) { return Error{ErrorKind::kMalformedRequest, message}; }

constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
constexpr const char* kSyncModes[] = {"always", "none"};

// Reads one JSON object's fields by name, remembering which it read, so that
// any other field is reported as unknown (a typo is an error, not a default).
class Fields {
 public:
  Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

  std::string Where(const std::string& name) const { return where_.empty() ? name : where_ + "." + name; }
  bool Has(const std::string& name) {
    known_.insert(name);
    return object_.contains(name);
  }

  Status String(const std::string& name, std::optional<std::string>* out) {
    if (!Has(name)) return Status::Ok();
    const json& value = object_.at(name);
    if (!value.is_string() || value.get<std::string>().empty()) {
      return FileError(Where(name) + ": " + value.dump() + " is not a non-empty string");
    }
    *out = value.get<std::string>();
    return Status::Ok();
  }
  Status RequiredString(const std::string& name, std::string* out) {
    std::optional<std::string> value;
    if (Status read = String(name, &value); !read.ok()) return read;
    if (!value) return FileError(Where(name) + ": missing");
    *out = *value;
    return Status::Ok();
  }
  Status OneOf(const std::string& name, const auto& choices, std::optional<std::string>* out) {
    if (Status read = String(name, out); !read.ok() || !*out) return read;
    for (const char* choice : choices) {
      if (**out == choice) return Status::Ok();
    }
    std::string list;
    for (const char* choice : choices) list += (list.empty() ? "" : ", ") + std::string(choice);
    return FileError(Where(name) + ": '" + **out + "' is not one of " + list);
  }
  Status Bool(const std::string& name, bool* out) {
    if (!Has(name)) return Status::Ok();
    if (!object_.at(name).is_boolean()) return FileError(Where(name) + ": " + object_.at(name).dump() + " is not true or false");
    *out = object_.at(name).get<bool>();
    return Status::Ok();
  }
  Status Integer(const std::string& name, int64_t lowest, int64_t highest, std::optional<int64_t>* out) {
    if (!Has(name)) return Status::Ok();
    const json& value = object_.at(name);
    if (!value.is_number_integer() || value.get<int64_t>() < lowest || value.get<int64_t>() > highest) {
      return FileError(Where(name) + ": " + value.dump() + " is not a whole number from " + std::to_string(lowest) +
                       " to " + std::to_string(highest));
    }
    *out = value.get<int64_t>();
    return Status::Ok();
  }
  Status Duration(const std::string& name, int64_t lowest, int64_t highest, std::optional<Millis>* out) {
    std::optional<int64_t> count;
    if (Status read = Integer(name, lowest, highest, &count); !read.ok()) return read;
    if (count) *out = Millis(*count);
    return Status::Ok();
  }
  template <class T>
  Status Count(const std::string& name, int64_t lowest, int64_t highest, std::optional<T>* out) {
    std::optional<int64_t> count;
    if (Status read = Integer(name, lowest, highest, &count); !read.ok()) return read;
    if (count) *out = static_cast<T>(*count);
    return Status::Ok();
  }
  Status Endpoint(const std::string& name, std::optional<TcpEndpoint>* out) {
    std::optional<std::string> text;
    if (Status read = String(name, &text); !read.ok() || !text) return read;
    Result<TcpEndpoint> endpoint = ParseTcpEndpoint(*text);
    if (!endpoint.ok()) return FileError(Where(name) + ": " + endpoint.error().message);
    *out = endpoint.value();
    return Status::Ok();
  }
  Status RequiredEndpoint(const std::string& name, TcpEndpoint* out) {
    std::optional<TcpEndpoint> endpoint;
    if (Status read = Endpoint(name, &endpoint); !read.ok()) return read;
    if (!endpoint) return FileError(Where(name) + ": missing (an endpoint tcp://HOST:PORT)");
    *out = *endpoint;
    return Status::Ok();
  }
  // After every read: the first field not read is unknown.
  Status NoOthers() const {
    for (const auto& [name, value] : object_.items()) {
      if (known_.count(name) != 0) continue;
      std::string list;
      for (const std::string& known : known_) list += (list.empty() ? "" : ", ") + known;
      return FileError(Where(name) + ": unknown field (known here: " + list + ")");
    }
    return Status::Ok();
  }

 private:
  const json& object_;
  std::string where_;
  std::set<std::string> known_;
};

Status FirstError(std::initializer_list<Status> reads) {
  for (const Status& read : reads) {
    if (!read.ok()) return read;
  }
  return Status::Ok();
}

Status ReadId(Fields& fields, size_t index, const std::string& kind, uint32_t* id) {
  std::optional<int64_t> value;
  if (Status read = fields.Integer("id", 1, 1'000'000'000, &value); !read.ok()) return read;
  if (!value) return FileError(fields.Where("id") + ": missing");
  if (*value != static_cast<int64_t>(index) + 1) {
    return FileError(fields.Where("id") + ": " + std::to_string(*value) + ", but " + kind +
                     " are numbered 1, 2, ... in the order listed (this entry is " + kind + " " +
                     std::to_string(index + 1) + ")");
  }
  *id = static_cast<uint32_t>(*value);
  return Status::Ok();
}

Result<BrokerEntry> ReadBroker(const json& entry, size_t index) {
  const std::string where = "brokers[" + std::to_string(index) + "]";
  if (!entry.is_object()) return FileError(where + ": not an object");
  Fields fields(entry, where);
  BrokerEntry broker;
  if (Status read = FirstError({ReadId(fields, index, "brokers", &broker.id), fields.RequiredString("host", &broker.host),
                                fields.RequiredEndpoint("clients", &broker.clients),
                                fields.RequiredEndpoint("nodes", &broker.nodes),
                                fields.RequiredEndpoint("shutdown", &broker.shutdown),
                                fields.Endpoint("metrics", &broker.metrics), fields.NoOthers()});
      !read.ok()) {
    return read.error();
  }
  return broker;
}

Result<NodeEntry> ReadNode(const json& entry, size_t index) {
  const std::string where = "nodes[" + std::to_string(index) + "]";
  if (!entry.is_object()) return FileError(where + ": not an object");
  Fields fields(entry, where);
  NodeEntry node;
  if (Status read = FirstError({ReadId(fields, index, "nodes", &node.id), fields.RequiredString("host", &node.host),
                                fields.RequiredEndpoint("bus", &node.bus),
                                fields.RequiredEndpoint("transfer", &node.transfer),
                                fields.Endpoint("metrics", &node.metrics), fields.String("data_dir", &node.data_dir),
                                fields.String("save", &node.save), fields.NoOthers()});
      !read.ok()) {
    return read.error();
  }
  return node;
}

Status ReadTiming(const json& top, Timing* timing) {
  if (top.contains("timeouts")) {
    const json& object = top.at("timeouts");
    if (!object.is_object()) return FileError("timeouts: not an object");
    Fields fields(object, "timeouts");
    if (Status read = FirstError({fields.Duration("heartbeat_ms", 4, 60'000, &timing->heartbeat),
                                  fields.Count("liveness", 1, 1'000, &timing->liveness),
                                  fields.Duration("broker_timeout_ms", 0, 365LL * 86'400'000, &timing->broker_timeout),
                                  fields.Duration("hold_ms", 1, 86'400'000, &timing->hold),
                                  fields.Duration("client_idle_ms", 1, 86'400'000, &timing->client_idle),
                                  fields.Duration("shutdown_grace_ms", 0, 600'000, &timing->shutdown_grace),
                                  fields.NoOthers()});
        !read.ok()) {
      return read;
    }
  }
  if (top.contains("limits")) {
    const json& object = top.at("limits");
    if (!object.is_object()) return FileError("limits: not an object");
    Fields fields(object, "limits");
    return FirstError({fields.Count("min_acks", 0, 1'000, &timing->min_acks),
                       fields.Count("max_clients", 1, 1'000'000, &timing->max_clients), fields.NoOthers()});
  }
  return Status::Ok();
}

// No two endpoints the same (a part would fail to bind, or a peer reach the
// wrong part), and no two nodes of one host sharing a data directory.
Status CheckDistinct(const ClusterFile& file) {
  std::map<std::string, std::string> owners;  // HOST:PORT -> "nodes[0].bus"
  auto claim = [&owners](const TcpEndpoint& endpoint, const std::string& where) -> Status {
    auto [it, fresh] = owners.emplace(endpoint.HostPort(), where);
    if (fresh) return Status::Ok();
    return FileError(where + ": " + endpoint.Tcp() + " is also " + it->second);
  };
  for (size_t b = 0; b < file.brokers.size(); ++b) {
    const BrokerEntry& broker = file.brokers[b];
    const std::string where = "brokers[" + std::to_string(b) + "].";
    if (Status claimed = FirstError({claim(broker.clients, where + "clients"), claim(broker.nodes, where + "nodes"),
                                     claim(broker.shutdown, where + "shutdown"),
                                     broker.metrics ? claim(*broker.metrics, where + "metrics") : Status::Ok()});
        !claimed.ok()) {
      return claimed;
    }
  }
  std::map<std::string, std::string> data_dirs;  // host + dir -> "nodes[0].data_dir"
  for (size_t n = 0; n < file.nodes.size(); ++n) {
    const NodeEntry& node = file.nodes[n];
    const std::string where = "nodes[" + std::to_string(n) + "].";
    if (Status claimed = FirstError({claim(node.bus, where + "bus"), claim(node.transfer, where + "transfer"),
                                     node.metrics ? claim(*node.metrics, where + "metrics") : Status::Ok()});
        !claimed.ok()) {
      return claimed;
    }
    if (node.data_dir) {
      auto [it, fresh] = data_dirs.emplace(node.host + "\n" + *node.data_dir, where + "data_dir");
      if (!fresh) return FileError(where + "data_dir: '" + *node.data_dir + "' on host '" + node.host + "' is also " + it->second);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<TcpEndpoint> ParseTcpEndpoint(const std::string& text) {
  constexpr std::string_view kScheme = "tcp://";
  const size_t colon = text.rfind(':');
  if (text.rfind(kScheme, 0) != 0 || colon == std::string::npos || colon <= kScheme.size()) {
    return FileError("'" + text + "' is not a tcp:// endpoint (tcp://HOST:PORT)");
  }
  TcpEndpoint endpoint;
  endpoint.host = text.substr(kScheme.size(), colon - kScheme.size());
  if (endpoint.host == "*" || endpoint.host == "0.0.0.0" || endpoint.host == "[::]") {
    return FileError("'" + text + "': '" + endpoint.host +
                     "' is a wildcard, but the others connect to this endpoint: write the part's own address");
  }
  const std::string port = text.substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || endpoint.port < 1 ||
      endpoint.port > 65535) {
    return FileError("'" + text + "': the port '" + port + "' is not a number from 1 to 65535");
  }
  return endpoint;
}

const BrokerEntry* ClusterFile::broker(uint32_t id) const {
  for (const BrokerEntry& broker : brokers) {
    if (broker.id == id) return &broker;
  }
  return nullptr;
}

const NodeEntry* ClusterFile::node(uint32_t id) const {
  for (const NodeEntry& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

namespace {
std::string Joined(const std::vector<BrokerEntry>& brokers, TcpEndpoint BrokerEntry::*which) {
  std::string joined;
  for (const BrokerEntry& broker : brokers) joined += (joined.empty() ? "" : ",") + (broker.*which).Tcp();
  return joined;
}
}  // namespace

std::string ClusterFile::ClientEndpoints() const { return Joined(brokers, &BrokerEntry::clients); }
std::string ClusterFile::NodeEndpoints() const { return Joined(brokers, &BrokerEntry::nodes); }
std::string ClusterFile::ShutdownEndpoints() const { return Joined(brokers, &BrokerEntry::shutdown); }

std::optional<std::string> ClusterFile::ClientKeyBase() const {
  if (client_key) return client_key;
  if (keys_dir) return *keys_dir + "/clients/client";
  return std::nullopt;
}

std::optional<Millis> ClusterFile::LivenessWindow() const {
  if (!timing.heartbeat || !timing.liveness) return std::nullopt;
  return *timing.heartbeat * *timing.liveness;
}

std::vector<std::string> ClusterFile::Hosts() const {
  std::vector<std::string> hosts;
  auto add = [&hosts](const std::string& host) {
    if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
  };
  for (const BrokerEntry& broker : brokers) add(broker.host);
  for (const NodeEntry& node : nodes) add(node.host);
  return hosts;
}

Result<ClusterFile> ParseClusterFile(const std::string& text, const std::string& source) {
  json top;
  try {
    top = json::parse(text);
  } catch (const json::parse_error& error) {
    return FileError(source + ": not JSON: " + error.what());
  }
  if (!top.is_object()) return FileError(source + ": not a JSON object");
  auto fail = [&source](const Status& status) { return FileError(source + ": " + status.error().message); };
  ClusterFile file;
  Fields fields(top, "");
  std::optional<std::string> description;  // free text for the people who read the file
  if (Status read = FirstError({fields.String("description", &description), fields.String("keys_dir", &file.keys_dir),
                                fields.Bool("insecure", &file.insecure), fields.Bool("clients_open", &file.clients_open),
                                fields.String("client_key", &file.client_key),
                                fields.OneOf("sync", kSyncModes, &file.sync),
                                fields.OneOf("log_level", kLogLevels, &file.log_level)});
      !read.ok()) {
    return fail(read);
  }
  fields.Has("timeouts");
  fields.Has("limits");
  if (Status read = ReadTiming(top, &file.timing); !read.ok()) return fail(read);
  for (const char* list : {"brokers", "nodes"}) {
    if (!fields.Has(list)) return FileError(source + ": " + list + ": missing (a list of at least one entry)");
    if (!top.at(list).is_array() || top.at(list).empty()) {
      return FileError(source + ": " + list + ": not a list of at least one entry");
    }
  }
  if (Status read = fields.NoOthers(); !read.ok()) return fail(read);
  for (size_t b = 0; b < top.at("brokers").size(); ++b) {
    Result<BrokerEntry> broker = ReadBroker(top.at("brokers")[b], b);
    if (!broker.ok()) return fail(broker.error());
    file.brokers.push_back(broker.value());
  }
  for (size_t n = 0; n < top.at("nodes").size(); ++n) {
    Result<NodeEntry> node = ReadNode(top.at("nodes")[n], n);
    if (!node.ok()) return fail(node.error());
    file.nodes.push_back(node.value());
  }
  if (file.keys_dir.has_value() == file.insecure) {
    return FileError(source + (file.insecure ? ": keys_dir and \"insecure\": true are both given; choose one"
                                             : ": keys_dir: missing (the cluster's keys folder, copied to every host; "
                                               "or \"insecure\": true for plain text on every link)"));
  }
  if (file.clients_open && file.insecure) return FileError(source + ": clients_open: needs keys_dir (insecure is open already)");
  if (Status distinct = CheckDistinct(file); !distinct.ok()) return fail(distinct);
  return file;
}

Result<ClusterFile> LoadClusterFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError("cannot read the cluster file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseClusterFile(text.str(), path);
}

std::string FormatClusterFile(const ClusterFile& file) {
  json top = json::object();
  if (file.keys_dir) top["keys_dir"] = *file.keys_dir;
  if (file.insecure) top["insecure"] = true;
  if (file.clients_open) top["clients_open"] = true;
  if (file.client_key) top["client_key"] = *file.client_key;
  if (file.sync) top["sync"] = *file.sync;
  if (file.log_level) top["log_level"] = *file.log_level;
  json timeouts = json::object();
  const Timing& timing = file.timing;
  if (timing.heartbeat) timeouts["heartbeat_ms"] = timing.heartbeat->count();
  if (timing.liveness) timeouts["liveness"] = *timing.liveness;
  if (timing.broker_timeout) timeouts["broker_timeout_ms"] = timing.broker_timeout->count();
  if (timing.hold) timeouts["hold_ms"] = timing.hold->count();
  if (timing.client_idle) timeouts["client_idle_ms"] = timing.client_idle->count();
  if (timing.shutdown_grace) timeouts["shutdown_grace_ms"] = timing.shutdown_grace->count();
  if (!timeouts.empty()) top["timeouts"] = timeouts;
  json limits = json::object();
  if (timing.min_acks) limits["min_acks"] = *timing.min_acks;
  if (timing.max_clients) limits["max_clients"] = *timing.max_clients;
  if (!limits.empty()) top["limits"] = limits;
  json brokers = json::array();
  for (const BrokerEntry& broker : file.brokers) {
    json entry = {{"id", broker.id},
                  {"host", broker.host},
                  {"clients", broker.clients.Tcp()},
                  {"nodes", broker.nodes.Tcp()},
                  {"shutdown", broker.shutdown.Tcp()}};
    if (broker.metrics) entry["metrics"] = broker.metrics->Tcp();
    brokers.push_back(entry);
  }
  top["brokers"] = brokers;
  json nodes = json::array();
  for (const NodeEntry& node : file.nodes) {
    json entry = {{"id", node.id}, {"host", node.host}, {"bus", node.bus.Tcp()}, {"transfer", node.transfer.Tcp()}};
    if (node.metrics) entry["metrics"] = node.metrics->Tcp();
    if (node.data_dir) entry["data_dir"] = *node.data_dir;
    if (node.save) entry["save"] = *node.save;
    nodes.push_back(entry);
  }
  top["nodes"] = nodes;
  return top.dump(2) + "\n";
}

Status WriteClusterFile(const std::string& path, const ClusterFile& file) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << FormatClusterFile(file);
    if (!out.flush()) return Error{ErrorKind::kInternal, "cannot write " + temp};
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return Error{ErrorKind::kInternal, "cannot rename " + temp + " to " + path};
  }
  return Status::Ok();
}

}  // namespace ts::cluster_file
