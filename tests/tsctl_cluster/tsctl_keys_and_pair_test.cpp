// The built tsctl against real clusters, on the two things a user meets when
// a cluster is not the single open broker of old:
//  - keys (issue 12): a CURVE cluster reached without a key, with a key the
//    broker does not know, and an open cluster reached with a key each say
//    at once what to do (TUPLESTAR_KEY, --key FILE, DIR/keys/clients/client),
//    exit 3, instead of waiting out the attempts as "no reply";
//  - the broker pair (issue 11): `tsctl shutdown` with the list of shutdown
//    endpoints, broker 1 killed, stops every node and broker 2 (the path
//    `./run.sh down` takes), broker 1 costing one attempt.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "clients/client_transport.h"
#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "tests/client/run_tool.h"
#include "tests/integration/cluster_fixture.h"

using namespace std::chrono_literals;
using ts::itest::Cluster;
using ts::itest::ClusterOptions;
using ts::testing::RunTool;
using ts::testing::ToolRun;

namespace {

constexpr auto kToolDeadline = 30s;
constexpr int kTsctlTimeoutMs = 5'000;  // one attempt; a key verdict comes long before it

ToolRun Tsctl(const std::vector<std::string>& arguments) {
  return RunTool(ts::testing::BinaryPath("clients/tsctl"), arguments, kToolDeadline);
}

std::vector<std::string> Flags(const std::string& broker, std::vector<std::string> more = {}) {
  std::vector<std::string> flags = {"--broker", broker, "--timeout-ms", std::to_string(kTsctlTimeoutMs), "--retries",
                                    "0"};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

ClusterOptions Keyed(bool curve) {
  ClusterOptions options;
  options.curve = curve;
  options.save_files = false;
  options.liveness = 10;
  return options;
}

}  // namespace

TEST_CASE("tsctl keys: a CURVE cluster without a key says to give one, and where it is", "[tsctl_cluster][keys]") {
  Cluster cluster(Keyed(true));
  REQUIRE(cluster.Start());
  const std::string broker = ts::SplitEndpoints(cluster.client_endpoint()).at(0);
  const auto start = std::chrono::steady_clock::now();
  // The environment must not hand it a key behind the test's back.
  ::unsetenv("TUPLESTAR_KEY");
  ::unsetenv("TUPLESTAR_SERVER_KEY");
  ToolRun run = Tsctl(Flags(broker, {"get", "x", ".*"}));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains(broker + " ") && Catch::Contains("this client has no key"));
  CHECK_THAT(run.err, Catch::Contains("--key FILE"));
  CHECK_THAT(run.err, Catch::Contains("TUPLESTAR_KEY"));
  CHECK_THAT(run.err, Catch::Contains("DIR/keys/clients/client"));
  CHECK(elapsed < std::chrono::milliseconds(kTsctlTimeoutMs));  // at once, not after the attempt

  // With the cluster's client key it is served (the message's advice works).
  const ts::security::ClusterKeyLayout keys(cluster.dir().path());
  ToolRun keyed = Tsctl(Flags(broker, {"--key", keys.ClientKey().string(), "get", "x", ".*"}));
  INFO("keyed stderr: " << keyed.err);
  CHECK(keyed.exit_code == 0);
}

TEST_CASE("tsctl keys: a key the broker does not know is named as refused, with the fix", "[tsctl_cluster][keys]") {
  Cluster cluster(Keyed(true));
  REQUIRE(cluster.Start());
  const std::string broker = ts::SplitEndpoints(cluster.client_endpoint()).at(0);
  const ts::security::ClusterKeyLayout keys(cluster.dir().path());
  // A stranger's pair, with the cluster's broker key to talk to.
  ts::testing::TempDir elsewhere;
  const std::filesystem::path stranger = std::filesystem::path(elsewhere.path()) / "stranger";
  ts::Result<ts::security::CurveKeyPair> pair = ts::security::GenerateCurveKeyPair();
  REQUIRE(pair.ok());
  REQUIRE(ts::security::WriteKeyPair(stranger, pair.value()).ok());
  const std::string broker_key = ts::security::PublicKeyPath(keys.BrokerKey(1)).string();
  ToolRun run = Tsctl(Flags(broker, {"--key", stranger.string(), "--server-key", broker_key, "get", "x", ".*"}));
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains(broker + " refused this client's key"));
  CHECK_THAT(run.err, Catch::Contains("DIR/keys/clients/client"));
}

TEST_CASE("tsctl keys: an open cluster reached with a key says to drop it", "[tsctl_cluster][keys]") {
  Cluster keyed_cluster(Keyed(true));  // only for a valid pair of key files
  REQUIRE(keyed_cluster.Start());
  const ts::security::ClusterKeyLayout keys(keyed_cluster.dir().path());
  Cluster open_cluster(Keyed(false));
  REQUIRE(open_cluster.Start());
  const std::string broker = ts::SplitEndpoints(open_cluster.client_endpoint()).at(0);
  ToolRun run = Tsctl(Flags(broker, {"--key", keys.ClientKey().string(), "get", "x", ".*"}));
  INFO("stdout: " << run.out << "\nstderr: " << run.err);
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::Contains(broker + " is an open endpoint"));
  CHECK_THAT(run.err, Catch::Contains("without --key"));
  CHECK_THAT(run.err, Catch::Contains("TUPLESTAR_KEY unset"));
}

TEST_CASE("tsctl pair: shutdown through the list with broker 1 killed stops every node and broker 2",
          "[tsctl_cluster][pair]") {
  ClusterOptions options;
  options.broker_count = 2;
  options.liveness = 10;
  Cluster cluster(options);
  REQUIRE(cluster.Start());
  cluster.broker(1).Signal(SIGKILL);
  REQUIRE(cluster.broker(1).Wait(ts::itest::kProcessExitTimeout).has_value());

  const auto start = std::chrono::steady_clock::now();
  ToolRun shutdown = Tsctl(Flags(cluster.client_endpoint(),
                                 {"--shutdown-endpoint", cluster.shutdown_endpoint(), "--retries", "2", "shutdown"}));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  INFO("stdout: " << shutdown.out << "\nstderr: " << shutdown.err);
  CHECK(shutdown.exit_code == 0);
  CHECK(shutdown.out == "OK, shutdown acknowledged: the service saves its data and stops\n");
  CHECK(elapsed < std::chrono::milliseconds(2 * kTsctlTimeoutMs));  // one attempt at the dead broker, at most
  CHECK(cluster.broker(2).Wait(ts::itest::kProcessExitTimeout) == 0);
  for (uint32_t id : cluster.node_ids()) {
    INFO("node " << id);
    CHECK(cluster.node(id).Wait(ts::itest::kProcessExitTimeout) == 0);
  }
}
