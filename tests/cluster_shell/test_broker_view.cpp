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
  config.primary_liveness = Millis(300);
  BrokerCore core(config, TimePoint(0));
  ClusterView view;
  const TimePoint t(1'000);
  view.Heard(Heartbeat{1, Role::kPrimary, 2, {2, 50}, 1, 50, true}, t);
  view.Heard(Heartbeat{2, Role::kBackup, 2, {2, 45}, 1, 0, true}, t);
  view.Heard(PreVoteRequest{3, 3, {1, 9}}, TimePoint(100));
  auto registered = core.on_node_message(Registration{1, 2, {2, 50}}, t);
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
  CHECK(Fact(reply, {"node", "3"}, "role=") == "?");
  CHECK(Fact(reply, {"node", "3"}, "live=") == "no");
  bool primary_event = false;
  for (const Pair& pair : reply.pairs) {
    if (pair.key.size() == 2 && pair.key[0] == "event") {
      primary_event = primary_event || pair.value.at(0).find("node 1 is primary for term 2") != std::string::npos;
    }
  }
  CHECK(primary_event);
}

TEST_CASE("the status view keeps only the most recent events", "[broker_view]") {
  BrokerCore core(BrokerConfig{}, TimePoint(0));
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

}  // namespace
}  // namespace ts::shell_test
