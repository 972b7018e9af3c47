// NodeCore's step prelude (node_core_state.h), one node driven by hand: a
// message's term is settled once, before the node's role sees it. An older
// term is dropped (or, a broker status, answered) whatever the role; a newer
// term makes a primary step down and a follower follow, whoever brings it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <variant>

#include "nodes/cluster/node_core.h"

using namespace ts;
using namespace ts::cluster;

namespace {

constexpr NodeId kSelf = 1;

// One NodeCore and the time; each call feeds it one thing at `now`.
class SoloNode {
 public:
  SoloNode() : node_(Config(), TimePoint(0)) {}

  static NodeConfig Config() {
    NodeConfig config;
    config.id = kSelf;
    return config;
  }

  NodeActions Peer(PeerMessage message) { return node_.on_message(message, TimePoint(now_)); }
  NodeActions Broker(BrokerToNode message) { return node_.on_message(message, TimePoint(now_)); }
  NodeActions Tick() { return node_.on_tick(TimePoint(now_)); }
  void Advance(int64_t ms) { now_ += ms; }

  // The broker says it serves `primary` in `term` (keeps the broker live).
  NodeActions BrokerServes(uint64_t term, NodeId primary) {
    return Broker(BrokerStatus{term, primary, true, LogPosition{}});
  }

  // Follows `primary` in `term`, syncing (no transfer answered yet).
  void MakeSyncing(NodeId primary, uint64_t term) {
    NodeActions follow = Peer(Coordinator{primary, term, LogPosition{term, 1}});
    REQUIRE(node_.role() == Role::kSyncing);
    REQUIRE(!follow.to_peer.empty());
    transfer_ = std::get<StateTransferRequest>(follow.to_peer.back().message);
  }
  // Follows `primary` in `term`, in sync at term:1 (an empty snapshot).
  void MakeBackup(NodeId primary, uint64_t term) {
    MakeSyncing(primary, term);
    Peer(SnapshotEnd{primary, transfer_.transfer_id, term, 0, LogPosition{term, 1}, {}, 1});
    REQUIRE(node_.role() == Role::kBackup);
  }
  // Was following node 2 in `term`, which fell silent: electing.
  void MakeCandidate(uint64_t term) {
    MakeBackup(2, term);
    Advance(Config().liveness_window.count() + 1);
    BrokerServes(term, 2);
    Tick();
    REQUIRE(node_.role() == Role::kCandidate);
    REQUIRE(node_.term() == term);
  }
  // Wins `term` (above the broker's term - 1) the way an election does.
  void MakePrimary(uint64_t term) {
    const NodeConfig config = Config();
    BrokerServes(term - 1, 9);  // a term heard of: the election asks for the next one
    Advance(config.liveness_window.count());  // a starting node listens for one window
    BrokerServes(term - 1, 9);
    Tick();  // Election
    Advance(config.election_answer_timeout.count());
    BrokerServes(term - 1, 9);
    NodeActions ask = Tick();  // nobody better answered: the pre-vote
    REQUIRE(ask.to_broker.size() >= 1);
    REQUIRE(std::get<PreVoteRequest>(ask.to_broker.front()).proposed_term == term);
    Broker(PreVoteAnswer{term, true, term - 1, 9, "", LogPosition{}});
    Broker(RegistrationAnswer{term, true, term, kSelf, ""});
    REQUIRE(node_.role() == Role::kPrimary);
    REQUIRE(node_.term() == term);
  }

  NodeCore& node() { return node_; }
  NodeStatus status() const { return node_.status(TimePoint(now_)); }

