// NodeLog (nodes/node_log.h) under a NodeCore in durable mode, on the
// crashable memory disk: group commit (one fdatasync per cycle with
// --sync always, none with --sync none), replies only after the primary's own
// fsync, and a restart from the disk at the node's position and term; the
// same with the fdatasync on the sync thread (tsnode's default), where a
// write is answered only in a cycle after the one whose sync covered it.
#include <catch2/catch.hpp>

#include <memory>
#include <utility>
#include <string>

#include "nodes/log/memory_storage.h"
#include "nodes/node_log.h"
#include "tests/cluster/mini_cluster.h"

using namespace ts;
using namespace ts::cluster;
using namespace ts::cluster::testing;

namespace {

// One node that may serve alone: every write is acknowledged once on its disk.
NodeConfig SoloDurable() {
  NodeConfig config;
  config.durable = true;
  config.min_acks = 0;
  config.cluster_size = 1;
  return config;
}

NodeLogOptions Options(SyncMode sync, bool sync_thread = false) {
  NodeLogOptions options;
  options.sync = sync;
  options.sync_thread = sync_thread;
  options.snapshot_log_bytes = uint64_t{1} << 40;  // no snapshot in these tests
  return options;
}

std::unique_ptr<NodeLog> OpenLog(wal::MemoryStorage& disk, SyncMode sync, bool sync_thread = false) {
  auto log = NodeLog::Open(disk, "n1", Options(sync, sync_thread));
  INFO((log.ok() ? "" : log.error().message));
  REQUIRE(log.ok());
  return std::move(log).value();
}

// The shell's end of cycle; a failed log releases nothing (the node stops).
// With the sync thread, each cycle waits for the sync it started, so that the
// next cycle takes it: the test steps in order instead of racing the thread.
// `persists` counts the calls.
MiniCluster::Persist PersistTo(std::unique_ptr<NodeLog>& log, std::string* failure, uint64_t* persists = nullptr) {
  return [&log, failure, persists](NodeCore& core, TimePoint now) {
    Result<NodeActions> released = log->Persist(core, now);
    log->WaitForSyncThread();
    if (persists != nullptr) ++*persists;
    if (released.ok()) return std::move(released).value();
    *failure = released.error().message;
    return NodeActions{};
  };
}

Request PutOne(int i) {
  Request put = MakePut({Pair{{"k", std::to_string(i)}, {"v", std::to_string(i)}}});
  put.id = RequestId{static_cast<uint64_t>(100 + i), 1};
  return put;
}

size_t Answered(MiniCluster& cluster, int clients) {
  size_t answered = 0;
  for (int i = 0; i < clients; ++i) answered += cluster.replies("c" + std::to_string(i)).size();
  return answered;
}

}  // namespace

TEST_CASE("node log: --sync always is one fdatasync for all the writes of a cycle, --sync none is none") {
  for (auto [sync, sync_thread] : {std::pair{SyncMode::kAlways, false}, std::pair{SyncMode::kAlways, true},
                                   std::pair{SyncMode::kNone, false}}) {
    INFO((sync == SyncMode::kAlways ? "--sync always" : "--sync none") << (sync_thread ? ", sync thread" : ""));
    wal::MemoryStorage disk;
    std::unique_ptr<NodeLog> log = OpenLog(disk, sync, sync_thread);
    std::string failure;
    uint64_t persists = 0;
    MiniCluster cluster(1, SoloDurable());
    cluster.SetPersist(1, PersistTo(log, &failure, &persists));
    REQUIRE(cluster.RunUntil([&] { return cluster.primary() == 1 && cluster.node(1)->durable() == cluster.node(1)->last(); }));

    const uint64_t syncs_before = disk.sync_count();
    const uint64_t persists_before = persists;
    for (int i = 0; i < 10; ++i) cluster.SendRequest("c" + std::to_string(i), PutOne(i));  // one cycle
    REQUIRE(cluster.RunUntil([&] { return Answered(cluster, 10) == 10; }));
    // On the thread, the cycle that wrote them started their sync and released
    // nothing; a later one took the sync and answered.
    CHECK(persists - persists_before >= (sync_thread ? 2u : 1u));
    cluster.Run(200);  // heartbeats only: nothing more to sync
    CHECK(failure.empty());
    for (int i = 0; i < 10; ++i) {
      const Reply& reply = cluster.replies("c" + std::to_string(i)).front();
      CHECK(reply.ok());
    }
    CHECK(disk.sync_count() - syncs_before == (sync == SyncMode::kAlways ? 1u : 0u));
    CHECK(log->syncs() == disk.sync_count());
  }
}

