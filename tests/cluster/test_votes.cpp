// Majority elections (node_core_vote.cpp, ARCHITECTURE.md "Election" and
// "Fencing"), one node of a 3-node cluster driven by hand: the vote rules, the
// term and vote made durable before any vote message leaves, recovery of the
// vote, the ack floor, the primary's lease; and the broker's check of a
// registration's proof, which needs no memory.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <variant>

#include "brokers/broker_core.h"
#include "nodes/cluster/node_core.h"
#include "nodes/log/memory_storage.h"
#include "nodes/node_log.h"

using namespace ts;
using namespace ts::cluster;

namespace {

constexpr NodeId kSelf = 1;

NodeConfig Config(bool durable) {
  NodeConfig config;
  config.id = kSelf;
  config.cluster_size = 3;
  config.durable = durable;
  return config;
}

std::vector<VoteAnswer> Votes(const NodeActions& actions) {
  std::vector<VoteAnswer> votes;
  for (const PeerMessage& m : actions.to_bus) {
    if (const auto* vote = std::get_if<VoteAnswer>(&m)) votes.push_back(*vote);
  }
  return votes;
}

bool HasRequestVote(const NodeActions& actions) {
  return std::any_of(actions.to_bus.begin(), actions.to_bus.end(),
                     [](const PeerMessage& m) { return std::holds_alternative<RequestVote>(m); });
}

// One node past its start window, hearing the broker.
struct Voter {
  explicit Voter(bool durable) : node(Config(durable), TimePoint(0)) {
    Advance(Config(durable).liveness_window.count() + 1);
  }
  NodeActions Peer(PeerMessage m) { return node.on_message(m, TimePoint(now)); }
  NodeActions Broker(BrokerToNode m) { return node.on_message(m, TimePoint(now)); }
  NodeActions Tick() { return node.on_tick(TimePoint(now)); }
  void Advance(int64_t ms) { now += ms; }
  // The shell's end of cycle without a disk: take, "write", report durable.
  NodeActions Persist() {
    DurableWork work = node.TakeDurableWork();
    return node.on_durable(work.through, work.term, TimePoint(now));
  }
  NodeCore node;
  int64_t now = 0;
};

}  // namespace

TEST_CASE("votes: a grant is held until the term and vote are durable, and the work carries them") {
  Voter voter(/*durable=*/true);
  NodeActions asked = voter.Peer(RequestVote{2, 4, LogPosition{}});
  CHECK(Votes(asked).empty());  // nothing promised leaves before the fsync
  CHECK(voter.node.term() == 4);
  CHECK(voter.node.voted_for() == 2);
  DurableWork work = voter.node.TakeDurableWork();
  CHECK(work.term == 4);
  CHECK(work.voted_for == 2);
  // A sync that began before the vote was written (it covers term 0 only)
  // releases nothing: the shell's sync thread reports such syncs.
  CHECK(Votes(voter.node.on_durable(work.through, 0, TimePoint(voter.now))).empty());
  NodeActions synced = voter.node.on_durable(work.through, work.term, TimePoint(voter.now));
  REQUIRE(Votes(synced).size() == 1);
  CHECK(Votes(synced)[0].granted);
  CHECK(Votes(synced)[0].to == 2);
  CHECK(Votes(synced)[0].term == 4);
  // Asked again (a duplicate): granted again, at once (it is on disk).
  REQUIRE(Votes(voter.Peer(RequestVote{2, 4, LogPosition{}})).size() == 1);
}

