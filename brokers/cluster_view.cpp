#include "brokers/cluster_view.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <variant>

namespace ts::cluster {
namespace {

std::string N(uint64_t value) { return std::to_string(value); }
std::string YesNo(bool value) { return value ? "yes" : "no"; }

// "850 ms ago", "12.3 s ago": for a person reading status output.
std::string Ago(TimePoint then, TimePoint now) {
  const int64_t ms = (now - then).count();
  if (ms < 1000) return std::to_string(ms < 0 ? 0 : ms) + " ms ago";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s ago", static_cast<double>(ms) / 1000.0);
  return text;
}

// The `shutdown` fact: where the handshake stands and what it refused so far.
Pair ShutdownFact(const BrokerCore& core, TimePoint now) {
  const ShutdownHandshake& shutdown = core.shutdown();
  std::string state = "stopping";
  if (shutdown.outcome() == ShutdownOutcome::kConfirmed) state = "confirmed";
  if (shutdown.outcome() == ShutdownOutcome::kTimedOut) state = "timed_out";
  std::string confirmed;
  for (NodeId node : shutdown.confirmed()) confirmed += (confirmed.empty() ? "" : " ") + N(node);
  const BrokerStats& stats = core.stats();
  return Pair{{"shutdown"},
              {"state=" + state, "began=" + Ago(shutdown.began(), now),
               "confirmed=" + (confirmed.empty() ? std::string("none") : confirmed),
               "operators_waiting=" + N(shutdown.operators_waiting()),
               "requests_refused=" + N(stats.requests_refused_stopping),
               "terms_refused=" + N(stats.terms_refused_stopping)}};
}

}  // namespace

void ClusterView::Heard(const NodeToBroker& message) {
  if (const auto* heartbeat = std::get_if<Heartbeat>(&message)) last_heartbeats_[heartbeat->from] = *heartbeat;
}

void ClusterView::Record(const BrokerEvent& event, TimePoint now) {
  events_.push_back(TimedEvent{now, event.text});
  while (events_.size() > kRecentEvents) events_.pop_front();
}

Reply ClusterView::StatusReply(const Request& request, const BrokerCore& core, TimePoint now) const {
  Reply reply;
  reply.id = request.id;
  reply.op_name = request.op_name;
  const bool primary_live = core.primary_live(now);
  reply.served_by = primary_live ? core.primary() : kNoNode;
  reply.term = core.served_term();

  const BrokerStats& stats = core.stats();
  reply.pairs.push_back(Pair{{"broker"},
                             {"primary=" + N(core.primary()), "term=" + N(core.served_term()),
                              "primary_live=" + YesNo(primary_live), "committed=" + Describe(core.committed()),
                              "clients=" + N(core.client_count()), "max_clients=" + N(core.config().max_clients),
                              "held=" + N(core.held_count()), "forwarded=" + N(stats.requests_forwarded),
                              "relayed=" + N(stats.replies_relayed), "refused=" + N(stats.clients_refused),
                              "unavailable=" + N(stats.requests_unavailable),
                              "ill_formed_replies=" + N(stats.replies_ill_formed),
                              "ill_formed_node_frames=" + N(stats.node_frames_ill_formed),
                              "uptime_ms=" + N(static_cast<uint64_t>(std::max<int64_t>(0, (now - started_).count()))),
                              "version=" + (version_.empty() ? std::string("?") : version_)}});

  // Lag is measured against the primary's own applied seq, as last heard.
  uint64_t primary_applied = 0;
  if (auto it = last_heartbeats_.find(core.primary()); it != last_heartbeats_.end()) {
    primary_applied = it->second.last.seq;
  }
  const LivenessTracker<NodeId>& liveness = core.nodes();
  for (NodeId id : liveness.KnownPeers()) {
    Tuple value;
    if (auto it = last_heartbeats_.find(id); it != last_heartbeats_.end()) {
      const Heartbeat& h = it->second;
      const uint64_t applied = h.last.seq;
      // A node not heard for the liveness window is down, whatever it last
      // said: a killed primary must not be listed as primary beside the new one.
      const bool down = !liveness.Live(id, now) && h.role != Role::kStopped;
      value = {"role=" + (down ? std::string("down") : std::string(RoleName(h.role))), "term=" + N(h.term),
               "applied=" + N(applied),
               "lag=" + (core.primary() != kNoNode ? N(primary_applied > applied ? primary_applied - applied : 0)
                                                                                 : std::string("?")),
               "primary=" + N(h.primary_id), "pairs=" + N(h.pairs), "bytes=" + N(h.pair_bytes),
               "memory=" + (h.rss_bytes != 0 ? N(h.rss_bytes) : std::string("?")),
               "zap_refused=" + N(h.zap_refused)};
      if (down) value.push_back("last_role=" + std::string(RoleName(h.role)));
    } else {
      value = {"role=?"};
    }
    value.push_back("live=" + YesNo(liveness.Live(id, now)));
    value.push_back("heard=" + Ago(liveness.LastHeard(id).value_or(now), now));
    reply.pairs.push_back(Pair{{"node", N(id)}, std::move(value)});
  }
  if (!core.waiting_for_history().empty()) {
    reply.pairs.push_back(Pair{{"service"}, {"state=waiting", "why=" + core.waiting_for_history()}});
  }
  if (core.phase() != BrokerPhase::kServing) reply.pairs.push_back(ShutdownFact(core, now));
  size_t number = 1;
  for (const TimedEvent& event : events_) {
    reply.pairs.push_back(Pair{{"event", N(number++)}, {event.text + " (" + Ago(event.at, now) + ")"}});
  }
  return reply;
}

}  // namespace ts::cluster
