// CURVE with the ZAP handler over real TCP sockets: the right key is let in
// and talks; no key, a wrong server key, or a key of another role gets
// nothing, and the refusal is counted and logged.
#include <catch2/catch.hpp>

#include "tests/security/secure_sockets.h"
#include "tests/support/process.h"
#include "tests/support/socket_events.h"

using namespace ts::security;
using namespace ts::security::testing;
using ts::testing::kHandshakeFailed;
using ts::testing::SocketEvents;
using ts::testing::WaitUntil;

namespace {

bool WaitUntilCount(const std::function<uint64_t()>& count, uint64_t at_least) {
  return ts::testing::WaitUntil([&] { return count() >= at_least; }, kWait);
}

}  // namespace

TEST_CASE("curve: a node's DEALER is let into the broker's node endpoint and they talk", "[security][sockets]") {
  SecureWorld world;
  std::string endpoint;
  zmq::socket_t server = BindServer(world.ServerSide(), zmq::socket_type::router, zap_domain::kNodes, endpoint);
  SocketEvents server_events(world.server_context, server);
  const SocketSecurity node_side = SocketSecurity::CurveClient(world.client_context, world.node);
  ts::Result<zmq::socket_t> made = node_side.Client(zmq::socket_type::dealer, world.broker.public_key);
  REQUIRE(made.ok());
  zmq::socket_t dealer = std::move(made).value();
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(endpoint);
  dealer.send(zmq::str_buffer("register"), zmq::send_flags::none);

  zmq::message_t data;
  std::optional<std::vector<std::string>> request = Receive(server, kWait, &data);
  REQUIRE(request);
  REQUIRE(request->size() == 2);
  CHECK(request->at(1) == "register");
  std::optional<PeerIdentity> peer = PeerOf(data);
  REQUIRE(peer);
  CHECK(peer->role == KeyRole::kNode);
  CHECK(peer->name == "node-1");

  server.send(zmq::buffer(request->at(0)), zmq::send_flags::sndmore);
  server.send(zmq::str_buffer("welcome"), zmq::send_flags::none);
  std::optional<std::vector<std::string>> reply = Receive(dealer, kWait);
  REQUIRE(reply);
  CHECK(*reply == std::vector<std::string>{"welcome"});

  CHECK(world.zap->admitted(zap_domain::kNodes) == 1);
  CHECK(world.zap->refused(zap_domain::kNodes) == 0);
  CHECK(server_events.WaitFor(ZMQ_EVENT_HANDSHAKE_SUCCEEDED, kWait));
  CHECK(server_events.CountOf(kHandshakeFailed) == 0);
}

