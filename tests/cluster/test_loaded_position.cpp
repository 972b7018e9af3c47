// NodeCore started from a save file that records its log position
// (SetLoadedPosition): it ranks by that position, so empty nodes with higher
// ids cannot win over it and wipe its pairs; backups at the same position
// catch up instead of taking a snapshot; and a node whose file comes from an
// older run still follows the live primary.
#include <catch2/catch.hpp>

#include <string>

#include "tests/cluster/mini_cluster.h"

using namespace ts;
using namespace ts::cluster;
using namespace ts::cluster::testing;

namespace {

bool InSync(MiniCluster& cluster, std::initializer_list<NodeId> ids) {
  const NodeId primary = cluster.primary();
  if (primary == kNoNode) return false;
  for (NodeId id : ids) {
    if (id == primary) continue;
    NodeCore* node = cluster.node(id);
    if (node->role() != Role::kBackup || node->last() != cluster.node(primary)->last()) return false;
  }
  return true;
}

void Load(NodeCore* node, int pairs, LogPosition at) {
  for (int i = 0; i < pairs; ++i) node->Preload("k," + std::to_string(i), "v," + std::to_string(i));
  node->SetLoadedPosition(at);
}

size_t SnapshotsSent(const MiniCluster& cluster) {
  size_t count = 0;
  for (const NodeEvent& event : cluster.events()) {
    count += event.text.find("sends a snapshot") != std::string::npos ? 1 : 0;
  }
  return count;
}

}  // namespace

TEST_CASE("node: a node loaded at a position outranks empty nodes with higher ids, who get its pairs") {
  MiniCluster cluster(3);
  Load(cluster.node(1), 50, LogPosition{3, 40});
  REQUIRE(cluster.RunUntil([&] { return InSync(cluster, {1, 2, 3}); }));
  CHECK(cluster.primary() == 1);
  CHECK(cluster.node(1)->term() >= 4);  // above the loaded term
  CHECK(cluster.node(1)->last() == LogPosition{cluster.node(1)->term(), 41});  // the term's no-op follows
  for (NodeId id : {2u, 3u}) {
    INFO("node " << id);
    CHECK(cluster.node(id)->space().size() == 50);
    CHECK(cluster.node(id)->space().pairs() == cluster.node(1)->space().pairs());
  }
}

TEST_CASE("node: backups loaded at the primary's position catch up without a snapshot") {
  MiniCluster cluster(3);
  for (NodeId id : {1u, 2u, 3u}) Load(cluster.node(id), 20, LogPosition{2, 30});
  REQUIRE(cluster.RunUntil([&] { return InSync(cluster, {1, 2, 3}); }));
  CHECK(cluster.primary() == 3);  // equal positions: the highest id wins
  CHECK(cluster.node(3)->term() >= 3);
  CHECK(SnapshotsSent(cluster) == 0);
  CHECK(cluster.node(1)->space().pairs() == cluster.node(3)->space().pairs());
}

TEST_CASE("node: a node loaded from an older run's file follows the live primary and takes its state") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return InSync(cluster, {1, 2, 3}); }));
  const uint64_t live_term = cluster.node(3)->term();
  cluster.Crash(2);
  cluster.Start(2);
  // A file from another run, whose term this cluster never reached.
  Load(cluster.node(2), 10, LogPosition{live_term + 5, 7});
  REQUIRE(cluster.RunUntil([&] { return InSync(cluster, {1, 2, 3}); }));
  CHECK(cluster.primary() == 3);
  CHECK(cluster.node(3)->term() == live_term);  // no needless election
  CHECK(cluster.node(2)->space().pairs() == cluster.node(3)->space().pairs());
}
