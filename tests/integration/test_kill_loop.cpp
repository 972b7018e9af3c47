// The kill loop: kill -9 whichever node is primary, restart it at once (as a
// supervisor would), 20 times, under 4 concurrent writers; then no
// acknowledged write may be missing or wrong, and every node saves the same
// space when stopped. Each failover's duration (kill to the first acknowledged
// write in a newer term) is printed with a "failover ms:" prefix, then the
// median, min, max and p90; only a generous bound is asserted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "tests/integration/require.h"
#include "tests/integration/write_recorder.h"

namespace ts::itest {
namespace {

using testing::WaitUntil;

constexpr int kKillRounds = 20;
constexpr int kWriters = 4;
// Acknowledgements to see from the current primary before each kill, so every
// round kills a primary that is really serving.
constexpr uint64_t kAcksBeforeKill = 20;

long long Percentile(std::vector<long long> sorted_values, double fraction) {
  std::sort(sorted_values.begin(), sorted_values.end());
  size_t rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted_values.size())));
  return sorted_values[std::clamp<size_t>(rank, 1, sorted_values.size()) - 1];
}

}  // namespace

TEST_CASE("integration: kill loop - 20 kill -9 of the primary under 4 writers lose no acknowledged write",
          "[integration][killloop]") {
  Cluster cluster;
  RequireStarted(cluster);

  AckMonitor monitor;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < kWriters; ++i) writers.push_back(std::make_unique<Writer>(i, cluster.client_endpoint(), monitor));
  for (auto& writer : writers) writer->Start();

  std::vector<long long> failover_ms;
  std::optional<uint32_t> restarted;
  for (int round = 1; round <= kKillRounds; ++round) {
    INFO("round " << round);
    // The node restarted last round is back in step, and the primary is serving.
    if (restarted) RequireCaughtUp(cluster, *restarted, kCatchUpTimeout);
    const uint64_t acks_at_start = monitor.count();
    REQUIRE(WaitUntil([&] { return monitor.count() >= acks_at_start + kAcksBeforeKill; }, Millis(20'000)));
    const AckEvent before = *monitor.Latest();

    monitor.Arm(before.term);
    const SteadyTime killed_at = std::chrono::steady_clock::now();
    cluster.Kill(before.served_by);
    cluster.Restart(before.served_by);
    restarted = before.served_by;

    REQUIRE(WaitUntil([&] { return monitor.FirstAckAfterArm().has_value(); }, kFailoverTimeout));
    const AckEvent after = *monitor.FirstAckAfterArm();
    const long long took = std::chrono::duration_cast<Millis>(after.at - killed_at).count();
    failover_ms.push_back(took);
    std::cout << "failover ms: round " << round << ": " << took << " (node " << before.served_by
              << " killed in term " << before.term << "; node " << after.served_by << " acknowledged in term "
              << after.term << ")" << std::endl;
    CHECK(after.served_by != before.served_by);
  }
  for (auto& writer : writers) writer->Stop();

  std::cout << "failover ms: n=" << failover_ms.size() << " median=" << Percentile(failover_ms, 0.5)
            << " min=" << *std::min_element(failover_ms.begin(), failover_ms.end())
            << " max=" << *std::max_element(failover_ms.begin(), failover_ms.end())
            << " p90=" << Percentile(failover_ms, 0.9) << std::endl;
  uint64_t calls = 0, acknowledged = 0;
  for (const auto& writer : writers) {
    const WriterReport& report = writer->report();
    calls += report.calls;
    acknowledged += report.acknowledged_calls;
    for (const auto& [what, count] : report.failures) {
      std::cout << "kill loop: writer " << report.index << " unacknowledged x" << count << ": " << what << "\n";
    }
  }
  std::cout << "kill loop: " << calls << " write calls, " << acknowledged << " acknowledged" << std::endl;

  // Nothing acknowledged is missing or wrong.
  Client reader = cluster.NewClient();
  std::map<std::string, std::string> everything;
  for (const auto& writer : writers) {
    const WriterReport& report = writer->report();
    INFO("writer " << report.index << ": " << report.calls << " calls, " << report.acknowledged_calls
                   << " acknowledged");
    CHECK(report.acknowledged_calls > 0);
    CHECK(JoinSome(report.anomalies, 10) == "");
    Result<std::map<std::string, std::string>> actual = ReadAll(reader, Writer::KeyPattern(report.index));
    INFO((actual.ok() ? "" : actual.error().message));
    REQUIRE(actual.ok());
    CHECK(JoinSome(CheckWrites(report, actual.value()), 20) == "");
    everything.insert(actual.value().begin(), actual.value().end());
  }

  // Every node converged: stopped with SIGTERM (backups first), each saves
  // exactly what the primary serves.
  RequireCaughtUp(cluster, *restarted, kCatchUpTimeout);
  const PrimaryView primary = RequirePrimary(cluster, kFailoverTimeout);
  std::vector<uint32_t> order;
  for (uint32_t id : cluster.node_ids()) {
    if (id != primary.id) order.push_back(id);
  }
  order.push_back(primary.id);
  for (uint32_t id : order) {
    INFO("node " << id << (id == primary.id ? " (primary)" : " (backup)"));
    std::optional<int> code = cluster.Terminate(id);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    Result<std::map<std::string, std::string>> saved = ReadSnapshot(cluster.save_path(id));
    INFO((saved.ok() ? "" : saved.error().message));
    REQUIRE(saved.ok());
    CHECK(saved.value().size() == everything.size());
    CHECK(saved.value() == everything);
  }
}

}  // namespace ts::itest
