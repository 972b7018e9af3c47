// The failover benchmark's three measurements, each on its own fresh cluster
// of real processes (bench/bench_cluster.h), each returning its figures as
// JSON (so that failover_bench only strings them together):
//  - RunSaturated: a steady write load with no fault for `seconds`; every
//    term change the nodes announce is a false failover.
//  - RunKillLoop: under the same load, `kills` times: wait until every node
//    is in sync, kill -9 the primary, time kill -> first write acknowledged
//    by a new primary (its reply names a new node and a higher term), restart
//    the killed node.
//  - RunBrokerKills: under the same load (with two or more brokers), `kills`
//    times: kill -9 one broker (broker 1, 2, 1, ...), time kill -> writes
//    acknowledged again past what could have been in flight (the writers
//    that were on it wait out one request timeout, then move to the next
//    broker), restart the broker; and the ack rate over the phase.
//  - RunResync: two nodes hold `pairs` pairs of 16-byte keys and values;
//    a fresh third node starts, and the time until it reports itself a
//    backup at the primary's seq is the resync time. Also the resident
//    memory of every node, empty and full.
// Every wait is bounded (FailoverDefaults); a failed wait is reported in the
// JSON ("error") rather than hanging the run.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/bench_cluster.h"

namespace ts::bench {

struct FailoverDefaults {
  static constexpr std::chrono::milliseconds kStartTimeout{30'000};
  static constexpr std::chrono::milliseconds kInSyncTimeout{60'000};
  static constexpr std::chrono::milliseconds kFailoverTimeout{30'000};
  static constexpr std::chrono::milliseconds kAcksFlowingTimeout{10'000};
  static constexpr std::chrono::milliseconds kResyncTimeout{180'000};
  // Between broker kills: the restarted broker registers the primary again.
  static constexpr std::chrono::milliseconds kBrokerKillInterval{3'000};
};

struct PhaseOptions {
  BenchClusterOptions cluster;  // work_dir is the phase's own directory
  int writers = 4;
  int depth = 8;
};

nlohmann::json RunSaturated(const PhaseOptions& options, double seconds);
nlohmann::json RunKillLoop(const PhaseOptions& options, int kills);
nlohmann::json RunBrokerKills(const PhaseOptions& options, int kills);
nlohmann::json RunResync(const PhaseOptions& options, uint64_t pairs);

// min, median, p90, max (nearest rank) of a list of milliseconds.
nlohmann::json Distribution(std::vector<double> values);

}  // namespace ts::bench
