// Two brokers serving one cluster (issue 11, item 4), on MiniCluster: every
// node and both brokers as pure cores over a deterministic network. What
// must hold: the primary registers with each broker and serves through
// either; a reply goes back through the broker its request came by; one
// live broker keeps the primary serving; any broker that still hears the
// primary vetoes a needless election; a retry through the other broker is
// applied once; and in the worst cases (a broker restart while the freshest
// nodes are out of reach, the primary cut off with one broker while a
// majority of the nodes has the other) nothing acknowledged is lost and no
// term has two primaries.
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

// Both brokers serve the primary of the current term.
bool BothServe(MiniCluster& cluster) {
  const NodeId primary = cluster.primary();
  return primary != kNoNode && cluster.broker(1).primary() == primary && cluster.broker(2).primary() == primary &&
         cluster.broker(1).served_term() == cluster.node(primary)->term() &&
         cluster.broker(2).served_term() == cluster.node(primary)->term();
}

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

void WriteAcked(MiniCluster& cluster, const std::string& client, uint64_t id, const std::string& prefix, int count,
                BrokerId through) {
  for (int i = 0; i < count; ++i) {
    const size_t before = cluster.replies(client).size();
    cluster.SendRequest(client, Put(id, static_cast<uint64_t>(i + 1), prefix + std::to_string(i)), through);
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

void CutEverywhere(MiniCluster& cluster, int end, std::initializer_list<int> others) {
  for (int other : others) {
    if (other != end) cluster.Cut(end, other);
  }
}

const int kBroker1 = MiniCluster::BrokerEnd(1);
const int kBroker2 = MiniCluster::BrokerEnd(2);

}  // namespace

TEST_CASE("pair: the primary registers with both brokers and answers each through the broker it came by") {
  MiniCluster cluster(3, {}, {}, 2);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}) && BothServe(cluster); }));
  WriteAcked(cluster, "one", 7, "a", 2, 1);
  WriteAcked(cluster, "two", 8, "b", 2, 2);
  CHECK(cluster.replies("one").size() == 2);
  CHECK(cluster.replies("two").size() == 2);
  // Each broker relayed only its own client's replies.
  CHECK(cluster.broker(1).stats().replies_relayed == 2);
  CHECK(cluster.broker(2).stats().replies_relayed == 2);
  CHECK(cluster.broker(1).stats().replies_not_primary == 0);
  CHECK(cluster.broker(2).stats().replies_departed == 0);
}

TEST_CASE("pair: with one broker gone the primary keeps serving through the other, and a retry there is applied once") {
  MiniCluster cluster(3, {}, {}, 2);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}) && BothServe(cluster); }));
  const NodeId primary = cluster.primary();
  const uint64_t term = cluster.node(primary)->term();
  // A request reaches broker 1, the primary applies it, and broker 1 dies
  // before the reply is relayed: the client retries through broker 2.
  const uint64_t entries_before = cluster.node(primary)->last().seq;
  cluster.SendRequest("c", Put(9, 1, "once"), 1);
  cluster.Run(5);  // it reaches the primary
  CutEverywhere(cluster, kBroker1, {1, 2, 3});
  cluster.Run(20);
  const uint64_t entries = cluster.node(primary)->last().seq;
  CHECK(entries == entries_before + 1);
  const size_t replies_before = cluster.replies("c").size();
  cluster.SendRequest("c", Put(9, 1, "once"), 2);
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("c").size() == replies_before + 1; }, 3'000));
  CHECK(cluster.replies("c").back().ok());
  CHECK(cluster.node(primary)->last().seq == entries);  // not applied a second time
  // Long past the liveness window: still the same primary, same term.
  cluster.Run(1'000);
  CHECK(cluster.primary() == primary);
  CHECK(cluster.node(primary)->term() == term);
  CHECK(cluster.node(primary)->status(TimePoint(cluster.now())).live_brokers == std::vector<BrokerId>{2});
}

TEST_CASE("pair: a backup cut off from a primary that one broker still hears does not start an election") {
  MiniCluster cluster(3, {}, {}, 2);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}) && BothServe(cluster); }));
  const NodeId primary = cluster.primary();
  const uint64_t term = cluster.node(primary)->term();
  const NodeId backup = primary == 1 ? 2 : 1;
  // The backup loses the primary; broker 2 loses the primary too, but broker 1 still hears it.
  cluster.Cut(static_cast<int>(backup), static_cast<int>(primary));
  cluster.Cut(kBroker2, static_cast<int>(primary));
  cluster.Run(2'000);
  CHECK(cluster.primary() == primary);
  CHECK(cluster.node(primary)->term() == term);
  CHECK(cluster.node(backup)->term() == term);  // broker 1 vetoed every pre-vote
  bool vetoed = false;
  for (const NodeEvent& event : cluster.events()) {
    vetoed = vetoed || event.text.find("refused by broker 1") != std::string::npos;
  }
  CHECK(vetoed);
}

