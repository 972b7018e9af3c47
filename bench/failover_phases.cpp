#include "bench/failover_phases.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "bench/ack_writers.h"
#include "bench/load_run.h"

namespace ts::bench {
namespace {

using namespace ts::cluster;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Say(const std::string& line) {
  std::fprintf(stderr, "[failover_bench] %s\n", line.c_str());
  std::fflush(stderr);
}

// Starts the broker and nodes first..last; waits until they are all in sync.
std::string StartCluster(BenchCluster& cluster, NodeId last) {
  Status started = cluster.StartBroker();
  for (NodeId id = 1; started.ok() && id <= last; ++id) started = cluster.StartNode(id);
  if (!started.ok()) return "cannot start the cluster: " + started.error().message;
  const bool ready = cluster.WaitFor(
      [&] {
        const NodeId primary = cluster.primary();
        if (primary == kNoNode) return false;
        for (NodeId id = 1; id <= last; ++id) {
          auto node = cluster.seen(id);
          if (!node || (id != primary && node->heartbeat.role != Role::kBackup)) return false;
        }
        return true;
      },
      FailoverDefaults::kStartTimeout);
  return ready ? "" : "the cluster did not come up within 30 s: " + cluster.DescribeView();
}

uint64_t Rss(const BenchCluster& cluster, NodeId id) {
  Result<uint64_t> kib = ResidentKiB(cluster.node_pid(id));
  return kib.ok() ? kib.value() : 0;
}

AckWriterOptions WriterOptions(const PhaseOptions& options, const BenchCluster& cluster) {
  AckWriterOptions writers;
  writers.broker = cluster.client_endpoint();
  writers.writers = options.writers;
  writers.depth = options.depth;
  return writers;
}

}  // namespace

nlohmann::json Distribution(std::vector<double> values) {
  if (values.empty()) return nlohmann::json::object();
  std::sort(values.begin(), values.end());
  auto rank = [&](double p) {
    const size_t index = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size()))) - 1;
    return values[std::min(index, values.size() - 1)];
  };
  auto round = [](double ms) { return std::round(ms * 10.0) / 10.0; };
  return {{"min", round(values.front())}, {"median", round(rank(0.5))}, {"p90", round(rank(0.9))},
          {"max", round(values.back())}};
}

nlohmann::json RunSaturated(const PhaseOptions& options, double seconds) {
  BenchCluster cluster(options.cluster);
  nlohmann::json out = {{"seconds", seconds}};
  if (std::string error = StartCluster(cluster, options.cluster.node_count); !error.empty()) {
    out["error"] = error;
    return out;
  }
  const uint64_t first_term = cluster.highest_term();
  const NodeId first_primary = cluster.primary();
  AckWriters writers(WriterOptions(options, cluster));
  writers.Start();
  Say("saturated write load, no faults, for " + std::to_string(static_cast<int>(seconds)) + " s");
  std::set<NodeId> primaries{first_primary};
  const auto started = Clock::now();
  const auto end = started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    cluster.Pump(std::chrono::milliseconds(50));
    if (NodeId primary = cluster.primary(); primary != kNoNode) primaries.insert(primary);
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  writers.Stop();
  out["acks"] = writers.acks();
  out["acks_per_s"] = std::round(static_cast<double>(writers.acks()) / elapsed);
  out["errors"] = writers.errors_by_kind();
  out["first_error_messages"] = writers.first_error_messages();
  out["term_changes"] = cluster.highest_term() - first_term;
  out["primaries_seen"] = primaries.size();
  out["false_failovers"] = cluster.highest_term() - first_term;
  Say("saturated: " + std::to_string(writers.acks()) + " acks, " +
      std::to_string(cluster.highest_term() - first_term) + " term changes");
  return out;
}

