// The node's metrics in Prometheus text (common/metrics), for tsnode
// --metrics HOST:PORT: client requests by op and outcome with a latency
// histogram per op (timed from the request's arrival from the broker to its
// reply leaving for it), and, from the core's status and the shell's facts,
// the term, the role, the log position (applied, committed, durable), the
// lag of each backup (primary), the pairs and their bytes, the resident
// memory, the log's fsyncs, records and snapshots, resyncs, and the ZAP
// handler's refusals by reason. Names start tuplestar_tsnode_ (the broker's
// view of the nodes is tuplestar_node_*); docs/OPERATIONS.md lists them.
//
// Pure: the shell feeds it what it decodes from the broker and the actions
// it carries out (both with a monotonic `now`), and renders Text() every
// publish interval for the MetricsServer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/metrics/request_metrics.h"
#include "common/security/zap_handler.h"
#include "nodes/cluster/node_core.h"
#include "nodes/log/log_writer.h"
#include "schema/codec.h"

namespace ts::cluster {

// What the shell knows that the core does not, read at each render.
struct NodeShellFacts {
  const wal::LogWriter::Stats* log = nullptr;  // null without --data-dir
  std::vector<security::ZapRefusalCount> zap_refusals;  // empty with --insecure
  uint64_t resident_bytes = 0;
  uint64_t frames_ill_formed = 0;
  double uptime_seconds = 0;
};

class NodeMetrics {
 public:
  void OnBrokerMessage(const BrokerToNode& message, metrics::MonotonicTime now);
  void OnActions(const NodeActions& actions, metrics::MonotonicTime now);

  std::string Text(const NodeCore& core, const NodeShellFacts& facts, TimePoint core_now,
                   metrics::MonotonicTime now);

  const metrics::RequestMetrics& requests() const { return requests_; }

 private:
  metrics::RequestMetrics requests_;
  uint64_t resyncs_started_ = 0;
  uint64_t resyncs_done_ = 0;
  uint64_t term_changes_ = 0;
  uint64_t became_primary_ = 0;
  uint64_t replies_ill_formed_ = 0;
};

}  // namespace ts::cluster
