// ProcessSecurity (what tsnode and tsbroker make of --keys / --insecure) and
// the client side's key loading (clients/client_keys.h), on real key files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <vector>
#include <zmq.hpp>

#include "clients/client_keys.h"
#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "common/security/process_security.h"
#include "tests/support/process.h"

namespace ts::security {
namespace {

using ts::testing::TempDir;

std::filesystem::path MakeKeys(const TempDir& dir) {
  const std::vector<uint32_t> nodes = {1, 2};
  const std::vector<uint32_t> brokers = {1};
  REQUIRE(EnsureClusterKeys(dir.path(), nodes, brokers).ok());
  return dir.path() / "keys";
}

bool Mentions(const Error& error, const std::string& text) { return error.message.find(text) != std::string::npos; }

}  // namespace

TEST_CASE("process security: neither --keys nor --insecure, or both, is an error naming both ways out",
          "[security][process]") {
  TempDir dir;
  zmq::context_t context;
  auto neither = ProcessSecurity::Open(context, SecurityFlags{}, {KeyRole::kNode, 1}, true);
  REQUIRE_FALSE(neither.ok());
  CHECK(Mentions(neither.error(), "no keys given"));
  CHECK(Mentions(neither.error(), "--insecure"));
  auto both = ProcessSecurity::Open(context, SecurityFlags{MakeKeys(dir).string(), true, ""}, {KeyRole::kNode, 1}, true);
  REQUIRE_FALSE(both.ok());
  CHECK(Mentions(both.error(), "both"));
}

TEST_CASE("process security: --keys must be a cluster's keys folder, and this process's pair must be in it",
          "[security][process]") {
  TempDir dir;
  zmq::context_t context;
  const std::filesystem::path keys = MakeKeys(dir);
  auto not_keys = ProcessSecurity::Open(context, SecurityFlags{dir.path().string(), false, ""}, {KeyRole::kNode, 1}, true);
  REQUIRE_FALSE(not_keys.ok());
  CHECK(Mentions(not_keys.error(), "DIR/keys"));
  auto no_pair = ProcessSecurity::Open(context, SecurityFlags{keys.string(), false, ""}, {KeyRole::kNode, 7}, true);
  REQUIRE_FALSE(no_pair.ok());
  CHECK(Mentions(no_pair.error(), "node-7"));
  std::filesystem::permissions(keys / "nodes" / "node-2.secret", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  auto loose = ProcessSecurity::Open(context, SecurityFlags{keys.string(), false, ""}, {KeyRole::kNode, 2}, true);
  REQUIRE_FALSE(loose.ok());
  CHECK(Mentions(loose.error(), "chmod 600"));
}

TEST_CASE("process security: with keys a server gets a running ZAP handler, its own key and its peers' keys",
          "[security][process]") {
  TempDir dir;
  zmq::context_t context;
  const std::filesystem::path keys = MakeKeys(dir);
  auto opened = ProcessSecurity::Open(context, SecurityFlags{keys.string(), false, ""}, {KeyRole::kNode, 1}, true);
  REQUIRE(opened.ok());
  ProcessSecurity& security = *opened.value();
  CHECK_FALSE(security.insecure());
  REQUIRE(security.zap() != nullptr);
  CHECK(security.zap()->running());
  CHECK(security.zap()->HasDomain(zap_domain::kNodeLink));
  CHECK(security.Describe().find("node/node-1") != std::string::npos);
  Result<CurveKey> peer = security.PeerKey(KeyRole::kNode, 2);
  REQUIRE(peer.ok());
  CHECK_FALSE(security.PeerKey(KeyRole::kNode, 9).ok());
  CHECK(security.sockets().Server(zmq::socket_type::pub, zap_domain::kNodeLink).ok());
  opened.value().reset();  // the handler's socket closes before the context
}

TEST_CASE("process security: --insecure makes plain sockets and says so", "[security][process]") {
  zmq::context_t context;
  auto opened = ProcessSecurity::Open(context, SecurityFlags{"", true, ""}, {KeyRole::kBroker, 1}, true);
  REQUIRE(opened.ok());
  CHECK(opened.value()->insecure());
  CHECK(opened.value()->zap() == nullptr);
  CHECK(opened.value()->Describe().find("insecure") != std::string::npos);
}

TEST_CASE("client keys: a pair in a keys folder finds the broker's key, and errors name the flag and file",
          "[security][client]") {
  TempDir dir;
  const std::filesystem::path keys = MakeKeys(dir);
  Result<std::optional<ClientCurve>> none = LoadClientCurve("", "");
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().has_value());

  for (const std::string& given : {(keys / "clients" / "client").string(), (keys / "clients" / "client.secret").string(),
                                   (keys / "clients" / "client.pub").string()}) {
    INFO(given);
    Result<std::optional<ClientCurve>> curve = LoadClientCurve(given, "");
    REQUIRE(curve.ok());
    REQUIRE(curve.value().has_value());
    Result<CurveKey> broker = ReadPublicKeyFile(keys / "brokers" / "broker-1.pub");
    REQUIRE(broker.ok());
    CHECK(curve.value()->server_public == broker.value());
  }
  Result<std::optional<ClientCurve>> missing = LoadClientCurve((dir.path() / "nope").string(), "");
  REQUIRE_FALSE(missing.ok());
  CHECK(Mentions(missing.error(), "--key"));
  Result<std::optional<ClientCurve>> server_only = LoadClientCurve("", (keys / "brokers" / "broker-1.pub").string());
  REQUIRE_FALSE(server_only.ok());
  CHECK(Mentions(server_only.error(), "needs --key"));
}

}  // namespace ts::security
