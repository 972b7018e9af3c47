// A peer driver's result as JSON with tsbench's fields (bench/load_report.h:
// ops, ops_per_s, latency_us {min, mean, p50, p90, p99, p999, max} in
// microseconds, errors, errors_by_kind, clients, depth, ...), so that
// bench/bench_report.py reads it as it reads tsbench's, plus what says how
// the peer was driven: `method` (one sentence for the table's note) and the
// driver's own `settings`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bench/peers/peer_load.h"

namespace ts::bench::peers {

struct PeerRunInfo {
  std::string tool;       // "redis_wait_bench", "etcd_bench"
  std::string system;     // "redis-wait", "etcd"
  std::string target;     // where it was sent: "127.0.0.1:6379", the endpoints
  std::string workload;   // "write" or "read"
  std::string mix;        // the op, in tsbench's spelling: "set+wait=1", "put=1", "get=1", "range=1"
  std::string method;     // how requests were composed, for the table's note
  int clients = 1;
  int depth = 1;
  uint64_t key_space = 0;
  size_t value_size = 0;
  double warmup_s = 0;
  double duration_s = 0;
  uint64_t max_requests = 0;
  nlohmann::json settings = nlohmann::json::object();  // the driver's own knobs
};

nlohmann::json PeerResultJson(const PeerRunInfo& info, const PeerLoadResult& result);
// Two readable lines: the configuration, then ops/s, latency and errors.
std::string PeerResultText(const PeerRunInfo& info, const PeerLoadResult& result);

}  // namespace ts::bench::peers
