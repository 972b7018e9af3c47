#include "common/cluster_file/cluster_flags.h"

#include <algorithm>

namespace ts::cluster_file {
namespace {

std::string Number(int64_t value) { return std::to_string(value); }

void Add(std::vector<Flag>& flags, const std::string& name, std::string value) {
  flags.push_back(Flag{name, {std::move(value)}});
}

void AddCommon(const ClusterFile& file, std::vector<Flag>& flags, bool is_broker) {
  if (file.log_level) Add(flags, "--log-level", *file.log_level);
  if (file.insecure) {
    flags.push_back(Flag{"--insecure", {}});
  } else if (file.keys_dir) {
    Add(flags, "--keys", *file.keys_dir);
    if (is_broker && file.clients_open) flags.push_back(Flag{"--clients-open", {}});
  }
}

bool IsSecurityFlag(const std::string& name) {
  return name == "--keys" || name == "--insecure" || name == "--clients-open";
}

}  // namespace

Result<std::vector<Flag>> NodeFlags(const ClusterFile& file, uint32_t id) {
  const NodeEntry* self = file.node(id);
  if (self == nullptr) {
    return Error{ErrorKind::kMalformedRequest, "the cluster file has no node " + Number(id) + " (its nodes are 1.." +
                                                   Number(static_cast<int64_t>(file.nodes.size())) + ")"};
  }
  std::vector<Flag> flags;
  Add(flags, "--bus", self->bus.Tcp());
  Add(flags, "--transfer", self->transfer.Tcp());
  Flag peers{"--peer", {}};
  for (const NodeEntry& peer : file.nodes) {
    if (peer.id != id) peers.values.push_back(Number(peer.id) + "," + peer.bus.Tcp() + "," + peer.transfer.Tcp());
  }
  if (!peers.values.empty()) flags.push_back(peers);
  Flag brokers{"--broker", {}};
  for (const BrokerEntry& broker : file.brokers) brokers.values.push_back(broker.nodes.Tcp());
  flags.push_back(brokers);
  const Timing& timing = file.timing;
  if (timing.heartbeat) Add(flags, "--heartbeat-ms", Number(timing.heartbeat->count()));
  if (timing.liveness) Add(flags, "--liveness", Number(*timing.liveness));
  if (timing.broker_timeout) Add(flags, "--broker-timeout-ms", Number(timing.broker_timeout->count()));
  if (timing.min_acks) Add(flags, "--min-acks", Number(static_cast<int64_t>(*timing.min_acks)));
  if (self->data_dir) Add(flags, "--data-dir", *self->data_dir);
  if (self->data_dir && file.sync) Add(flags, "--sync", *file.sync);
  if (self->save) Add(flags, "--save", *self->save);
  if (self->metrics) Add(flags, "--metrics", self->metrics->HostPort());
  AddCommon(file, flags, /*is_broker=*/false);
  return flags;
}

Result<std::vector<Flag>> BrokerFlags(const ClusterFile& file, uint32_t id) {
  const BrokerEntry* self = file.broker(id);
  if (self == nullptr) {
    return Error{ErrorKind::kMalformedRequest, "the cluster file has no broker " + Number(id) + " (its brokers are 1.." +
                                                   Number(static_cast<int64_t>(file.brokers.size())) + ")"};
  }
  std::vector<Flag> flags;
  Add(flags, "--clients", self->clients.Tcp());
  Add(flags, "--nodes", self->nodes.Tcp());
  Add(flags, "--shutdown", self->shutdown.Tcp());
  const Timing& timing = file.timing;
  const Millis window = timing.heartbeat.value_or(kNodeDefaultHeartbeat) * timing.liveness.value_or(kNodeDefaultLiveness);
  Add(flags, "--primary-liveness-ms", Number(window.count()));
  Add(flags, "--cluster-size", Number(static_cast<int64_t>(file.cluster_size())));
  if (timing.max_clients) Add(flags, "--max-clients", Number(static_cast<int64_t>(*timing.max_clients)));
  if (timing.hold) Add(flags, "--hold-ms", Number(timing.hold->count()));
  if (timing.client_idle) Add(flags, "--client-idle-ms", Number(timing.client_idle->count()));
  if (timing.shutdown_grace) Add(flags, "--shutdown-grace-ms", Number(timing.shutdown_grace->count()));
  if (self->metrics) Add(flags, "--metrics", self->metrics->HostPort());
  AddCommon(file, flags, /*is_broker=*/true);
  return flags;
}

std::vector<std::string> FlagsNotGiven(const std::vector<Flag>& flags,
                                       const std::function<bool(const std::string&)>& given) {
  const bool security_given = given("--keys") || given("--insecure") || given("--clients-open");
  std::vector<std::string> words;
  for (const Flag& flag : flags) {
    if (IsSecurityFlag(flag.name) ? security_given : given(flag.name)) continue;
    if (flag.values.empty()) words.push_back(flag.name);
    for (const std::string& value : flag.values) words.insert(words.end(), {flag.name, value});
  }
  return words;
}

std::vector<std::string> CommandLineWithFileFlags(int argc, const char* const* argv, const std::vector<Flag>& flags,
                                                  const std::function<bool(const std::string&)>& given) {
  std::vector<std::string> words(argv + 1, argv + argc);
  for (std::string& word : FlagsNotGiven(flags, given)) words.push_back(std::move(word));
  std::reverse(words.begin(), words.end());
  return words;
}

}  // namespace ts::cluster_file
