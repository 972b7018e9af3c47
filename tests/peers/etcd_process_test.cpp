// etcd_bench and etcd_cluster.sh against a real 3-member etcd on free
// loopback ports (skipped, with the reason, when etcd is not installed).
#include <catch2/catch.hpp>

#include <sstream>

#include "tests/peers/peer_servers.h"

using namespace ts::testing;
using namespace ts::testing::peers;

namespace {

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, separator);) parts.push_back(part);
  return parts;
}

bool ProcessRunning(const std::string& pid) {
  const std::string stat = ReadFile("/proc/" + pid + "/stat");
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

}  // namespace

TEST_CASE("etcd_cluster.sh starts 3 healthy members and stop removes them", "[peers][etcd][process]") {
  EtcdCluster cluster;
  if (!cluster.skip_reason().empty()) {
    WARN("skipped: " << cluster.skip_reason());
    return;
  }
  INFO(cluster.start_output());
  REQUIRE_FALSE(cluster.endpoints().empty());
  const std::vector<std::string> endpoints = Split(cluster.endpoints(), ',');
  REQUIRE(endpoints.size() == 3);
  std::vector<std::string> pids;
  for (int i = 1; i <= 3; ++i) {
    pids.push_back(ReadFile(cluster.dir() / ("etcd-cluster/m" + std::to_string(i) + ".pid")));
    while (!pids.back().empty() && pids.back().back() == '\n') pids.back().pop_back();
    CHECK(ProcessRunning(pids.back()));
  }
  std::optional<ToolRun> members = cluster.Ctl(cluster.endpoints(), {"member", "list"});
  REQUIRE(members);
  CHECK(members->exit_code == 0);
  CHECK(Split(members->output, '\n').size() == 3);
  std::optional<ToolRun> health = cluster.Ctl(cluster.endpoints(), {"endpoint", "health"});
  REQUIRE(health);
  CHECK(health->exit_code == 0);

  std::optional<ToolRun> stop = cluster.Stop();
  REQUIRE(stop);
  CHECK(stop->exit_code == 0);
  for (const std::string& pid : pids) CHECK_FALSE(ProcessRunning(pid));
  for (int i = 1; i <= 3; ++i) {
    CHECK_FALSE(std::filesystem::exists(cluster.dir() / ("etcd-cluster/m" + std::to_string(i) + ".etcd")));
    CHECK(std::filesystem::exists(cluster.dir() / ("etcd-cluster/m" + std::to_string(i) + ".log")));
  }
}

TEST_CASE("etcd_bench: every write it reports is readable from every member", "[peers][etcd][process]") {
  EtcdCluster cluster;
  if (!cluster.skip_reason().empty()) {
    WARN("skipped: " << cluster.skip_reason());
    return;
  }
  INFO(cluster.start_output());
  REQUIRE_FALSE(cluster.endpoints().empty());
  std::optional<ToolRun> run =
      RunTool(cluster.dir(), DriverPath("etcd_bench"),
              {"--endpoints", cluster.endpoints(), "--clients", "2", "--depth", "3", "--warmup-s", "0", "--duration-s",
               "60", "--max-requests", "300", "--nonce", "Tetcd", "--json"},
              kDriverTimeout);
  REQUIRE(run);
  INFO(run->output);
  REQUIRE(run->exit_code == 0);
  const nlohmann::json result = JsonLine(run->output);
  CHECK(result["system"] == "etcd");
  CHECK(result["ops"] == 300);
  CHECK(result["errors"] == 0);
  CHECK(result["settings"]["api"] == "json-gateway");
  for (const std::string& endpoint : Split(cluster.endpoints(), ',')) {
    INFO(endpoint);
    // A linearizable read of the run's keys, on each member.
    std::optional<ToolRun> count =
        cluster.Ctl(endpoint, {"get", "wTetcd-", "--prefix", "--keys-only", "--consistency=l", "--write-out=json"});
    REQUIRE(count);
    REQUIRE(count->exit_code == 0);
    const nlohmann::json counted = JsonLine(count->output);
    CHECK(counted["count"] == 300);
    CHECK(counted["kvs"].size() == 300);
  }
}

TEST_CASE("etcd_bench: linearizable reads of the preloaded key space find every key", "[peers][etcd][process]") {
  EtcdCluster cluster;
  if (!cluster.skip_reason().empty()) {
    WARN("skipped: " << cluster.skip_reason());
    return;
  }
  INFO(cluster.start_output());
  REQUIRE_FALSE(cluster.endpoints().empty());
  std::optional<ToolRun> run =
      RunTool(cluster.dir(), DriverPath("etcd_bench"),
              {"--endpoints", cluster.endpoints(), "--workload", "read", "--preload", "--key-space", "300", "--clients",
               "2", "--depth", "2", "--warmup-s", "0", "--duration-s", "60", "--max-requests", "200", "--json"},
              kDriverTimeout);
  REQUIRE(run);
  INFO(run->output);
  REQUIRE(run->exit_code == 0);
  const nlohmann::json result = JsonLine(run->output);
  CHECK(result["ops"] == 200);
  CHECK(result["missing"] == 0);
  CHECK(result["errors"] == 0);
  CHECK(result["settings"]["consistency"] == "linearizable");
  CHECK(result["settings"]["preload"]["written"] == 300);
}

TEST_CASE("etcd_bench refuses a bad endpoint with a message naming it", "[peers][etcd][process]") {
  if (!Built(DriverPath("etcd_bench"))) {
    WARN("skipped: etcd_bench was not built (cpp-httplib missing at configure time)");
    return;
  }
  TempDir dir;
  std::optional<ToolRun> run = RunTool(dir, DriverPath("etcd_bench"), {"--endpoints", "127.0.0.1:2379,localhost"});
  REQUIRE(run);
  CHECK(run->exit_code == 2);
  CHECK_THAT(run->output, Catch::Contains("endpoint \"localhost\" is not host:port"));
}
