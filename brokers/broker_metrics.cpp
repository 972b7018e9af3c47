#include "brokers/broker_metrics.h"

namespace ts::cluster {

std::string BrokerMetricsText(const BrokerCore& core, const ClusterView& view, const metrics::RequestMetrics& requests,
                              TimePoint now) {
  metrics::MetricsText out;
  requests.Render(out, "tuplestar_broker", "the broker (through a primary, or itself)");
  const BrokerStats& stats = core.stats();
  const auto counter = [&](const char* name, const char* help, uint64_t value) {
    out.Counter(name, help, static_cast<double>(value));
  };
  counter("tuplestar_broker_requests_forwarded_total", "Client requests sent to a primary.", stats.requests_forwarded);
  counter("tuplestar_broker_requests_reforwarded_total", "Requests sent again to a new primary after a failover.",
          stats.requests_reforwarded);
  counter("tuplestar_broker_replies_relayed_total", "Replies relayed from a primary to its client.",
          stats.replies_relayed);
  counter("tuplestar_broker_clients_refused_total", "Clients refused past --max-clients.", stats.clients_refused);
  counter("tuplestar_broker_requests_unavailable_total", "Requests held past --hold-ms with no primary.",
          stats.requests_unavailable);
  counter("tuplestar_broker_replies_ill_formed_total", "Replies from a node that did not decode (dropped).",
          stats.replies_ill_formed);
  counter("tuplestar_broker_replies_not_primary_total", "Replies from a node that is not the current primary.",
          stats.replies_not_primary);
  counter("tuplestar_broker_node_frames_ill_formed_total", "Frames on the node endpoint that did not decode.",
          stats.node_frames_ill_formed);
  counter("tuplestar_broker_requests_refused_stopping_total", "Client requests answered 'shutting down'.",
          stats.requests_refused_stopping);

  out.Gauge("tuplestar_broker_held_requests", "Requests waiting for a primary now.",
            static_cast<double>(core.held_count()));
  out.Gauge("tuplestar_broker_clients", "Clients holding a slot now.", static_cast<double>(core.client_count()));
  out.Gauge("tuplestar_broker_term", "The term the broker serves.", static_cast<double>(core.served_term()));
  out.Gauge("tuplestar_broker_primary", "The node id of the primary the broker forwards to (0: none).",
            static_cast<double>(core.primary()));
  out.Gauge("tuplestar_broker_uptime_seconds", "Seconds since the broker started.",
            static_cast<double>((now - view.started()).count()) / 1000.0);

  const LivenessTracker<NodeId>& liveness = core.nodes();
  const auto& heartbeats = view.last_heartbeats();
  uint64_t primary_applied = 0;
  if (auto it = heartbeats.find(core.primary()); it != heartbeats.end()) primary_applied = it->second.last.seq;
  for (NodeId id : liveness.KnownPeers()) {
    out.Gauge("tuplestar_node_live", "1 when the broker heard the node within the liveness window.",
              liveness.Live(id, now) ? 1 : 0, {{"node", std::to_string(id)}});
  }
  for (const char* family : {"tuplestar_node_term", "tuplestar_node_applied_seq", "tuplestar_node_lag",
                             "tuplestar_node_is_primary"}) {
    for (const auto& [id, heartbeat] : heartbeats) {
      const metrics::Labels labels = {{"node", std::to_string(id)}};
      const std::string name = family;
      if (name == "tuplestar_node_term") {
        out.Gauge(family, "The node's term, from its last heartbeat.", static_cast<double>(heartbeat.term), labels);
      } else if (name == "tuplestar_node_applied_seq") {
        out.Gauge(family, "The node's applied log position (sequence), from its last heartbeat.",
                  static_cast<double>(heartbeat.last.seq), labels);
      } else if (name == "tuplestar_node_lag") {
        const uint64_t lag = primary_applied > heartbeat.last.seq ? primary_applied - heartbeat.last.seq : 0;
        out.Gauge(family, "Writes the node is behind the primary, as last heard.", static_cast<double>(lag), labels);
      } else {
        out.Gauge(family, "1 when the node's last heartbeat said it is primary.",
                  heartbeat.role == Role::kPrimary ? 1 : 0, labels);
      }
    }
  }
  return out.text();
}

}  // namespace ts::cluster
