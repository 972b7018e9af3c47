#include "nodes/node_metrics.h"

#include <variant>

#include "schema/codec.h"

namespace ts::cluster {

void NodeMetrics::OnBrokerMessage(const BrokerToNode& message, metrics::MonotonicTime now) {
  const auto* request = std::get_if<ClientRequestFrame>(&message);
  if (request == nullptr) return;
  // A frame that does not decode is the core's to answer; it is timed as "?".
  Result<FrameSummary> summary = PeekRequest(request->frame);
  if (!summary.ok()) {
    requests_.Started(request->client.address + std::string(1, '\0') + "?", "MALFORMED", now);
    return;
  }
  requests_.Started(TimingKey(request->client.address, summary.value().id), summary.value().op_name, now);
}

void NodeMetrics::OnActions(const NodeActions& actions, metrics::MonotonicTime now) {
  for (const NodeToBroker& message : actions.to_broker) {
    const auto* reply = std::get_if<ClientReplyFrame>(&message);
    if (reply == nullptr) continue;
    Result<FrameSummary> summary = PeekReply(reply->frame);
    if (!summary.ok()) {
      ++replies_ill_formed_;
      continue;
    }
    requests_.Finished(TimingKey(reply->client.address, summary.value().id), OutcomeOf(summary.value()), now);
  }
  for (const NodeEvent& event : actions.events) {
    if (event.kind == NodeEventKind::kResyncStarted) ++resyncs_started_;
    if (event.kind == NodeEventKind::kResyncDone) ++resyncs_done_;
    if (event.kind == NodeEventKind::kTermChanged) ++term_changes_;
    if (event.kind == NodeEventKind::kBecamePrimary) ++became_primary_;
  }
}

std::string NodeMetrics::Text(const NodeCore& core, const NodeShellFacts& facts, TimePoint core_now,
                              metrics::MonotonicTime now) {
  requests_.Forget(now);
  metrics::MetricsText out;
  requests_.Render(out, "tuplestar_tsnode", "this node (as primary)");
  const auto counter = [&](const char* name, const char* help, uint64_t value) {
    out.Counter(name, help, static_cast<double>(value));
  };
  const auto gauge = [&](const char* name, const char* help, double value) { out.Gauge(name, help, value); };
  counter("tuplestar_tsnode_replies_ill_formed_total", "Replies the node made that its metrics could not read (a bug).",
          replies_ill_formed_);

  const NodeStatus status = core.status(core_now);
  gauge("tuplestar_tsnode_term", "The term this node is primary in or follows.", static_cast<double>(status.term));
  for (Role role : {Role::kPrimary, Role::kBackup, Role::kSyncing, Role::kCandidate, Role::kStopped}) {
    out.Gauge("tuplestar_tsnode_role", "1 for the node's role now, 0 for the others.", status.role == role ? 1 : 0,
              {{"role", std::string(RoleName(role))}});
  }
  gauge("tuplestar_tsnode_primary", "The node id of the primary this node follows or is (0: none).",
        static_cast<double>(status.primary_id));
  gauge("tuplestar_tsnode_applied_seq", "The log position (sequence) of the last write applied.",
        static_cast<double>(status.last.seq));
  gauge("tuplestar_tsnode_applied_term", "The term of the last write applied.", static_cast<double>(status.last.term));
  gauge("tuplestar_tsnode_committed_seq", "Primary: the highest sequence it may acknowledge (0 otherwise).",
        static_cast<double>(status.committed_seq));
  const std::optional<LogPosition> durable = core.durable();
  gauge("tuplestar_tsnode_durable_seq", "The position the node would come back at after a crash.",
        durable ? static_cast<double>(durable->seq) : 0);
  gauge("tuplestar_tsnode_broker_live", "1 when the node heard the broker within the liveness window.",
        status.broker_live ? 1 : 0);
  gauge("tuplestar_tsnode_live_peers", "Other nodes heard within the liveness window.",
        static_cast<double>(status.live_peers.size()));
  gauge("tuplestar_tsnode_backups_in_sync", "Primary: backups in sync with it now (0 otherwise).",
        static_cast<double>(status.in_sync_backups.size()));
  gauge("tuplestar_tsnode_pending_replies", "Primary: client replies waiting for acks or the disk.",
        static_cast<double>(status.pending_replies));
  if (status.backup_acked.empty()) {
    // No backup to lag: the family still names itself (for the primary's own id, 0).
    out.Gauge("tuplestar_tsnode_backup_lag", "Primary: writes each backup is behind its applied position.", 0,
              {{"backup", std::to_string(status.id)}});
  }
  for (const auto& [backup, acked] : status.backup_acked) {
    out.Gauge("tuplestar_tsnode_backup_lag", "Primary: writes each backup is behind its applied position.",
              static_cast<double>(status.last.seq > acked ? status.last.seq - acked : 0),
              {{"backup", std::to_string(backup)}});
  }
  gauge("tuplestar_tsnode_pairs", "Pairs in the space.", static_cast<double>(status.pairs));
  gauge("tuplestar_tsnode_pair_bytes", "The text of every key and value in the space, in bytes.",
        static_cast<double>(status.pair_bytes));
  gauge("tuplestar_tsnode_resident_memory_bytes", "The process's resident memory (/proc/self/statm).",
        static_cast<double>(facts.resident_bytes));
  gauge("tuplestar_tsnode_uptime_seconds", "Seconds since the node started.", facts.uptime_seconds);

  const wal::LogWriter::Stats none;
  const wal::LogWriter::Stats& log = facts.log != nullptr ? *facts.log : none;
  counter("tuplestar_tsnode_fsyncs_total", "fdatasyncs of the log's segments (0 without --data-dir).", log.syncs);
  counter("tuplestar_tsnode_log_records_total", "Records written to the log this run.", log.records);
  counter("tuplestar_tsnode_log_written_bytes_total", "Bytes written to the log this run.", log.bytes);
  counter("tuplestar_tsnode_log_segments_total", "Log segments started this run.", log.segments_started);
  counter("tuplestar_tsnode_snapshots_total", "Snapshots written this run.", log.snapshots);
  counter("tuplestar_tsnode_resyncs_started_total", "State transfers this node began as a backup.", resyncs_started_);
  counter("tuplestar_tsnode_resyncs_done_total", "State transfers this node finished.", resyncs_done_);
  counter("tuplestar_tsnode_term_changes_total", "Times this node followed or led a new term.", term_changes_);
  counter("tuplestar_tsnode_became_primary_total", "Times this node became primary.", became_primary_);
  counter("tuplestar_tsnode_frames_ill_formed_total", "Frames from peers or the broker that did not decode.",
          facts.frames_ill_formed);
  if (facts.zap_refusals.empty()) {
    out.Counter("tuplestar_tsnode_zap_refused_total", "CURVE handshakes the ZAP handler refused, by reason.", 0,
                {{"reason", "unknown_key"}});
  }
  for (const security::ZapRefusalCount& count : facts.zap_refusals) {
    out.Counter("tuplestar_tsnode_zap_refused_total", "CURVE handshakes the ZAP handler refused, by reason.",
                static_cast<double>(count.refused), {{"reason", std::string(count.reason)}});
  }
  return out.text();
}

}  // namespace ts::cluster