TEST_CASE("votes: one candidate per term, never a lower term, a staler log, or right after a start") {
  Voter voter(/*durable=*/false);
  REQUIRE(Votes(voter.Peer(RequestVote{2, 4, LogPosition{}})).at(0).granted);
  const VoteAnswer other = Votes(voter.Peer(RequestVote{3, 4, LogPosition{}})).at(0);
  CHECK_FALSE(other.granted);
  CHECK(other.reason.find("voted for node 2") != std::string::npos);
  const VoteAnswer lower = Votes(voter.Peer(RequestVote{3, 3, LogPosition{}})).at(0);
  CHECK_FALSE(lower.granted);
  CHECK(voter.node.voted_for() == 2);

  // A node with a fresher log refuses a staler candidate.
  Voter fresh(/*durable=*/false);
  fresh.Peer(Coordinator{2, 1, LogPosition{1, 1}});
  REQUIRE(fresh.node.role() == Role::kSyncing);
  fresh.Peer(SnapshotEnd{2, 1, 1, 0, LogPosition{1, 5}, {}, 5});
  REQUIRE(fresh.node.last() == LogPosition{1, 5});
  // While its primary is live, it votes for nobody (the primary's lease).
  const VoteAnswer live = Votes(fresh.Peer(RequestVote{3, 2, LogPosition{1, 9}})).at(0);
  CHECK_FALSE(live.granted);
  CHECK(live.reason.find("live primary") != std::string::npos);
  fresh.Advance(Config(false).liveness_window.count() + 1);
  fresh.Tick();
  REQUIRE(fresh.node.role() == Role::kCandidate);
  const VoteAnswer stale = Votes(fresh.Peer(RequestVote{3, 2, LogPosition{1, 4}})).at(0);
  CHECK_FALSE(stale.granted);
  CHECK(stale.reason.find("behind") != std::string::npos);
  CHECK(Votes(fresh.Peer(RequestVote{3, 2, LogPosition{1, 5}})).at(0).granted);  // as fresh: yes

  // A node that just started votes for nobody for one liveness window.
  NodeCore started(Config(false), TimePoint(0));
  auto answer = started.on_message(RequestVote{2, 1, LogPosition{}}, TimePoint(10));
  REQUIRE(Votes(answer).size() == 1);
  CHECK_FALSE(Votes(answer)[0].granted);
}