nlohmann::json RunKillLoop(const PhaseOptions& options, int kills) {
  BenchCluster cluster(options.cluster);
  nlohmann::json out = {{"kills", kills}};
  if (std::string error = StartCluster(cluster, options.cluster.node_count); !error.empty()) {
    out["error"] = error;
    return out;
  }
  AckWriters writers(WriterOptions(options, cluster));
  writers.Start();
  std::vector<double> failover_ms;
  nlohmann::json rounds = nlohmann::json::array();
  int timeouts = 0;
  for (int round = 1; round <= kills; ++round) {
    if (!cluster.WaitFor([&] { return cluster.AllInSync(); }, FailoverDefaults::kInSyncTimeout)) {
      out["error"] = "round " + std::to_string(round) + ": nodes not in sync within 60 s: " + cluster.DescribeView();
      break;
    }
    const uint64_t acks_before = writers.acks();
    if (!cluster.WaitFor([&] { return writers.acks() > acks_before + 10; }, FailoverDefaults::kAcksFlowingTimeout)) {
      out["error"] = "round " + std::to_string(round) + ": writes are not being acknowledged";
      break;
    }
    const NodeId victim = cluster.primary();
    std::optional<NodeSeen> victim_seen = cluster.seen(victim);
    if (!victim_seen) {
      --round;  // the primary fell silent between the checks: look again
      continue;
    }
    const uint64_t term = victim_seen->heartbeat.term;
    writers.Arm(victim, term);
    cluster.KillNode(victim);
    const auto killed_at = Clock::now();
    cluster.ForgetNode(victim);
    const bool recovered =
        cluster.WaitFor([&] { return writers.FirstAckAfterArm().has_value(); }, FailoverDefaults::kFailoverTimeout);
    nlohmann::json entry = {{"round", round}, {"killed", victim}, {"term", term}};
    if (recovered) {
      const double ms = Ms(*writers.FirstAckAfterArm() - killed_at);
      failover_ms.push_back(ms);
      entry["failover_ms"] = std::round(ms * 10.0) / 10.0;
      Say("kill " + std::to_string(round) + "/" + std::to_string(kills) + ": node " + std::to_string(victim) +
          " (term " + std::to_string(term) + ") -> first acknowledged write after " +
          std::to_string(static_cast<int>(ms)) + " ms");
    } else {
      ++timeouts;
      entry["failover_ms"] = nullptr;
      Say("kill " + std::to_string(round) + ": no write acknowledged by a new primary within 30 s: " +
          cluster.DescribeView());
    }
    rounds.push_back(entry);
    if (Status restarted = cluster.StartNode(victim); !restarted.ok()) {
      out["error"] = "cannot restart node " + std::to_string(victim) + ": " + restarted.error().message;
      break;
    }
  }
  writers.Stop();
  out["completed"] = failover_ms.size();
  out["timeouts"] = timeouts;
  out["failover_ms"] = Distribution(failover_ms);
  out["rounds"] = rounds;
  out["write_errors"] = writers.errors_by_kind();
  out["first_write_error_messages"] = writers.first_error_messages();
  out["acks"] = writers.acks();
  return out;
}

