// The node's parts on their own: failure detection, bully election, ack
// bookkeeping, the recent log, the exactly-once table and write undo.
#include <catch2/catch.hpp>

#include "nodes/cluster/ack_tracker.h"
#include "nodes/cluster/bully_election.h"
#include "nodes/cluster/failure_detector.h"
#include "nodes/cluster/replica_state.h"
#include "nodes/cluster/write_undo.h"

using namespace ts;
using namespace ts::cluster;

namespace {
TimePoint T(int64_t ms) { return TimePoint(ms); }
Heartbeat Beat(NodeId from, Role role, uint64_t term, uint64_t seq, NodeId primary) {
  return Heartbeat{from, role, term, LogPosition{term, seq}, primary, 0, true};
}
}  // namespace

TEST_CASE("failure detector: seen, live, failed once, rejoined") {
  FailureDetector detector(Millis(300));
  CHECK(detector.Heard(Beat(2, Role::kBackup, 1, 0, 1), T(0)) == LivenessChange::kSeen);
  CHECK(detector.Live(2, T(300)));
  CHECK(detector.TakeFailures(T(300)).empty());
  CHECK_FALSE(detector.Live(2, T(301)));
  CHECK(detector.TakeFailures(T(301)) == std::vector<NodeId>{2});
  CHECK(detector.TakeFailures(T(500)).empty());  // reported once
  CHECK(detector.Heard(Beat(2, Role::kBackup, 1, 5, 1), T(600)) == LivenessChange::kRejoined);
  CHECK(detector.Latest(2)->last.seq == 5);
  CHECK(detector.Heard(Beat(2, Role::kBackup, 1, 6, 1), T(650)) == LivenessChange::kNone);
  CHECK(detector.LivePeers(T(700)) == std::vector<NodeId>{2});
  CHECK_FALSE(detector.Live(9, T(0)));  // never heard
}

TEST_CASE("failure detector: a heartbeat after silence, before the failure was taken, is no rejoin") {
  // The one liveness rule (common/liveness.h): "rejoined" pairs with a
  // "failed" reported before it, so a node that stalled and then reads its
  // queued heartbeats does not log its live peers as rejoining.
  FailureDetector detector(Millis(300));
  detector.Heard(Beat(2, Role::kBackup, 1, 0, 1), T(0));
  CHECK_FALSE(detector.Live(2, T(400)));
  CHECK(detector.Heard(Beat(2, Role::kBackup, 1, 1, 1), T(400)) == LivenessChange::kNone);
  CHECK(detector.TakeFailures(T(400)).empty());
}

TEST_CASE("failure detector: other messages keep a live peer alive, never revive a dead or unknown one") {
  FailureDetector detector(Millis(300));
  detector.Heard(Beat(2, Role::kBackup, 1, 0, 1), T(0));
  detector.KeepAlive(2, T(250));
  CHECK(detector.Live(2, T(500)));  // kept alive at 250
  CHECK_FALSE(detector.Live(2, T(551)));
  detector.KeepAlive(2, T(560));     // dead by then: only its heartbeat brings it back
  CHECK_FALSE(detector.Live(2, T(560)));
  detector.KeepAlive(7, T(560));     // unknown: a heartbeat introduces a peer
  CHECK_FALSE(detector.Live(7, T(560)));
  CHECK(detector.Latest(7) == nullptr);
  CHECK(detector.TakeFailures(T(560)) == std::vector<NodeId>{2});
}

