// The broker pair as real processes (issue 11, item 5): two tsbrokers, three
// durable tsnodes, writers whose client holds both brokers' endpoints.
//  - SIGKILL of one broker (alternating) every 3 s for 15 s, each restarted at
//    once as the supervisor would: writes keep being acknowledged after every
//    kill, and none acknowledged is lost or wrong.
//  - SIGKILL of both brokers at once: nothing is served while they are down;
//    once they are restarted the service returns, with nothing lost.
// The writers' client waits kWriterTimeout per attempt, so a request lost
// with a dead broker costs one such timeout before it goes to the other.
#include <catch2/catch.hpp>

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "tests/integration/require.h"
#include "tests/integration/write_recorder.h"

namespace ts::itest {
namespace {

using testing::WaitUntil;

constexpr int kWriters = 3;
constexpr int kBrokerKills = 5;                   // one every kKillInterval: 15 s
constexpr Millis kKillInterval{3'000};
constexpr Millis kWriterTimeout{1'000};           // a call's attempt, per broker
constexpr uint64_t kAcksAfterEachKill = 10;       // seen before the next kill
constexpr Millis kServiceBackTimeout{20'000};

ClientOptions WriterOptions() {
  ClientOptions options;
  options.request_timeout = kWriterTimeout;
  options.retries = 3;
  return options;
}

ClusterOptions PairOptions() {
  ClusterOptions options;
  options.broker_count = 2;
  options.data_dirs = true;
  return options;
}

void KillBroker(Cluster& cluster, uint32_t id) {
  cluster.broker(id).Signal(SIGKILL);
  REQUIRE(cluster.broker(id).Wait(kProcessExitTimeout).has_value());
}

// Stops the writers, then checks every acknowledged write against what the
// service holds; returns the acknowledged call count.
uint64_t StopAndCheck(Cluster& cluster, std::vector<std::unique_ptr<Writer>>& writers) {
  for (auto& writer : writers) writer->Stop();
  Client reader = cluster.NewClient();
  uint64_t acknowledged = 0;
  for (const auto& writer : writers) {
    const WriterReport& report = writer->report();
    INFO("writer " << report.index << ": " << report.calls << " calls, " << report.acknowledged_calls
                   << " acknowledged");
    for (const auto& [what, count] : report.failures) {
      std::cout << "broker pair: writer " << report.index << " unacknowledged x" << count << ": " << what << "\n";
    }
    acknowledged += report.acknowledged_calls;
    CHECK(report.acknowledged_calls > 0);
    CHECK(JoinSome(report.anomalies, 10) == "");
    Result<std::map<std::string, std::string>> actual = ReadAll(reader, Writer::KeyPattern(report.index));
    INFO((actual.ok() ? "" : actual.error().message));
    REQUIRE(actual.ok());
    CHECK(JoinSome(CheckWrites(report, actual.value()), 20) == "");
  }
  return acknowledged;
}

}  // namespace

TEST_CASE("integration: pair - SIGKILL of one broker every 3 s for 15 s under 3 writers: writes flow, none lost",
          "[integration][pair]") {
  Cluster cluster(PairOptions());
  RequireStarted(cluster);
  AckMonitor monitor;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.push_back(std::make_unique<Writer>(i, cluster.client_endpoint(), monitor, 1, WriterOptions()));
  }
  for (auto& writer : writers) writer->Start();
  REQUIRE(WaitUntil([&] { return monitor.count() >= kAcksAfterEachKill; }, Millis(10'000)));

  const auto started = std::chrono::steady_clock::now();
  const uint64_t acks_at_start = monitor.count();
  for (int round = 0; round < kBrokerKills; ++round) {
    INFO("kill " << round + 1);
    const auto next_kill = started + kKillInterval * (round + 1);
    const uint32_t victim = 1 + static_cast<uint32_t>(round % 2);
    KillBroker(cluster, victim);
    cluster.broker(victim).Start();  // as the supervisor does
    const uint64_t acks_at_kill = monitor.count();
    // Writes go on, through the other broker while this one comes back.
    REQUIRE(WaitUntil([&] { return monitor.count() >= acks_at_kill + kAcksAfterEachKill; }, kKillInterval));
    std::this_thread::sleep_until(next_kill);  // pacing, not a check
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const uint64_t during = monitor.count() - acks_at_start;
  std::cout << "broker pair: " << during << " writes acknowledged in " << seconds << " s while killing a broker every "
            << kKillInterval.count() << " ms (" << static_cast<double>(during) / seconds << "/s)" << std::endl;
  StopAndCheck(cluster, writers);
}

TEST_CASE("integration: pair - SIGKILL of both brokers at once: the service returns when they restart, nothing lost",
          "[integration][pair]") {
  Cluster cluster(PairOptions());
  RequireStarted(cluster);
  AckMonitor monitor;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.push_back(std::make_unique<Writer>(i, cluster.client_endpoint(), monitor, 1, WriterOptions()));
  }
  for (auto& writer : writers) writer->Start();
  REQUIRE(WaitUntil([&] { return monitor.count() >= kAcksAfterEachKill; }, Millis(10'000)));

  KillBroker(cluster, 1);
  KillBroker(cluster, 2);
  // Down together: no write can be acknowledged (a call in flight may still
  // finish, so allow what was under way when the kill landed).
  const uint64_t acks_at_kill = monitor.count();
  CHECK_FALSE(WaitUntil([&] { return monitor.count() > acks_at_kill + kWriters; }, Millis(1'500)));
  cluster.broker(1).Start();
  cluster.broker(2).Start();
  const uint64_t acks_back = monitor.count();
  REQUIRE(WaitUntil([&] { return monitor.count() >= acks_back + kAcksAfterEachKill; }, kServiceBackTimeout));
  StopAndCheck(cluster, writers);
}

}  // namespace ts::itest
