// BrokerCore: client slots, holding, routing, fencing, pre-votes, shutdown.
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
BrokerCore BrokerWithPrimary(NodeId primary, uint64_t term, BrokerConfig config = {}) {
  BrokerCore broker(config, T(0));
  auto actions = broker.on_node_message(Registration{primary, term, LogPosition{}}, T(0));
  REQUIRE(broker.primary() == primary);
  return broker;
}

const ClientRequestFrame& ForwardedRequest(const BrokerActions& actions, size_t i = 0) {
  REQUIRE(actions.to_nodes.size() > i);
  return std::get<ClientRequestFrame>(actions.to_nodes[i].message);
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

TEST_CASE("broker: a client past the limit is refused; idle slots free up") {
  BrokerConfig config;
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
  BrokerConfig config;
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
  BrokerConfig config;
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
  BrokerConfig config;
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
  BrokerCore broker(BrokerConfig{}, T(0));
  broker.on_client_frame("a", RequestFrame(1, 1), T(10));
  broker.on_client_frame("b", RequestFrame(2, 1), T(11));
  broker.on_client_frame("a", RequestFrame(1, 2), T(12));
  auto registered = broker.on_node_message(Registration{3, 1, {}}, T(20));
  REQUIRE(registered.to_nodes.size() == 4);  // the answer, then three requests
  CHECK(std::get<RegistrationAnswer>(registered.to_nodes[0].message).accepted);
  CHECK(ForwardedRequest(registered, 1).frame == RequestFrame(1, 1));
  CHECK(ForwardedRequest(registered, 2).frame == RequestFrame(2, 1));
  CHECK(ForwardedRequest(registered, 3).frame == RequestFrame(1, 2));
  CHECK(registered.to_nodes[3].to == 3);
}

TEST_CASE("broker: unanswered requests are sent again to the next primary") {
  BrokerConfig config;
  config.primary_liveness = Millis(300);
  BrokerCore broker = BrokerWithPrimary(1, 1, config);
  auto sent = broker.on_client_frame("a", RequestFrame(1, 1), T(10));
  const ClientTag tag = ForwardedRequest(sent).client;
  // The primary falls silent: the request is held again.
  auto lost = broker.on_tick(T(400));
  REQUIRE(lost.events.size() >= 1);
  CHECK(broker.held_count() == 1);
  auto next = broker.on_node_message(Registration{2, 2, {}}, T(450));
  REQUIRE(next.to_nodes.size() == 2);
  CHECK(next.to_nodes[1].to == 2);
  CHECK(ForwardedRequest(next, 1).client == tag);  // same token: one reply will match it
  CHECK(broker.stats().requests_reforwarded == 1);
}

TEST_CASE("broker: fencing accepts only a higher term, or the same term from the same node") {
  BrokerCore broker = BrokerWithPrimary(1, 5);
  auto answer = [&](NodeId node, uint64_t term, LogPosition last) {
    auto actions = broker.on_node_message(Registration{node, term, last}, T(1));
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
  BrokerConfig config;
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
  auto registration = broker.on_node_message(Registration{3, 3, {2, 8}}, T(1'002));
  CHECK_FALSE(std::get<RegistrationAnswer>(registration.to_nodes.at(0).message).accepted);
}

TEST_CASE("broker: a pre-vote is refused while the primary is live toward the broker") {
  BrokerConfig config;
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

TEST_CASE("broker: shutdown is relayed to the primary, then the broker exits") {
  BrokerCore broker = BrokerWithPrimary(4, 1);
  auto actions = broker.on_shutdown_command(T(5));
  REQUIRE(actions.to_nodes.size() == 1);
  CHECK(actions.to_nodes[0].to == 4);
  CHECK(std::holds_alternative<ShutdownCommand>(actions.to_nodes[0].message));
  CHECK(actions.exit);
}