TEST_CASE("election: the best-ranked node asks the broker, raises the term, wins a majority's votes, registers with them") {
  NodeConfig config;
  config.cluster_size = 5;
  BullyElection election(3, config);
  const Rank mine{{2, 10}, 3};
  ElectionStep start = election.Start(mine, 2, T(0));
  REQUIRE(start.to_bus.size() == 1);
  CHECK(std::get<Election>(start.to_bus[0]).rank == mine);
  CHECK(election.phase() == ElectionPhase::kAwaitingAnswers);
  CHECK(election.OnTick(mine, 2, {1}, T(100)).to_broker.empty());  // answer timeout is 200 ms
  ElectionStep ask = election.OnTick(mine, 2, {1}, T(200));
  REQUIRE(ask.to_broker.size() == 1);
  const auto& pre_vote = std::get<PreVoteRequest>(ask.to_broker[0]);
  CHECK(pre_vote.proposed_term == 3);
  CHECK(pre_vote.last == mine.last);
  // The broker serves term 4 already (someone registered meanwhile): go above it.
  ElectionStep voting = election.OnPreVoteAnswer(1, PreVoteAnswer{3, true, 4, 1, "", LogPosition{}}, mine, 2, T(210));
  CHECK(voting.to_broker.empty());
  REQUIRE(voting.vote_for_self_in);
  CHECK(*voting.vote_for_self_in == 5);
  REQUIRE(voting.to_bus.size() == 1);
  CHECK(std::get<RequestVote>(voting.to_bus[0]).term == 5);
  CHECK(std::get<RequestVote>(voting.to_bus[0]).last == mine.last);
  CHECK(election.phase() == ElectionPhase::kAwaitingVotes);
  // Its own vote (once durable), a refusal, a vote for another term, a
  // duplicate: no majority of 5 yet.
  CHECK(election.OnVoteAnswer(VoteAnswer{3, 3, 5, true, ""}, mine, T(211)).to_broker.empty());
  CHECK(election.OnVoteAnswer(VoteAnswer{1, 3, 5, false, "no"}, mine, T(212)).to_broker.empty());
  CHECK(election.OnVoteAnswer(VoteAnswer{2, 3, 4, true, ""}, mine, T(212)).to_broker.empty());
  CHECK(election.OnVoteAnswer(VoteAnswer{4, 3, 5, true, ""}, mine, T(213)).to_broker.empty());
  CHECK(election.OnVoteAnswer(VoteAnswer{4, 3, 5, true, ""}, mine, T(213)).to_broker.empty());
  ElectionStep registering = election.OnVoteAnswer(VoteAnswer{5, 3, 5, true, ""}, mine, T(214));
  REQUIRE(registering.to_broker.size() == 1);
  const auto& registration = std::get<Registration>(registering.to_broker[0]);
  CHECK(registration.term == 5);
  CHECK(registration.voters == std::vector<NodeId>{3, 4, 5});
  CHECK(registration.cluster_size == 5);
  CHECK(WhyNotMajority(registration.voters, registration.cluster_size).empty());
  ElectionStep stale = election.OnRegistrationAnswer(1, RegistrationAnswer{3, true, 3, 3, ""}, T(215));
  CHECK_FALSE(stale.won_term);  // an answer about another term
  ElectionStep won = election.OnRegistrationAnswer(1, RegistrationAnswer{5, true, 5, 3, ""}, T(220));
  REQUIRE(won.won_term);
  CHECK(*won.won_term == 5);
  CHECK_FALSE(election.running());
}

TEST_CASE("election: votes that time out back off, a majority proof is checked by count of distinct real nodes") {
  NodeConfig config;
  config.cluster_size = 3;
  BullyElection election(2, config);
  const Rank mine{{1, 4}, 2};
  election.Start(mine, 1, T(0));
  election.OnTick(mine, 1, {1}, T(500));
  election.OnPreVoteAnswer(1, PreVoteAnswer{2, true, 1, 1, "", LogPosition{}}, mine, 1, T(501));
  election.OnVoteAnswer(VoteAnswer{2, 2, 2, true, ""}, mine, T(502));
  CHECK(election.phase() == ElectionPhase::kAwaitingVotes);
  ElectionStep late = election.OnTick(mine, 1, {1}, T(501 + 500));
  CHECK(election.phase() == ElectionPhase::kBackingOff);
  CHECK(late.note.find("no majority") != std::string::npos);
  CHECK_FALSE(WhyNotMajority({1, 1}, 3).empty());
  CHECK_FALSE(WhyNotMajority({1, 0}, 3).empty());
  CHECK_FALSE(WhyNotMajority({1, 2}, 4).empty());
  CHECK_FALSE(WhyNotMajority({1, 2}, 0).empty());
  CHECK(WhyNotMajority({1, 2}, 3).empty());
  CHECK(WhyNotMajority({3}, 1).empty());
}

