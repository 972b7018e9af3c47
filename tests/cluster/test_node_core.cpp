// NodeCore scenarios on a fault-free mini cluster: election, replication
// through the broker, failover, rejoin without flapping, stepping down,
// broker loss, shutdown.
#include <catch2/catch.hpp>

#include <algorithm>

#include "nodes/cluster/primary_replicator.h"
#include "tests/cluster/mini_cluster.h"

using namespace ts;
using namespace ts::cluster;
using ts::cluster::testing::MiniCluster;

namespace {

Request Put(uint64_t client, uint64_t number, const std::string& key, const std::string& value) {
  Request request = MakePut({Pair{{key}, {value}}});
  request.id = RequestId{client, number};
  return request;
}

bool AllInSync(MiniCluster& cluster, std::initializer_list<NodeId> ids) {
  NodeId primary = cluster.primary();
  if (primary == kNoNode) return false;
  for (NodeId id : ids) {
    if (id == primary) continue;
    NodeCore* node = cluster.node(id);
    if (!node || node->role() != Role::kBackup || node->last() != cluster.node(primary)->last()) return false;
  }
  return true;
}

size_t CountEvents(const MiniCluster& cluster, NodeEventKind kind) {
  return static_cast<size_t>(std::count_if(cluster.events().begin(), cluster.events().end(),
                                           [&](const NodeEvent& e) { return e.kind == kind; }));
}

}  // namespace

TEST_CASE("node: three fresh nodes elect the highest id, which registers with the broker") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  CHECK(cluster.primary() == 3);
  CHECK(cluster.broker().primary() == 3);
  CHECK(cluster.broker().served_term() == 1);
  CHECK(cluster.node(1)->term() == 1);
  CHECK(cluster.node(3)->last() == LogPosition{1, 1});  // the term's opening no-op
}

TEST_CASE("node: a write through the broker is replicated before its reply") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.SendRequest("alice", Put(7, 1, "k", "v"));
  REQUIRE(cluster.RunUntil([&] { return !cluster.replies("alice").empty(); }));
  const Reply& reply = cluster.replies("alice").front();
  CHECK(reply.ok());
  CHECK(reply.id == RequestId{7, 1});
  CHECK(reply.served_by == 3);
  for (NodeId id : {1, 2, 3}) CHECK(cluster.node(id)->space().pairs().count("k") == 1);
}

TEST_CASE("node: the primary fails, the freshest backup takes over, held requests succeed") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.SendRequest("alice", Put(7, 1, "a", "1"));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1; }));
  // Node 1 falls behind (cut from the others), then the primary dies.
  cluster.Cut(1, 3);
  cluster.Cut(1, 2);
  cluster.SendRequest("alice", Put(7, 2, "b", "2"));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 2; }));
  cluster.HealAll();
  cluster.Crash(3);
  cluster.SendRequest("bob", Put(8, 1, "c", "3"));  // held by the broker during failover
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() == 2 && AllInSync(cluster, {1, 2}); }));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("bob").size() == 1; }));
  CHECK(cluster.replies("bob")[0].ok());
  CHECK(cluster.replies("bob")[0].served_by == 2);
  CHECK(cluster.broker().served_term() == 2);
  for (const char* key : {"a", "b", "c"}) CHECK(cluster.node(1)->space().pairs().count(key) == 1);
  CHECK(CountEvents(cluster, NodeEventKind::kPeerFailed) >= 2);
}

TEST_CASE("node: a retry after failover gets the original reply") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.SendRequest("alice", Put(7, 1, "a", "1"));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1; }));
  cluster.Crash(3);
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() == 2 && AllInSync(cluster, {1, 2}); }));
  cluster.SendRequest("alice-reopened", Put(7, 1, "a", "1"));  // the client never saw the reply
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice-reopened").size() == 1; }));
  const Reply& retried = cluster.replies("alice-reopened")[0];
  CHECK(retried.ok());
  CHECK(retried.rejected.empty());  // not "key present"
  // The original answer, stamped by the node answering now (it was recorded
  // by node 3 in term 1; PROTOCOL.md: served_by/term name who answered).
  CHECK(retried.served_by == 2);
  CHECK(retried.term == cluster.broker().served_term());
}

