// The broker's metrics in Prometheus text (common/metrics): what BrokerCore
// counts (requests forwarded, replies relayed, refused, unavailable, held,
// ill-formed frames), the served term and primary, each node's liveness,
// role, term, applied position and lag as the broker last heard them, and the
// uptime; requests by op and outcome with a latency histogram per op
// (tuplestar_broker_requests_total, tuplestar_broker_request_duration_seconds).
// Pure: the shell
// renders it every publish interval and hands it to the MetricsServer.
#pragma once

#include <string>

#include "brokers/broker_core.h"
#include "brokers/cluster_view.h"
#include "common/metrics/metrics_text.h"
#include "common/metrics/request_metrics.h"

namespace ts::cluster {

// `requests`: the client requests the shell timed (requests by op and
// outcome, latency by op: from a request's arrival to its reply leaving).
std::string BrokerMetricsText(const BrokerCore& core, const ClusterView& view, const metrics::RequestMetrics& requests,
                              TimePoint now);

}  // namespace ts::cluster
