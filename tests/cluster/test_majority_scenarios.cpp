// The worst cases of issue 11, each built by hand on MiniCluster (every node
// and the broker as pure cores, a deterministic network): a broker that lost
// its memory while the nodes holding the newest acknowledged writes are out
// of reach, and a partition that leaves the primary with the broker and the
// majority of the nodes elsewhere. What must hold: no acknowledged write is
// lost, no two primaries share a term, and the service returns once a
// majority that holds the history can talk to a broker.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "tests/cluster/mini_cluster.h"

using namespace ts;
using namespace ts::cluster;
using namespace ts::cluster::testing;

namespace {

Request Put(uint64_t client, uint64_t number, const std::string& key) {
  Request request = MakePut({Pair{{key}, {"v"}}});
  request.id = RequestId{client, number};
  return request;
}

bool AllInSync(MiniCluster& cluster, std::initializer_list<NodeId> ids) {
  const NodeId primary = cluster.primary();
  if (primary == kNoNode) return false;
  for (NodeId id : ids) {
    if (id == primary) continue;
    NodeCore* node = cluster.node(id);
    if (!node || node->role() != Role::kBackup || node->last() != cluster.node(primary)->last()) return false;
  }
  return true;
}

// Every node that acts as primary, per term: never two in one.
struct PrimaryWatch {
  std::map<uint64_t, NodeId> by_term;
  bool two = false;
  void Look(MiniCluster& cluster, std::initializer_list<NodeId> ids) {
    for (NodeId id : ids) {
      NodeCore* node = cluster.node(id);
      if (!node || node->role() != Role::kPrimary) continue;
      auto [it, inserted] = by_term.emplace(node->term(), id);
      if (!inserted && it->second != id) two = true;
    }
  }
};

// Writes `count` keys "<prefix>0".. through client `client`, each acknowledged.
void WriteAcked(MiniCluster& cluster, const std::string& client, uint64_t id, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) {
    const size_t before = cluster.replies(client).size();
    cluster.SendRequest(client, Put(id, static_cast<uint64_t>(i + 1), prefix + std::to_string(i)));
    REQUIRE(cluster.RunUntil([&] { return cluster.replies(client).size() == before + 1; }, 3'000));
    REQUIRE(cluster.replies(client).back().ok());
  }
}

void HasAll(const NodeCore& node, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) {
    INFO("key " << prefix << i << " on node " << node.config().id);
    CHECK(node.space().pairs().count(prefix + std::to_string(i)) == 1);
  }
}

}  // namespace

TEST_CASE("scenario: a broker restart while the nodes with the newest acknowledged writes are out of reach loses nothing") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  const NodeId primary = cluster.primary();
  const NodeId stale = primary == 1 ? 2 : 1;
  const NodeId fresh = 6 - primary - stale;
  // The stale node is cut off from everyone: the writes are acknowledged by
  // the primary and the fresh backup, a majority.
  for (int other : {0, 1, 2, 3}) {
    if (other != static_cast<int>(stale)) cluster.Cut(static_cast<int>(stale), other);
  }
  WriteAcked(cluster, "alice", 7, "w", 5);
  // The primary dies, the fresh backup becomes unreachable, the broker
  // restarts empty, and only then does the stale node come back.
  cluster.Crash(primary);
  cluster.HealAll();
  for (int other : {0, 1, 2, 3}) {
    if (other != static_cast<int>(fresh)) cluster.Cut(static_cast<int>(fresh), other);
  }
  cluster.RestartBroker();
  PrimaryWatch watch;
  // Alone, the stale node cannot win: the old broker-only rule would have
  // registered it (and lost the five writes).
  for (int i = 0; i < 600; ++i) {
    cluster.Run(5);
    watch.Look(cluster, {stale, fresh});
    REQUIRE(cluster.node(stale)->role() != Role::kPrimary);
  }
  CHECK(cluster.broker().primary() == kNoNode);
  // The fresh node is back: it wins (the stale one votes for it), and every
  // acknowledged write is served.
  cluster.HealAll();
  REQUIRE(cluster.RunUntil([&] {
    watch.Look(cluster, {stale, fresh});
    return cluster.primary() == fresh && AllInSync(cluster, {stale, fresh});
  }));
  HasAll(*cluster.node(fresh), "w", 5);
  HasAll(*cluster.node(stale), "w", 5);
  cluster.Start(primary);
  REQUIRE(cluster.RunUntil([&] {
    watch.Look(cluster, {1, 2, 3});
    return AllInSync(cluster, {1, 2, 3});
  }));
  HasAll(*cluster.node(primary), "w", 5);
  CHECK_FALSE(watch.two);
}

TEST_CASE("scenario: the primary with the broker, the majority of nodes elsewhere: the majority takes over, the old primary serves nothing") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  const NodeId old_primary = cluster.primary();
  const uint64_t old_term = cluster.node(old_primary)->term();
  WriteAcked(cluster, "alice", 7, "before", 3);
  // The primary keeps the broker; the two others lose the primary and the
  // broker both.
  for (int other : {0, 1, 2, 3}) {
    if (other != 0 && other != static_cast<int>(old_primary)) {
      cluster.Cut(static_cast<int>(old_primary), other);
      cluster.Cut(0, other);
    }
  }
  // No majority echoes it: it steps down within a window; writes sent now
  // are not acknowledged by anyone.
  REQUIRE(cluster.RunUntil([&] { return cluster.node(old_primary)->role() != Role::kPrimary; }, 500));
  cluster.SendRequest("bob", Put(8, 1, "during"));
  cluster.Run(1'500);
  CHECK(cluster.replies("bob").empty());
  CHECK(cluster.primary() == kNoNode);  // the majority has no broker: no term starts
  // The broker reaches the majority again (the old primary stays cut from
  // its peers): they elect one of theirs, who serves the held write and
  // every acknowledged one.
  cluster.HealAll();
  for (int other : {1, 2, 3}) {
    if (other != static_cast<int>(old_primary)) cluster.Cut(static_cast<int>(old_primary), other);
  }
  PrimaryWatch watch;
  REQUIRE(cluster.RunUntil([&] {
    watch.Look(cluster, {1, 2, 3});
    return cluster.primary() != kNoNode && cluster.primary() != old_primary && cluster.replies("bob").size() == 1;
  }));
  CHECK(cluster.replies("bob")[0].ok());
  CHECK(cluster.node(cluster.primary())->term() > old_term);
  HasAll(*cluster.node(cluster.primary()), "before", 3);
  CHECK(cluster.node(old_primary)->role() != Role::kPrimary);
  cluster.HealAll();
  REQUIRE(cluster.RunUntil([&] {
    watch.Look(cluster, {1, 2, 3});
    return AllInSync(cluster, {1, 2, 3});
  }));
  HasAll(*cluster.node(old_primary), "before", 3);
  CHECK_FALSE(watch.two);
}
