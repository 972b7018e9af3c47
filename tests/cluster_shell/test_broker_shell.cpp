// The tsbroker shell on real sockets: a fake node (a DEALER speaking the
// cluster wire) and REQ clients on loopback, the broker loop on a thread.
#include <catch2/catch.hpp>

#include "brokers/broker_shell.h"
#include "clients/client.h"
#include "tests/cluster_shell/shell_test_support.h"

namespace ts::shell_test {
namespace {

struct BrokerFixture {
  explicit BrokerFixture(BrokerConfig config = {}) {
    options.clients_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.nodes_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.shutdown_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.core = config;
    options.exit_linger = Millis(200);
    broker.emplace([this](const volatile std::sig_atomic_t* stop) { return RunBroker(options, stop); });
  }

  // A fake node that registers as primary for `term`.
  zmq::socket_t RegisterNode(NodeId id, uint64_t term) {
    zmq::socket_t node = Connect(context, zmq::socket_type::dealer, options.nodes_endpoint);
    node.send(zmq::buffer(EncodeNodeToBroker(Registration{id, term, {}})));
    auto answer = ReceiveKind<RegistrationAnswer, BrokerToNode>(node, [](auto f) { return DecodeBrokerToNode(f); },
                                                                 kReplyTimeout);
    REQUIRE(answer);
    REQUIRE(answer->accepted);
    return node;
  }

  // The node answers the next client request it gets with an empty GET reply.
  void ServeOne(zmq::socket_t& node, NodeId id, uint64_t term) {
    auto request = ReceiveKind<ClientRequestFrame, BrokerToNode>(
        node, [](auto f) { return DecodeBrokerToNode(f); }, kReplyTimeout);
    REQUIRE(request);
    auto decoded = DecodeRequest(request->frame);
    REQUIRE(decoded.ok());
    Reply reply;
    reply.id = decoded.value().id;
    reply.op_name = decoded.value().op_name;
    reply.served_by = id;
    reply.term = term;
    node.send(zmq::buffer(EncodeNodeToBroker(ClientReplyFrame{id, request->client, {term, 1}, EncodeReply(reply)})));
  }

  Reply Status() {
    zmq::socket_t req = Connect(context, zmq::socket_type::req, options.clients_endpoint);
    auto reply = Ask(req, EncodeRequest(MakeStatusRequest()));
    REQUIRE(reply);
    return *reply;
  }