TEST_CASE("node: a restarted higher id rejoins as a backup, no flapping") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.Crash(3);
  REQUIRE(cluster.RunUntil([&] { return cluster.primary() == 2 && AllInSync(cluster, {1, 2}); }));
  const uint64_t term = cluster.broker().served_term();
  cluster.Start(3);  // empty, highest id
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.Run(3'000);
  CHECK(cluster.primary() == 2);
  CHECK(cluster.broker().served_term() == term);
  CHECK(cluster.node(3)->role() == Role::kBackup);
}

TEST_CASE("node: a primary cut off from everyone steps down and resyncs under the newer term") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  for (int other : {0, 1, 2}) cluster.Cut(3, other);
  REQUIRE(cluster.RunUntil([&] { return cluster.node(3)->role() != Role::kPrimary; }));
  REQUIRE(cluster.RunUntil([&] { return cluster.broker().primary() == 2; }));
  cluster.HealAll();
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  CHECK(cluster.primary() == 2);
  CHECK(cluster.node(3)->term() == cluster.broker().served_term());
  CHECK(CountEvents(cluster, NodeEventKind::kSteppedDown) >= 1);
}

TEST_CASE("node: a backup cut off from a healthy primary does not move the term") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.Cut(1, 3);
  cluster.Cut(1, 2);
  cluster.Run(2'000);
  CHECK(cluster.broker().served_term() == 1);  // the broker refused its pre-votes
  CHECK(cluster.primary() == 3);
  cluster.HealAll();
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  CHECK(cluster.broker().served_term() == 1);
}

TEST_CASE("node: with every backup gone, the primary's lease runs out: it steps down and serves nothing") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.Crash(1);
  cluster.Crash(2);
  // No majority echoes its heartbeats: within a liveness window (and a tick)
  // it is no primary any more, and no lone node can win a term.
  REQUIRE(cluster.RunUntil([&] { return cluster.node(3)->role() != Role::kPrimary; }, 500));
  cluster.SendRequest("alice", Put(7, 1, "a", "1"));
  cluster.Run(2'000);
  CHECK(cluster.node(3)->role() != Role::kPrimary);
  CHECK(cluster.replies("alice").empty());  // held by the broker: no node may answer
  CHECK(cluster.node(3)->space().size() == 0);
  // A majority back: the freshest node leads again and both are answered.
  cluster.Start(1);
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1; }, 3'000));
  CHECK(cluster.replies("alice")[0].ok());
}

TEST_CASE("node: nodes save and exit when the broker is gone past broker_timeout") {
  NodeConfig config;
  config.broker_timeout = Millis(2'000);
  MiniCluster cluster(2, config);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2}); }));
  for (int node : {1, 2}) cluster.Cut(node, 0);
  cluster.Run(1'500);
  CHECK(cluster.exited().empty());
  CHECK(cluster.node(2)->role() != Role::kPrimary);  // lost the broker: stepped down
  REQUIRE(cluster.RunUntil([&] { return cluster.exited().size() == 2; }, 2'000));
  CHECK(cluster.node(1)->role() == Role::kStopped);
}

TEST_CASE("node: shutdown goes broker -> primary -> backups, and everyone saves") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  // An operator's SHUTDOWN: the broker's command to the primary, delivered by hand.
  Request shutdown;
  shutdown.op_name = "SHUTDOWN";
  auto actions = cluster.broker().on_shutdown_frame("operator", EncodeRequest(shutdown), TimePoint(cluster.now()));
  REQUIRE(actions.to_nodes.size() == 1);
  NodeActions primary_actions =
      cluster.node(3)->on_message(actions.to_nodes[0].message, TimePoint(cluster.now()));
  CHECK(primary_actions.save_and_exit);
  REQUIRE(primary_actions.to_bus.size() == 1);
  for (NodeId backup : {1, 2}) {
    NodeActions backup_actions = cluster.node(backup)->on_message(primary_actions.to_bus[0], TimePoint(cluster.now()));
    CHECK(backup_actions.save_and_exit);
    CHECK(cluster.node(backup)->role() == Role::kStopped);
  }
}

TEST_CASE("node: a large space resyncs by chunked snapshot") {
  NodeConfig config;
  config.snapshot_chunk_pairs = 100;
  config.recent_log_entries = 10;
  MiniCluster cluster(2, config);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2}); }));
  std::vector<Pair> pairs;
  for (int i = 0; i < 2'500; ++i) pairs.push_back(Pair{{"k" + std::to_string(i)}, {"v"}});
  Request put = MakePut(pairs);
  put.id = RequestId{7, 1};
  cluster.SendRequest("alice", put);
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1; }));
  cluster.Crash(1);
  cluster.Run(1'000);
  cluster.Start(1);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2}); }));
  CHECK(cluster.node(1)->space().size() == 2'500);
  CHECK(cluster.node(1)->space().pairs() == cluster.node(2)->space().pairs());
}

