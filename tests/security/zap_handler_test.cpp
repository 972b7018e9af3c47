// The ZAP handler as a thread (its frames, one per context, reload, stop),
// SocketSecurity's refusals, and the ZMTP greeting check every cluster
// endpoint will get.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/security/allow_list_files.h"
#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "tests/security/secure_sockets.h"
#include "tests/support/process.h"
#include "tests/support/zmtp_greeting.h"

using namespace ts::security;
using namespace ts::security::testing;
using ts::testing::ReadZmtpGreeting;
using ts::testing::TempDir;
using ts::testing::WaitUntil;
namespace fs = std::filesystem;

namespace {

// One request to the handler's endpoint, as libzmq would send it.
std::vector<std::string> AskHandler(zmq::context_t& context, const std::vector<std::string>& frames) {
  zmq::socket_t asker(context, zmq::socket_type::req);
  asker.set(zmq::sockopt::linger, 0);
  asker.connect(kZapEndpoint);
  for (size_t i = 0; i < frames.size(); ++i) {
    asker.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  std::optional<std::vector<std::string>> reply = Receive(asker, kWait);
  REQUIRE(reply);
  return *reply;
}

std::string Raw(const CurveKey& key) { return std::string(key.begin(), key.end()); }

}  // namespace

TEST_CASE("zap handler: answers RFC 27 requests, and 500 to junk", "[security][handler]") {
  SecureWorld world;
  const std::vector<std::string> admitted =
      AskHandler(world.server_context, {"1.0", "r1", "nodes", "10.1.2.3", "", "CURVE", Raw(world.node.public_key)});
  CHECK(admitted == std::vector<std::string>{"1.0", "r1", "200", "OK", "node/node-1", ""});
  const std::vector<std::string> refused =
      AskHandler(world.server_context, {"1.0", "r2", "nodes", "10.1.2.3", "", "CURVE", Raw(world.client.public_key)});
  CHECK(refused == std::vector<std::string>{"1.0", "r2", "400", "refused", "", ""});
  const std::vector<std::string> junk = AskHandler(world.server_context, {"1.0", "r3", "nodes"});
  CHECK(junk.at(2) == "500");
  CHECK(junk.at(1) == "r3");
  const std::vector<std::string> unlisted =
      AskHandler(world.server_context, {"1.0", "r4", "global", "", "", "CURVE", Raw(world.admin.public_key)});
  CHECK(unlisted.at(2) == "400");

  CHECK(world.zap->admitted(zap_domain::kNodes) == 1);
  CHECK(world.zap->refused(zap_domain::kNodes) == 1);
  CHECK(world.zap->refused(kUnlistedDomain) == 1);
  CHECK(world.zap->malformed_requests() == 1);
  const std::vector<ZapDomainCount> counts = world.zap->Counts();
  CHECK(counts.size() == ClusterDomainRules().size() + 1);
}

TEST_CASE("zap handler: one per context, a failed first load is an error, and it ends when asked",
          "[security][handler]") {
  SecureWorld world;
  auto second = ZapHandler::Start(world.server_context, [] { return ts::Result<AllowList>(AllowList{}); });
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.error().message, Catch::Contains(kZapEndpoint) && Catch::Contains("already"));

  zmq::context_t other;
  auto broken = ZapHandler::Start(other, [] {
    return ts::Result<AllowList>(ts::Error{ts::ErrorKind::kInternal, "keys/clients/typo.pub: not a CURVE key"});
  });
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(broken.error().message, Catch::Contains("typo.pub"));

  REQUIRE(world.zap->running());
  world.zap.reset();  // joins: the loop sees the stop flag within one poll interval
  // The endpoint is free again: a new handler binds it (libzmq closes a
  // socket, and so unbinds it, on its reaper thread: a moment later).
  std::unique_ptr<ZapHandler> again;
  REQUIRE(WaitUntil(
      [&] {
        auto started = ZapHandler::Start(world.server_context, [] { return ts::Result<AllowList>(AllowList{}); });
        if (started.ok()) again = std::move(started).value();
        return again != nullptr;
      },
      kWait));
  CHECK(again->running());
}

