// BrokerCore: client slots, holding, routing, fencing, pre-votes, liveness,
// and the shutdown handshake with what it refuses while it runs.
#include <catch2/catch.hpp>

#include "brokers/broker_core.h"
#include "schema/codec.h"

using namespace ts;
using namespace ts::cluster;

namespace {

TimePoint T(int64_t ms) { return TimePoint(ms); }

std::string RequestFrame(uint64_t client_id, uint64_t number) {
  Request request = MakeGet("a.*", ".*");
  request.id = RequestId{client_id, number};
  return EncodeRequest(request);
}

Reply DecodedReply(const ClientFrame& frame) {
  auto reply = DecodeReply(frame.frame);
  REQUIRE(reply.ok());
  return reply.value();
}

// A broker with node `primary` registered in `term` at time 0.
// The registrations here prove their terms in a cluster of one.
BrokerConfig OneNode() {
  BrokerConfig config;
  config.cluster_size = 1;
  return config;
}

BrokerCore BrokerWithPrimary(NodeId primary, uint64_t term, BrokerConfig config = OneNode()) {
  BrokerCore broker(config, T(0));
  auto actions = broker.on_node_message(Registration{primary, term, LogPosition{}, {primary}, 1}, T(0));
  REQUIRE(broker.primary() == primary);
  return broker;
}

const ClientRequestFrame& ForwardedRequest(const BrokerActions& actions, size_t i = 0) {
  REQUIRE(actions.to_nodes.size() > i);
  return std::get<ClientRequestFrame>(actions.to_nodes[i].message);
}

Heartbeat Beat(NodeId from, Role role, uint64_t term) {
  Heartbeat heartbeat;
  heartbeat.from = from;
  heartbeat.role = role;
  heartbeat.term = term;
  return heartbeat;
}

std::string ShutdownFrame(uint64_t number) {
  Request shutdown;
  shutdown.op_name = "SHUTDOWN";
  shutdown.id = RequestId{9, number};
  return EncodeRequest(shutdown);
}

// The nodes each ShutdownCommand in `actions` goes to, in order.
std::vector<NodeId> ShutdownCommandsTo(const BrokerActions& actions) {
  std::vector<NodeId> to;
  for (const NodeSend& send : actions.to_nodes) {
    if (std::holds_alternative<ShutdownCommand>(send.message)) to.push_back(send.to);
  }
  return to;
}

bool HasEvent(const BrokerActions& actions, BrokerEventKind kind) {
  for (const BrokerEvent& event : actions.events) {
    if (event.kind == kind) return true;
  }
  return false;
}

std::string ReplyFrame(uint64_t client_id, uint64_t number) {
  Reply reply;
  reply.id = RequestId{client_id, number};
  reply.op_name = "GET";
  return EncodeReply(reply);
}

}  // namespace

TEST_CASE("broker: a request goes to the primary, tagged, and its reply back to the client") {
  BrokerCore broker = BrokerWithPrimary(2, 1);
  auto sent = broker.on_client_frame("alice", RequestFrame(7, 1), T(10));
  REQUIRE(sent.to_nodes.size() == 1);
  CHECK(sent.to_nodes[0].to == 2);
  const ClientRequestFrame& forwarded = ForwardedRequest(sent);
  CHECK(forwarded.client.address == "alice");
  CHECK(forwarded.frame == RequestFrame(7, 1));

  auto back = broker.on_node_message(ClientReplyFrame{2, forwarded.client, {1, 1}, ReplyFrame(7, 1)}, T(20));
  REQUIRE(back.to_clients.size() == 1);
  CHECK(back.to_clients[0].client == "alice");
  CHECK(back.to_clients[0].frame == ReplyFrame(7, 1));
  CHECK(broker.stats().replies_relayed == 1);
  CHECK(broker.committed() == LogPosition{1, 1});

  // The same reply again (a duplicate) has no outstanding request: dropped.
  auto again = broker.on_node_message(ClientReplyFrame{2, forwarded.client, {1, 1}, ReplyFrame(7, 1)}, T(21));
  CHECK(again.to_clients.empty());
  CHECK(broker.stats().replies_departed == 1);
}