TEST_CASE("pair: the primary cut off with one broker, the majority with the other: one new primary, nothing lost") {
  MiniCluster cluster(3, {}, {}, 2);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}) && BothServe(cluster); }));
  const NodeId old_primary = cluster.primary();
  const uint64_t old_term = cluster.node(old_primary)->term();
  WriteAcked(cluster, "w", 5, "k", 5, 1);
  // Side A: the primary and broker 1. Side B: the two other nodes and broker 2.
  const int p = static_cast<int>(old_primary);
  for (int node : {1, 2, 3}) {
    if (node == p) continue;
    cluster.Cut(p, node);
    cluster.Cut(kBroker1, node);
  }
  cluster.Cut(p, kBroker2);
  PrimaryWatch watch;
  bool old_stepped_down = false;
  const bool elected = cluster.RunUntil(
      [&] {
        watch.Look(cluster, {1, 2, 3});
        old_stepped_down = old_stepped_down || cluster.node(old_primary)->role() != Role::kPrimary;
        const NodeId now_primary = cluster.primary();
        return old_stepped_down && now_primary != kNoNode && now_primary != old_primary &&
               cluster.broker(2).primary() == now_primary;
      },
      5'000);
  REQUIRE(elected);
  CHECK_FALSE(watch.two);
  const NodeId next = cluster.primary();
  CHECK(cluster.node(next)->term() > old_term);
  HasAll(*cluster.node(next), "k", 5);
  // The old primary, without a majority, serves nothing through broker 1.
  cluster.SendRequest("stale", MakeGet("k.*", ".*"), 1);
  cluster.Run(300);
  for (const Reply& reply : cluster.replies("stale")) CHECK_FALSE(reply.ok());
  // Writes flow through broker 2.
  WriteAcked(cluster, "w2", 6, "m", 3, 2);
  // Healed: one history everywhere.
  cluster.HealAll();
  REQUIRE(cluster.RunUntil([&] {
    watch.Look(cluster, {1, 2, 3});
    return AllInSync(cluster, {1, 2, 3}) && BothServe(cluster);
  }));
  CHECK_FALSE(watch.two);
  for (NodeId id : {1u, 2u, 3u}) {
    HasAll(*cluster.node(id), "k", 5);
    HasAll(*cluster.node(id), "m", 3);
  }
}

TEST_CASE("pair: both brokers restart while the freshest nodes are out of reach, and nothing acknowledged is lost") {
  MiniCluster cluster(3, {}, {}, 2);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}) && BothServe(cluster); }));
  const NodeId primary = cluster.primary();
  const NodeId stale = primary == 1 ? 2 : 1;
  const NodeId fresh = 6 - primary - stale;
  // The stale node misses the writes (a majority, primary + fresh, acknowledges them).
  CutEverywhere(cluster, static_cast<int>(stale), {kBroker2, kBroker1, 1, 2, 3});
  WriteAcked(cluster, "w", 3, "k", 4, 2);
  // The primary crashes, the fresh node goes out of reach, both brokers lose their memory.
  cluster.Crash(primary);
  CutEverywhere(cluster, static_cast<int>(fresh), {kBroker2, kBroker1, 1, 2, 3});
  cluster.HealAll();
  CutEverywhere(cluster, static_cast<int>(fresh), {kBroker2, kBroker1, 1, 2, 3});
  cluster.RestartBroker(1);
  cluster.RestartBroker(2);
  PrimaryWatch watch;
  cluster.Run(1'500);
  watch.Look(cluster, {stale, fresh});
  // The stale node alone is no majority: neither broker serves it.
  CHECK(cluster.primary() == kNoNode);
  CHECK(cluster.broker(1).primary() == kNoNode);
  CHECK(cluster.broker(2).primary() == kNoNode);
  // The fresh node is back: it wins (the stale one votes only for a log at
  // least as fresh as its own), and every acknowledged write is there.
  cluster.HealAll();
  REQUIRE(cluster.RunUntil([&] {
    watch.Look(cluster, {stale, fresh});
    return cluster.primary() == fresh && AllInSync(cluster, {stale, fresh}) && cluster.broker(1).primary() == fresh &&
           cluster.broker(2).primary() == fresh;
  }));
  CHECK_FALSE(watch.two);
  HasAll(*cluster.node(fresh), "k", 4);
  HasAll(*cluster.node(stale), "k", 4);
}