TEST_CASE("election: a better-ranked node answers and runs, the weaker one waits") {
  NodeConfig config;
  BullyElection weak(1, config);
  BullyElection strong(2, config);
  const Rank weak_rank{{1, 5}, 1};
  const Rank strong_rank{{1, 7}, 2};  // fresher log: wins though... and here also the higher id
  ElectionStep call = weak.Start(weak_rank, 1, T(0));
  ElectionStep answer = strong.OnElection(std::get<Election>(call.to_bus[0]), strong_rank, 1, T(1));
  REQUIRE(answer.to_bus.size() == 2);  // the answer, and its own election
  const auto& reply = std::get<ElectionAnswer>(answer.to_bus[0]);
  CHECK(reply.to == 1);
  CHECK(strong.phase() == ElectionPhase::kAwaitingAnswers);
  weak.OnAnswer(reply, T(2));
  CHECK(weak.phase() == ElectionPhase::kAwaitingCoordinator);
  CHECK(weak.OnTick(weak_rank, 1, {1}, T(500)).to_broker.empty());  // it never asks the broker
  // No coordinator within the timeout (1 s): it starts over.
  ElectionStep again = weak.OnTick(weak_rank, 1, {1}, T(1'002));
  CHECK(again.to_bus.size() == 1);
  CHECK(weak.phase() == ElectionPhase::kAwaitingAnswers);
}

TEST_CASE("election: freshness beats id") {
  NodeConfig config;
  BullyElection high_id(9, config);
  const Rank stale{{1, 3}, 9};
  const Rank fresh{{2, 1}, 1};
  ElectionStep step = high_id.OnElection(Election{1, fresh, 2}, stale, 2, T(0));
  CHECK(step.to_bus.empty());  // node 1 is fresher: node 9 does not answer it
  CHECK(Rank{{2, 1}, 1} > Rank{{1, 99}, 9});
}

TEST_CASE("election: a refused pre-vote backs off and retries later") {
  NodeConfig config;
  BullyElection election(1, config);
  const Rank mine{{1, 1}, 1};
  election.Start(mine, 1, T(0));
  election.OnTick(mine, 1, {1}, T(200));
  ElectionStep refused = election.OnPreVoteAnswer(1, PreVoteAnswer{2, false, 1, 2, "primary 2 is live", LogPosition{}}, mine,
                                                  1, T(210));
  CHECK(refused.to_broker.empty());
  CHECK(election.phase() == ElectionPhase::kBackingOff);
  CHECK(refused.note.find("primary 2 is live") != std::string::npos);
  CHECK(election.OnTick(mine, 1, {1}, T(300)).to_bus.empty());
  CHECK(election.OnTick(mine, 1, {1}, T(1'000)).to_bus.size() == 1);  // a new round
}

TEST_CASE("acks: commit needs every in-sync backup and at least min_acks") {
  AckTracker acks(1, 2, Millis(300));
  acks.Reset(3, 0);
  CHECK(acks.Advance(10, T(0)) == 0);  // no backups: nothing commits
  acks.OnHeartbeat(Beat(2, Role::kBackup, 3, 8, 1), T(0));
  CHECK(acks.Advance(10, T(0)) == 0);  // one backup, two needed
  acks.OnHeartbeat(Beat(3, Role::kBackup, 3, 6, 1), T(10));
  CHECK(acks.Advance(10, T(10)) == 6);  // the slower backup bounds it
  acks.OnHeartbeat(Beat(3, Role::kBackup, 3, 10, 1), T(20));
  CHECK(acks.Advance(10, T(20)) == 8);
  acks.OnHeartbeat(Beat(2, Role::kBackup, 3, 4, 1), T(30));  // a reordered, older ack
  CHECK(acks.Advance(10, T(30)) == 8);   // acks and commits never go back
  acks.OnHeartbeat(Beat(4, Role::kSyncing, 3, 0, 1), T(40));  // syncing: not waited for
  acks.OnHeartbeat(Beat(2, Role::kBackup, 3, 10, 1), T(50));
  CHECK(acks.Advance(10, T(50)) == 10);
  CHECK(acks.InSync(T(50)) == std::vector<NodeId>{2, 3});
  CHECK(acks.InReach(T(50)) == 3);
}

TEST_CASE("acks: a dead backup is not waited for, but min_acks still holds") {
  AckTracker acks(1, 1, Millis(300));
  acks.Reset(1, 0);
  acks.OnHeartbeat(Beat(2, Role::kBackup, 1, 5, 1), T(0));
  acks.OnHeartbeat(Beat(3, Role::kBackup, 1, 2, 1), T(0));
  CHECK(acks.Advance(5, T(100)) == 2);
  acks.OnHeartbeat(Beat(2, Role::kBackup, 1, 5, 1), T(350));
  CHECK(acks.Advance(5, T(350)) == 5);  // node 3 is dead now; node 2 alone suffices
  CHECK(acks.Advance(9, T(700)) == 5);  // nobody live: nothing more commits
  // A heartbeat of another term, or following another primary, is not an ack.
  acks.OnHeartbeat(Beat(2, Role::kBackup, 2, 9, 4), T(710));
  CHECK(acks.Advance(9, T(710)) == 5);
  CHECK(acks.InReach(T(710)) == 0);
}

TEST_CASE("recent log: term lookups and entries after a position") {
  RecentLog log(3);
  log.Reset(LogPosition{1, 10});
  for (uint64_t seq = 11; seq <= 14; ++seq) log.Append(LogEntry{LogPosition{seq < 13 ? 1u : 2u, seq}, {}, {}, {}});
  CHECK(log.last() == LogPosition{2, 14});
  CHECK_FALSE(log.TermAt(10));  // fell out of the window (capacity 3)
  CHECK(*log.TermAt(11) == 1);
  CHECK(*log.TermAt(13) == 2);
  CHECK_FALSE(log.TermAt(15));
  REQUIRE(log.EntriesAfter(12));
  CHECK(log.EntriesAfter(12)->size() == 2);
  CHECK(log.EntriesAfter(14)->empty());
  CHECK_FALSE(log.EntriesAfter(10));
}

TEST_CASE("recent log: a byte bound evicts old entries too") {
  RecentLog log(100, 1'000);
  log.Reset(LogPosition{1, 0});
  for (uint64_t seq = 1; seq <= 5; ++seq) {
    LogEntry entry{LogPosition{1, seq}, {}, {}, {}};
    entry.effect.upserts.emplace_back("k" + std::to_string(seq), std::string(300, 'v'));
    log.Append(entry);
  }
  CHECK(log.last() == LogPosition{1, 5});
  CHECK_FALSE(log.EntriesAfter(1));  // an entry holds ~300 bytes of text plus its objects: one fits
  REQUIRE(log.EntriesAfter(4));
  CHECK(log.EntriesAfter(4)->size() == 1);
}

TEST_CASE("recent log: the byte bound counts what the entries occupy, not just their text") {
  // 1,000 pairs of 16-byte texts: 32 KB of text, but each std::string is an
  // object (32 bytes) plus a heap block (32 bytes): about 128 KB held.
  RecentLog log(100, 200'000);
  log.Reset(LogPosition{1, 0});
  for (uint64_t seq = 1; seq <= 2; ++seq) {
    LogEntry entry{LogPosition{1, seq}, {}, {}, {}};
    for (int i = 0; i < 1'000; ++i) entry.effect.upserts.emplace_back(std::string(16, 'k'), std::string(16, 'v'));
    log.Append(entry);
  }
  CHECK_FALSE(log.EntriesAfter(0));  // two would be ~256 KB: the first went
  REQUIRE(log.EntriesAfter(1));
  CHECK(log.EntriesAfter(1)->size() == 1);
}

TEST_CASE("client table: the last writes of each client, oldest evicted first") {
  ClientTable table(3, 2);  // 3 rows in all, 2 per client
  Reply reply;
  reply.op_name = "PUT";
  table.Record(7, 1, 10, reply);
  table.Record(8, 1, 11, reply);
  table.Record(7, 2, 12, reply);
  CHECK(table.Find(7, 1) != nullptr);  // a pipelined client's older write is still answerable
  CHECK(table.Find(7, 2)->seq == 12);
  CHECK(table.NewestRequest(7) == 2);
  table.Record(7, 3, 13, reply);  // client 7's window is 2: its request 1 goes
  CHECK(table.Find(7, 1) == nullptr);
  CHECK(table.NewestRequest(7) == 3);
  table.Record(9, 1, 14, reply);  // 3 rows in all: the oldest write (client 8, seq 11) goes
  CHECK(table.Find(8, 1) == nullptr);
  CHECK(table.NewestRequest(8) == 0);
  CHECK(table.Find(9, 1) != nullptr);
  table.Record(0, 1, 15, reply);  // anonymous: not kept
  CHECK(table.size() == 3);

  Reply undone = reply;
  undone.error = Error{ErrorKind::kNotEnoughReplicas, "undone"};
  table.Record(7, 2, 16, undone);  // recording a request again replaces its answer
  REQUIRE(table.Find(7, 2)->reply.error);
  CHECK(table.Find(7, 3) != nullptr);
  CHECK(table.size() == 3);

  ClientTable copy(3, 2);
  copy.Replace(table.Rows());
  CHECK(copy.Rows().size() == 3);
  CHECK(copy.Find(7, 2)->seq == 16);
  CHECK(copy.Find(7, 3)->seq == 13);
  CHECK(copy.Find(9, 1)->seq == 14);
}

TEST_CASE("write undo: applying a write and then its restore leaves the space as it was") {
  TupleSpace space;
  space.Upsert("a", "1");
  space.Upsert("b", "2");
  space.Upsert("c", "3");
  const TupleSpace::PairMap before = space.pairs();
  auto write_then_undo = [&](Request request) {
    const WriteUndo undo = WriteUndo::Capture(space, request);
    WriteEffect effect;
    Reply reply = space.Execute(request, &effect);
    REQUIRE_FALSE(effect.empty());
    space.ApplyEffect(undo.Restore(effect, reply));
    CHECK(space.pairs() == before);
  };
  // PUT: a key named twice, a key present (rejected), a new key.
  write_then_undo(MakePut({Pair{{"d"}, {"4"}}, Pair{{"d"}, {"5"}}, Pair{{"a"}, {"9"}}, Pair{{"e"}, {"6"}}}));
  // POST: an absent key (rejected) before a present one, which is named twice.
  write_then_undo(MakePost({Pair{{"z"}, {"0"}}, Pair{{"b"}, {"7"}}, Pair{{"b"}, {"8"}}}));
  // DELETE by pattern: its keys come from the pairs it returned.
  write_then_undo(MakeDelete("[ac]", ".*"));
}
