// ClusterView: what `tsctl status` shows, as the broker sees it.
//
// The broker shell feeds it every node message it decodes (heartbeats carry
// each node's role, term and applied position) and every BrokerEvent worth a
// line, and asks it for the answer to a STATUS request (docs/PROTOCOL.md
// "Status request"): the broker line (primary, term, clients, held requests,
// counters), one `node,<id>` fact per node BrokerCore has heard (role, term,
// applied seq, lag behind the primary, pairs and their bytes, resident
// memory, ZAP refusals, and, from BrokerCore's liveness
// tracker, live or not and when last heard), a `shutdown` fact while one runs
// (state, since when, who confirmed, operators waiting, what was refused) and
// the most recent events (node lost or back, primary accepted or lost, ...)
// with their age. Pure: no sockets, no clock reads; it only observes, so it
// decides nothing: whether a node is live is BrokerCore's answer.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>

#include "brokers/broker_core.h"
#include "schema/cluster_messages.h"
#include "schema/messages.h"

namespace ts::cluster {

class ClusterView {
 public:
  static constexpr size_t kRecentEvents = 20;  // kept for status output, oldest dropped

  // `started`: when the broker started (its uptime in status); `version`: the
  // broker's build (common/version.h), shown as given.
  explicit ClusterView(TimePoint started = TimePoint(0), std::string version = "")
      : started_(started), version_(std::move(version)) {}

  void Heard(const NodeToBroker& message);
  void Record(const BrokerEvent& event, TimePoint now);

  // The STATUS reply for `request` (its id and op are echoed).
  Reply StatusReply(const Request& request, const BrokerCore& core, TimePoint now) const;

  // Each node's last heartbeat (for the metrics), and when the broker started.
  const std::map<NodeId, Heartbeat>& last_heartbeats() const { return last_heartbeats_; }
  TimePoint started() const { return started_; }

 private:
  struct TimedEvent {
    TimePoint at{0};
    std::string text;
  };

  TimePoint started_;
  std::string version_;
  std::map<NodeId, Heartbeat> last_heartbeats_;
  std::deque<TimedEvent> events_;
};

}  // namespace ts::cluster