TEST_CASE("broker: replies from a node that is not the primary, and ill-formed ones, are dropped") {
  BrokerCore broker = BrokerWithPrimary(2, 1);
  auto sent = broker.on_client_frame("alice", RequestFrame(7, 1), T(10));
  const ClientTag tag = ForwardedRequest(sent).client;
  auto from_other = broker.on_node_message(ClientReplyFrame{3, tag, {}, ReplyFrame(7, 1)}, T(11));
  CHECK(from_other.to_clients.empty());
  CHECK(broker.stats().replies_not_primary == 1);
  auto garbage = broker.on_node_message(ClientReplyFrame{2, tag, {}, "not a reply"}, T(12));
  CHECK(garbage.to_clients.empty());
  CHECK(broker.stats().replies_ill_formed == 1);
  auto good = broker.on_node_message(ClientReplyFrame{2, tag, {}, ReplyFrame(7, 1)}, T(13));
  CHECK(good.to_clients.size() == 1);
}

TEST_CASE("broker: a client past the limit is refused, and idle slots free up") {
  BrokerConfig config = OneNode();
  config.max_clients = 2;
  config.client_idle_timeout = Millis(1'000);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  const ClientTag a1 = ForwardedRequest(broker.on_client_frame("a", RequestFrame(1, 1), T(0))).client;
  const ClientTag b1 = ForwardedRequest(broker.on_client_frame("b", RequestFrame(2, 1), T(0))).client;
  auto refused = broker.on_client_frame("c", RequestFrame(3, 5), T(10));
  REQUIRE(refused.to_clients.size() == 1);
  CHECK(refused.to_nodes.empty());
  Reply reply = DecodedReply(refused.to_clients[0]);
  REQUIRE(reply.error);
  CHECK(reply.error->kind == ErrorKind::kServiceRefused);
  // The kind says "service refused"; the message says why, once, in good English.
  CHECK(reply.error->message == "the broker serves at most 2 clients at a time");
  CHECK(reply.id == RequestId{3, 5});  // echoes the request's id
  CHECK(broker.stats().clients_refused == 1);
  CHECK(broker.client_count() == 2);

  // A known client is still served; after the idle timeout a slot is free.
  const ClientTag a2 = ForwardedRequest(broker.on_client_frame("a", RequestFrame(1, 2), T(20))).client;
  for (const ClientTag& tag : {a1, b1, a2}) {
    broker.on_node_message(ClientReplyFrame{1, tag, {}, ReplyFrame(tag.address == "a" ? 1 : 2, 1)}, T(30));
  }
  broker.on_node_message(Heartbeat{1, Role::kPrimary, 1, {1, 1}, 1, 0, true}, T(1'400));
  auto later = broker.on_client_frame("c", RequestFrame(3, 5), T(1'500));
  CHECK(later.to_clients.empty());
  CHECK(later.to_nodes.size() == 1);
  CHECK(broker.client_count() == 1);  // a and b were idle past the timeout
  CHECK(broker.stats().slots_expired == 2);
  broker.on_client_left("c", T(1'501));
  CHECK(broker.client_count() == 0);
}

TEST_CASE("broker: a slot with a request still out does not expire, however long it waits") {
  BrokerConfig config = OneNode();
  config.max_clients = 1;
  config.client_idle_timeout = Millis(100);
  config.hold_time = Millis(10'000);
  config.primary_liveness = Millis(100'000);  // the primary stays live without heartbeats
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  const ClientTag forwarded = ForwardedRequest(broker.on_client_frame("a", RequestFrame(1, 1), T(0))).client;
  // Long past the idle timeout, "a" still waits for its reply: its slot stays.
  broker.on_tick(T(500));
  auto refused = broker.on_client_frame("b", RequestFrame(2, 1), T(500));
  REQUIRE(refused.to_clients.size() == 1);
  CHECK(DecodedReply(refused.to_clients[0]).error->kind == ErrorKind::kServiceRefused);
  CHECK(DecodedReply(refused.to_clients[0]).error->message == "the broker serves at most 1 client at a time");
  CHECK(broker.stats().slots_expired == 0);
  // The reply finds the slot; then "a" is idle, and its slot frees after the timeout.
  auto back = broker.on_node_message(ClientReplyFrame{1, forwarded, {}, ReplyFrame(1, 1)}, T(600));
  REQUIRE(back.to_clients.size() == 1);
  CHECK(back.to_clients[0].client == "a");
  CHECK(broker.on_client_frame("b", RequestFrame(2, 1), T(650)).to_clients.size() == 1);  // still refused
  auto admitted = broker.on_client_frame("b", RequestFrame(2, 1), T(701));
  CHECK(admitted.to_clients.empty());
  CHECK(admitted.to_nodes.size() == 1);
  CHECK(broker.stats().slots_expired == 1);
}

TEST_CASE("broker: a held request keeps its slot while it waits for a primary") {
  BrokerConfig config = OneNode();
  config.max_clients = 1;
  config.client_idle_timeout = Millis(100);
  config.hold_time = Millis(1'000);
  BrokerCore broker(config, T(0));
  broker.on_client_frame("a", RequestFrame(1, 1), T(0));
  broker.on_tick(T(500));
  CHECK(broker.on_client_frame("b", RequestFrame(2, 1), T(500)).to_clients.size() == 1);  // refused
  CHECK(broker.held_count() == 1);
  CHECK(broker.client_count() == 1);
}

TEST_CASE("broker: without a primary requests are held, then answered unavailable") {
  BrokerConfig config = OneNode();
  config.hold_time = Millis(500);
  BrokerCore broker(config, T(0));
  auto held = broker.on_client_frame("a", RequestFrame(1, 1), T(10));
  CHECK(held.to_nodes.empty());
  CHECK(broker.held_count() == 1);
  CHECK(broker.on_tick(T(400)).to_clients.empty());
  auto expired = broker.on_tick(T(510));
  REQUIRE(expired.to_clients.size() == 1);
  Reply reply = DecodedReply(expired.to_clients[0]);
  REQUIRE(reply.error);
  CHECK(reply.error->kind == ErrorKind::kUnavailable);
  CHECK(reply.error->message == "no primary for 500 ms (failover under way?)");  // not "unavailable: ..."
  CHECK(reply.served_by == 0);  // the broker answered
  CHECK(broker.held_count() == 0);
  CHECK(broker.stats().requests_unavailable == 1);
}

TEST_CASE("broker: held requests go to a new primary in arrival order") {
  BrokerCore broker(OneNode(), T(0));
  broker.on_client_frame("a", RequestFrame(1, 1), T(10));
  broker.on_client_frame("b", RequestFrame(2, 1), T(11));
  broker.on_client_frame("a", RequestFrame(1, 2), T(12));
  auto registered = broker.on_node_message(Registration{3, 1, {}, {3}, 1}, T(20));
  REQUIRE(registered.to_nodes.size() == 4);  // the answer, then three requests
  CHECK(std::get<RegistrationAnswer>(registered.to_nodes[0].message).accepted);
  CHECK(ForwardedRequest(registered, 1).frame == RequestFrame(1, 1));
  CHECK(ForwardedRequest(registered, 2).frame == RequestFrame(2, 1));
  CHECK(ForwardedRequest(registered, 3).frame == RequestFrame(1, 2));
  CHECK(registered.to_nodes[3].to == 3);
}

TEST_CASE("broker: unanswered requests are sent again to the next primary") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  auto sent = broker.on_client_frame("a", RequestFrame(1, 1), T(10));
  const ClientTag tag = ForwardedRequest(sent).client;
  // The primary falls silent: the request is held again.
  auto lost = broker.on_tick(T(400));
  REQUIRE(lost.events.size() >= 1);
  CHECK(broker.held_count() == 1);
  auto next = broker.on_node_message(Registration{2, 2, {}, {2}, 1}, T(450));
  REQUIRE(next.to_nodes.size() == 2);
  CHECK(next.to_nodes[1].to == 2);
  CHECK(ForwardedRequest(next, 1).client == tag);  // same token: one reply will match it
  CHECK(broker.stats().requests_reforwarded == 1);
}

TEST_CASE("broker: fencing accepts only a higher term, or the same term from the same node") {
  BrokerCore broker = BrokerWithPrimary(1, 5);
  auto answer = [&](NodeId node, uint64_t term, LogPosition last) {
    auto actions = broker.on_node_message(Registration{node, term, last, {node}, 1}, T(1));
    return std::get<RegistrationAnswer>(actions.to_nodes.at(0).message);
  };
  CHECK_FALSE(answer(2, 4, {}).accepted);  // older term
  CHECK_FALSE(answer(2, 5, {}).accepted);  // same term, another node: two primaries in one term
  CHECK(answer(1, 5, {}).accepted);        // the primary refreshing its registration
  CHECK(broker.primary() == 1);
  CHECK(answer(2, 6, {}).accepted);
  CHECK(broker.primary() == 2);
  CHECK(broker.served_term() == 6);
}

TEST_CASE("broker: a candidate whose log lacks an acknowledged write is refused") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 2, config);
  auto sent = broker.on_client_frame("a", RequestFrame(1, 1), T(10));
  broker.on_node_message(ClientReplyFrame{1, ForwardedRequest(sent).client, {2, 9}, ReplyFrame(1, 1)}, T(20));
  REQUIRE(broker.committed() == LogPosition{2, 9});
  broker.on_tick(T(1'000));  // the primary is gone
  auto pre_vote = [&](LogPosition last) {
    auto actions = broker.on_node_message(PreVoteRequest{3, 3, last}, T(1'001));
    return std::get<PreVoteAnswer>(actions.to_nodes.at(0).message);
  };
  CHECK_FALSE(pre_vote({2, 8}).granted);
  CHECK_FALSE(pre_vote({1, 50}).granted);  // more entries, but from an older term
  CHECK(pre_vote({2, 9}).granted);
  CHECK(pre_vote({3, 10}).granted);
  auto registration = broker.on_node_message(Registration{3, 3, {2, 8}, {3}, 1}, T(1'002));
  CHECK_FALSE(std::get<RegistrationAnswer>(registration.to_nodes.at(0).message).accepted);
}

TEST_CASE("broker: while no node holding the acknowledged history asks, it says so once per change, not at "
          "every retry") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 2, config);
  auto sent = broker.on_client_frame("a", RequestFrame(1, 1), T(10));
  broker.on_node_message(ClientReplyFrame{1, ForwardedRequest(sent).client, {2, 9}, ReplyFrame(1, 1)}, T(20));
  broker.on_tick(T(1'000));  // the primary is gone; nodes 2 and 3 restarted empty
  auto ask = [&](NodeId node, LogPosition last, int64_t at) {
    BrokerActions actions = broker.on_node_message(PreVoteRequest{node, 3, last}, T(at));
    BrokerActions more = broker.on_node_message(Registration{node, 3, last, {node}, 1}, T(at + 1));
    actions.Append(std::move(more));
    return actions;
  };
  BrokerActions first = ask(2, {0, 0}, 1'001);
  CHECK(HasEvent(first, BrokerEventKind::kServiceWaiting));
  CHECK(HasEvent(first, BrokerEventKind::kPreVote));
  CHECK(HasEvent(first, BrokerEventKind::kPrimaryRefused));
  CHECK(broker.waiting_for_history().find("committed 2:9") != std::string::npos);
  CHECK(broker.waiting_for_history().find("node 2 at 0:0") != std::string::npos);
  for (int64_t at = 1'250; at < 20'000; at += 250) {  // as candidates retry (live: heard within the window)
    BrokerActions again = ask(2, {0, 0}, at);
    INFO("at " << at << ": " << (again.events.empty() ? std::string() : again.events.front().text));
    CHECK(again.events.empty());
    CHECK_FALSE(std::get<PreVoteAnswer>(again.to_nodes.at(0).message).granted);  // still answered
  }
  CHECK(broker.stats().refusals_repeated >= 70);
  BrokerActions other = ask(3, {0, 0}, 20'000);  // a change: another node refused
  CHECK(HasEvent(other, BrokerEventKind::kServiceWaiting));
  CHECK(broker.waiting_for_history().find("node 3 at 0:0") != std::string::npos);

  BrokerActions back = ask(1, {2, 9}, 21'000);  // the node that holds it is back
  CHECK(HasEvent(back, BrokerEventKind::kServiceBack));
  CHECK(HasEvent(back, BrokerEventKind::kPrimaryAccepted));
  CHECK(broker.waiting_for_history().empty());
}

TEST_CASE("broker: a pre-vote is refused while the primary is live toward the broker") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  Heartbeat beat{1, Role::kPrimary, 1, {1, 1}, 1, 0, true};
  auto status = broker.on_node_message(beat, T(200));
  REQUIRE(status.to_nodes.size() == 1);
  CHECK(std::get<BrokerStatus>(status.to_nodes[0].message).primary_live);
  auto refused = broker.on_node_message(PreVoteRequest{2, 2, {1, 1}}, T(250));
  CHECK_FALSE(std::get<PreVoteAnswer>(refused.to_nodes.at(0).message).granted);
  auto granted = broker.on_node_message(PreVoteRequest{2, 2, {1, 1}}, T(600));
  CHECK(std::get<PreVoteAnswer>(granted.to_nodes.at(0).message).granted);
  CHECK(broker.served_term() == 1);  // a pre-vote moves no term
}

TEST_CASE("broker: a primary that says it stepped down is not live any more") {
  BrokerCore broker = BrokerWithPrimary(1, 1);
  broker.on_node_message(Heartbeat{1, Role::kCandidate, 1, {1, 1}, kNoNode, 0, true}, T(10));
  CHECK_FALSE(broker.primary_live(T(11)));
  CHECK(broker.on_client_frame("a", RequestFrame(1, 1), T(12)).to_nodes.empty());
}

TEST_CASE("broker: a request held after the primary's window passed leaves with its next heartbeat") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  // No tick has noticed the silence yet: the request is held all the same...
  CHECK(broker.on_client_frame("a", RequestFrame(1, 1), T(350)).to_nodes.empty());
  REQUIRE(broker.held_count() == 1);
  // ...and the heartbeat that makes the primary live again takes it along
  // (it used to wait for the hold time and end "unavailable").
  auto beat = broker.on_node_message(Beat(1, Role::kPrimary, 1), T(360));
  REQUIRE(beat.to_nodes.size() == 2);
  CHECK(ForwardedRequest(beat, 0).frame == RequestFrame(1, 1));
  CHECK(std::holds_alternative<BrokerStatus>(beat.to_nodes[1].message));
  CHECK(broker.held_count() == 0);
  CHECK(broker.on_tick(T(5'400)).to_clients.empty());  // nothing left to expire
}

TEST_CASE("broker: a primary back after a silence gets the requests held meanwhile, once lost") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  const ClientTag tag = ForwardedRequest(broker.on_client_frame("a", RequestFrame(1, 1), T(10))).client;
  auto lost = broker.on_tick(T(301));
  CHECK(HasEvent(lost, BrokerEventKind::kPrimaryLost));
  CHECK_FALSE(HasEvent(broker.on_tick(T(400)), BrokerEventKind::kPrimaryLost));  // reported once
  CHECK(broker.held_count() == 1);
  auto back = broker.on_node_message(Beat(1, Role::kPrimary, 1), T(450));
  CHECK(ForwardedRequest(back, 0).client == tag);
  CHECK(broker.stats().requests_reforwarded == 1);
  CHECK(broker.primary_live(T(450)));
}

TEST_CASE("broker: a node is live while heard within the window, and one that stopped is not, at once") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker(config, T(0));
  CHECK(broker.live_nodes(T(0)).empty());  // nobody is live before it is heard
  auto seen = broker.on_node_message(Beat(1, Role::kBackup, 1), T(0));
  CHECK(HasEvent(seen, BrokerEventKind::kNodeSeen));
  broker.on_node_message(Beat(2, Role::kBackup, 1), T(100));
  CHECK(broker.live_nodes(T(300)) == std::vector<NodeId>{1, 2});
  CHECK(broker.live_nodes(T(301)) == std::vector<NodeId>{2});
  auto lost = broker.on_tick(T(301));
  REQUIRE(lost.events.size() == 1);
  CHECK(lost.events[0].kind == BrokerEventKind::kNodeLost);
  CHECK(lost.events[0].text == "node 1 is silent");
  CHECK(broker.on_node_message(Beat(1, Role::kBackup, 1), T(350)).events.at(0).text == "node 1 is back");

  // A "stopped" heartbeat is the node's last word: not live from then on.
  broker.on_node_message(Beat(2, Role::kStopped, 1), T(360));
  CHECK(broker.live_nodes(T(360)) == std::vector<NodeId>{1});
  CHECK(broker.nodes().LastHeard(2) == T(360));
}

TEST_CASE("broker: SHUTDOWN goes to the primary until it confirms, then every operator is answered and it exits") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(10'000);  // no heartbeats needed to stay live
  config.shutdown = ShutdownConfig{Millis(100), Millis(2'000)};
  BrokerCore broker = BrokerWithPrimary(4, 1, config);
  CHECK(broker.phase() == BrokerPhase::kServing);

  auto begun = broker.on_shutdown_frame("op", ShutdownFrame(1), T(5));
  CHECK(ShutdownCommandsTo(begun) == std::vector<NodeId>{4});
  CHECK(HasEvent(begun, BrokerEventKind::kShutdownRequested));
  CHECK(begun.to_operators.empty());  // answered when it ends
  CHECK_FALSE(begun.exit);
  CHECK(broker.phase() == BrokerPhase::kStopping);

  CHECK(ShutdownCommandsTo(broker.on_tick(T(104))).empty());  // not due yet
  auto resent = broker.on_tick(T(105));                      // the first may be lost: again
  CHECK(ShutdownCommandsTo(resent) == std::vector<NodeId>{4});
  CHECK(HasEvent(resent, BrokerEventKind::kShutdownResent));

  // A retry (a new REQ socket, so a new address) joins the shutdown under way.
  auto retry = broker.on_shutdown_frame("op-retry", ShutdownFrame(2), T(110));
  CHECK(retry.to_nodes.empty());
  CHECK(retry.to_operators.empty());
  CHECK(broker.shutdown().operators_waiting() == 2);

  auto confirmed = broker.on_node_message(Beat(4, Role::kStopped, 1), T(120));
  CHECK(HasEvent(confirmed, BrokerEventKind::kPrimaryLost));  // it said it is not primary any more
  CHECK_FALSE(confirmed.exit);  // the end is decided on the tick
  auto end = broker.on_tick(T(121));
  CHECK(end.exit);
  CHECK(broker.phase() == BrokerPhase::kStopped);
  REQUIRE(end.to_operators.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(end.to_operators[i].client == (i == 0 ? "op" : "op-retry"));
    Reply answer = DecodedReply(end.to_operators[i]);
    CHECK_FALSE(answer.error);
    CHECK(answer.op_name == "SHUTDOWN");
    CHECK(answer.id == RequestId{9, i + 1});
    CHECK(answer.served_by == 4);
    CHECK(answer.term == 1);
  }
  REQUIRE(HasEvent(end, BrokerEventKind::kShutdownConfirmed));
  CHECK(broker.shutdown().Summary() == "shutdown confirmed in 116 ms: node 4 stopped");

  // One more SHUTDOWN before the shell has exited: answered at once, the same way.
  auto late = broker.on_shutdown_frame("late", ShutdownFrame(3), T(122));
  REQUIRE(late.to_operators.size() == 1);
  CHECK_FALSE(DecodedReply(late.to_operators[0]).error);
  CHECK(late.to_nodes.empty());
  CHECK(broker.on_tick(T(500)).to_nodes.empty());  // stopped: nothing more goes out
}

TEST_CASE("broker: once the primary stopped, every live node not confirmed yet is told, until each confirms") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(10'000);
  config.shutdown = ShutdownConfig{Millis(100), Millis(2'000)};
  BrokerCore broker = BrokerWithPrimary(3, 2, config);
  for (NodeId backup : {1u, 2u}) broker.on_node_message(Beat(backup, Role::kBackup, 2), T(1));
  CHECK(ShutdownCommandsTo(broker.on_shutdown_frame("op", ShutdownFrame(1), T(10))) == std::vector<NodeId>{3});
  broker.on_node_message(Beat(3, Role::kStopped, 2), T(20));  // the primary stops (its bus message may be lost)
  auto backups = broker.on_tick(T(110));
  CHECK(ShutdownCommandsTo(backups) == std::vector<NodeId>{1, 2});
  CHECK_FALSE(backups.exit);
  broker.on_node_message(Beat(1, Role::kStopped, 2), T(120));
  auto rest = broker.on_tick(T(210));
  CHECK(ShutdownCommandsTo(rest) == std::vector<NodeId>{2});
  broker.on_node_message(Beat(2, Role::kStopped, 2), T(215));
  auto end = broker.on_tick(T(220));
  CHECK(end.exit);
  CHECK(broker.shutdown().Summary() == "shutdown confirmed in 210 ms: nodes 1, 2, 3 stopped");
  CHECK_FALSE(HasEvent(end, BrokerEventKind::kNodeLost));  // they stopped; none is "silent"
}

TEST_CASE("broker: with no primary, SHUTDOWN goes to every live node") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker(config, T(0));
  broker.on_node_message(Beat(1, Role::kCandidate, 0), T(0));
  broker.on_node_message(Beat(2, Role::kCandidate, 0), T(250));
  // Node 1 has been silent past the window: it is gone, not told, not waited for.
  auto begun = broker.on_shutdown_frame("op", ShutdownFrame(1), T(310));
  CHECK(ShutdownCommandsTo(begun) == std::vector<NodeId>{2});
  broker.on_node_message(Beat(2, Role::kStopped, 0), T(320));
  auto end = broker.on_tick(T(330));
  REQUIRE(end.exit);
  CHECK_FALSE(DecodedReply(end.to_operators.at(0)).error);
  CHECK(DecodedReply(end.to_operators.at(0)).served_by == 0);
}

TEST_CASE("broker: with no node live, a SHUTDOWN ends at once") {
  BrokerCore broker(OneNode(), T(0));
  auto actions = broker.on_shutdown_frame("op", ShutdownFrame(1), T(0));
  CHECK(actions.exit);
  CHECK(actions.to_nodes.empty());
  REQUIRE(actions.to_operators.size() == 1);
  CHECK_FALSE(DecodedReply(actions.to_operators[0]).error);
  CHECK(broker.shutdown().Summary() == "no node is live: nothing to stop");
}

TEST_CASE("broker: a node silent for the liveness window during a shutdown counts as gone") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  broker.on_shutdown_frame("op", ShutdownFrame(1), T(10));  // its confirmation will be lost
  CHECK_FALSE(broker.on_tick(T(300)).exit);
  auto end = broker.on_tick(T(301));
  CHECK(end.exit);
  CHECK_FALSE(DecodedReply(end.to_operators.at(0)).error);
}

TEST_CASE("broker: the handshake times out when a live node never confirms, and says which") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(300);
  config.shutdown = ShutdownConfig{Millis(50), Millis(400)};
  BrokerCore broker = BrokerWithPrimary(3, 4, config);
  broker.on_shutdown_frame("op", ShutdownFrame(1), T(0));
  BrokerActions end;
  for (int64_t t = 10; t <= 400 && !end.exit; t += 10) {
    broker.on_node_message(Beat(3, Role::kPrimary, 4), T(t));  // alive, and ignoring the command
    end = broker.on_tick(T(t));
  }
  REQUIRE(end.exit);
  CHECK(HasEvent(end, BrokerEventKind::kShutdownTimedOut));
  Reply answer = DecodedReply(end.to_operators.at(0));
  REQUIRE(answer.error);
  CHECK(answer.error->kind == ErrorKind::kUnavailable);
  CHECK(answer.error->message ==
        "shutdown not confirmed within 400 ms: node 3 still running (a node stops by itself after its broker timeout)");
  CHECK(broker.shutdown().unconfirmed() == std::vector<NodeId>{3});
}

TEST_CASE("broker: while stopping, no term starts and a client is told the service is shutting down") {
  BrokerConfig config = OneNode();
  config.primary_liveness = Millis(10'000);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  const ClientTag taken = ForwardedRequest(broker.on_client_frame("a", RequestFrame(1, 1), T(5))).client;
  broker.on_shutdown_frame("op", ShutdownFrame(1), T(10));

  auto pre_vote = broker.on_node_message(PreVoteRequest{2, 2, {5, 5}}, T(11));
  CHECK(pre_vote.to_nodes.empty());  // not answered: no election may win now
  CHECK(HasEvent(pre_vote, BrokerEventKind::kShutdownIgnored));
  auto registration = broker.on_node_message(Registration{2, 2, {5, 5}, {2}, 1}, T(12));
  CHECK(registration.to_nodes.empty());
  CHECK(broker.served_term() == 1);
  CHECK(broker.primary() == 1);
  CHECK(broker.stats().terms_refused_stopping == 2);
  CHECK(broker.live_nodes(T(12)) == std::vector<NodeId>{1, 2});  // node 2 asked: it is live, and is told to stop

  auto refused = broker.on_client_frame("b", RequestFrame(2, 7), T(13));
  CHECK(refused.to_nodes.empty());
  REQUIRE(refused.to_clients.size() == 1);
  Reply reply = DecodedReply(refused.to_clients[0]);
  REQUIRE(reply.error);
  CHECK(reply.error->kind == ErrorKind::kUnavailable);
  CHECK(reply.error->message == "the service is shutting down");
  CHECK(reply.id == RequestId{2, 7});
  CHECK(broker.stats().requests_refused_stopping == 1);
  CHECK(broker.client_count() == 1);  // no slot for it

  // A request the primary took before the shutdown is still answered.
  auto answered = broker.on_node_message(ClientReplyFrame{1, taken, {1, 1}, ReplyFrame(1, 1)}, T(14));
  REQUIRE(answered.to_clients.size() == 1);
  CHECK(answered.to_clients[0].client == "a");
}

TEST_CASE("broker: the shutdown endpoint answers anything but SHUTDOWN 'malformed request' and changes nothing") {
  BrokerCore broker = BrokerWithPrimary(1, 1);
  auto other_op = broker.on_shutdown_frame("op", RequestFrame(1, 1), T(1));
  REQUIRE(other_op.to_operators.size() == 1);
  Reply reply = DecodedReply(other_op.to_operators[0]);
  REQUIRE(reply.error);
  CHECK(reply.error->kind == ErrorKind::kMalformedRequest);
  CHECK(reply.error->message == "the shutdown endpoint takes only a SHUTDOWN request; got op \"GET\"");
  CHECK(reply.id == RequestId{1, 1});
  auto garbage = broker.on_shutdown_frame("op", "not a request", T(2));
  REQUIRE(garbage.to_operators.size() == 1);
  CHECK(DecodedReply(garbage.to_operators[0]).error->kind == ErrorKind::kMalformedRequest);
  CHECK(other_op.to_nodes.empty());
  CHECK_FALSE((other_op.exit || garbage.exit));
  CHECK(broker.phase() == BrokerPhase::kServing);
  CHECK(broker.stats().shutdown_frames_refused == 2);
}