 private:
  NodeCore node_;
  int64_t now_ = 0;
  StateTransferRequest transfer_;
};

bool HasEvent(const NodeActions& actions, NodeEventKind kind) {
  return std::any_of(actions.events.begin(), actions.events.end(),
                     [&](const NodeEvent& e) { return e.kind == kind; });
}

// The node's own transitions, in order (what it says about its peers left out).
std::vector<NodeEventKind> Transitions(const NodeActions& actions) {
  std::vector<NodeEventKind> kinds;
  for (const NodeEvent& e : actions.events) {
    if (e.kind != NodeEventKind::kPeerSeen && e.kind != NodeEventKind::kPeerRejoined) kinds.push_back(e.kind);
  }
  return kinds;
}

LogEntry Entry(uint64_t term, uint64_t seq) {
  LogEntry entry;
  entry.position = LogPosition{term, seq};
  entry.effect.upserts.emplace_back("k" + std::to_string(seq), "v");
  return entry;
}

// Every message that belongs to one term, in term `term`, from node `from`.
std::vector<PeerMessage> MessagesOfTerm(NodeId from, uint64_t term) {
  return {
      WriteBatch{from, term, 0, {Entry(term, 2)}},
      Coordinator{from, term, LogPosition{term, 9}},
      Shutdown{from, term},
      StateTransferRequest{from, 77, term, LogPosition{}},
      SnapshotChunk{from, 77, term, 0, {{"k", "v"}}},
      SnapshotEnd{from, 77, term, 0, LogPosition{term, 9}, {}, 9},
      CatchUp{from, 77, term, {Entry(term, 2)}, 2},
  };
}

}  // namespace

TEST_CASE("step: a message of an older term is dropped, whatever the role") {
  SoloNode solo;
  SECTION("primary") { solo.MakePrimary(5); }
  SECTION("backup") { solo.MakeBackup(2, 5); }
  SECTION("syncing") { solo.MakeSyncing(2, 5); }
  SECTION("candidate") { solo.MakeCandidate(5); }
  const Role role = solo.node().role();
  const NodeStatus before = solo.status();
  // From the node this one follows (or followed), and from another one.
  for (NodeId from : {NodeId{2}, NodeId{3}}) {
    for (const PeerMessage& message : MessagesOfTerm(from, 4)) {
      INFO("role " << RoleName(role) << ", message kind " << message.index() << " from node " << from);
      CHECK(solo.Peer(message).empty());
      CHECK(solo.node().role() == role);
      CHECK(solo.node().term() == 5);
      CHECK(solo.status().primary_id == before.primary_id);
      CHECK(solo.node().last() == before.last);
    }
  }
}

TEST_CASE("step: a term's replication messages of a newer term are dropped too (they are not claims)") {
  SoloNode solo;
  solo.MakeBackup(2, 5);
  CHECK(solo.Peer(Shutdown{3, 6}).empty());  // not my primary's term: not my shutdown
  CHECK(solo.Peer(CatchUp{2, 77, 6, {Entry(6, 2)}, 2}).empty());
  CHECK(solo.node().role() == Role::kBackup);
  SoloNode primary;
  primary.MakePrimary(5);
  CHECK(primary.Peer(StateTransferRequest{3, 77, 6, LogPosition{}}).empty());  // for a term I do not lead
  CHECK(primary.node().role() == Role::kPrimary);
}

TEST_CASE("step: a heartbeat of an older term is never dropped: it is also its sender's report") {
  SoloNode solo;
  solo.MakePrimary(5);
  CHECK(solo.status().backups_in_reach == 0);
  // A candidate that last followed term 2, and a deposed primary of term 4.
  solo.Peer(Heartbeat{3, Role::kCandidate, 2, LogPosition{2, 7}, kNoNode, 0, true});
  NodeActions stale = solo.Peer(Heartbeat{4, Role::kPrimary, 4, LogPosition{4, 9}, 4, 9, false});
  CHECK(solo.node().role() == Role::kPrimary);
  CHECK(solo.node().term() == 5);
  CHECK(solo.status().backups_in_reach == 1);  // the candidate will follow: in reach
  CHECK(solo.status().live_peers == std::vector<NodeId>{3, 4});
  CHECK(HasEvent(stale, NodeEventKind::kPeerSeen));
}

