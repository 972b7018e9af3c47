// The tsnode shell on real sockets, alone (no peers, min acks 0): a fake
// broker (a ROUTER speaking the cluster wire) grants its election, then sends
// it client requests and a shutdown; a SUB watches its bus and a DEALER asks
// its transfer ROUTER for a snapshot. --load and --save use real files.
#include <catch2/catch.hpp>

#include "nodes/node_shell.h"
#include "nodes/space/persistence.h"
#include "tests/cluster_shell/shell_test_support.h"

namespace ts::shell_test {
namespace {

struct FakeBroker {
  explicit FakeBroker(zmq::context_t& context) : socket(context, zmq::socket_type::router) {
    socket.set(zmq::sockopt::linger, 0);
    endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    socket.bind(endpoint);
  }

  // Answers heartbeats (as the broker does: that keeps the node's broker
  // live), grants pre-votes and registrations, until a message of type T
  // (which is answered too). A message from the node is [routing id][frame]...;
  // frames after the one returned wait for the next call.
  template <class T>
  std::optional<T> Until(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (unread.empty()) {
        auto parts = Receive(socket, Millis(20));
        if (!parts) continue;
        REQUIRE(parts->size() >= 2);
        route = parts->front();
        std::deque<std::string> frames = FramesOf(parts->begin() + 1, parts->end());
        unread.assign(frames.begin(), frames.end());
      }
      auto message = DecodeNodeToBroker(unread.front());
      unread.erase(unread.begin());
      REQUIRE(message.ok());
      if (std::holds_alternative<Heartbeat>(message.value())) {
        Send(BrokerStatus{term, primary, primary != kNoNode, {}});
      } else if (auto* p = std::get_if<PreVoteRequest>(&message.value())) {
        Send(PreVoteAnswer{p->proposed_term, true, term, primary, "", LogPosition{}});
      } else if (auto* r = std::get_if<Registration>(&message.value())) {
        term = r->term;
        primary = r->node;
        Send(RegistrationAnswer{r->term, true, term, primary, ""});
      }
      if (const T* wanted = std::get_if<T>(&message.value())) return *wanted;
    }
    return std::nullopt;
  }

  void Send(const BrokerToNode& message) { SendAll(socket, {route, EncodeBrokerToNode(message)}); }
  // Several frames in one message, as the broker sends what one turn produced.
  void SendTogether(const std::vector<std::string>& frames) {
    std::vector<std::string> parts{route};
    parts.insert(parts.end(), frames.begin(), frames.end());
    SendAll(socket, parts);
  }

  zmq::socket_t socket;
  std::string endpoint;
  std::string route;
  std::vector<std::string> unread;  // frames of the last message not handled yet
  uint64_t term = 0;
  NodeId primary = kNoNode;
};

struct NodeFixture {
  NodeFixture() : broker(context) {
    options.core.id = 1;
    options.core.min_acks = 0;
    options.bus_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.transfer_endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
    options.broker_endpoints = {broker.endpoint};
    options.save_path = dir / "saved.tss";
    options.exit_linger = Millis(200);
    options.security.insecure = true;  // not about security (tests/security has the CURVE cases)
  }
  void Start() {
    node.emplace([this](const volatile std::sig_atomic_t* stop) { return RunNode(options, stop); });
  }
  // Drives the fake broker until the node has registered as primary.
  void MakePrimary() {
    auto heartbeat = broker.Until<Heartbeat>(kReplyTimeout);
    REQUIRE(heartbeat);
    REQUIRE(testing::WaitUntil(
        [&] {
          auto h = broker.Until<Heartbeat>(Millis(500));
          return h && h->role == Role::kPrimary;
        },
        kReplyTimeout));
  }
  Reply Call(const Request& request, uint64_t token) {
    broker.Send(ClientRequestFrame{ClientTag{"client", token}, EncodeRequest(request)});
    auto reply = broker.Until<ClientReplyFrame>(kReplyTimeout);
    REQUIRE(reply);
    CHECK(reply->client.token == token);
    auto decoded = DecodeReply(reply->frame);
    REQUIRE(decoded.ok());
    return decoded.value();
  }

