// The primary's and the backups' replication bookkeeping, on their own.
#include <catch2/catch.hpp>

#include "nodes/backup_applier.h"
#include "nodes/primary_replicator.h"
#include "schema/codec.h"

using namespace ts;
using namespace ts::cluster;

namespace {

TimePoint T(int64_t ms) { return TimePoint(ms); }

Request Put(uint64_t client, uint64_t number, const std::string& key, const std::string& value) {
  Request request = MakePut({Pair{{key}, {value}}});
  request.id = RequestId{client, number};
  return request;
}

Reply Decoded(const ClientReplyFrame& frame) {
  auto reply = DecodeReply(frame.frame);
  REQUIRE(reply.ok());
  return reply.value();
}

struct PrimaryFixture {
  NodeConfig config = [] {
    NodeConfig c;
    c.id = 1;
    return c;
  }();
  ReplicaState state{config.space_limits, 100, 100};
  AckTracker acks{1, 1, config.liveness_window};
  PrimaryReplicator primary{1, config};

  PrimaryFixture() {
    acks.Reset(2, 0);
    primary.Begin(2, state, T(0));
  }
  void Ack(NodeId backup, uint64_t seq, int64_t at) {
    acks.OnHeartbeat(Heartbeat{backup, Role::kBackup, 2, {2, seq}, 1, 0, true}, T(at));
  }
};

}  // namespace

TEST_CASE("primary: a term opens with a no-op entry; a write replies only once committed") {
  PrimaryFixture f;
  CHECK(f.state.last() == LogPosition{2, 1});
  f.Ack(2, 0, 0);
  f.primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), f.state, f.acks, T(1));
  auto batch = f.primary.TakeBatch(0);
  REQUIRE(batch);
  REQUIRE(batch->entries.size() == 2);  // the no-op and the write: one batch per cycle
  CHECK(batch->entries[0].position == LogPosition{2, 1});
  CHECK_FALSE(batch->entries[0].reply);
  CHECK(batch->entries[1].position == LogPosition{2, 2});
  CHECK(batch->entries[1].request_id == RequestId{7, 1});
  CHECK(batch->entries[1].effect.upserts.size() == 1);
  CHECK(f.primary.Release(f.acks.Advance(2, T(2))).empty());
  f.Ack(2, 2, 3);
  auto replies = f.primary.Release(f.acks.Advance(2, T(3)));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].client.token == 1);
  CHECK(replies[0].committed == LogPosition{2, 2});
  Reply reply = Decoded(replies[0]);
  CHECK(reply.ok());
  CHECK(reply.served_by == 1);
  CHECK(reply.term == 2);
}

TEST_CASE("primary: a retry gets the original reply and is not applied again") {
  PrimaryFixture f;
  f.Ack(2, 0, 0);
  f.primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), f.state, f.acks, T(1));
  f.primary.Handle(ClientTag{"c2", 2}, Put(7, 1, "a", "1"), f.state, f.acks, T(2));  // the retry
  CHECK(f.state.last().seq == 2);  // one entry, not two
  f.Ack(2, 2, 3);
  auto replies = f.primary.Release(f.acks.Advance(2, T(3)));
  REQUIRE(replies.size() == 2);
  CHECK(replies[1].client.address == "c2");
  Reply retried = Decoded(replies[1]);
  CHECK(retried.rejected.empty());  // not "key present": the original answer
  // A request older than the client's last write is refused, not applied.
  f.primary.Handle(ClientTag{"c", 3}, Put(7, 2, "b", "2"), f.state, f.acks, T(4));
  f.primary.Handle(ClientTag{"c", 4}, Put(7, 1, "a", "9"), f.state, f.acks, T(5));
  f.Ack(2, 3, 6);
  replies = f.primary.Release(f.acks.Advance(3, T(6)));
  REQUIRE(replies.size() == 2);
  Reply stale = Decoded(replies[1]);
  REQUIRE(stale.error);
  CHECK(stale.error->kind == ErrorKind::kInternal);
  CHECK(f.state.space.pairs().at("a") == "1");
}

