// Failover with real processes: kill -9 of the primary under writes, a killed
// backup resyncing a large space, and a returning old primary that must not
// take the role back. Every wait is bounded; timing is printed, not asserted
// beyond generous bounds.
#include <catch2/catch.hpp>

#include <iostream>
#include <memory>

#include "tests/integration/require.h"
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
  RequireStarted(cluster);

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

TEST_CASE("integration: a killed backup restarts and resyncs 100000 pairs then follows new writes",
          "[integration][failover]") {
  Cluster cluster;
  RequireStarted(cluster);
  Client client = cluster.NewClient();
  std::map<std::string, std::string> expected;
  PutMany(client, "big", 0, 100'000, 5'000, expected);

  const PrimaryView primary = RequirePrimary(cluster, kFailoverTimeout);
  const uint32_t backup = SomeNodeOtherThan(cluster, {primary.id});
  const uint32_t third = SomeNodeOtherThan(cluster, {primary.id, backup});
  INFO("primary " << primary.id << ", restarted backup " << backup << ", other backup " << third);
  cluster.Kill(backup);
  PutMany(client, "down", 0, 1'000, 100, expected);  // written while it is away

  const SteadyTime restarted_at = std::chrono::steady_clock::now();
  cluster.Restart(backup);
  RequireCaughtUp(cluster, backup, kCatchUpTimeout);
  std::cout << "resync of " << expected.size() << " pairs: backup caught up "
            << MillisBetween(restarted_at, std::chrono::steady_clock::now()) << " ms after restart" << std::endl;

  PutMany(client, "after", 0, 1'000, 100, expected);  // it must follow these
  RequireCaughtUp(cluster, backup, kCatchUpTimeout);

  // Every node, the restarted one included, saves exactly the same pairs.
  Result<Reply> shutdown = SendShutdown(cluster.shutdown_endpoint(), PatientClientOptions());
  INFO((shutdown.ok() ? "" : shutdown.error().message));
  REQUIRE(shutdown.ok());
  for (uint32_t id : cluster.node_ids()) {
    INFO("node " << id);
    REQUIRE(cluster.node(id).Wait(kProcessExitTimeout).has_value());
    Result<std::map<std::string, std::string>> saved = ReadSnapshot(cluster.save_path(id));
    INFO((saved.ok() ? "" : saved.error().message));
    REQUIRE(saved.ok());
    CHECK(saved.value().size() == expected.size());
    CHECK(saved.value() == expected);
  }
}

TEST_CASE("integration: a primary left without backups refuses writes and serves reads",
          "[integration][failover]") {
  Cluster cluster;
  RequireStarted(cluster);
  Client client = cluster.NewClient();
  std::map<std::string, std::string> expected;
  PutMany(client, "kept", 0, 100, 100, expected);
  const PrimaryView first = RequirePrimary(cluster, kFailoverTimeout);

  // Both backups die while a write is in flight: it is answered (refused),
  // not left hanging until the client gives up.
  const uint32_t backup = SomeNodeOtherThan(cluster, {first.id});
  const uint32_t third = SomeNodeOtherThan(cluster, {first.id, backup});
  cluster.Kill(backup);
  cluster.Kill(third);
  ClientOptions bounded;
  bounded.request_timeout = Millis(5'000);
  bounded.retries = 1;
  Client in_flight = cluster.NewClient(bounded);
  Result<Reply> answered = in_flight.Put({Pair{{"alone"}, {"0"}}});
  {
    INFO("write in flight as the backups die: "
         << (!answered.ok() ? answered.error().message
                            : answered.value().error ? answered.value().error->message : "acknowledged"));
    CHECK(answered.ok());
    if (answered.ok()) {
      REQUIRE(answered.value().error.has_value());
      CHECK(answered.value().error->kind == ErrorKind::kNotEnoughReplicas);
    }
  }

  // Once the primary knows it is alone: writes are refused, reads served.
  REQUIRE(WaitUntil(
      [&] {
        std::optional<ClusterView> view = cluster.Status();
        return view && !view->nodes[backup].live() && !view->nodes[third].live();
      },
      kFailoverTimeout));
  Result<Reply> refused = client.Put({Pair{{"alone"}, {"1"}}});
  INFO((refused.ok() ? "" : refused.error().message));
  REQUIRE(refused.ok());
  INFO((refused.value().error ? refused.value().error->message : "no error"));
  REQUIRE(refused.value().error.has_value());
  CHECK(refused.value().error->kind == ErrorKind::kNotEnoughReplicas);
  Result<std::map<std::string, std::string>> held = ReadAll(client);
  INFO((held.ok() ? "" : held.error().message));
  REQUIRE(held.ok());
  CHECK(held.value() == expected);

  // Likewise for a node that is left alone and must take over: it serves what
  // was acknowledged, and refuses writes.
  cluster.Restart(backup);
  RequireCaughtUp(cluster, backup, kCatchUpTimeout);
  cluster.Kill(first.id);
  const PrimaryView survivor = RequirePrimary(cluster, kFailoverTimeout, first.id);
  CHECK(survivor.id == backup);
  Result<std::map<std::string, std::string>> served = ReadAll(client);
  INFO((served.ok() ? "" : served.error().message));
  REQUIRE(served.ok());
  CHECK(served.value() == expected);
  Result<Reply> refused_again = client.Put({Pair{{"alone"}, {"2"}}});
  REQUIRE(refused_again.ok());
  REQUIRE(refused_again.value().error.has_value());
  CHECK(refused_again.value().error->kind == ErrorKind::kNotEnoughReplicas);
}

TEST_CASE("integration: the old primary restarted rejoins as a backup without flapping",
          "[integration][failover]") {
  Cluster cluster;
  RequireStarted(cluster);
  Client client = cluster.NewClient();
  std::map<std::string, std::string> expected;
  PutMany(client, "before", 0, 500, 100, expected);

  const PrimaryView old_primary = RequirePrimary(cluster, kFailoverTimeout);
  cluster.Kill(old_primary.id);
  const PrimaryView new_primary = RequirePrimary(cluster, kFailoverTimeout, old_primary.id);
  CHECK(new_primary.term > old_primary.term);
  PutMany(client, "between", 0, 500, 100, expected);

  cluster.Restart(old_primary.id);
  RequireCaughtUp(cluster, old_primary.id, kCatchUpTimeout);

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
    CHECK(put.value().served_by == new_primary.id);
    CHECK(put.value().term == new_primary.term);
    ++observed;
  }
  CHECK(observed > 10);
  std::optional<ClusterView> view = cluster.Status();
  REQUIRE(view);
  INFO(view->text);
  CHECK(view->primary == new_primary.id);
  CHECK(view->term == new_primary.term);
  CHECK(view->nodes[old_primary.id].field("role") == "backup");

  // It followed every write: with the current primary gone, nothing is missing.
  RequireCaughtUp(cluster, old_primary.id, kCatchUpTimeout);
  cluster.Kill(new_primary.id);
  RequirePrimary(cluster, kFailoverTimeout, new_primary.id);
  Result<std::map<std::string, std::string>> actual = ReadAll(client);
  REQUIRE(actual.ok());
  CHECK(actual.value() == expected);
}

}  // namespace ts::itest
