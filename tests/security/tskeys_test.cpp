// The tskeys binary as the launcher will call it: exit codes, what it
// prints (never a secret), and that a second run changes nothing.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "tests/support/process.h"

using namespace ts::security;
using namespace ts::testing;
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::milliseconds kToolTimeout = std::chrono::seconds(30);

struct ToolRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

ToolRun RunTskeys(const TempDir& dir, std::vector<std::string> arguments) {
  static int runs = 0;
  const std::string log = dir / ("tskeys-" + std::to_string(runs++) + ".log");
  ChildProcess tool(BinaryPath("common/security/tskeys"), std::move(arguments), log);
  const std::optional<int> code = tool.Wait(kToolTimeout);
  REQUIRE(code);
  return {*code, tool.log()};
}

std::string SecretText(const fs::path& base) {
  ts::Result<CurveKey> secret = ReadSecretKeyFile(SecretKeyPath(base));
  REQUIRE(secret.ok());
  return EncodeZ85Key(secret.value());
}

}  // namespace

TEST_CASE("tskeys cluster: makes the layout once, then keeps it", "[security][tskeys]") {
  TempDir dir;
  const fs::path cluster = dir.path() / "cluster";
  ToolRun first = RunTskeys(dir, {"cluster", cluster.string(), "--nodes", "1,2,3", "--brokers", "1"});
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const ClusterKeyLayout layout(cluster);
  for (const fs::path& base : {layout.NodeKey(1), layout.NodeKey(2), layout.NodeKey(3), layout.BrokerKey(1),
                               layout.AdminKey(), layout.ClientKey()}) {
    CHECK_THAT(first.output, Catch::Contains("created " + base.string()));
    REQUIRE(ReadKeyPair(base).ok());
    CHECK_THAT(first.output, !Catch::Contains(SecretText(base)));
  }
  const std::string admin_secret = SecretText(layout.AdminKey());

  ToolRun second = RunTskeys(dir, {"cluster", cluster.string(), "--nodes", "1,2,3", "--brokers", "1"});
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.output, Catch::Contains("kept " + layout.AdminKey().string()) && !Catch::Contains("created"));
  CHECK(SecretText(layout.AdminKey()) == admin_secret);

  ToolRun zero = RunTskeys(dir, {"cluster", cluster.string(), "--nodes", "0"});
  CHECK(zero.exit_code == 2);
}

TEST_CASE("tskeys keygen and fingerprint: one pair, never overwritten, refused when exposed",
          "[security][tskeys]") {
  TempDir dir;
  const fs::path base = dir.path() / "ops" / "analyst";
  ToolRun made = RunTskeys(dir, {"keygen", "--out", base.string()});
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  ts::Result<CurveKeyPair> pair = ReadKeyPair(base);
  REQUIRE(pair.ok());
  const std::string fingerprint = KeyFingerprint(pair.value().public_key);
  CHECK_THAT(made.output, Catch::Contains(fingerprint) && !Catch::Contains(EncodeZ85Key(pair.value().secret_key)));

  ToolRun again = RunTskeys(dir, {"keygen", "--out", base.string()});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Catch::Contains(SecretKeyPath(base).string()) && Catch::Contains("never overwritten"));
  CHECK(ReadKeyPair(base).value().secret_key == pair.value().secret_key);

  ToolRun printed = RunTskeys(dir, {"fingerprint", PublicKeyPath(base).string(), SecretKeyPath(base).string()});
  REQUIRE(printed.exit_code == 0);
  CHECK_THAT(printed.output, Catch::Contains(fingerprint + "  " + PublicKeyPath(base).string()) &&
                                 Catch::Contains(fingerprint + "  " + SecretKeyPath(base).string()));

  REQUIRE(::chmod(SecretKeyPath(base).c_str(), 0644) == 0);
  ToolRun exposed = RunTskeys(dir, {"fingerprint", SecretKeyPath(base).string()});
  CHECK(exposed.exit_code == 1);
  CHECK_THAT(exposed.output, Catch::Contains("chmod 600 " + SecretKeyPath(base).string()));

  CHECK(RunTskeys(dir, {}).exit_code == 2);
}