TEST_CASE("primary: too few backups in reach answers not enough replicas") {
  PrimaryFixture f;
  const int64_t after_grace = f.config.liveness_window.count() + 1;
  f.primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), f.state, f.acks, T(after_grace));
  auto replies = f.primary.Release(0);
  REQUIRE(replies.size() == 1);
  Reply reply = Decoded(replies[0]);
  REQUIRE(reply.error);
  CHECK(reply.error->kind == ErrorKind::kNotEnoughReplicas);
  CHECK(f.state.space.size() == 0);  // refused before touching the space
  CHECK(f.state.last().seq == 1);
}

TEST_CASE("primary: right after taking over, writes wait for backups instead of failing") {
  PrimaryFixture f;
  f.primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), f.state, f.acks, T(5));
  CHECK(f.primary.Release(0).empty());
  CHECK(f.state.space.size() == 1);
}

TEST_CASE("primary: a read waits for the writes before it; async mode does not wait") {
  PrimaryFixture f;
  f.Ack(2, 0, 0);
  f.primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), f.state, f.acks, T(1));
  Request get = MakeGet(".*", ".*");
  get.id = RequestId{8, 1};
  f.primary.Handle(ClientTag{"d", 2}, get, f.state, f.acks, T(1));
  CHECK(f.primary.Release(1).empty());
  CHECK(f.primary.Release(2).size() == 2);

  NodeConfig async_config;
  async_config.id = 1;
  async_config.async_replies = true;
  ReplicaState state(async_config.space_limits, 100, 100);
  AckTracker acks(1, 1, async_config.liveness_window);
  PrimaryReplicator async_primary(1, async_config);
  async_primary.Begin(1, state, T(0));
  async_primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), state, acks, T(1));
  auto replies = async_primary.Release(0);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].committed == LogPosition{});  // nothing is known committed
}

TEST_CASE("backup: applies in order, detects a gap, catches up") {
  NodeConfig config;
  config.id = 2;
  ReplicaState state(config.space_limits, 100, 100);
  BackupApplier backup(2, config, 1);
  backup.Follow(1, 1);
  REQUIRE(backup.syncing());
  auto request = backup.TakeRequest(state, T(0));
  REQUIRE(request);
  CHECK(request->have == LogPosition{});
  CHECK_FALSE(backup.TakeRequest(state, T(10)));  // one in flight
  auto entry = [](uint64_t seq, const std::string& key) {
    LogEntry e;
    e.position = LogPosition{1, seq};
    e.effect.upserts.emplace_back(key, "v");
    return e;
  };
  // A batch during the transfer is kept aside.
  CHECK(backup.OnBatch(WriteBatch{1, 1, 0, {entry(3, "c")}}, state) == BackupApplier::BatchOutcome::kBuffered);
  CHECK_FALSE(backup.OnCatchUp(CatchUp{1, request->transfer_id + 1, 1, {entry(1, "x")}, 0}, state));  // stale id
  CHECK(backup.OnCatchUp(CatchUp{1, request->transfer_id, 1, {entry(1, "a"), entry(2, "b")}, 0}, state));
  CHECK(state.last().seq == 3);  // 1, 2 from the catch-up, 3 from the kept batch
  CHECK_FALSE(backup.syncing());
  CHECK(backup.OnBatch(WriteBatch{1, 1, 0, {entry(4, "d")}}, state) == BackupApplier::BatchOutcome::kApplied);
  CHECK(backup.OnBatch(WriteBatch{1, 1, 0, {entry(4, "d")}}, state) == BackupApplier::BatchOutcome::kApplied);
  CHECK(state.last().seq == 4);  // the duplicate changed nothing
  CHECK(backup.OnBatch(WriteBatch{1, 1, 0, {entry(6, "f")}}, state) == BackupApplier::BatchOutcome::kGap);
  CHECK(backup.syncing());
  auto second = backup.TakeRequest(state, T(20));
  REQUIRE(second);
  CHECK(second->have == LogPosition{1, 4});
  CHECK(backup.OnBatch(WriteBatch{3, 2, 0, {entry(7, "g")}}, state) == BackupApplier::BatchOutcome::kIgnored);
}

