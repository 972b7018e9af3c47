// Issue 12 on real processes: a cluster started with keys (as ./run.sh up
// starts it) offers CURVE on every TCP endpoint, and a process without a key,
// with a key nobody listed, or with a key of the wrong role (the client's, the
// admin's) cannot act as a node, read the bus, ask for a state transfer or
// shut the service down, while the right keys work as before.
//
// "Cannot" is checked two ways: nothing comes back within kRefusedWait (an
// absence can only be waited for), and the service is unaffected afterwards
// (same primary and term, writes still acknowledged). Each refusal has a
// positive control with the right key, so a test cannot pass because the
// attacker's socket was broken in some other way.
#include <catch2/catch.hpp>

#include <csignal>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "clients/client.h"
#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "common/security/secure_socket.h"
#include "launcher/cluster_keys_use.h"
#include "schema/cluster_codec.h"
#include "tests/integration/cluster_fixture.h"
#include "tests/integration/require.h"
#include "launcher/ports.h"
#include "tests/support/zmtp_greeting.h"

namespace ts::itest {
namespace {

using security::CurveKey;
using security::CurveKeyPair;
using security::KeyRole;

// How long a refused peer is given to get an answer anyway. Handshakes and
// answers on loopback take milliseconds; the controls get the same budget.
constexpr Millis kRefusedWait{1'500};
constexpr Millis kGreetingTimeout{5'000};

ClusterOptions SecureOptions() {
  ClusterOptions options;
  options.curve = true;
  options.save_files = false;
  return options;
}

struct Attacker {
  std::string name;
  std::optional<CurveKeyPair> pair;  // none: plain text (the NULL mechanism)
};

// The cluster's key pair of `role` ("client", "admin") or a fresh one nobody listed.
std::vector<Attacker> Attackers(const Cluster& cluster) {
  const security::ClusterKeyLayout keys(cluster.dir().path());
  auto read = [](const std::filesystem::path& base) {
    Result<CurveKeyPair> pair = security::ReadKeyPair(base);
    REQUIRE(pair.ok());
    return pair.value();
  };
  Result<CurveKeyPair> stranger = security::GenerateCurveKeyPair();
  REQUIRE(stranger.ok());
  return {{"no key (plain text)", std::nullopt},
          {"an unknown key", stranger.value()},
          {"the client key", read(keys.ClientKey())},
          {"the admin key", read(keys.AdminKey())}};
}

CurveKey PublicOf(const std::filesystem::path& base) {
  Result<CurveKey> key = security::ReadPublicKeyFile(security::PublicKeyPath(base));
  REQUIRE(key.ok());
  return key.value();
}

// A socket of `type` presenting `pair` to a server whose public key is `server`.
zmq::socket_t Socket(zmq::context_t& context, zmq::socket_type type, const std::optional<CurveKeyPair>& pair,
                     const CurveKey& server) {
  zmq::socket_t socket(context, type);
  socket.set(zmq::sockopt::linger, 0);
  if (pair) REQUIRE(security::MakeCurveClient(socket, *pair, server).ok());
  return socket;
}

bool Readable(zmq::socket_t& socket, Millis wait) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  return zmq::poll(&item, 1, wait) > 0;
}

uint64_t RefusedCount(const Cluster& cluster, const std::string& domain) {
  Client client = cluster.NewClient();
  Result<Reply> status = client.Call(MakeStatusRequest());
  REQUIRE(status.ok());
  for (const Pair& pair : status.value().pairs) {
    if (pair.key != Tuple{"security"}) continue;
    for (const std::string& fact : pair.value) {
      const std::string prefix = "refused_" + domain + "=";
      if (fact.rfind(prefix, 0) == 0) return std::stoull(fact.substr(prefix.size()));
    }
  }
  FAIL("no refused_" << domain << " in the status reply");
  return 0;
}

void RequireServing(Cluster& cluster, const PrimaryView& before) {
  Client client = cluster.NewClient();
  Result<Reply> put = client.Put({Pair{{"after", "attack"}, {"1"}}});
  REQUIRE(put.ok());
  REQUIRE(put.value().ok());
  CHECK(put.value().served_by == before.id);
  CHECK(put.value().term == before.term);
}

}  // namespace

TEST_CASE("security: a cluster with keys offers CURVE on every TCP endpoint, never NULL",
          "[integration][security]") {
  Cluster cluster(SecureOptions());
  RequireStarted(cluster);
  for (const auto& [port, what] : cluster.layout().ListeningPorts()) {
    INFO(what << " (port " << port << ")");
    Result<testing::ZmtpGreeting> greeting =
        testing::ReadZmtpGreeting("tcp://127.0.0.1:" + std::to_string(port), kGreetingTimeout);
    REQUIRE(greeting.ok());
    CHECK(greeting.value().mechanism == "CURVE");
  }
}

TEST_CASE("security: without a node key nobody registers with the broker, even claiming a huge term",
          "[integration][security]") {
  Cluster cluster(SecureOptions());
  RequireStarted(cluster);
  const std::optional<PrimaryView> before = RequirePrimary(cluster, kFailoverTimeout);
  const CurveKey broker_key = PublicOf(security::ClusterKeyLayout(cluster.dir().path()).BrokerKey(1));
  const uint64_t refused_before = RefusedCount(cluster, "nodes");
  zmq::context_t context;
  uint64_t keyed_attackers = 0;
  for (const Attacker& attacker : Attackers(cluster)) {
    INFO("attacker: " << attacker.name);
    keyed_attackers += attacker.pair ? 1 : 0;
    zmq::socket_t dealer = Socket(context, zmq::socket_type::dealer, attacker.pair, broker_key);
    dealer.connect(cluster.layout().brokers.front().nodes.Tcp());
    dealer.send(zmq::buffer(cluster::EncodeNodeToBroker(cluster::PreVoteRequest{9, 1'000'000, {}})),
                zmq::send_flags::dontwait);
    dealer.send(zmq::buffer(cluster::EncodeNodeToBroker(cluster::Registration{9, 1'000'000, {}, {9}, 1})),
                zmq::send_flags::dontwait);
    CHECK_FALSE(Readable(dealer, kRefusedWait));
  }
  // Every keyed handshake reached the ZAP handler and was refused (counted in status).
  CHECK(testing::WaitUntil([&] { return RefusedCount(cluster, "nodes") >= refused_before + keyed_attackers; },
                  kFailoverTimeout));
  RequireServing(cluster, *before);
}

TEST_CASE("security: only node and broker keys read the bus, others get no write", "[integration][security]") {
  Cluster cluster(SecureOptions());
  RequireStarted(cluster);
  const std::optional<PrimaryView> before = RequirePrimary(cluster, kFailoverTimeout);
  const security::ClusterKeyLayout keys(cluster.dir().path());
  const CurveKey primary_key = PublicOf(keys.NodeKey(before->id));
  const std::string bus = cluster.layout().node(before->id)->bus.Tcp();
  zmq::context_t context;
  auto subscribe = [&](const std::optional<CurveKeyPair>& pair) {
    zmq::socket_t sub = Socket(context, zmq::socket_type::sub, pair, primary_key);
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect(bus);
    return sub;
  };
  Client writer = cluster.NewClient();
  // The primary heartbeats on the bus every 100 ms, so a subscriber that got
  // in sees frames within kRefusedWait; a write makes sure of one more.
  auto hears = [&](zmq::socket_t& sub) {
    REQUIRE(writer.Put({Pair{{"bus", "probe"}, {"1"}}}).ok());
    return Readable(sub, kRefusedWait);
  };
  for (const Attacker& attacker : Attackers(cluster)) {
    INFO("attacker: " << attacker.name);
    zmq::socket_t sub = subscribe(attacker.pair);
    CHECK_FALSE(hears(sub));
  }
  SECTION("control: a broker key is admitted (a node admits nodes and brokers)") {
    Result<CurveKeyPair> broker_pair = security::ReadKeyPair(keys.BrokerKey(1));
    REQUIRE(broker_pair.ok());
    zmq::socket_t sub = subscribe(broker_pair.value());
    CHECK(testing::WaitUntil([&] { return hears(sub); }, kFailoverTimeout));
  }
}

TEST_CASE("security: no state transfer for a process without a node key", "[integration][security]") {
  Cluster cluster(SecureOptions());
  RequireStarted(cluster);
  const std::optional<PrimaryView> before = RequirePrimary(cluster, kFailoverTimeout);
  const security::ClusterKeyLayout keys(cluster.dir().path());
  const CurveKey primary_key = PublicOf(keys.NodeKey(before->id));
  const std::string transfer = cluster.layout().node(before->id)->transfer.Tcp();
  zmq::context_t context;
  const std::string request = cluster::EncodePeerMessage(cluster::StateTransferRequest{9, 1, before->term, {}});
  for (const Attacker& attacker : Attackers(cluster)) {
    INFO("attacker: " << attacker.name);
    zmq::socket_t dealer = Socket(context, zmq::socket_type::dealer, attacker.pair, primary_key);
    dealer.connect(transfer);
    dealer.send(zmq::buffer(request), zmq::send_flags::dontwait);
    CHECK_FALSE(Readable(dealer, kRefusedWait));
  }
  RequireServing(cluster, *before);
}

TEST_CASE("security: only the admin key shuts the service down, and an unknown client gets nothing",
          "[integration][security]") {
  Cluster cluster(SecureOptions());
  RequireStarted(cluster);
  const std::optional<PrimaryView> before = RequirePrimary(cluster, kFailoverTimeout);
  const security::ClusterKeyLayout keys(cluster.dir().path());
  const CurveKey broker_key = PublicOf(keys.BrokerKey(1));
  ClientOptions quick;
  quick.request_timeout = kRefusedWait;
  quick.retries = 0;
  std::vector<Attacker> attackers = Attackers(cluster);
  for (const Attacker& attacker : attackers) {
    if (attacker.name == "the admin key") continue;
    INFO("attacker: " << attacker.name);
    ClientOptions options = quick;
    if (attacker.pair) options.curve = ClientCurve{*attacker.pair, broker_key};
    else options.curve.reset();
    Result<Reply> shutdown = SendShutdown(cluster.shutdown_endpoint(), options);
    CHECK_FALSE(shutdown.ok());
    if (attacker.name == "an unknown key" || attacker.name == "no key (plain text)") {
      Client stranger(cluster.client_endpoint(), options);
      CHECK_FALSE(stranger.Get("after", ".*").ok());
    }
  }
  RequireServing(cluster, *before);

  ClientOptions admin = quick;
  admin.request_timeout = Millis(8'000);
  Result<std::optional<ClientCurve>> admin_curve = launcher::LauncherCurve(cluster.layout(), KeyRole::kAdmin);
  REQUIRE(admin_curve.ok());
  admin.curve = admin_curve.value();
  Result<Reply> shutdown = SendShutdown(cluster.shutdown_endpoint(), admin);
  REQUIRE(shutdown.ok());
  CHECK(shutdown.value().ok());
  for (uint32_t id : cluster.node_ids()) {
    INFO("node " << id);
    CHECK(cluster.node(id).Wait(kProcessExitTimeout) == std::optional<int>(0));
  }
}

}  // namespace ts::itest

namespace ts::itest {

TEST_CASE("security: tsnode and tsbroker given neither --keys nor --insecure exit 4 before opening a link",
          "[integration][security]") {
  TempDir dir;
  const std::string endpoint = testing::LoopbackEndpoint(testing::FreeTcpPort());
  struct Case {
    std::string binary;
    std::vector<std::string> arguments;
  };
  const std::vector<Case> cases = {
      {"nodes/tsnode", {"--id", "1", "--bus", endpoint, "--transfer", testing::LoopbackEndpoint(testing::FreeTcpPort()),
                        "--broker", testing::LoopbackEndpoint(testing::FreeTcpPort())}},
      {"brokers/tsbroker", {"--clients", endpoint, "--nodes", testing::LoopbackEndpoint(testing::FreeTcpPort()),
                            "--shutdown", testing::LoopbackEndpoint(testing::FreeTcpPort()), "--cluster-size", "3"}}};
  for (const Case& test : cases) {
    INFO(test.binary);
    ChildProcess process(testing::BinaryPath(test.binary), test.arguments, dir / "out.log");
    std::optional<int> code = process.Wait(kProcessExitTimeout);
    const std::string log = process.log();
    INFO("log:\n" << log);
    REQUIRE(code.has_value());
    CHECK(*code == 4);
    CHECK(log.find("no keys given") != std::string::npos);
    CHECK(log.find("--insecure") != std::string::npos);
    // Nothing was bound: the port is still free.
    CHECK_FALSE(launcher::PortInUse(std::stoi(endpoint.substr(endpoint.rfind(':') + 1))));
    std::filesystem::remove(dir / "out.log");
  }
}

}  // namespace ts::itest

namespace ts::itest {

TEST_CASE("security: a client key copied into keys/clients is served after SIGHUP to the broker, not before",
          "[integration][security]") {
  Cluster cluster(SecureOptions());
  RequireStarted(cluster);
  const security::ClusterKeyLayout keys(cluster.dir().path());
  Result<CurveKeyPair> analyst = security::GenerateCurveKeyPair();
  REQUIRE(analyst.ok());
  Result<CurveKey> broker_key = security::ReadPublicKeyFile(security::PublicKeyPath(keys.BrokerKey(1)));
  REQUIRE(broker_key.ok());
  ClientOptions options;
  options.request_timeout = kRefusedWait;
  options.retries = 0;
  options.curve = ClientCurve{analyst.value(), broker_key.value()};

  REQUIRE(security::WritePublicKeyFile(keys.RoleDir(KeyRole::kClient) / "analyst.pub", analyst.value().public_key)
              .ok());
  {
    Client before_reload(cluster.client_endpoint(), options);
    CHECK_FALSE(before_reload.Get("a", ".*").ok());  // listed on disk, not yet loaded
  }
  cluster.broker().Signal(SIGHUP);
  const bool served = testing::WaitUntil(
      [&] {
        Client client(cluster.client_endpoint(), options);
        Result<Reply> reply = client.Get("a", ".*");
        return reply.ok() && reply.value().ok();
      },
      kFailoverTimeout);
  CHECK(served);
  CHECK(cluster.broker().log().find("SIGHUP: allow-lists reloaded") != std::string::npos);
}

}  // namespace ts::itest
