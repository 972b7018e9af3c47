// Failover with real processes: kill -9 of the primary under writes, a killed
// backup resyncing a large space, and a returning old primary that must not
// take the role back. Every wait is bounded; timing is printed, not asserted
// beyond generous bounds.
#include <catch2/catch.hpp>

#include <iostream>
#include <memory>

#include "tests/integration/cluster_fixture.h"
#include "tests/integration/write_recorder.h"

namespace ts::itest {
namespace {

using testing::WaitUntil;

long long MillisBetween(SteadyTime from, SteadyTime to) {
  return std::chrono::duration_cast<Millis>(to - from).count();
}

// Puts `count` pairs ("<prefix>,<i>" -> "v<i>") in batches, each REQUIREd acknowledged.
void PutMany(Client& client, const std::string& prefix, size_t first, size_t count, size_t batch,
             std::map<std::string, std::string>& expected) {
  for (size_t start = first; start < first + count; start += batch) {
    std::vector<Pair> pairs;
    for (size_t i = start; i < std::min(first + count, start + batch); ++i) {
      pairs.push_back(Pair{{prefix, std::to_string(i)}, {"v" + std::to_string(i)}});
      expected[prefix + "," + std::to_string(i)] = "v" + std::to_string(i);
    }
    Result<Reply> reply = client.Put(std::move(pairs));
    INFO(prefix << " batch from " << start << ": "
                << (!reply.ok() ? reply.error().message
                                : reply.value().error ? reply.value().error->message : "ok"));
    REQUIRE(reply.ok());
    REQUIRE(reply.value().ok());
    REQUIRE(reply.value().rejected.empty());
  }
}

uint32_t SomeNodeOtherThan(const Cluster& cluster, std::initializer_list<uint32_t> excluded) {
  for (uint32_t id : cluster.node_ids()) {
    if (std::find(excluded.begin(), excluded.end(), id) == excluded.end()) return id;
  }
  return 0;
}

void CheckWriters(Cluster& cluster, const std::vector<std::unique_ptr<Writer>>& writers) {
  Client reader = cluster.NewClient();
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
  }
}

}  // namespace