  zmq::context_t context;
  BrokerShellOptions options;
  std::optional<ShellThread> broker;
};

Request Numbered(Request request, uint64_t client, uint64_t number) {
  request.id = RequestId{client, number};
  return request;
}

TEST_CASE("tsbroker relays a request to the primary and its reply back; STATUS is its own", "[broker_shell]") {
  BrokerConfig config;
  config.primary_liveness = Millis(60'000);  // the fake node does not heartbeat
  BrokerFixture f(config);
  zmq::socket_t node = f.RegisterNode(2, 1);

  zmq::socket_t client = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  client.send(zmq::buffer(EncodeRequest(Numbered(MakeGet("a.*", ".*"), 77, 1))));
  f.ServeOne(node, 2, 1);
  auto parts = Receive(client, kReplyTimeout);
  REQUIRE(parts);
  auto reply = DecodeReply(parts->front());
  REQUIRE(reply.ok());
  CHECK(reply.value().id == RequestId{77, 1});
  CHECK(reply.value().served_by == 2);

  Reply status = f.Status();
  CHECK(status.op_name == "STATUS");
  CHECK(status.served_by == 2);
  CHECK(status.term == 1);
  CHECK(Fact(status, {"broker"}, "primary=") == "2");
  CHECK(Fact(status, {"broker"}, "clients=") == "1");
  CHECK(Fact(status, {"broker"}, "relayed=") == "1");
  CHECK(Fact(status, {"node", "2"}, "live=") == "yes");
}

TEST_CASE("tsbroker frees a client's slot when its connection closes", "[broker_shell]") {
  BrokerConfig config;
  config.max_clients = 1;
  config.primary_liveness = Millis(60'000);
  BrokerFixture f(config);
  zmq::socket_t node = f.RegisterNode(1, 1);

  std::optional<zmq::socket_t> first = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  first->send(zmq::buffer(EncodeRequest(Numbered(MakeGet("a", "b"), 1, 1))));
  f.ServeOne(node, 1, 1);
  REQUIRE(Receive(*first, kReplyTimeout));

  zmq::socket_t second = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  auto refused = Ask(second, EncodeRequest(Numbered(MakeGet("a", "b"), 2, 1)));
  REQUIRE(refused);
  REQUIRE(refused->error);
  CHECK(refused->error->kind == ErrorKind::kServiceRefused);
  CHECK(refused->id == RequestId{2, 1});

  first.reset();  // closes the connection: the slot must come back well before the idle timeout
  CHECK(testing::WaitUntil([&] { return Fact(f.Status(), {"broker"}, "clients=") == "0"; }, kReplyTimeout));
  zmq::socket_t third = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  third.send(zmq::buffer(EncodeRequest(Numbered(MakeGet("a", "b"), 3, 1))));
  f.ServeOne(node, 1, 1);
  auto served = Receive(third, kReplyTimeout);
  REQUIRE(served);
  CHECK_FALSE(DecodeReply(served->front()).value().error);
}

TEST_CASE("tsbroker counts ill-formed node frames and keeps serving", "[broker_shell]") {
  BrokerConfig config;
  config.primary_liveness = Millis(60'000);
  BrokerFixture f(config);
  zmq::socket_t junk = Connect(f.context, zmq::socket_type::dealer, f.options.nodes_endpoint);
  junk.send(zmq::str_buffer("not a frame"));
  junk.send(zmq::buffer(EncodeRequest(MakeGet("a", "b"))));            // a client frame on the node socket
  SendAll(junk, {EncodeNodeToBroker(Registration{1, 1, {}}), "extra"});  // two parts
  CHECK(testing::WaitUntil([&] { return Fact(f.Status(), {"broker"}, "ill_formed_node_frames=") == "3"; },
                           kReplyTimeout));
  zmq::socket_t node = f.RegisterNode(1, 1);
  CHECK(Fact(f.Status(), {"broker"}, "primary=") == "1");
}

TEST_CASE("tsbroker holds a request without a primary, then answers unavailable", "[broker_shell]") {
  BrokerConfig config;
  config.hold_time = Millis(200);
  BrokerFixture f(config);
  zmq::socket_t client = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  auto reply = Ask(client, EncodeRequest(Numbered(MakePut({}), 5, 9)));
  REQUIRE(reply);
  REQUIRE(reply->error);
  CHECK(reply->error->kind == ErrorKind::kUnavailable);
  CHECK(reply->id == RequestId{5, 9});
}

TEST_CASE("tsbroker's shutdown endpoint refuses other ops, relays SHUTDOWN to the primary and exits 0",
          "[broker_shell]") {
  BrokerConfig config;
  config.primary_liveness = Millis(60'000);
  BrokerFixture f(config);
  zmq::socket_t node = f.RegisterNode(3, 4);

  zmq::socket_t admin = Connect(f.context, zmq::socket_type::req, f.options.shutdown_endpoint);
  auto refused = Ask(admin, EncodeRequest(Numbered(MakeGet("a", "b"), 1, 1)));
  REQUIRE(refused);
  REQUIRE(refused->error);
  CHECK(refused->error->kind == ErrorKind::kMalformedRequest);
  CHECK_FALSE(f.broker->WaitDone(Millis(50)));

  Request shutdown;
  shutdown.op_name = "SHUTDOWN";
  auto ack = Ask(admin, EncodeRequest(Numbered(shutdown, 1, 2)));
  REQUIRE(ack);
  CHECK_FALSE(ack->error);
  CHECK(ack->op_name == "SHUTDOWN");
  CHECK(ReceiveKind<ShutdownCommand, BrokerToNode>(node, [](auto fr) { return DecodeBrokerToNode(fr); },
                                                   kReplyTimeout));
  REQUIRE(f.broker->WaitDone(kReplyTimeout));
  CHECK(f.broker->exit_code() == kBrokerExitOk);
}

TEST_CASE("tsbroker exits 1 when an endpoint cannot be bound", "[broker_shell]") {
  BrokerShellOptions options;
  options.clients_endpoint = "tcp://127.0.0.1:" + std::to_string(testing::FreeTcpPort());
  options.nodes_endpoint = options.clients_endpoint;  // taken by the first bind
  options.shutdown_endpoint = "tcp://127.0.0.1:" + std::to_string(testing::FreeTcpPort());
  ShellThread broker([&](const volatile std::sig_atomic_t* stop) { return RunBroker(options, stop); });
  REQUIRE(broker.WaitDone(kReplyTimeout));
  CHECK(broker.exit_code() == kBrokerExitFailure);
}

}  // namespace
}  // namespace ts::shell_test