TEST_CASE("votes: the term and vote survive a crash: the restarted node refuses another candidate in that term") {
  wal::MemoryStorage disk;
  {
    auto log = NodeLog::Open(disk, "n1");
    REQUIRE(log.ok());
    NodeCore core(Config(true), TimePoint(0));
    log.value()->Restore(core);
    core.on_message(RequestVote{2, 7, LogPosition{}}, TimePoint(1'000));
    auto released = log.value()->Persist(core, TimePoint(1'000));
    REQUIRE(released.ok());
    REQUIRE(Votes(released.value()).size() == 1);
    CHECK(Votes(released.value())[0].granted);
  }
  disk.Crash(1);  // only what was synced survives: the vote was, before its answer left
  auto log = NodeLog::Open(disk, "n1");
  REQUIRE(log.ok());
  CHECK(log.value()->recovered().state.term == 7);
  CHECK(log.value()->recovered().state.voted_for == 2);
  NodeCore core(Config(true), TimePoint(0));
  log.value()->Restore(core);
  CHECK(core.term() == 7);
  CHECK(core.voted_for() == 2);
  auto answer = core.on_message(RequestVote{3, 7, LogPosition{}}, TimePoint(1'000));
  REQUIRE(Votes(answer).size() == 1);
  CHECK_FALSE(Votes(answer)[0].granted);
}

TEST_CASE("votes: a candidate's RequestVote leaves after its own vote is durable, a majority makes it register with the proof") {
  Voter candidate(/*durable=*/true);
  candidate.Broker(BrokerStatus{0, kNoNode, false, LogPosition{}});
  candidate.Tick();  // Election
  candidate.Advance(Config(true).election_answer_timeout.count());
  candidate.Broker(BrokerStatus{0, kNoNode, false, LogPosition{}});
  NodeActions ask = candidate.Tick();
  REQUIRE(!ask.to_broker.empty());
  const auto& pre_vote = std::get<PreVoteRequest>(ask.to_broker.front());
  NodeActions granted = candidate.Broker(PreVoteAnswer{pre_vote.proposed_term, true, 0, kNoNode, "", LogPosition{}});
  CHECK_FALSE(HasRequestVote(granted));
  CHECK(candidate.node.voted_for() == kSelf);
  const uint64_t term = candidate.node.term();
  NodeActions synced = candidate.Persist();
  REQUIRE(HasRequestVote(synced));
  CHECK(synced.to_broker.empty());  // its own vote is one of 3: no majority yet
  NodeActions won = candidate.Peer(VoteAnswer{3, kSelf, term, true, ""});
  REQUIRE(won.to_broker.size() == 1);
  const auto& registration = std::get<Registration>(won.to_broker[0]);
  CHECK(registration.term == term);
  CHECK(registration.voters == std::vector<NodeId>{kSelf, 3});
  CHECK(registration.cluster_size == 3);
  candidate.Broker(RegistrationAnswer{term, true, term, kSelf, ""});
  CHECK(candidate.node.role() == Role::kPrimary);

  // Its lease: backups that echo its heartbeats keep it; silence ends it.
  candidate.Persist();
  for (int i = 0; i < 3; ++i) {
    candidate.Advance(100);
    NodeActions tick = candidate.Tick();
    uint64_t stamp = 0;
    for (const PeerMessage& m : tick.to_bus) {
      if (const auto* beat = std::get_if<Heartbeat>(&m)) stamp = beat->lease_stamp;
    }
    candidate.Broker(BrokerStatus{term, kSelf, true, LogPosition{}});
    Heartbeat echo{3, Role::kBackup, term, candidate.node.last(), kSelf, 0, false, stamp};
    candidate.Peer(echo);
    candidate.Persist();
  }
  CHECK(candidate.node.role() == Role::kPrimary);
  candidate.Advance(Config(true).liveness_window.count() + 1);
  candidate.Broker(BrokerStatus{term, kSelf, true, LogPosition{}});
  NodeActions lapsed = candidate.Tick();
  CHECK(candidate.node.role() == Role::kCandidate);
  CHECK(std::any_of(lapsed.events.begin(), lapsed.events.end(), [](const NodeEvent& e) {
    return e.kind == NodeEventKind::kSteppedDown && e.text.find("lease") != std::string::npos;
  }));
}

TEST_CASE("votes: the ack floor is a majority of the configured nodes, --min-acks only raises it") {
  NodeConfig five = Config(false);
  five.cluster_size = 5;
  five.min_acks = 1;
  CHECK(NodeCore(five, TimePoint(0)).config().min_acks == 2);
  five.min_acks = 4;
  CHECK(NodeCore(five, TimePoint(0)).config().min_acks == 4);
  NodeConfig three = Config(false);
  three.min_acks = 0;
  CHECK(NodeCore(three, TimePoint(0)).config().min_acks == 1);
}

TEST_CASE("broker: a registration without a majority's votes is refused, by a fresh broker too, with one it is accepted") {
  BrokerConfig three;
  three.cluster_size = 3;
  BrokerCore broker(three, TimePoint(0));
  auto alone = broker.on_node_message(Registration{3, 5, LogPosition{4, 9}, {3}, 3}, TimePoint(1));
  CHECK(broker.primary() == kNoNode);
  REQUIRE(alone.to_nodes.size() >= 1);
  const auto& refused = std::get<RegistrationAnswer>(alone.to_nodes.back().message);
  CHECK_FALSE(refused.accepted);
  CHECK(refused.reason.find("majority") != std::string::npos);
  broker.on_node_message(Registration{3, 5, LogPosition{4, 9}, {3, 3}, 3}, TimePoint(2));  // one voter twice
  CHECK(broker.primary() == kNoNode);
  broker.on_node_message(Registration{3, 5, LogPosition{4, 9}, {3, 2}, 3}, TimePoint(3));
  CHECK(broker.primary() == 3);
  CHECK(broker.served_term() == 5);
  // A higher term needs its own proof too.
  broker.on_node_message(Registration{1, 6, LogPosition{4, 9}, {1}, 3}, TimePoint(4));
  CHECK(broker.primary() == 3);
  broker.on_node_message(Registration{1, 6, LogPosition{4, 9}, {1, 2}, 3}, TimePoint(5));
  CHECK(broker.primary() == 1);
  CHECK(broker.served_term() == 6);
}

TEST_CASE("broker: the majority is of the broker's own cluster size, not the one a registration claims") {
  BrokerConfig three;
  three.cluster_size = 3;
  BrokerCore broker(three, TimePoint(0));
  // A node alone that claims a cluster of one would be its own majority.
  auto alone = broker.on_node_message(Registration{3, 5, LogPosition{4, 9}, {3}, 1}, TimePoint(1));
  CHECK(broker.primary() == kNoNode);
  REQUIRE(alone.to_nodes.size() >= 1);
  const auto& refused = std::get<RegistrationAnswer>(alone.to_nodes.back().message);
  CHECK_FALSE(refused.accepted);
  CHECK(refused.reason.find("cluster of 1 nodes; this broker serves 3") != std::string::npos);
  bool logged = false;
  for (const BrokerEvent& event : alone.events) {
    logged = logged || (event.kind == BrokerEventKind::kPrimaryRefused &&
                        event.text.find("cluster of 1 nodes") != std::string::npos);
  }
  CHECK(logged);
  // Two votes claiming a cluster of three is a majority of three: accepted.
  broker.on_node_message(Registration{3, 5, LogPosition{4, 9}, {3, 2}, 3}, TimePoint(2));
  CHECK(broker.primary() == 3);
  // A broker never told its size accepts nobody, and says why.
  BrokerCore untold(BrokerConfig{}, TimePoint(0));
  auto none = untold.on_node_message(Registration{3, 5, LogPosition{4, 9}, {1, 2, 3}, 3}, TimePoint(1));
  CHECK(untold.primary() == kNoNode);
  CHECK(std::get<RegistrationAnswer>(none.to_nodes.back().message).reason.find("--cluster-size") !=
        std::string::npos);
}