TEST_CASE("step: a broker status of an older term is answered: a primary registers again") {
  SoloNode solo;
  solo.MakePrimary(5);
  NodeActions answer = solo.BrokerServes(3, 9);  // the broker restarted and forgot us
  REQUIRE(answer.to_broker.size() == 1);
  const auto& registration = std::get<Registration>(answer.to_broker[0]);
  CHECK(registration.node == kSelf);
  CHECK(registration.term == 5);
  CHECK(registration.last == solo.node().last());
  CHECK(solo.node().role() == Role::kPrimary);
  // A follower has nothing to answer.
  SoloNode backup;
  backup.MakeBackup(2, 5);
  CHECK(backup.BrokerServes(3, 9).empty());
  CHECK(backup.node().role() == Role::kBackup);
}

TEST_CASE("step: a newer term makes a primary step down, whoever brings it") {
  SoloNode solo;
  solo.MakePrimary(5);
  NodeActions actions;
  SECTION("a backup's heartbeat in term 6") {
    actions = solo.Peer(Heartbeat{3, Role::kBackup, 6, LogPosition{6, 3}, 4, 0, true});
  }
  SECTION("a candidate's heartbeat that last followed term 6") {
    actions = solo.Peer(Heartbeat{3, Role::kCandidate, 6, LogPosition{6, 3}, kNoNode, 0, true});
  }
  SECTION("the broker serving term 6") { actions = solo.BrokerServes(6, 4); }
  SECTION("the broker serving another node in my term") { actions = solo.BrokerServes(5, 4); }
  CHECK(HasEvent(actions, NodeEventKind::kSteppedDown));
  CHECK(solo.node().role() == Role::kCandidate);
  CHECK(solo.status().primary_id == kNoNode);
  CHECK(solo.node().term() == 5);  // it follows term 6 once it hears term 6's primary
}

TEST_CASE("step: a newer primary's claim makes a primary step down and follow it, in one step") {
  SoloNode solo;
  solo.MakePrimary(5);
  NodeActions actions;
  SECTION("its coordinator") { actions = solo.Peer(Coordinator{4, 6, LogPosition{6, 1}}); }
  SECTION("its heartbeat") {
    actions = solo.Peer(Heartbeat{4, Role::kPrimary, 6, LogPosition{6, 1}, 4, 0, true});
  }
  SECTION("its batch") { actions = solo.Peer(WriteBatch{4, 6, 0, {Entry(6, 2)}}); }
  const std::vector<NodeEventKind> expected{NodeEventKind::kSteppedDown, NodeEventKind::kTermChanged,
                                            NodeEventKind::kResyncStarted};
  CHECK(Transitions(actions) == expected);
  CHECK(solo.node().role() == Role::kSyncing);
  CHECK(solo.node().term() == 6);
  CHECK(solo.status().primary_id == 4);
  REQUIRE(actions.to_peer.size() == 1);
  CHECK(actions.to_peer[0].to == 4);
  CHECK(std::get<StateTransferRequest>(actions.to_peer[0].message).term == 6);
}

TEST_CASE("step: a backup follows a newer primary's claim, a newer term only heard of does not move it") {
  SoloNode solo;
  solo.MakeBackup(2, 5);
  // A peer in term 6, an election and a pre-vote answer naming term 6: hearsay.
  CHECK(solo.Peer(Heartbeat{3, Role::kBackup, 6, LogPosition{6, 3}, 4, 0, true}).to_peer.empty());
  solo.Peer(Election{3, Rank{LogPosition{6, 3}, 3}, 6});
  solo.Broker(PreVoteAnswer{6, false, 6, 4, "primary 4 is live", LogPosition{}});
  CHECK(solo.node().role() == Role::kBackup);
  CHECK(solo.status().primary_id == 2);
  CHECK(solo.node().term() == 5);
  // Term 6's primary itself: followed at once, with a state transfer.
  NodeActions actions = solo.Peer(Coordinator{4, 6, LogPosition{6, 1}});
  CHECK(HasEvent(actions, NodeEventKind::kTermChanged));
  CHECK_FALSE(HasEvent(actions, NodeEventKind::kSteppedDown));
  CHECK(solo.node().role() == Role::kSyncing);
  CHECK(solo.node().term() == 6);
  CHECK(solo.status().primary_id == 4);
  REQUIRE(actions.to_peer.size() == 1);
  CHECK(actions.to_peer[0].to == 4);
}

