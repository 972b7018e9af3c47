// redis_wait_bench against a real redis-server and its replica, started here
// on free ports (skipped, with the reason, when Redis is not installed).
#include <catch2/catch.hpp>

#include "tests/peers/peer_servers.h"

using namespace ts::testing;
using namespace ts::testing::peers;

namespace {

struct DriverRun {
  int exit_code = -1;
  nlohmann::json result;
  std::string output;
};

DriverRun RunRedisDriver(const RedisServers& servers, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), {"--port", std::to_string(servers.master_port()), "--json"});
  std::optional<ToolRun> run = RunTool(servers.dir(), DriverPath("redis_wait_bench"), arguments, kDriverTimeout);
  if (!run) return {};
  return {run->exit_code, JsonLine(run->output), run->output};
}

// A master and a replica, linked; false (with a message) when they did not come up.
bool Ready(const RedisServers& servers, bool with_replica) {
  if (!WaitUntil([&] { return servers.MasterAnswers(); }, kReplicaLinkTimeout)) return false;
  return !with_replica || WaitUntil([&] { return servers.ReplicaLinked(); }, kReplicaLinkTimeout);
}

}  // namespace

TEST_CASE("redis_wait_bench: every write it reports is on the replica when it returns", "[peers][redis][process]") {
  RedisServers servers(/*with_replica=*/true);
  if (!servers.skip_reason().empty()) {
    WARN("skipped: " << servers.skip_reason());
    return;
  }
  REQUIRE(Ready(servers, true));
  uint64_t written = 0;
  for (const std::string mode : {"batch", "set"}) {
    INFO("--wait-per " << mode);
    const std::string nonce = "T" + mode;
    const DriverRun run = RunRedisDriver(servers, {"--clients", "4", "--depth", "8", "--wait-per", mode, "--warmup-s", "0",
                                                   "--duration-s", "60", "--max-requests", "2000", "--nonce", nonce});
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.result["system"] == "redis-wait");
    CHECK(run.result["ops"] == 2000);
    CHECK(run.result["errors"] == 0);
    CHECK(run.result["stopped_by_cap"] == true);
    CHECK(run.result["settings"]["wait_per"] == mode);
    CHECK_THAT(run.result["method"].get<std::string>(), Catch::Contains("WAIT 1 0"));
    written += 2000;
    // No waiting here: WAIT returned, so the replica already has every key.
    CHECK(servers.Cli(servers.replica_port(), {"DBSIZE"}) == std::optional<std::string>(std::to_string(written)));
    CHECK(servers.Cli(servers.replica_port(), {"EVAL", "return #redis.call('keys', ARGV[1])", "0", "w" + nonce + "-*"}) ==
          std::optional<std::string>("2000"));
    CHECK(servers.Cli(servers.replica_port(), {"EXISTS", "w" + nonce + "-0.0-0"}) == std::optional<std::string>("1"));
  }
  CHECK(servers.Cli(servers.master_port(), {"DBSIZE"}) == std::optional<std::string>(std::to_string(written)));
}

TEST_CASE("redis_wait_bench: without a replica no write is acknowledged (WAIT is really sent)", "[peers][redis][process]") {
  RedisServers servers(/*with_replica=*/false);
  if (!servers.skip_reason().empty()) {
    WARN("skipped: " << servers.skip_reason());
    return;
  }
  REQUIRE(Ready(servers, false));
  const DriverRun waiting = RunRedisDriver(servers, {"--clients", "2", "--depth", "4", "--warmup-s", "0", "--duration-s",
                                                     "0.5", "--timeout-ms", "200"});
  INFO(waiting.output);
  CHECK(waiting.exit_code == 1);  // nothing was acknowledged
  CHECK(waiting.result["ops"] == 0);
  CHECK(waiting.result["errors"].get<uint64_t>() >= 8);  // at least one round of 4 on each connection
  CHECK(waiting.result["errors_by_kind"].contains("timeout"));

  // The same writes without WAIT are acknowledged at once: the WAIT made the difference.
  const DriverRun plain = RunRedisDriver(servers, {"--clients", "2", "--depth", "4", "--warmup-s", "0", "--duration-s",
                                                   "0.5", "--timeout-ms", "200", "--replicas", "0"});
  INFO(plain.output);
  CHECK(plain.exit_code == 0);
  CHECK(plain.result["system"] == "redis-async");
  CHECK(plain.result["ops"].get<uint64_t>() > 0);
  CHECK(plain.result["errors"] == 0);
}

TEST_CASE("redis_wait_bench: reads of the preloaded key space find every key", "[peers][redis][process]") {
  RedisServers servers(/*with_replica=*/true);
  if (!servers.skip_reason().empty()) {
    WARN("skipped: " << servers.skip_reason());
    return;
  }
  REQUIRE(Ready(servers, true));
  const DriverRun run = RunRedisDriver(servers, {"--workload", "read", "--preload", "--key-space", "500", "--clients", "2",
                                                 "--depth", "16", "--warmup-s", "0", "--duration-s", "60",
                                                 "--max-requests", "1000"});
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.result["ops"] == 1000);
  CHECK(run.result["missing"] == 0);
  CHECK(run.result["errors"] == 0);
  CHECK(run.result["settings"]["preload"]["written"] == 500);
  CHECK(servers.Cli(servers.replica_port(), {"DBSIZE"}) == std::optional<std::string>("500"));
}

TEST_CASE("redis_wait_bench refuses bad flags with a clear message", "[peers][redis][process]") {
  if (!Built(DriverPath("redis_wait_bench"))) {
    WARN("skipped: redis_wait_bench was not built (hiredis missing at configure time)");
    return;
  }
  TempDir dir;
  std::optional<ToolRun> run = RunTool(dir, DriverPath("redis_wait_bench"), {"--wait-per", "each"});
  REQUIRE(run);
  CHECK(run->exit_code != 0);
  CHECK_THAT(run->output, Catch::Contains("--wait-per"));
  run = RunTool(dir, DriverPath("redis_wait_bench"), {"--nonce", "a-b"});
  REQUIRE(run);
  CHECK(run->exit_code == 2);
  CHECK_THAT(run->output, Catch::Contains("--nonce \"a-b\""));
}