TEST_CASE("node: a primary cut off from the broker only is replaced while the cut lasts") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.Cut(3, 0);
  REQUIRE(cluster.RunUntil([&] { return cluster.broker().primary() == 2 && AllInSync(cluster, {1, 2, 3}); },
                           5'000));
  CHECK(cluster.primary() == 2);
  CHECK(cluster.node(3)->role() == Role::kBackup);
  cluster.SendRequest("alice", Put(7, 1, "a", "1"));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1; }));
  CHECK(cluster.replies("alice")[0].ok());
  CHECK(cluster.node(3)->space().pairs().count("a") == 1);
}

TEST_CASE("node: a preloaded space (--load) is what the backups receive") {
  MiniCluster cluster(2);
  cluster.Crash(1);
  cluster.Crash(2);
  cluster.Start(1);
  cluster.Start(2);
  cluster.node(2)->Preload("user,1", "ann");
  cluster.node(2)->Preload("user,2", "bob");
  cluster.node(1)->Preload("stale", "x");  // the loser's file is replaced by the winner's state
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2}); }));
  CHECK(cluster.primary() == 2);
  CHECK(cluster.node(1)->space().pairs() == cluster.node(2)->space().pairs());
  CHECK(cluster.node(1)->space().size() == 2);
}

TEST_CASE("node: a duplicated state-transfer request is answered once") {
  MiniCluster cluster(2);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2}); }));
  NodeCore* primary = cluster.node(2);
  const StateTransferRequest request{1, 777, primary->term(), LogPosition{}};
  NodeActions first = primary->on_message(PeerMessage{request}, TimePoint(cluster.now()));
  NodeActions second = primary->on_message(PeerMessage{request}, TimePoint(cluster.now()));
  CHECK_FALSE(first.to_peer.empty());  // a snapshot: 0:0 never catches up
  CHECK(std::holds_alternative<SnapshotEnd>(first.to_peer.back().message));
  CHECK(second.to_peer.empty());
}