TEST_CASE("backup: snapshot chunks in any order, then the end, replace the state") {
  NodeConfig config;
  ReplicaState state(config.space_limits, 100, 100);
  state.space.Upsert("old", "1");
  BackupApplier backup(2, config, 1);
  backup.Follow(1, 3);
  auto request = backup.TakeRequest(state, T(0));
  REQUIRE(request);
  const uint64_t id = request->transfer_id;
  Reply recorded;
  recorded.op_name = "PUT";
  CHECK_FALSE(backup.OnChunk(SnapshotChunk{1, id, 3, 1, {{"c", "3"}}}, state, T(1)));
  CHECK_FALSE(backup.OnEnd(SnapshotEnd{1, id, 3, 2, {3, 40}, {ClientRecord{9, 4, 39, recorded}}, 0}, state, T(2)));
  CHECK(state.space.pairs().count("old") == 1);  // nothing replaced until complete
  CHECK(backup.OnChunk(SnapshotChunk{1, id, 3, 0, {{"a", "1"}, {"b", "2"}}}, state, T(3)));
  CHECK(state.space.size() == 3);
  CHECK(state.space.pairs().count("old") == 0);
  CHECK(state.last() == LogPosition{3, 40});
  CHECK(state.clients.Find(9)->request_number == 4);
  CHECK(backup.snapshots_installed() == 1);
}

TEST_CASE("backup: a seq the primary announced but never sent starts a transfer") {
  NodeConfig config;
  config.behind_timeout = Millis(300);
  ReplicaState state(config.space_limits, 100, 100);
  BackupApplier backup(2, config, 1);
  backup.Follow(1, 1);
  auto request = backup.TakeRequest(state, T(0));
  backup.OnCatchUp(CatchUp{1, request->transfer_id, 1, {}, 0}, state);
  REQUIRE_FALSE(backup.syncing());
  Heartbeat primary_beat{1, Role::kPrimary, 1, {1, 5}, 1, 0, true};
  backup.OnPrimaryHeartbeat(primary_beat, state, T(100));
  backup.OnPrimaryHeartbeat(primary_beat, state, T(300));
  CHECK_FALSE(backup.syncing());
  backup.OnPrimaryHeartbeat(primary_beat, state, T(400));
  CHECK(backup.syncing());
}

TEST_CASE("backup: two different snapshots under one transfer id are not mixed") {
  NodeConfig config;
  ReplicaState state(config.space_limits, 100, 100);
  BackupApplier backup(2, config, 1);
  backup.Follow(1, 1);
  auto request = backup.TakeRequest(state, T(0));
  const uint64_t id = request->transfer_id;
  CHECK_FALSE(backup.OnChunk(SnapshotChunk{1, id, 1, 0, {{"a", "1"}}}, state, T(1)));
  CHECK_FALSE(backup.OnEnd(SnapshotEnd{1, id, 1, 2, {1, 5}, {}, 0}, state, T(2)));
  CHECK_FALSE(backup.OnEnd(SnapshotEnd{1, id, 1, 1, {1, 6}, {}, 0}, state, T(3)));  // another snapshot
  CHECK_FALSE(backup.OnChunk(SnapshotChunk{1, id, 1, 1, {{"b", "2"}}}, state, T(4)));
  CHECK(state.space.size() == 0);
  auto again = backup.TakeRequest(state, T(5));  // asked anew at once
  REQUIRE(again);
  CHECK(again->transfer_id != id);
}