nlohmann::json RunBrokerKills(const PhaseOptions& options, int kills) {
  BenchCluster cluster(options.cluster);
  nlohmann::json out = {{"kills", kills}, {"brokers", options.cluster.broker_count}};
  if (options.cluster.broker_count < 2) {
    out["error"] = "a broker kill needs at least 2 brokers (--brokers)";
    return out;
  }
  if (std::string error = StartCluster(cluster, options.cluster.node_count); !error.empty()) {
    out["error"] = error;
    return out;
  }
  const AckWriterOptions writer_options = WriterOptions(options, cluster);
  AckWriters writers(writer_options);
  writers.Start();
  // More acks than could have been in flight at the kill: these were sent after it.
  const uint64_t in_flight = static_cast<uint64_t>(options.writers) * static_cast<uint64_t>(options.depth);
  std::vector<double> stall_ms;
  int timeouts = 0;
  const auto started = Clock::now();
  const uint64_t acks_at_start = writers.acks();
  for (int round = 1; round <= kills; ++round) {
    const auto next_kill = Clock::now() + FailoverDefaults::kBrokerKillInterval;
    const uint64_t acks_before = writers.acks();
    if (!cluster.WaitFor([&] { return writers.acks() > acks_before + in_flight; }, FailoverDefaults::kAcksFlowingTimeout)) {
      out["error"] = "round " + std::to_string(round) + ": writes are not being acknowledged";
      break;
    }
    const uint32_t victim = 1 + static_cast<uint32_t>((round - 1) % options.cluster.broker_count);
    const uint64_t acks_at_kill = writers.acks();
    cluster.KillBroker(victim);
    const auto killed_at = Clock::now();
    const bool flowing = cluster.WaitFor([&] { return writers.acks() > acks_at_kill + in_flight; },
                                         FailoverDefaults::kFailoverTimeout);
    if (flowing) {
      const double ms = Ms(Clock::now() - killed_at);
      stall_ms.push_back(ms);
      Say("broker kill " + std::to_string(round) + "/" + std::to_string(kills) + ": broker " +
          std::to_string(victim) + " -> writes acknowledged again after " + std::to_string(static_cast<int>(ms)) +
          " ms");
    } else {
      ++timeouts;
      Say("broker kill " + std::to_string(round) + ": no writes acknowledged within 30 s: " + cluster.DescribeView());
    }
    if (Status restarted = cluster.RestartBroker(victim); !restarted.ok()) {
      out["error"] = "cannot restart broker " + std::to_string(victim) + ": " + restarted.error().message;
      break;
    }
    while (Clock::now() < next_kill) cluster.Pump(std::chrono::milliseconds(50));  // pacing
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  writers.Stop();
  out["completed"] = stall_ms.size();
  out["timeouts"] = timeouts;
  out["writer_request_timeout_ms"] = writer_options.request_timeout.count();
  out["stall_ms"] = Distribution(stall_ms);
  out["acks_per_s"] = std::round(static_cast<double>(writers.acks() - acks_at_start) / std::max(elapsed, 1e-9));
  out["write_errors"] = writers.errors_by_kind();
  out["first_write_error_messages"] = writers.first_error_messages();
  return out;
}

nlohmann::json RunResync(const PhaseOptions& options, uint64_t pairs) {
  BenchClusterOptions cluster_options = options.cluster;
  cluster_options.node_count = 3;
  cluster_options.min_acks = 1;
  BenchCluster cluster(cluster_options);
  nlohmann::json out = {{"pairs", pairs}, {"key_bytes", 16}, {"value_bytes", 16}};
  if (std::string error = StartCluster(cluster, 2); !error.empty()) {
    out["error"] = error;
    return out;
  }
  const uint64_t empty_kib = std::max(Rss(cluster, 1), Rss(cluster, 2));
  Say("filling " + std::to_string(pairs) + " pairs (16-byte keys and values) on nodes 1 and 2");
  PreloadResult filled = Preload(cluster.client_endpoint(), pairs, 16, std::chrono::milliseconds(10'000), 3);
  out["fill_s"] = std::round(filled.seconds * 100.0) / 100.0;
  out["fill_pairs_per_s"] = std::round(static_cast<double>(filled.added) / std::max(filled.seconds, 1e-9));
  if (filled.added != pairs) {
    out["error"] = "filled " + std::to_string(filled.added) + " pairs of " + std::to_string(pairs) + " (" +
                   filled.first_error + ")";
    return out;
  }
  cluster.WaitFor([&] { return cluster.primary() != kNoNode; }, FailoverDefaults::kInSyncTimeout);
  const NodeId primary = cluster.primary();
  if (primary == kNoNode) {
    out["error"] = "no primary after the fill: " + cluster.DescribeView();
    return out;
  }
  const uint64_t primary_seq = cluster.seen(primary)->heartbeat.last.seq;
  const NodeId other = primary == 1 ? 2 : 1;
  cluster.WaitFor(
      [&] {
        auto backup = cluster.seen(other);
        return backup && backup->heartbeat.role == Role::kBackup && backup->heartbeat.last.seq >= primary_seq;
      },
      FailoverDefaults::kInSyncTimeout);
  const uint64_t primary_kib = Rss(cluster, primary);
  const uint64_t backup_kib = Rss(cluster, other);

  Say("starting a fresh node 3 to resynchronise " + std::to_string(pairs) + " pairs");
  const auto spawned = Clock::now();
  if (Status started = cluster.StartNode(3); !started.ok()) {
    out["error"] = "cannot start node 3: " + started.error().message;
    return out;
  }
  std::optional<Clock::time_point> first_heard;
  const bool synced = cluster.WaitFor(
      [&] {
        auto fresh = cluster.seen(3);
        if (!fresh) return false;
        if (!first_heard) first_heard = fresh->first_heard;
        return fresh->heartbeat.role == Role::kBackup && fresh->heartbeat.last.seq >= primary_seq;
      },
      FailoverDefaults::kResyncTimeout);
  const auto in_sync = Clock::now();
  if (!synced) {
    out["error"] = "node 3 not in sync within 180 s: " + cluster.DescribeView();
    return out;
  }
  const uint64_t fresh_kib = Rss(cluster, 3);
  out["spawn_to_in_sync_ms"] = std::round(Ms(in_sync - spawned));
  out["first_heartbeat_to_in_sync_ms"] = first_heard ? std::round(Ms(in_sync - *first_heard)) : -1.0;
  out["heartbeat_ms"] = cluster_options.heartbeat_ms;  // the resolution of the "in sync" sighting
  auto per_pair = [&](uint64_t kib) {
    return std::round(static_cast<double>(kib > empty_kib ? kib - empty_kib : 0) * 1024.0 /
                      static_cast<double>(pairs) * 10.0) / 10.0;
  };
  out["memory"] = {{"empty_node_kib", empty_kib},
                   {"primary_kib", primary_kib},
                   {"backup_kib", backup_kib},
                   {"fresh_backup_kib", fresh_kib},
                   {"fresh_backup_bytes_per_pair", per_pair(fresh_kib)},
                   {"primary_bytes_per_pair", per_pair(primary_kib)}};
  Say("resync: node 3 in sync " + std::to_string(static_cast<int>(Ms(in_sync - spawned))) +
      " ms after it was started; RSS: fresh backup " + std::to_string(fresh_kib / 1024) + " MiB, primary " +
      std::to_string(primary_kib / 1024) + " MiB, empty node " + std::to_string(empty_kib / 1024) + " MiB");
  return out;
}

}  // namespace ts::bench
