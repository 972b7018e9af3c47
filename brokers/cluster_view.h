// ClusterView: what `tsctl status` shows, as the broker sees it.
//
// The broker shell feeds it every node message it decodes (heartbeats carry
// each node's role, term and applied position) and every BrokerEvent, and asks
// it for the answer to a STATUS request (docs/PROTOCOL.md "Status request"):
// the broker line (primary, term, clients, held requests, counters), one
// `node,<id>` fact per node heard (role, term, applied seq, lag behind the
// primary, live or not, when last heard) and the most recent events (node
// lost or back, primary accepted or lost, ...) with their age. Pure: no
// sockets, no clock reads; it only observes, so it decides nothing.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>

#include "brokers/broker_core.h"
#include "schema/cluster_messages.h"
#include "schema/messages.h"

namespace ts::cluster {

// The node a node-to-broker message comes from.
NodeId SenderOf(const NodeToBroker& message);

class ClusterView {
 public:
  static constexpr size_t kRecentEvents = 20;  // kept for status output, oldest dropped

  void Heard(const NodeToBroker& message, TimePoint now);
  void Record(const BrokerEvent& event, TimePoint now);

  // The STATUS reply for `request` (its id and op are echoed).
  Reply StatusReply(const Request& request, const BrokerCore& core, TimePoint now) const;

 private:
  struct NodeFacts {
    Heartbeat last_heartbeat;
    bool has_heartbeat = false;
    TimePoint last_heard{0};
  };
  struct TimedEvent {
    TimePoint at{0};
    std::string text;
  };

  std::map<NodeId, NodeFacts> nodes_;
  std::deque<TimedEvent> events_;
};

}  // namespace ts::cluster
