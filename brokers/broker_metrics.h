// The broker's metrics in Prometheus text (common/metrics): what BrokerCore
// counts (requests forwarded, replies relayed, refused, unavailable, held,
// ill-formed frames), the served term and primary, each node's liveness,
// role, term, applied position and lag as the broker last heard them, and the
// uptime. Pure: the shell
// renders it every publish interval and hands it to the MetricsServer.
#pragma once

#include <string>

#include "brokers/broker_core.h"
#include "brokers/cluster_view.h"
#include "common/metrics/metrics_text.h"

namespace ts::cluster {

std::string BrokerMetricsText(const BrokerCore& core, const ClusterView& view, TimePoint now);

}  // namespace ts::cluster