TEST_CASE("step: a primary older than the newest term heard of is not followed, but my primary still is") {
  SoloNode solo;
  solo.MakeBackup(2, 5);
  solo.BrokerServes(7, 9);  // term 7 exists
  CHECK(solo.Peer(Coordinator{4, 6, LogPosition{6, 1}}).empty());  // cut off: it will step down
  CHECK(solo.status().primary_id == 2);
  // Node 2 still leads term 5 as far as this node knows: its stream is applied.
  NodeActions applied = solo.Peer(WriteBatch{2, 5, 0, {Entry(5, 2)}});
  CHECK(solo.node().last() == LogPosition{5, 2});
  CHECK_FALSE(applied.to_bus.empty());  // the ack heartbeat
  CHECK(solo.node().role() == Role::kBackup);
}

TEST_CASE("step: a candidate follows the newest primary it hears, and re-follows its old one") {
  SoloNode fresh;
  fresh.Peer(Heartbeat{2, Role::kPrimary, 3, LogPosition{3, 4}, 2, 4, true});
  CHECK(fresh.node().role() == Role::kSyncing);
  CHECK(fresh.node().term() == 3);
  CHECK(fresh.status().primary_id == 2);
  SoloNode solo;
  solo.MakeCandidate(5);
  solo.Peer(Heartbeat{2, Role::kPrimary, 5, LogPosition{5, 1}, 2, 1, true});  // it was only slow
  CHECK(solo.node().role() == Role::kSyncing);
  CHECK(solo.status().primary_id == 2);
}

TEST_CASE("step: a primary that stops leading is marked dead: its backup elects at the next tick") {
  SoloNode solo;
  solo.MakeBackup(2, 5);
  solo.BrokerServes(5, 2);
  // Node 2 stepped down (it lost the broker, say) but is heard: not a primary any more.
  solo.Peer(Heartbeat{2, Role::kCandidate, 5, LogPosition{5, 1}, kNoNode, 0, false});
  CHECK(solo.node().role() == Role::kBackup);
  NodeActions tick = solo.Tick();  // no waiting out the liveness window
  CHECK(HasEvent(tick, NodeEventKind::kPrimaryLost));
  CHECK(solo.node().role() == Role::kCandidate);
  CHECK(std::any_of(tick.to_bus.begin(), tick.to_bus.end(),
                    [](const PeerMessage& m) { return std::holds_alternative<Election>(m); }));
}

TEST_CASE("step: a stopped node drops everything") {
  SoloNode solo;
  solo.MakeBackup(2, 5);
  NodeActions stop = solo.Peer(Shutdown{2, 5});
  CHECK(stop.save_and_exit);
  REQUIRE(solo.node().role() == Role::kStopped);
  for (const PeerMessage& message : MessagesOfTerm(2, 5)) CHECK(solo.Peer(message).empty());
  CHECK(solo.Peer(Heartbeat{4, Role::kPrimary, 9, LogPosition{9, 1}, 4, 0, true}).empty());
  CHECK(solo.BrokerServes(9, 4).empty());
  CHECK(solo.Broker(ShutdownCommand{}).empty());
  solo.Advance(60'000);
  CHECK(solo.Tick().empty());
  CHECK(solo.node().role() == Role::kStopped);
}
