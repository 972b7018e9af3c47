// The broker's pure helpers: ClientConnections (which address lives on which
// connection) and ClusterView (the STATUS reply).
#include <catch2/catch.hpp>

#include "brokers/client_connections.h"
#include "brokers/cluster_view.h"
#include "clients/client.h"
#include "tests/cluster_shell/shell_test_support.h"

namespace ts::shell_test {
namespace {

TEST_CASE("a connection's address is returned when it closes, in accept order per descriptor", "[broker_view]") {
  ClientConnections c;
  c.OnAccepted(7);
  c.OnMessage(7, "A");
  c.OnMessage(7, "A");
  CHECK(c.OnDisconnected(7) == "A");
  CHECK(c.connection_count() == 0);
  CHECK_FALSE(c.OnDisconnected(7).has_value());  // unknown descriptor: nothing
}

TEST_CASE("a silent connection frees nothing", "[broker_view]") {
  ClientConnections c;
  c.OnAccepted(3);
  CHECK_FALSE(c.OnDisconnected(3).has_value());
}

TEST_CASE("a reused descriptor: the new address is seen before the old close", "[broker_view]") {
  ClientConnections c;
  c.OnAccepted(9);
  c.OnMessage(9, "old");
  c.OnMessage(9, "new");  // its ACCEPTED event is still on its way
  c.OnAccepted(9);        // ... and arrives
  CHECK(c.OnDisconnected(9) == "old");
  CHECK(c.OnDisconnected(9) == "new");
}

TEST_CASE("a message before its own ACCEPTED event is matched to it", "[broker_view]") {
  ClientConnections c;
  c.OnMessage(4, "A");
  c.OnAccepted(4);
  CHECK(c.connection_count() == 1);
  CHECK(c.OnDisconnected(4) == "A");
}

TEST_CASE("the status view lists the broker, each node with its lag, and recent events", "[broker_view]") {
  BrokerConfig config;
  config.cluster_size = 1;
  config.primary_liveness = Millis(300);
  BrokerCore core(config, TimePoint(0));
  ClusterView view;
  const TimePoint t(1'000);
  // The shell gives every decoded node message to both.
  auto heard = [&](const NodeToBroker& message, TimePoint at) {
    view.Heard(message);
    core.on_node_message(message, at);
  };
  heard(PreVoteRequest{3, 3, {1, 9}}, TimePoint(150));
  heard(Heartbeat{1, Role::kPrimary, 2, {2, 50}, 1, 50, true}, t);
  heard(Heartbeat{2, Role::kBackup, 2, {2, 45}, 1, 0, true, 0, 7, 96, 12'345'678, 3}, t);
  auto registered = core.on_node_message(Registration{1, 2, {2, 50}, {1}, 1}, t);
  for (const BrokerEvent& event : registered.events) view.Record(event, t);

  Request request = MakeStatusRequest();
  request.id = RequestId{5, 6};
  Reply reply = view.StatusReply(request, core, t + Millis(250));
  CHECK(reply.id == RequestId{5, 6});
  CHECK(reply.op_name == "STATUS");
  CHECK(reply.served_by == 1);
  CHECK(reply.term == 2);
  CHECK(Fact(reply, {"broker"}, "primary_live=") == "yes");
  CHECK(Fact(reply, {"node", "1"}, "role=") == "primary");
  CHECK(Fact(reply, {"node", "2"}, "applied=") == "45");
  CHECK(Fact(reply, {"node", "2"}, "lag=") == "5");
  CHECK(Fact(reply, {"node", "2"}, "heard=") == "250 ms ago");
  // The node's own facts, from its heartbeat: pairs, their bytes, memory, ZAP refusals.
  CHECK(Fact(reply, {"node", "2"}, "pairs=") == "7");
  CHECK(Fact(reply, {"node", "2"}, "bytes=") == "96");
  CHECK(Fact(reply, {"node", "2"}, "memory=") == "12345678");
  CHECK(Fact(reply, {"node", "2"}, "zap_refused=") == "3");
  CHECK(Fact(reply, {"node", "1"}, "memory=") == "?");  // not known
  CHECK(Fact(reply, {"node", "3"}, "role=") == "?");
  CHECK(Fact(reply, {"node", "3"}, "live=") == "no");
  CHECK(Fact(reply, {"node", "3"}, "heard=") == "1.1 s ago");
  bool primary_event = false;
  for (const Pair& pair : reply.pairs) {
    if (pair.key.size() == 2 && pair.key[0] == "event") {
      primary_event = primary_event || pair.value.at(0).find("node 1 is primary for term 2") != std::string::npos;
    }
  }
  CHECK(primary_event);
}

TEST_CASE("the status view keeps only the most recent events", "[broker_view]") {
  BrokerConfig one;
  one.cluster_size = 1;
  BrokerCore core(one, TimePoint(0));
  ClusterView view;
  for (int i = 0; i < 50; ++i) view.Record(BrokerEvent{BrokerEventKind::kNodeSeen, 1, 0, "e" + std::to_string(i)}, TimePoint(i));
  Reply reply = view.StatusReply(MakeStatusRequest(), core, TimePoint(100));
  size_t events = 0;
  std::string last;
  for (const Pair& pair : reply.pairs) {
    if (pair.key.at(0) == "event") {
      ++events;
      last = pair.value.at(0);
    }
  }
  CHECK(events == ClusterView::kRecentEvents);
  CHECK(last.rfind("e49 ", 0) == 0);
}

TEST_CASE("the status view shows a shutdown while it runs, and a stopped node as not live", "[broker_view]") {
  BrokerConfig config;
  config.cluster_size = 1;
  config.primary_liveness = Millis(300);
  BrokerCore core(config, TimePoint(0));
  ClusterView view;
  const Heartbeat primary{1, Role::kPrimary, 2, {2, 5}, 1, 5, true};
  view.Heard(primary);
  core.on_node_message(primary, TimePoint(0));
  core.on_node_message(Registration{1, 2, {2, 5}, {1}, 1}, TimePoint(0));
  CHECK(Fact(view.StatusReply(MakeStatusRequest(), core, TimePoint(10)), {"shutdown"}, "state=") == std::nullopt);

  Request shutdown;
  shutdown.op_name = "SHUTDOWN";
  core.on_shutdown_frame("op", EncodeRequest(shutdown), TimePoint(20));
  core.on_client_frame("late", EncodeRequest(MakeGet("a", "b")), TimePoint(30));
  Reply stopping = view.StatusReply(MakeStatusRequest(), core, TimePoint(40));
  CHECK(Fact(stopping, {"shutdown"}, "state=") == "stopping");
  CHECK(Fact(stopping, {"shutdown"}, "began=") == "20 ms ago");
  CHECK(Fact(stopping, {"shutdown"}, "confirmed=") == "none");
  CHECK(Fact(stopping, {"shutdown"}, "operators_waiting=") == "1");
  CHECK(Fact(stopping, {"shutdown"}, "requests_refused=") == "1");
  CHECK(Fact(stopping, {"node", "1"}, "live=") == "yes");

  const Heartbeat stopped{1, Role::kStopped, 2, {2, 5}, 1, 0, true};
  view.Heard(stopped);
  core.on_node_message(stopped, TimePoint(50));
  core.on_tick(TimePoint(60));
  Reply ended = view.StatusReply(MakeStatusRequest(), core, TimePoint(60));
  CHECK(Fact(ended, {"shutdown"}, "state=") == "confirmed");
  CHECK(Fact(ended, {"shutdown"}, "confirmed=") == "1");
  CHECK(Fact(ended, {"shutdown"}, "operators_waiting=") == "0");
  CHECK(Fact(ended, {"node", "1"}, "role=") == "stopped");
  CHECK(Fact(ended, {"node", "1"}, "live=") == "no");  // within the window, but it said it stops
}

TEST_CASE("the status view lists a node not heard for the liveness window as down, not as its last role",
          "[broker_view]") {
  BrokerConfig config;
  config.cluster_size = 1;
  config.primary_liveness = Millis(300);
  BrokerCore core(config, TimePoint(0));
  ClusterView view;
  auto heard = [&](const NodeToBroker& message, TimePoint at) {
    view.Heard(message);
    core.on_node_message(message, at);
  };
  heard(Heartbeat{1, Role::kPrimary, 2, {2, 5}, 1, 5, true}, TimePoint(0));
  heard(Heartbeat{2, Role::kBackup, 2, {2, 5}, 1, 0, true}, TimePoint(0));
  core.on_node_message(Registration{1, 2, {2, 5}, {1, 2}, 2}, TimePoint(0));
  // Node 1 is killed; node 2 goes on and takes over.
  for (int64_t at = 100; at <= 1'000; at += 100) heard(Heartbeat{2, Role::kBackup, 2, {2, 5}, 1, 0, true}, TimePoint(at));
  core.on_tick(TimePoint(1'000));
  heard(Heartbeat{2, Role::kPrimary, 3, {2, 5}, 2, 5, true}, TimePoint(1'000));
  const Reply reply = view.StatusReply(MakeStatusRequest(), core, TimePoint(1'000));
  CHECK(Fact(reply, {"node", "1"}, "live=") == "no");
  CHECK(Fact(reply, {"node", "1"}, "role=") == "down");
  CHECK(Fact(reply, {"node", "1"}, "last_role=") == "primary");
  CHECK(Fact(reply, {"node", "2"}, "role=") == "primary");
  CHECK(Fact(reply, {"node", "2"}, "last_role=") == std::nullopt);
}

}  // namespace
}  // namespace ts::shell_test