  zmq::context_t context;
  testing::TempDir dir;
  FakeBroker broker;
  NodeShellOptions options;
  std::optional<ShellThread> node;
};

TEST_CASE("tsnode answers every request of a multi-part broker message, skipping an ill-formed frame",
          "[node_shell]") {
  NodeFixture f;
  f.Start();
  f.MakePrimary();
  Request put = MakePut({Pair{{"k", "1"}, {"v"}}});
  put.id = RequestId{7, 1};
  f.broker.SendTogether({EncodeBrokerToNode(ClientRequestFrame{ClientTag{"client", 1}, EncodeRequest(put)}),
                         std::string(24, 'x'),
                         EncodeBrokerToNode(ClientRequestFrame{ClientTag{"client", 2}, EncodeRequest(MakeGet("k,.*", ".*"))})});
  std::vector<Reply> replies;
  for (uint64_t token : {1, 2}) {
    auto frame = f.broker.Until<ClientReplyFrame>(kReplyTimeout);
    REQUIRE(frame);
    CHECK(frame->client.token == token);  // in the order they came
    auto decoded = DecodeReply(frame->frame);
    REQUIRE(decoded.ok());
    replies.push_back(decoded.value());
  }
  CHECK_FALSE(replies[0].error);
  REQUIRE(replies[1].pairs.size() == 1);  // the GET after the PUT, in the same message, sees it
  CHECK(replies[1].pairs[0].value == Tuple{"v"});
}

TEST_CASE("tsnode loads its file, wins alone, serves requests, publishes, and saves on shutdown", "[node_shell]") {
  NodeFixture f;
  TupleSpace seed;
  seed.Upsert("user,1", "alice");
  seed.Upsert("user,2", "bob");
  const std::string load_path = f.dir / "seed.tss";
  REQUIRE(SaveSpace(seed, load_path).ok());
  f.options.load_path = load_path;
  zmq::socket_t bus = Connect(f.context, zmq::socket_type::sub, f.options.bus_endpoint);
  bus.set(zmq::sockopt::subscribe, "");
  f.Start();
  f.MakePrimary();

  Reply got = f.Call(MakeGet("user,.*", ".*"), 1);
  CHECK_FALSE(got.error);
  CHECK(got.pairs.size() == 2);
  CHECK(got.served_by == 1);
  Request put = MakePut({Pair{{"user", "3"}, {"carol"}}});
  put.id = RequestId{42, 1};
  Reply added = f.Call(put, 2);
  CHECK_FALSE(added.error);
  CHECK(added.rejected.empty());

  auto published = ReceiveKind<Heartbeat, PeerMessage>(bus, [](auto fr) { return DecodePeerMessage(fr); },
                                                       kReplyTimeout);
  REQUIRE(published);
  CHECK(published->from == 1);

  // A state-transfer request on the ROUTER is answered to the requester's routing id.
  zmq::socket_t peer = Connect(f.context, zmq::socket_type::dealer, f.options.transfer_endpoint);
  peer.send(zmq::buffer(EncodePeerMessage(StateTransferRequest{2, 99, f.broker.term, {}})));
  bool answered = false;
  const auto deadline = std::chrono::steady_clock::now() + kReplyTimeout;
  while (!answered && std::chrono::steady_clock::now() < deadline) {
    auto parts = Receive(peer, Millis(100));
    if (!parts) continue;
    auto message = DecodePeerMessage(parts->back());
    REQUIRE(message.ok());
    if (auto* end = std::get_if<SnapshotEnd>(&message.value())) answered = end->transfer_id == 99;
    if (auto* catch_up = std::get_if<CatchUp>(&message.value())) answered = catch_up->transfer_id == 99;
  }
  CHECK(answered);

  // The command twice (the broker repeats it until confirmed): the node obeys
  // once, and confirms with a heartbeat whose role is "stopped".
  f.broker.Send(ShutdownCommand{});
  f.broker.Send(ShutdownCommand{});
  REQUIRE(testing::WaitUntil(
      [&] {
        auto h = f.broker.Until<Heartbeat>(Millis(500));
        return h && h->role == Role::kStopped;
      },
      kReplyTimeout));
  REQUIRE(f.node->WaitDone(kReplyTimeout));
  CHECK(f.node->exit_code() == kNodeExitOk);
  TupleSpace saved;
  SnapshotPosition at;
  REQUIRE(LoadSpace(*f.options.save_path, &saved, &at).ok());
  CHECK(saved.size() == 3);
  CHECK(saved.pairs().at("user,3") == "carol");
  CHECK(at == SnapshotPosition{f.broker.term, 2});  // the term's no-op, then the PUT
}

TEST_CASE("tsnode starts from the position in its --load file: it ranks, reports and resumes from there",
          "[node_shell]") {
  NodeFixture f;
  TupleSpace seed;
  seed.Upsert("user,1", "alice");
  const std::string load_path = f.dir / "seed.tss";
  REQUIRE(SaveSpace(seed, load_path, SnapshotPosition{6, 300}).ok());
  f.options.load_path = load_path;
  f.Start();
  auto first = f.broker.Until<Heartbeat>(kReplyTimeout);
  REQUIRE(first);
  CHECK(first->last == LogPosition{6, 300});
  f.MakePrimary();
  CHECK(f.broker.term >= 7);  // a new term lies above the loaded one

  // A peer at the loaded position catches up from it: no snapshot needed.
  zmq::socket_t peer = Connect(f.context, zmq::socket_type::dealer, f.options.transfer_endpoint);
  peer.send(zmq::buffer(EncodePeerMessage(StateTransferRequest{2, 5, f.broker.term, LogPosition{6, 300}})));
  auto catch_up = ReceiveKind<CatchUp, PeerMessage>(peer, [](auto fr) { return DecodePeerMessage(fr); }, kReplyTimeout);
  REQUIRE(catch_up);
  REQUIRE(catch_up->entries.size() == 1);  // the new term's no-op
  CHECK(catch_up->entries[0].position == LogPosition{f.broker.term, 301});

  f.node->Stop();
  REQUIRE(f.node->WaitDone(kReplyTimeout));
  SnapshotPosition at;
  TupleSpace saved;
  REQUIRE(LoadSpace(*f.options.save_path, &saved, &at).ok());
  CHECK(at == SnapshotPosition{f.broker.term, 301});
  CHECK(saved.pairs() == seed.pairs());
}

TEST_CASE("tsnode saves and exits 0 when its stop flag is set (SIGTERM)", "[node_shell]") {
  NodeFixture f;
  f.Start();
  REQUIRE(f.broker.Until<Heartbeat>(kReplyTimeout));
  f.node->Stop();
  REQUIRE(f.node->WaitDone(kReplyTimeout));
  CHECK(f.node->exit_code() == kNodeExitOk);
  TupleSpace saved;
  CHECK(LoadSpace(*f.options.save_path, &saved).ok());
}

TEST_CASE("tsnode saves and exits 0 when the broker is silent past its timeout", "[node_shell]") {
  NodeFixture f;
  f.options.core.broker_timeout = Millis(300);
  f.Start();
  REQUIRE(f.node->WaitDone(kReplyTimeout));
  CHECK(f.node->exit_code() == kNodeExitOk);
  CHECK(std::filesystem::exists(*f.options.save_path));
}

TEST_CASE("tsnode exits 2 on a malformed --load file, and 1 when its endpoint is taken", "[node_shell]") {
  NodeFixture f;
  const std::string bad = f.dir / "bad.tss";
  std::ofstream(bad) << "tuplestar-snapshot v1 pairs=1\nno tab here\n";
  f.options.load_path = bad;
  f.Start();
  REQUIRE(f.node->WaitDone(kReplyTimeout));
  CHECK(f.node->exit_code() == kNodeExitBadLoad);

  NodeFixture g;
  g.options.transfer_endpoint = g.options.bus_endpoint;
  g.Start();
  REQUIRE(g.node->WaitDone(kReplyTimeout));
  CHECK(g.node->exit_code() == kNodeExitFailure);
}

}  // namespace
}  // namespace ts::shell_test
