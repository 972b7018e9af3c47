// The tsbroker shell on real sockets: a fake node (a DEALER speaking the
// cluster wire) and REQ clients on loopback, the broker loop on a thread.
#include <catch2/catch.hpp>

#include <algorithm>

#include "brokers/broker_shell.h"
#include "clients/client.h"
#include "tests/cluster_shell/shell_test_support.h"

namespace ts::shell_test {
namespace {

struct BrokerFixture {
  explicit BrokerFixture(BrokerConfig config = {}, ShutdownConfig shutdown = {Millis(50), Millis(10'000)}) {
    options.clients_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.nodes_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.shutdown_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.core = config;
    if (options.core.cluster_size == 0) options.core.cluster_size = 1;  // the fake nodes register alone
    options.core.shutdown = shutdown;
    options.exit_linger = Millis(200);
    options.security.insecure = true;  // not about security (tests/security has the CURVE cases)
    broker.emplace([this](const volatile std::sig_atomic_t* stop) { return RunBroker(options, stop); });
  }

  // A fake node that registers as primary for `term`.
  zmq::socket_t RegisterNode(NodeId id, uint64_t term) {
    zmq::socket_t node = Connect(context, zmq::socket_type::dealer, options.nodes_endpoint);
    node.send(zmq::buffer(EncodeNodeToBroker(Registration{id, term, {}, {id}, 1})));
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

bool HasFact(const Reply& reply, const Tuple& key) {
  return std::any_of(reply.pairs.begin(), reply.pairs.end(), [&](const Pair& pair) { return pair.key == key; });
}

Request Numbered(Request request, uint64_t client, uint64_t number) {
  request.id = RequestId{client, number};
  return request;
}

TEST_CASE("tsbroker relays a request to the primary and its reply back, and answers STATUS itself", "[broker_shell]") {
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

TEST_CASE("tsbroker reads every frame of a multi-part node message, skipping an ill-formed one", "[broker_shell]") {
  BrokerConfig config;
  config.primary_liveness = Millis(60'000);
  BrokerFixture f(config);
  zmq::socket_t node = f.RegisterNode(2, 1);
  zmq::socket_t first = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  zmq::socket_t second = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  first.send(zmq::buffer(EncodeRequest(Numbered(MakeGet("a", "b"), 11, 1))));
  second.send(zmq::buffer(EncodeRequest(Numbered(MakeGet("c", "d"), 12, 1))));

  std::vector<std::string> reply_frames;
  for (int i = 0; i < 2; ++i) {
    auto request = ReceiveKind<ClientRequestFrame, BrokerToNode>(
        node, [](auto frame) { return DecodeBrokerToNode(frame); }, kReplyTimeout);
    REQUIRE(request);
    auto decoded = DecodeRequest(request->frame);
    REQUIRE(decoded.ok());
    Reply reply;
    reply.id = decoded.value().id;
    reply.served_by = 2;
    reply.term = 1;
    reply_frames.push_back(EncodeNodeToBroker(ClientReplyFrame{2, request->client, {1, 1}, EncodeReply(reply)}));
  }
  SendAll(node, {reply_frames[0], std::string(16, 'x'), reply_frames[1]});  // one message, three frames

  for (auto [socket, client] : {std::pair{&first, 11}, std::pair{&second, 12}}) {
    auto parts = Receive(*socket, kReplyTimeout);
    REQUIRE(parts);
    auto reply = DecodeReply(parts->front());
    REQUIRE(reply.ok());
    CHECK(reply.value().id == RequestId{static_cast<uint64_t>(client), 1});
  }
  CHECK(Fact(f.Status(), {"broker"}, "relayed=") == "2");
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
  SendAll(junk, {EncodeNodeToBroker(Registration{1, 1, {}, {1}, 1}), "extra"});  // two parts
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

Request ShutdownRequest(uint64_t number) {
  Request shutdown;
  shutdown.op_name = "SHUTDOWN";
  return Numbered(shutdown, 1, number);
}

std::optional<ShutdownCommand> NextShutdownCommand(zmq::socket_t& node, std::chrono::milliseconds timeout = kReplyTimeout) {
  return ReceiveKind<ShutdownCommand, BrokerToNode>(node, [](auto frame) { return DecodeBrokerToNode(frame); }, timeout);
}

Heartbeat StoppedHeartbeat(NodeId id, uint64_t term) {
  Heartbeat heartbeat;
  heartbeat.from = id;
  heartbeat.role = Role::kStopped;
  heartbeat.term = term;
  return heartbeat;
}

std::optional<Reply> NextReply(zmq::socket_t& socket, std::chrono::milliseconds timeout = kReplyTimeout) {
  auto parts = Receive(socket, timeout);
  if (!parts || parts->size() != 1) return std::nullopt;
  auto reply = DecodeReply(parts->front());
  if (!reply.ok()) return std::nullopt;
  return reply.value();
}

TEST_CASE("tsbroker's shutdown endpoint refuses other ops, resends SHUTDOWN to the primary until it confirms, "
          "then answers and exits 0",
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
  // The refusal was answered, and afterwards the broker still serves, with no shutdown begun.
  CHECK_FALSE(HasFact(f.Status(), {"shutdown"}));

  admin.send(zmq::buffer(EncodeRequest(ShutdownRequest(2))));
  // The first command is "lost" (the node does not act on it); the broker sends it again.
  REQUIRE(NextShutdownCommand(node));
  REQUIRE(NextShutdownCommand(node));
  // Still running, and the operator not answered: the primary has not confirmed.
  Reply stopping = f.Status();
  CHECK(Fact(stopping, {"shutdown"}, "state=") == "stopping");
  CHECK(Fact(stopping, {"shutdown"}, "operators_waiting=") == "1");
  CHECK(Fact(stopping, {"shutdown"}, "confirmed=") == "none");

  // Meanwhile a client is told the service is shutting down rather than left waiting.
  zmq::socket_t client = Connect(f.context, zmq::socket_type::req, f.options.clients_endpoint);
  auto refused_client = Ask(client, EncodeRequest(Numbered(MakeGet("a", "b"), 9, 1)));
  REQUIRE(refused_client);
  REQUIRE(refused_client->error);
  CHECK(refused_client->error->kind == ErrorKind::kUnavailable);
  CHECK_THAT(refused_client->error->message, Catch::Contains("shutting down"));
  CHECK(Fact(f.Status(), {"shutdown"}, "requests_refused=") == "1");

  node.send(zmq::buffer(EncodeNodeToBroker(StoppedHeartbeat(3, 4))));
  auto ack = NextReply(admin);
  REQUIRE(ack);
  CHECK_FALSE(ack->error);
  CHECK(ack->op_name == "SHUTDOWN");
  CHECK(ack->id == RequestId{1, 2});
  CHECK(ack->served_by == 3);
  REQUIRE(f.broker->WaitDone(kReplyTimeout));
  CHECK(f.broker->exit_code() == kBrokerExitOk);
}

TEST_CASE("tsbroker answers 'not confirmed' when a node is still running after the shutdown grace",
          "[broker_shell]") {
  BrokerConfig config;
  config.primary_liveness = Millis(60'000);
  BrokerFixture f(config, ShutdownConfig{Millis(50), Millis(400)});
  zmq::socket_t node = f.RegisterNode(3, 4);

  zmq::socket_t admin = Connect(f.context, zmq::socket_type::req, f.options.shutdown_endpoint);
  admin.send(zmq::buffer(EncodeRequest(ShutdownRequest(1))));
  auto answer = NextReply(admin);
  REQUIRE(answer);
  REQUIRE(answer->error);
  CHECK(answer->error->kind == ErrorKind::kUnavailable);
  CHECK_THAT(answer->error->message, Catch::Contains("not confirmed within 400 ms: node 3 still running"));
  CHECK(NextShutdownCommand(node));  // it was told (the resending is the first test's)
  REQUIRE(f.broker->WaitDone(kReplyTimeout));
  CHECK(f.broker->exit_code() == kBrokerExitOk);
}

TEST_CASE("tsbroker with no primary tells every live node, starts no term while stopping, and ends when all "
          "confirmed",
          "[broker_shell]") {
  BrokerConfig config;
  config.primary_liveness = Millis(60'000);
  BrokerFixture f(config);
  auto decode = [](auto frame) { return DecodeBrokerToNode(frame); };
  std::vector<zmq::socket_t> nodes;
  for (NodeId id : {1u, 2u}) {
    nodes.push_back(Connect(f.context, zmq::socket_type::dealer, f.options.nodes_endpoint));
    Heartbeat candidate;
    candidate.from = id;
    nodes.back().send(zmq::buffer(EncodeNodeToBroker(candidate)));
    REQUIRE(ReceiveKind<BrokerStatus, BrokerToNode>(nodes.back(), decode, kReplyTimeout));
  }

  zmq::socket_t admin = Connect(f.context, zmq::socket_type::req, f.options.shutdown_endpoint);
  admin.send(zmq::buffer(EncodeRequest(ShutdownRequest(1))));
  REQUIRE(NextShutdownCommand(nodes[0]));
  REQUIRE(NextShutdownCommand(nodes[1]));

  // Node 2 asks for a pre-vote: while the service stops, no answer (no new term).
  nodes[1].send(zmq::buffer(EncodeNodeToBroker(PreVoteRequest{2, 1, {}})));
  nodes[0].send(zmq::buffer(EncodeNodeToBroker(StoppedHeartbeat(1, 0))));
  CHECK(testing::WaitUntil(
      [&] {
        const Reply status = f.Status();
        return Fact(status, {"shutdown"}, "terms_refused=") == "1" && Fact(status, {"shutdown"}, "confirmed=") == "1";
      },
      kReplyTimeout));
  // A probe behind the pre-vote on the same connection: its answer leaves
  // after anything the pre-vote could have caused.
  bool pre_vote_answered = false;
  const std::function<void(const BrokerToNode&)> watch = [&](const BrokerToNode& message) {
    pre_vote_answered = pre_vote_answered || std::holds_alternative<PreVoteAnswer>(message);
  };
  Heartbeat probe;
  probe.from = 2;
  nodes[1].send(zmq::buffer(EncodeNodeToBroker(probe)));
  REQUIRE(ReceiveKind<BrokerStatus, BrokerToNode>(nodes[1], decode, kReplyTimeout, watch));
  CHECK_FALSE(pre_vote_answered);
  REQUIRE(ReceiveKind<ShutdownCommand, BrokerToNode>(nodes[1], decode, kReplyTimeout, watch));  // told again
  CHECK_FALSE(pre_vote_answered);
  CHECK(Fact(f.Status(), {"shutdown"}, "operators_waiting=") == "1");  // node 2 has not confirmed

  nodes[1].send(zmq::buffer(EncodeNodeToBroker(StoppedHeartbeat(2, 0))));
  auto ack = NextReply(admin);
  REQUIRE(ack);
  CHECK_FALSE(ack->error);
  REQUIRE(f.broker->WaitDone(kReplyTimeout));
  CHECK(f.broker->exit_code() == kBrokerExitOk);
}

TEST_CASE("tsbroker exits 1 when an endpoint cannot be bound", "[broker_shell]") {
  BrokerShellOptions options;
  options.security.insecure = true;
  options.clients_endpoint = "tcp://127.0.0.1:" + std::to_string(testing::FreeTcpPort());
  options.nodes_endpoint = options.clients_endpoint;  // taken by the first bind
  options.shutdown_endpoint = "tcp://127.0.0.1:" + std::to_string(testing::FreeTcpPort());
  ShellThread broker([&](const volatile std::sig_atomic_t* stop) { return RunBroker(options, stop); });
  REQUIRE(broker.WaitDone(kReplyTimeout));
  CHECK(broker.exit_code() == kBrokerExitFailure);
}

}  // namespace
}  // namespace ts::shell_test
