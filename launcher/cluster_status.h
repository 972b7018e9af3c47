// The cluster as the broker sees it: one STATUS request through the client
// library (docs/PROTOCOL.md "Status request"), read into who is primary and,
// per node, its "name=value" fields. Used by the launcher (is a primary
// serving? is node N live?) and by the integration tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "clients/client.h"
#include "common/status.h"

namespace ts::launcher {

// One node as the STATUS reply shows it.
struct NodeStatus {
  std::map<std::string, std::string> fields;
  std::string field(const std::string& name) const;  // "" when absent
  bool live() const { return field("live") == "yes"; }
  std::optional<uint64_t> applied() const;  // the seq of "applied" (a bare seq or "term:seq")
};

struct ClusterStatus {
  uint32_t primary = 0;  // 0: none
  uint64_t term = 0;
  std::map<uint32_t, NodeStatus> nodes;
  std::string text;  // every pair, "key = value" lines, for failure messages
  Reply reply;       // as it came
};

ClusterStatus ParseClusterStatus(const Reply& reply);

// One STATUS request to the broker's client endpoint, no retry: the reply,
// or the client's error when none came within `timeout`.
// `curve`: the client pair for a CURVE cluster (cluster_keys_use.h LauncherCurve).
Result<Reply> RequestStatus(const std::string& client_endpoint, std::chrono::milliseconds timeout,
                            const std::optional<ClientCurve>& curve = {});
// The same, read; an error also when the broker answered with one.
Result<ClusterStatus> ProbeStatus(const std::string& client_endpoint, std::chrono::milliseconds timeout,
                                  const std::optional<ClientCurve>& curve = {});

}  // namespace ts::launcher