TEST_CASE("node: a snapshot transfer goes out in slices of at most snapshot_chunks_per_turn chunks, at the position of the request") {
  NodeConfig config;
  config.snapshot_chunk_pairs = 10;
  config.snapshot_chunks_per_turn = 3;
  MiniCluster cluster(2, config);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2}); }));
  std::vector<Pair> pairs;
  for (int i = 0; i < 95; ++i) pairs.push_back(Pair{{"k" + std::to_string(i)}, {"v"}});
  cluster.SendRequest("alice", MakePut(pairs));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1 && AllInSync(cluster, {1, 2}); }));
  NodeCore* primary = cluster.node(2);
  REQUIRE(primary->role() == Role::kPrimary);
  const LogPosition at = primary->last();

  // The request's turn sends the first slice only.
  NodeActions first = primary->on_message(PeerMessage{StateTransferRequest{1, 778, primary->term(), LogPosition{}}},
                                          TimePoint(cluster.now()));
  std::vector<SnapshotChunk> chunks;
  std::optional<SnapshotEnd> end;
  auto take = [&](const NodeActions& actions) {
    size_t sent = 0;
    for (const PeerSend& send : actions.to_peer) {
      if (const auto* chunk = std::get_if<SnapshotChunk>(&send.message)) {
        CHECK(chunk->pairs.size() <= 10);
        chunks.push_back(*chunk);
        ++sent;
      } else if (const auto* done = std::get_if<SnapshotEnd>(&send.message)) {
        end = *done;
      }
    }
    return sent;
  };
  CHECK(take(first) == 3);
  CHECK_FALSE(end);
  CHECK(primary->sending_snapshot());

  size_t turns = 0;
  while (!end && turns < 10) {
    ++turns;
    CHECK(take(primary->on_tick(TimePoint(cluster.now()))) <= 3);
  }
  REQUIRE(end);
  CHECK(turns == 3);  // 95 pairs: 10 chunks, 3 in the request's turn, then 3 + 3 + (1 and the End)
  CHECK_FALSE(primary->sending_snapshot());
  CHECK(end->chunk_count == 10);
  CHECK(end->at == at);
  size_t sent_pairs = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    CHECK(chunks[i].index == i);
    CHECK(chunks[i].transfer_id == 778);
    sent_pairs += chunks[i].pairs.size();
  }
  CHECK(sent_pairs == 95);
}

// ---- not enough replicas: answered, never left hanging --------------------

namespace {

Request Get(uint64_t client, uint64_t number) {
  Request request = MakeGet(".*", ".*");
  request.id = RequestId{client, number};
  return request;
}

}  // namespace

TEST_CASE("node: a primary whose backups die mid-write answers nothing, the write survives on its log and commits once a majority is back") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.SendRequest("alice", Put(7, 1, "kept", "1"));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1; }));
  REQUIRE(cluster.replies("alice")[0].ok());

  // Both backups die as a write arrives: the primary applies it and waits
  // for acks that cannot come; a read queues behind it. Its lease runs out:
  // it steps down without answering either (nothing it could say is safe).
  cluster.Crash(1);
  cluster.Crash(2);
  cluster.SendRequest("alice", Put(7, 2, "pending", "1"));
  cluster.SendRequest("bob", Get(8, 1));
  REQUIRE(cluster.RunUntil([&] { return cluster.node(3)->role() != Role::kPrimary; }, 500));
  cluster.Run(1'000);
  CHECK(cluster.replies("alice").size() == 1);
  CHECK(cluster.replies("bob").empty());

  // The backups come back (empty): node 3 is the freshest, wins their votes,
  // and the held requests are answered, the write exactly once.
  cluster.Start(1);
  cluster.Start(2);
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 2 && cluster.replies("bob").size() == 1; }, 6'000));
  CHECK(cluster.broker().primary() == 3);
  CHECK(cluster.replies("alice")[1].ok());
  REQUIRE(cluster.replies("bob")[0].ok());
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  for (NodeId id : {1, 2}) CHECK(cluster.node(id)->space().pairs() == cluster.node(3)->space().pairs());
}

TEST_CASE("node: a node alone cannot take over: no majority votes for it, the broker serves nobody") {
  MiniCluster cluster(3);
  REQUIRE(cluster.RunUntil([&] { return AllInSync(cluster, {1, 2, 3}); }));
  cluster.SendRequest("alice", Put(7, 1, "kept", "1"));
  REQUIRE(cluster.RunUntil([&] { return cluster.replies("alice").size() == 1; }));
  cluster.Crash(1);
  cluster.Run(500);
  cluster.Crash(3);
  cluster.Run(3'000);
  CHECK(cluster.primary() == kNoNode);
  cluster.SendRequest("bob", Get(8, 1));
  cluster.Run(1'000);
  CHECK(cluster.replies("bob").empty());
}