TEST_CASE("node log: a primary whose fsync fails acknowledges nothing") {
  const bool sync_thread = GENERATE(false, true);
  INFO((sync_thread ? "sync thread" : "inline sync"));
  wal::MemoryStorage disk;
  std::unique_ptr<NodeLog> log = OpenLog(disk, SyncMode::kAlways, sync_thread);
  std::string failure;
  MiniCluster cluster(1, SoloDurable());
  cluster.SetPersist(1, PersistTo(log, &failure));
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() == 1 && cluster.node(1)->durable() == cluster.node(1)->last(); }));

  disk.FailOperation(wal::MemoryStorage::Operation::kSync, true);
  cluster.SendRequest("c0", PutOne(0));
  cluster.Run(500);
  CHECK(failure.find("fdatasync") != std::string::npos);  // Sync's error, named
  CHECK(cluster.replies("c0").empty());                   // applied in memory, never acknowledged
  CHECK(cluster.node(1)->durable() < cluster.node(1)->last());
}

TEST_CASE("node log: a node restarts from its disk at its position and term, and leads a newer term") {
  wal::MemoryStorage disk;
  std::unique_ptr<NodeLog> log = OpenLog(disk, SyncMode::kAlways);
  std::string failure;
  MiniCluster cluster(1, SoloDurable());
  cluster.SetPersist(1, PersistTo(log, &failure));
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() == 1; }));
  for (int i = 0; i < 5; ++i) cluster.SendRequest("c" + std::to_string(i), PutOne(i));
  REQUIRE(cluster.RunUntil([&] { return Answered(cluster, 5) == 5; }));
  const LogPosition before = cluster.node(1)->last();
  const uint64_t term_before = cluster.node(1)->term();

  // Power loss: what was acknowledged was synced, so it all comes back.
  cluster.Crash(1);
  log.reset();
  disk.Crash(/*seed=*/7);
  log = OpenLog(disk, SyncMode::kAlways);
  cluster.Start(1, [&](NodeCore& core) { log->Restore(core); });
  CHECK(cluster.node(1)->last() == before);
  CHECK(cluster.node(1)->durable() == before);
  CHECK(cluster.node(1)->term() == term_before);
  CHECK(cluster.node(1)->space().size() == 5);
  CHECK(cluster.node(1)->client_rows().size() == 5);  // the exactly-once rows too

  REQUIRE(cluster.RunUntil([&] { return cluster.primary() == 1; }));
  CHECK(cluster.node(1)->term() > term_before);
  CHECK(failure.empty());
}

TEST_CASE("node log: a --load file imported into an empty data directory becomes its first snapshot") {
  wal::MemoryStorage disk;
  std::unique_ptr<NodeLog> log = OpenLog(disk, SyncMode::kAlways);
  REQUIRE(log->empty());
  std::string failure;
  MiniCluster cluster(0, SoloDurable());
  cluster.Start(1, [&](NodeCore& core) {
    log->Restore(core);
    for (int i = 0; i < 3; ++i) core.Preload("loaded," + std::to_string(i), "v");
    core.SetLoadedPosition(LogPosition{4, 30});
  });
  cluster.SetPersist(1, PersistTo(log, &failure));
  CHECK_FALSE(cluster.node(1)->durable().has_value());  // not on disk yet: nothing counts
  cluster.Run(5);
  CHECK(failure.empty());
  CHECK(cluster.node(1)->durable() == LogPosition{4, 30});

  log.reset();
  disk.Crash(/*seed=*/3);
  log = OpenLog(disk, SyncMode::kAlways);
  REQUIRE(log->recovered().snapshot.has_value());
  CHECK(log->recovered().snapshot->header.at == LogPosition{4, 30});
  CHECK(log->recovered().snapshot->pairs.size() == 3);
}
