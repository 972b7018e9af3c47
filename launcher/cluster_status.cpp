#include "launcher/cluster_status.h"

#include "common/tuple.h"

namespace ts::launcher {

std::string NodeStatus::field(const std::string& name) const {
  auto found = fields.find(name);
  return found == fields.end() ? std::string() : found->second;
}

std::optional<uint64_t> NodeStatus::applied() const {
  std::string text = field("applied");
  const size_t colon = text.rfind(':');
  if (colon != std::string::npos) text = text.substr(colon + 1);
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(text);
}

ClusterStatus ParseClusterStatus(const Reply& reply) {
  ClusterStatus status;
  status.primary = reply.served_by;
  status.term = reply.term;
  status.reply = reply;
  for (const Pair& pair : reply.pairs) {
    status.text += TupleText(pair.key) + " = " + TupleText(pair.value) + "\n";
    if (pair.key.size() != 2 || pair.key[0] != "node") continue;
    const std::string& id = pair.key[1];
    if (id.empty() || id.size() > 9 || id.find_first_not_of("0123456789") != std::string::npos) continue;
    NodeStatus& node = status.nodes[static_cast<uint32_t>(std::stoul(id))];
    for (const std::string& element : pair.value) {
      const size_t equals = element.find('=');
      if (equals != std::string::npos) node.fields[element.substr(0, equals)] = element.substr(equals + 1);
    }
  }
  return status;
}

Result<Reply> RequestStatus(const std::string& client_endpoint, std::chrono::milliseconds timeout,
                            const std::optional<ClientCurve>& curve) {
  ClientOptions options;
  options.curve = curve;
  options.request_timeout = timeout;
  options.retries = 0;
  Client client(client_endpoint, options);
  return client.Call(MakeStatusRequest());
}

Result<ClusterStatus> ProbeStatus(const std::string& client_endpoint, std::chrono::milliseconds timeout,
                                  const std::optional<ClientCurve>& curve) {
  Result<Reply> reply = RequestStatus(client_endpoint, timeout, curve);
  if (!reply.ok()) return reply.error();
  if (!reply.value().ok()) return *reply.value().error;
  return ParseClusterStatus(reply.value());
}

}  // namespace ts::launcher
