// The primary's and the backups' replication bookkeeping, on their own.
#include <catch2/catch.hpp>

#include "nodes/cluster/backup_applier.h"
#include "nodes/cluster/primary_replicator.h"
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

TEST_CASE("primary: a term opens with a no-op entry, a write replies only once committed") {
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
  // An older request of the client, after a newer one, still gets its own answer, not applied again.
  f.primary.Handle(ClientTag{"c", 3}, Put(7, 2, "b", "2"), f.state, f.acks, T(4));
  f.primary.Handle(ClientTag{"c", 4}, Put(7, 1, "a", "9"), f.state, f.acks, T(5));
  f.Ack(2, 3, 6);
  replies = f.primary.Release(f.acks.Advance(3, T(6)));
  REQUIRE(replies.size() == 2);
  Reply older = Decoded(replies[1]);
  CHECK(older.ok());
  CHECK(older.id == RequestId{7, 1});
  CHECK(f.state.space.pairs().at("a") == "1");
  CHECK(f.state.last().seq == 3);
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

TEST_CASE("primary: a read waits for the writes before it, async mode does not wait") {
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
  CHECK(state.clients.Find(9, 4)->seq == 39);
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

// ---- not enough replicas: nothing waits for acks that cannot come ---------

namespace {

Request Get(uint64_t client, uint64_t number) {
  Request request = MakeGet(".*", ".*");
  request.id = RequestId{client, number};
  return request;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("primary: writes waiting when the backups go out of reach are undone and answered, what queued behind them too") {
  PrimaryFixture f;
  f.Ack(2, 1, 0);  // backup 2 in sync with the term's no-op, last heard at 0
  REQUIRE(f.acks.Advance(1, T(0)) == 1);
  f.primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), f.state, f.acks, T(1));
  f.primary.Handle(ClientTag{"d", 2}, Get(8, 1), f.state, f.acks, T(2));  // it sees a=1
  REQUIRE(f.primary.TakeBatch(1));
  // Backup 2 is silent past the liveness window: nothing can commit any more,
  // and the write's reply (and the read queued behind it) would wait forever.
  const TimePoint later = T(f.config.liveness_window.count() + 10);
  CHECK(f.primary.Release(f.acks.Advance(2, later)).empty());
  REQUIRE(f.primary.CannotCommit(f.acks, later));
  PrimaryReplicator::Failed failed = f.primary.FailUnconfirmed(f.state, f.acks, later);
  CHECK(failed.writes_undone == 1);
  CHECK(f.primary.pending_replies() == 0);
  REQUIRE(failed.replies.size() == 2);
  CHECK(failed.replies[0].client.token == 1);  // in arrival order
  CHECK(failed.replies[1].client.token == 2);
  CHECK(failed.replies[0].committed == LogPosition{2, 1});  // the no-op, not the write
  Reply undone = Decoded(failed.replies[0]);
  REQUIRE(undone.error);
  CHECK(undone.error->kind == ErrorKind::kNotEnoughReplicas);
  CHECK(undone.id == RequestId{7, 1});
  CHECK(undone.served_by == 1);
  CHECK(undone.term == 2);
  CHECK(undone.error->message.rfind(std::string(kNothingChanged), 0) != 0);  // its fate is open
  CHECK(Contains(undone.error->message, "applied on the primary"));
  CHECK(Contains(undone.error->message, "(0 did, at least 1 must), so the primary undid it"));
  CHECK(Contains(undone.error->message, "may still bring it back after a failover"));
  // The read ran again on the restored space: it shows only what is committed.
  Reply read = Decoded(failed.replies[1]);
  CHECK(read.ok());
  CHECK(read.pairs.empty());
  CHECK(read.served_by == 1);
  CHECK(f.state.space.size() == 0);

  // The undo is a log entry like any other (backups that applied the write
  // apply it too) and records the answer in the exactly-once table.
  CHECK(f.state.last() == LogPosition{2, 3});
  auto batch = f.primary.TakeBatch(0);
  REQUIRE(batch);
  REQUIRE(batch->entries.size() == 1);
  CHECK(batch->entries[0].position == LogPosition{2, 3});
  CHECK(batch->entries[0].request_id == RequestId{7, 1});
  CHECK(batch->entries[0].effect.erased_keys == std::vector<std::string>{"a"});
  REQUIRE(batch->entries[0].reply);
  CHECK(batch->entries[0].reply->error->message == undone.error->message);
  REQUIRE(f.state.clients.Find(7, 1));
  CHECK(f.state.clients.Find(7, 1)->reply.error->kind == ErrorKind::kNotEnoughReplicas);

  // A retry gets that same answer at once; nothing is applied again.
  f.primary.Handle(ClientTag{"c-reopened", 3}, Put(7, 1, "a", "1"), f.state, f.acks, later + Millis(1));
  auto retried = f.primary.Release(f.acks.Advance(f.state.last().seq, later + Millis(1)));
  REQUIRE(retried.size() == 1);
  Reply again = Decoded(retried[0]);
  REQUIRE(again.error);
  CHECK(again.error->message == undone.error->message);
  CHECK(f.state.space.size() == 0);

  // A new write is refused before it touches the space; a read is served.
  f.primary.Handle(ClientTag{"c", 4}, Put(7, 2, "b", "2"), f.state, f.acks, later + Millis(2));
  f.primary.Handle(ClientTag{"d", 5}, Get(8, 2), f.state, f.acks, later + Millis(2));
  auto answered = f.primary.Release(f.acks.Advance(f.state.last().seq, later + Millis(2)));
  REQUIRE(answered.size() == 2);
  Reply refused = Decoded(answered[0]);
  REQUIRE(refused.error);
  CHECK(refused.error->kind == ErrorKind::kNotEnoughReplicas);
  CHECK(refused.error->message ==
        "nothing was changed: 0 backups in reach, 1 needed to acknowledge a write; send it again when more are back");
  CHECK(refused.served_by == 1);
  CHECK(refused.term == 2);
  CHECK(Decoded(answered[1]).ok());
  CHECK(f.state.last() == LogPosition{2, 3});
}

TEST_CASE("primary: taking writes back restores what each PUT, POST and DELETE replaced") {
  PrimaryFixture f;
  f.Ack(2, 0, 0);
  Request both = MakePut({Pair{{"a"}, {"1"}}, Pair{{"b"}, {"2"}}});
  both.id = RequestId{7, 1};
  f.primary.Handle(ClientTag{"c", 1}, both, f.state, f.acks, T(1));
  f.Ack(2, 2, 2);
  REQUIRE(f.primary.Release(f.acks.Advance(2, T(2))).size() == 1);  // committed
  Request post = MakePost({Pair{{"a"}, {"9"}}, Pair{{"z"}, {"0"}}});  // z is absent: rejected
  post.id = RequestId{7, 2};
  Request erase = MakeDelete("b", ".*");
  erase.id = RequestId{8, 1};
  f.primary.Handle(ClientTag{"c", 2}, post, f.state, f.acks, T(3));
  f.primary.Handle(ClientTag{"d", 3}, erase, f.state, f.acks, T(3));
  f.primary.Handle(ClientTag{"e", 4}, Put(9, 1, "c", "3"), f.state, f.acks, T(3));
  CHECK(f.state.space.pairs() == TupleSpace::PairMap{{"a", "9"}, {"c", "3"}});
  const TimePoint later = T(2 + f.config.liveness_window.count() + 1);
  REQUIRE(f.primary.CannotCommit(f.acks, later));
  PrimaryReplicator::Failed failed = f.primary.FailUnconfirmed(f.state, f.acks, later);
  CHECK(failed.writes_undone == 3);
  REQUIRE(failed.replies.size() == 3);
  for (const ClientReplyFrame& frame : failed.replies) {
    CHECK(Decoded(frame).error->kind == ErrorKind::kNotEnoughReplicas);
  }
  CHECK(f.state.space.pairs() == TupleSpace::PairMap{{"a", "1"}, {"b", "2"}});
  CHECK(f.state.last() == LogPosition{2, 8});  // three writes, three undo entries
}

TEST_CASE("primary: undoing two pipelined writes of one client records each one's answer") {
  PrimaryFixture f;
  f.Ack(2, 0, 0);
  f.primary.Handle(ClientTag{"c", 1}, Put(7, 1, "a", "1"), f.state, f.acks, T(1));
  f.primary.Handle(ClientTag{"c", 2}, Put(7, 2, "b", "2"), f.state, f.acks, T(1));  // pipelined
  const TimePoint later = T(f.config.liveness_window.count() + 1);
  CHECK(f.primary.FailUnconfirmed(f.state, f.acks, later).replies.size() == 2);
  for (uint64_t request : {1, 2}) {
    REQUIRE(f.state.clients.Find(7, request));
    CHECK(f.state.clients.Find(7, request)->reply.error->kind == ErrorKind::kNotEnoughReplicas);
  }
  CHECK(f.state.space.size() == 0);
}

namespace {

// Applies PUTs 1..count of client 7 (key k<n>), as entries 1..count of term 1
// with their replies: the log a node holds when it takes over in term 2.
void ApplyTermOneWritesOfClient7(ReplicaState& state, uint64_t count) {
  for (uint64_t request = 1; request <= count; ++request) {
    LogEntry entry;
    entry.position = LogPosition{1, request};
    entry.request_id = RequestId{7, request};
    entry.effect.upserts.emplace_back("k" + std::to_string(request), "v");
    Reply reply;
    reply.id = entry.request_id;
    reply.op_name = "PUT";
    entry.reply = reply;
    state.Apply(entry);
  }
}

}  // namespace

TEST_CASE("primary: a pipelined client's writes sent again after a failover get their recorded answers") {
  NodeConfig config;
  config.id = 1;
  ReplicaState state(config.space_limits, 100, 100);
  // Writes 1-3 of client 7, applied under the primary of term 1 (all three
  // were out at once; the broker had answers for none when it failed).
  ApplyTermOneWritesOfClient7(state, 3);
  AckTracker acks(1, 1, config.liveness_window);
  acks.Reset(2, 0);
  PrimaryReplicator primary(1, config);
  primary.Begin(2, state, T(0));
  acks.OnHeartbeat(Heartbeat{2, Role::kBackup, 2, {2, 4}, 1, 0, true}, T(1));
  const LogPosition before = state.last();

  for (uint64_t request = 1; request <= 3; ++request) {  // the broker's re-forwards, oldest first
    primary.Handle(ClientTag{"c", request}, Put(7, request, "k" + std::to_string(request), "v"), state, acks, T(2));
  }
  auto replies = primary.Release(acks.Advance(state.last().seq, T(2)));
  REQUIRE(replies.size() == 3);
  for (uint64_t request = 1; request <= 3; ++request) {
    Reply reply = Decoded(replies[request - 1]);
    CHECK(reply.ok());  // not "older than its last write": each one's own answer
    CHECK(reply.id == RequestId{7, request});
  }
  CHECK(state.last() == before);  // nothing applied twice
}

TEST_CASE("primary: every reply names this node and its term, also errors and recorded ones") {
  NodeConfig config;
  config.id = 1;
  ReplicaState state(config.space_limits, 100, 100);
  // A write recorded by node 5 in term 1, before this node took over.
  LogEntry earlier;
  earlier.position = LogPosition{1, 1};
  earlier.request_id = RequestId{7, 3};
  earlier.effect.upserts.emplace_back("a", "1");
  Reply original;
  original.id = RequestId{7, 3};
  original.op_name = "PUT";
  original.served_by = 5;
  original.term = 1;
  earlier.reply = original;
  state.Apply(earlier);
  AckTracker acks(1, 1, config.liveness_window);
  acks.Reset(2, 0);
  PrimaryReplicator primary(1, config);
  primary.Begin(2, state, T(0));
  acks.OnHeartbeat(Heartbeat{2, Role::kBackup, 2, {2, 2}, 1, 0, true}, T(1));

  primary.Handle(ClientTag{"retry", 1}, Put(7, 3, "a", "1"), state, acks, T(2));  // answered from the table
  primary.HandleUndecodable(ClientTag{"junk", 2}, Error{ErrorKind::kMalformedRequest, "not a request"});
  primary.Handle(ClientTag{"old", 3}, Put(7, 2, "x", "1"), state, acks, T(2));  // older than its last write
  auto replies = primary.Release(acks.Advance(state.last().seq, T(2)));
  REQUIRE(replies.size() == 3);
  Reply retried = Decoded(replies[0]);
  CHECK(retried.ok());
  CHECK(retried.id == RequestId{7, 3});  // the original answer ...
  CHECK(retried.served_by == 1);        // ... from the node answering now
  CHECK(retried.term == 2);
  for (size_t i = 1; i < replies.size(); ++i) {
    Reply error = Decoded(replies[i]);
    REQUIRE(error.error);
    CHECK(error.served_by == 1);
    CHECK(error.term == 2);
  }
  CHECK(state.clients.Find(7, 3)->reply.served_by == 5);  // the record itself is kept as it was
}

TEST_CASE("primary: a node that took over alone answers reads once the broker's commit covers its log") {
  NodeConfig config;
  config.id = 1;
  auto took_over_with_two_entries = [&](ReplicaState& state) { ApplyTermOneWritesOfClient7(state, 2); };
  const TimePoint after_grace = T(config.liveness_window.count() + 1);

  SECTION("the broker has committed everything it holds: served") {
    ReplicaState state(config.space_limits, 100, 100);
    took_over_with_two_entries(state);
    AckTracker acks(1, 1, config.liveness_window);
    acks.Reset(2, 0);
    PrimaryReplicator primary(1, config);
    primary.Begin(2, state, T(0));
    primary.Handle(ClientTag{"d", 1}, Get(8, 1), state, acks, T(1));
    CHECK(primary.Release(acks.Advance(state.last().seq, T(1))).empty());  // the no-op is not committed
    primary.NoteBrokerCommitted(LogPosition{1, 2});
    auto replies = primary.Release(acks.Advance(state.last().seq, T(2)));
    REQUIRE(replies.size() == 1);
    Reply read = Decoded(replies[0]);
    CHECK(read.ok());
    CHECK(read.pairs.size() == 2);
    CHECK(replies[0].committed == LogPosition{});  // still nothing of term 2 to report
    // A retry of a write of that log is answered too.
    primary.Handle(ClientTag{"c", 2}, Put(7, 2, "k2", "v"), state, acks, after_grace);
    REQUIRE(primary.Release(acks.Advance(state.last().seq, after_grace)).size() == 1);
  }
  SECTION("the broker's commit is older than its log: 'not enough replicas', after the grace") {
    ReplicaState state(config.space_limits, 100, 100);
    took_over_with_two_entries(state);
    AckTracker acks(1, 1, config.liveness_window);
    acks.Reset(2, 0);
    PrimaryReplicator primary(1, config);
    primary.Begin(2, state, T(0));
    primary.NoteBrokerCommitted(LogPosition{1, 1});  // seq 2 may not survive a failover
    primary.Handle(ClientTag{"d", 1}, Get(8, 1), state, acks, T(1));
    primary.Handle(ClientTag{"c", 2}, Put(7, 2, "k2", "v"), state, acks, T(1));  // a retry of seq 2
    CHECK(primary.Release(acks.Advance(state.last().seq, T(1))).empty());
    CHECK_FALSE(primary.CannotCommit(acks, T(1)));  // in the grace, backups may still come
    REQUIRE(primary.CannotCommit(acks, after_grace));
    PrimaryReplicator::Failed failed = primary.FailUnconfirmed(state, acks, after_grace);
    CHECK(failed.writes_undone == 0);  // an earlier term's entries are not this node's to undo
    REQUIRE(failed.replies.size() == 2);
    Reply read = Decoded(failed.replies[0]);
    REQUIRE(read.error);
    CHECK(read.error->kind == ErrorKind::kNotEnoughReplicas);
    CHECK(Contains(read.error->message, "cannot confirm this read"));
    Reply retry = Decoded(failed.replies[1]);
    REQUIRE(retry.error);
    CHECK(Contains(retry.error->message, "applied by an earlier primary"));
    CHECK(state.clients.Find(7, 2)->reply.ok());  // the record keeps the real answer for later
    CHECK(state.space.size() == 2);
  }
}