TEST_CASE("zap handler: client keys are read again on Reload, a broken reload keeps the old ones",
          "[security][handler]") {
  TempDir dir;
  REQUIRE(EnsureClusterKeys(dir.path(), std::vector<uint32_t>{1}, std::vector<uint32_t>{1}).ok());
  const ClusterKeyLayout layout(dir.path());
  ts::Result<CurveKeyPair> broker = ReadKeyPair(layout.BrokerKey(1));
  REQUIRE(broker.ok());
  zmq::context_t server_context;
  zmq::context_t client_context;
  ZapHandlerOptions options;
  options.poll_interval = kTestZapPoll;
  auto started = ZapHandler::Start(server_context, AllowListLoader(layout.AllowListSources()), options);
  REQUIRE(started.ok());
  std::unique_ptr<ZapHandler> zap = std::move(started).value();
  std::string endpoint;
  zmq::socket_t server = BindServer(SocketSecurity::CurveServer(*zap, broker.value()), zmq::socket_type::router,
                                    zap_domain::kClients, endpoint);

  // A new analyst's key, not yet in keys/clients/.
  const fs::path analyst = dir.path() / "analyst";
  const CurveKeyPair analyst_pair = NewPair();
  REQUIRE(WriteKeyPair(analyst, analyst_pair).ok());
  {
    zmq::socket_t early = ConnectClient(client_context, zmq::socket_type::dealer, &analyst_pair,
                                        broker.value().public_key, endpoint);
    early.send(zmq::str_buffer("get"), zmq::send_flags::none);
    REQUIRE(WaitUntil([&] { return zap->refused(zap_domain::kClients) >= 1; }, kWait));
  }
  CHECK(NothingWaiting(server));

  fs::copy_file(PublicKeyPath(analyst), layout.RoleDir(KeyRole::kClient) / "analyst.pub");
  REQUIRE(zap->Reload().ok());
  {
    zmq::socket_t admitted = ConnectClient(client_context, zmq::socket_type::dealer, &analyst_pair,
                                           broker.value().public_key, endpoint);
    admitted.send(zmq::str_buffer("get"), zmq::send_flags::none);
    zmq::message_t data;
    std::optional<std::vector<std::string>> got = Receive(server, kWait, &data);
    REQUIRE(got);
    CHECK(got->back() == "get");
    REQUIRE(PeerOf(data));
    CHECK(PeerOf(data)->name == "analyst");
  }

  // A typo in the folder: the reload fails, naming the file, and the keys stay.
  std::ofstream(layout.RoleDir(KeyRole::kClient) / "typo.pub") << "oops\n";
  ts::Status failed = zap->Reload();
  REQUIRE_FALSE(failed.ok());
  CHECK_THAT(failed.error().message, Catch::Contains("typo.pub"));
  {
    zmq::socket_t still = ConnectClient(client_context, zmq::socket_type::dealer, &analyst_pair,
                                        broker.value().public_key, endpoint);
    still.send(zmq::str_buffer("get again"), zmq::send_flags::none);
    std::optional<std::vector<std::string>> got = Receive(server, kWait);
    REQUIRE(got);
    CHECK(got->back() == "get again");
  }

  // Removing the key: the next handshake is refused.
  fs::remove(layout.RoleDir(KeyRole::kClient) / "typo.pub");
  fs::remove(layout.RoleDir(KeyRole::kClient) / "analyst.pub");
  REQUIRE(zap->Reload().ok());
  const uint64_t refused_before = zap->refused(zap_domain::kClients);
  zmq::socket_t late = ConnectClient(client_context, zmq::socket_type::dealer, &analyst_pair,
                                     broker.value().public_key, endpoint);
  late.send(zmq::str_buffer("get"), zmq::send_flags::none);
  REQUIRE(WaitUntil([&] { return zap->refused(zap_domain::kClients) > refused_before; }, kWait));
  CHECK(NothingWaiting(server));
  late.close();
  server.close();
}

TEST_CASE("socket security: no server it cannot guard, no client without the server's key",
          "[security][handler]") {
  SecureWorld world;
  const SocketSecurity server_side = world.ServerSide();
  ts::Result<zmq::socket_t> unknown = server_side.Server(zmq::socket_type::router, "everyone");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("everyone"));

  const SocketSecurity client_only = SocketSecurity::CurveClient(world.client_context, world.client);
  CHECK_FALSE(client_only.Server(zmq::socket_type::router, zap_domain::kClients).ok());
  ts::Result<zmq::socket_t> keyless = client_only.Client(zmq::socket_type::dealer, std::nullopt);
  REQUIRE_FALSE(keyless.ok());
  CHECK_THAT(keyless.error().message, Catch::Contains("public key"));
  CHECK(client_only.Client(zmq::socket_type::dealer, world.broker.public_key).ok());

  zmq::socket_t plain(world.server_context, zmq::socket_type::router);
  CHECK_FALSE(MakeCurveServer(plain, world.broker.secret_key, "").ok());  // a domain is required
}

TEST_CASE("zmtp greeting: a CURVE endpoint offers CURVE, a plain-text one NULL", "[security][greeting]") {
  ScopedLogCapture capture;  // --insecure's warning goes here
  SecureWorld world;
  std::string curve_endpoint;
  zmq::socket_t curve =
      BindServer(world.ServerSide(), zmq::socket_type::router, zap_domain::kClients, curve_endpoint);
  std::string plain_endpoint;
  const SocketSecurity insecure = SocketSecurity::Insecure(world.server_context);
  CHECK(insecure.insecure());
  CHECK(capture.log().Contains("--insecure"));
  zmq::socket_t plain = BindServer(insecure, zmq::socket_type::router, zap_domain::kClients, plain_endpoint);

  ts::Result<ts::testing::ZmtpGreeting> curve_greeting = ReadZmtpGreeting(curve_endpoint, kWait);
  INFO((curve_greeting.ok() ? "" : curve_greeting.error().message));
  REQUIRE(curve_greeting.ok());
  CHECK(curve_greeting.value().major == 3);
  CHECK(curve_greeting.value().mechanism == "CURVE");

  ts::Result<ts::testing::ZmtpGreeting> plain_greeting = ReadZmtpGreeting(plain_endpoint, kWait);
  REQUIRE(plain_greeting.ok());
  CHECK(plain_greeting.value().mechanism == "NULL");

  // Nobody listening: an error naming the endpoint, within the timeout.
  const std::string closed = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ts::Result<ts::testing::ZmtpGreeting> nobody = ReadZmtpGreeting(closed, kWait);
  REQUIRE_FALSE(nobody.ok());
  CHECK_THAT(nobody.error().message, Catch::Contains(closed));
}