TEST_CASE("curve: a peer with no key gets nothing", "[security][sockets]") {
  SecureWorld world;
  std::string endpoint;
  zmq::socket_t server = BindServer(world.ServerSide(), zmq::socket_type::router, zap_domain::kNodes, endpoint);
  SocketEvents server_events(world.server_context, server);
  zmq::socket_t plain = ConnectClient(world.client_context, zmq::socket_type::dealer, nullptr, {}, endpoint);
  plain.send(zmq::str_buffer("pre-vote term 1000000"), zmq::send_flags::none);

  // The mechanisms differ (NULL against CURVE): the handshake fails before
  // the ZAP handler is asked.
  REQUIRE(server_events.WaitFor(kHandshakeFailed, kWait));
  CHECK(NothingWaiting(server));
  CHECK(NothingWaiting(plain));
  CHECK(server_events.CountOf(ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0);
  CHECK(world.zap->admitted(zap_domain::kNodes) == 0);
}

TEST_CASE("curve: a peer with a wrong server key gets nothing", "[security][sockets]") {
  SecureWorld world;
  std::string endpoint;
  zmq::socket_t server = BindServer(world.ServerSide(), zmq::socket_type::router, zap_domain::kNodes, endpoint);
  SocketEvents server_events(world.server_context, server);
  // A real node's pair, but it believes the server is the stranger: the
  // server cannot open its HELLO, so the handshake fails before ZAP.
  zmq::socket_t misled = ConnectClient(world.client_context, zmq::socket_type::dealer, &world.node,
                                       world.stranger.public_key, endpoint);
  misled.send(zmq::str_buffer("heartbeat"), zmq::send_flags::none);

  REQUIRE(server_events.WaitFor(kHandshakeFailed, kWait));
  CHECK(NothingWaiting(server));
  CHECK(NothingWaiting(misled));
  CHECK(server_events.CountOf(ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0);
  CHECK(world.zap->admitted(zap_domain::kNodes) == 0);
}

TEST_CASE("curve: a key of another role, or of none, is refused on the node endpoint, logged and counted",
          "[security][sockets]") {
  ScopedLogCapture capture;
  SecureWorld world;
  const CurveKeyPair* key = nullptr;
  std::string expected_reason;
  SECTION("a client's key") {
    key = &world.client;
    expected_reason = "role refused";
  }
  SECTION("the admin key") {
    key = &world.admin;
    expected_reason = "role refused";
  }
  SECTION("a key in no allow-list") {
    key = &world.stranger;
    expected_reason = "unknown key";
  }
  std::string endpoint;
  zmq::socket_t server = BindServer(world.ServerSide(), zmq::socket_type::router, zap_domain::kNodes, endpoint);
  SocketEvents server_events(world.server_context, server);
  zmq::socket_t intruder =
      ConnectClient(world.client_context, zmq::socket_type::dealer, key, world.broker.public_key, endpoint);
  intruder.send(zmq::str_buffer("register as node 9"), zmq::send_flags::none);

  REQUIRE(WaitUntilCount([&] { return world.zap->refused(zap_domain::kNodes); }, 1));
  REQUIRE(server_events.WaitFor(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, kWait));
  CHECK(NothingWaiting(server));
  CHECK(NothingWaiting(intruder));
  CHECK(server_events.CountOf(ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0);
  CHECK(world.zap->admitted(zap_domain::kNodes) == 0);
  const std::string fingerprint = KeyFingerprint(key->public_key);
  CHECK(WaitUntil([&] { return capture.log().Contains(fingerprint); }, kWait));
  const std::string log = capture.log().All();
  CHECK_THAT(log, Catch::Contains("ZAP nodes: refused 127.0.0.1 (" + expected_reason + ")"));
}

TEST_CASE("curve: the shutdown endpoint lets in the admin key only", "[security][sockets]") {
  SecureWorld world;
  std::string endpoint;
  zmq::socket_t server = BindServer(world.ServerSide(), zmq::socket_type::router, zap_domain::kShutdown, endpoint);
  zmq::socket_t as_client = ConnectClient(world.client_context, zmq::socket_type::dealer, &world.client,
                                          world.broker.public_key, endpoint);
  as_client.send(zmq::str_buffer("shutdown"), zmq::send_flags::none);
  REQUIRE(WaitUntilCount([&] { return world.zap->refused(zap_domain::kShutdown); }, 1));
  zmq::socket_t as_node = ConnectClient(world.client_context, zmq::socket_type::dealer, &world.node,
                                        world.broker.public_key, endpoint);
  as_node.send(zmq::str_buffer("shutdown"), zmq::send_flags::none);
  REQUIRE(WaitUntilCount([&] { return world.zap->refused(zap_domain::kShutdown); }, 2));
  CHECK(NothingWaiting(server));

  zmq::socket_t as_admin = ConnectClient(world.client_context, zmq::socket_type::dealer, &world.admin,
                                         world.broker.public_key, endpoint);
  as_admin.send(zmq::str_buffer("shutdown"), zmq::send_flags::none);
  zmq::message_t data;
  std::optional<std::vector<std::string>> got = Receive(server, kWait, &data);
  REQUIRE(got);
  CHECK(got->back() == "shutdown");
  REQUIRE(PeerOf(data));
  CHECK(PeerOf(data)->role == KeyRole::kAdmin);
  CHECK(world.zap->admitted(zap_domain::kShutdown) == 1);
}

TEST_CASE("curve: the bus lets a node's SUB read, and not a client's", "[security][sockets]") {
  SecureWorld world;
  std::string endpoint;
  zmq::socket_t bus = BindServer(SocketSecurity::CurveServer(*world.zap, world.node), zmq::socket_type::pub,
                                 zap_domain::kNodeLink, endpoint);
  SocketEvents bus_events(world.server_context, bus);
  zmq::socket_t eavesdropper = ConnectClient(world.client_context, zmq::socket_type::sub, &world.client,
                                             world.node.public_key, endpoint);
  eavesdropper.set(zmq::sockopt::subscribe, "");
  REQUIRE(WaitUntilCount([&] { return world.zap->refused(zap_domain::kNodeLink); }, 1));
  REQUIRE(bus_events.WaitFor(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, kWait));

  CurveKeyPair peer_node = world.node;  // a node's own key is a node key
  zmq::socket_t follower =
      ConnectClient(world.client_context, zmq::socket_type::sub, &peer_node, world.node.public_key, endpoint);
  follower.set(zmq::sockopt::subscribe, "");
  // A subscription travels after the handshake: publish until it arrives.
  std::optional<std::vector<std::string>> got;
  const bool heard = WaitUntil(
      [&] {
        bus.send(zmq::str_buffer("write batch 1"), zmq::send_flags::dontwait);
        got = Receive(follower, std::chrono::milliseconds(10));
        return got.has_value();
      },
      kWait);
  REQUIRE(heard);
  CHECK(got->front() == "write batch 1");
  CHECK(NothingWaiting(eavesdropper));
  CHECK(bus_events.CountOf(ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 1);  // the follower only
}

TEST_CASE("curve: with no ZAP handler, a CURVE server lets no one in", "[security][sockets]") {
  zmq::context_t context;  // no handler was ever bound here
  zmq::context_t client_context;
  const CurveKeyPair server_pair = NewPair();
  const CurveKeyPair node = NewPair();
  zmq::socket_t server(context, zmq::socket_type::router);
  server.set(zmq::sockopt::linger, 0);
  REQUIRE(MakeCurveServer(server, server_pair.secret_key, zap_domain::kNodes).ok());
  server.bind("tcp://127.0.0.1:*");
  const std::string endpoint = server.get(zmq::sockopt::last_endpoint);
  SocketEvents server_events(context, server);
  zmq::socket_t dealer =
      ConnectClient(client_context, zmq::socket_type::dealer, &node, server_pair.public_key, endpoint);
  dealer.send(zmq::str_buffer("anyone home?"), zmq::send_flags::none);
  REQUIRE(server_events.WaitFor(kHandshakeFailed, kWait));
  CHECK(NothingWaiting(server));
  CHECK(server_events.CountOf(ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0);
}

TEST_CASE("curve: once the ZAP handler has stopped, new peers are refused", "[security][sockets]") {
  SecureWorld world;
  std::string endpoint;
  zmq::socket_t server = BindServer(world.ServerSide(), zmq::socket_type::router, zap_domain::kNodes, endpoint);
  SocketEvents server_events(world.server_context, server);
  world.zap.reset();
  zmq::socket_t dealer = ConnectClient(world.client_context, zmq::socket_type::dealer, &world.node,
                                       world.broker.public_key, endpoint);
  dealer.send(zmq::str_buffer("register"), zmq::send_flags::none);
  REQUIRE(server_events.WaitFor(kHandshakeFailed, kWait));
  CHECK(NothingWaiting(server));
  CHECK(server_events.CountOf(ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == 0);
}