TEST_CASE("integration: kill -9 of the primary during writes loses no acknowledged write",
          "[integration][failover]") {
  Cluster cluster;
  INFO(cluster.last_error());
  REQUIRE(cluster.Start());

  AckMonitor monitor;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int i = 0; i < 2; ++i) writers.push_back(std::make_unique<Writer>(i, cluster.client_endpoint(), monitor, 2));
  for (auto& writer : writers) writer->Start();
  REQUIRE(WaitUntil([&] { return monitor.count() >= 50; }, Millis(20'000)));

  const AckEvent before = *monitor.Latest();
  monitor.Arm(before.term);
  const SteadyTime killed_at = std::chrono::steady_clock::now();
  cluster.Kill(before.served_by);

  // Sent while there is no primary: held by the broker, then served by the new one.
  Client held = cluster.NewClient();
  Result<Reply> held_reply = held.Put({Pair{{"held"}, {"yes"}}});
  INFO((held_reply.ok() ? "" : held_reply.error().message));
  REQUIRE(held_reply.ok());
  INFO((held_reply.value().error ? held_reply.value().error->message : ""));
  CHECK(held_reply.value().ok());
  CHECK(held_reply.value().served_by != before.served_by);
  CHECK(held_reply.value().term > before.term);

  REQUIRE(WaitUntil([&] { return monitor.FirstAckAfterArm().has_value(); }, kFailoverTimeout));
  const AckEvent after = *monitor.FirstAckAfterArm();
  std::cout << "failover ms: " << MillisBetween(killed_at, after.at) << " (node " << before.served_by
            << " killed in term " << before.term << "; node " << after.served_by << " acknowledged in term "
            << after.term << ")" << std::endl;
  CHECK(after.served_by != before.served_by);

  const uint64_t acks_after_failover = monitor.count();
  REQUIRE(WaitUntil([&] { return monitor.count() >= acks_after_failover + 50; }, Millis(20'000)));
  for (auto& writer : writers) writer->Stop();

  // In-flight and held requests were answered, not failed.
  for (const auto& writer : writers) {
    std::vector<std::string> failures;
    for (const auto& [what, count] : writer->report().failures) failures.push_back(what + " x" + std::to_string(count));
    INFO("writer " << writer->report().index);
    CHECK(JoinSome(failures, 10) == "");
  }
  CheckWriters(cluster, writers);
  Client reader = cluster.NewClient();
  Result<Reply> held_key = reader.Get("held", "yes");
  REQUIRE(held_key.ok());
  CHECK(held_key.value().pairs.size() == 1);
}

TEST_CASE("integration: a killed backup restarts, resyncs 100,000 pairs and follows new writes",
          "[integration][failover]") {
  Cluster cluster;
  INFO(cluster.last_error());
  REQUIRE(cluster.Start());
  Client client = cluster.NewClient();
  std::map<std::string, std::string> expected;
  PutMany(client, "big", 0, 100'000, 5'000, expected);

  std::optional<PrimaryView> primary = cluster.WaitForPrimary(kFailoverTimeout);
  REQUIRE(primary);
  const uint32_t backup = SomeNodeOtherThan(cluster, {primary->id});
  const uint32_t third = SomeNodeOtherThan(cluster, {primary->id, backup});
  INFO("primary " << primary->id << ", restarted backup " << backup << ", other backup " << third);
  cluster.Kill(backup);
  PutMany(client, "down", 0, 1'000, 100, expected);  // written while it is away

  const SteadyTime restarted_at = std::chrono::steady_clock::now();
  cluster.Restart(backup);
  REQUIRE(cluster.WaitCaughtUp(backup, kCatchUpTimeout));
  std::cout << "resync of " << expected.size() << " pairs: backup caught up "
            << MillisBetween(restarted_at, std::chrono::steady_clock::now()) << " ms after restart" << std::endl;

  PutMany(client, "after", 0, 1'000, 100, expected);  // it must follow these
  REQUIRE(cluster.WaitCaughtUp(backup, kCatchUpTimeout));

  // Leave the restarted node alone: it must become primary and hold everything.
  cluster.Kill(primary->id);
  cluster.Kill(third);
  std::optional<PrimaryView> survivor = cluster.WaitForPrimary(kFailoverTimeout, primary->id);
  REQUIRE(survivor);
  CHECK(survivor->id == backup);
  CHECK(survivor->term > primary->term);
  Client reader = cluster.NewClient();
  Result<std::map<std::string, std::string>> actual = ReadAll(reader);
  INFO((actual.ok() ? "" : actual.error().message));
  REQUIRE(actual.ok());
  CHECK(actual.value().size() == expected.size());
  CHECK(actual.value() == expected);
}

TEST_CASE("integration: the old primary restarted rejoins as a backup, without flapping",
          "[integration][failover]") {
  Cluster cluster;
  INFO(cluster.last_error());
  REQUIRE(cluster.Start());
  Client client = cluster.NewClient();
  std::map<std::string, std::string> expected;
  PutMany(client, "before", 0, 500, 100, expected);

  std::optional<PrimaryView> old_primary = cluster.WaitForPrimary(kFailoverTimeout);
  REQUIRE(old_primary);
  cluster.Kill(old_primary->id);
  std::optional<PrimaryView> new_primary = cluster.WaitForPrimary(kFailoverTimeout, old_primary->id);
  REQUIRE(new_primary);
  CHECK(new_primary->term > old_primary->term);
  PutMany(client, "between", 0, 500, 100, expected);

  cluster.Restart(old_primary->id);
  REQUIRE(cluster.WaitCaughtUp(old_primary->id, kCatchUpTimeout));

  // Observe for well over ten liveness windows: the primary and term stay put
  // while the returning node (whatever its id) follows as a backup.
  const Millis observation = std::max(Millis(3'000), cluster.options().heartbeat * cluster.options().liveness * 10);
  const SteadyTime until = std::chrono::steady_clock::now() + observation;
  size_t observed = 0;
  for (size_t i = 0; std::chrono::steady_clock::now() < until; ++i) {
    Result<Reply> put = client.Put({Pair{{"during", std::to_string(i)}, {"v" + std::to_string(i)}}});
    REQUIRE(put.ok());
    INFO("write " << i << ": " << (put.value().error ? put.value().error->message : "ok"));
    REQUIRE(put.value().ok());
    expected["during," + std::to_string(i)] = "v" + std::to_string(i);
    CHECK(put.value().served_by == new_primary->id);
    CHECK(put.value().term == new_primary->term);
    ++observed;
  }
  CHECK(observed > 10);
  std::optional<ClusterView> view = cluster.Status();
  REQUIRE(view);
  INFO(view->text);
  CHECK(view->primary == new_primary->id);
  CHECK(view->term == new_primary->term);
  CHECK(view->nodes[old_primary->id].field("role") == "backup");

  // It followed every write: with the current primary gone, nothing is missing.
  REQUIRE(cluster.WaitCaughtUp(old_primary->id, kCatchUpTimeout));
  cluster.Kill(new_primary->id);
  std::optional<PrimaryView> next = cluster.WaitForPrimary(kFailoverTimeout, new_primary->id);
  REQUIRE(next);
  Result<std::map<std::string, std::string>> actual = ReadAll(client);
  REQUIRE(actual.ok());
  CHECK(actual.value() == expected);
}

}  // namespace ts::itest
