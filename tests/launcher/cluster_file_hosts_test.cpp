// One cluster file, two "hosts" on loopback: a file written by hand for 3
// nodes + 2 brokers, host A (broker 1, node 1) and host B (broker 2, nodes 2
// and 3) started by two `run.sh up --cluster FILE --host A|B` invocations,
// each supervising only its own parts; tsctl --cluster FILE reaches the
// service, and it is still served after the primary is killed.
#include "tests/launcher/launched_cluster.h"

#include <fstream>

#include "common/cluster_file/cluster_file.h"

namespace {

using namespace ts::launcher_test;

std::string Tsctl() { return std::string(TS_BINARY_DIR) + "/clients/tsctl"; }

ToolRun Ctl(const std::string& file, std::vector<std::string> words) {
  std::vector<std::string> all = {"--cluster", file, "--json", "--timeout-ms", "1000", "--retries", "1"};
  all.insert(all.end(), words.begin(), words.end());
  return RunTool(Tsctl(), all, kScriptDeadline);
}

// The cluster file, by hand: ports from `base` (each below base + kPortSpan).
std::string WriteFile(const TempDir& dir, int base) {
  auto ep = [base](int offset) { return "\"tcp://127.0.0.1:" + std::to_string(base + offset) + "\""; };
  auto node = [&](int id, const char* host) {
    return "{\"id\": " + std::to_string(id) + ", \"host\": \"" + host + "\", \"bus\": " + ep(8 + 2 * id) +
           ", \"transfer\": " + ep(9 + 2 * id) + ", \"data_dir\": \"" + (dir.path() / ("node-" + std::to_string(id))).string() +
           ".data\"}";
  };
  const std::string text = "{\n  \"insecure\": true,\n  \"timeouts\": {\"heartbeat_ms\": 100, \"liveness\": 3},\n"
                           "  \"brokers\": [\n    {\"id\": 1, \"host\": \"A\", \"clients\": " + ep(0) + ", \"nodes\": " +
                           ep(1) + ", \"shutdown\": " + ep(2) + "},\n    {\"id\": 2, \"host\": \"B\", \"clients\": " +
                           ep(3) + ", \"nodes\": " + ep(4) + ", \"shutdown\": " + ep(5) + "}],\n  \"nodes\": [\n    " +
                           node(1, "A") + ",\n    " + node(2, "B") + ",\n    " + node(3, "B") + "]\n}\n";
  const std::string path = (dir.path() / "cluster-2hosts.json").string();
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("cluster file: two hosts started from one file serve, and survive the primary's death", "[launcher][cluster_file]") {
  UseThisBuild();
  TempDir dir;
  const std::string file = WriteFile(dir, FreePortBase());
  REQUIRE(ts::cluster_file::LoadClusterFile(file).ok());
  LaunchedCluster host_a(dir, "host-a");
  LaunchedCluster host_b(dir, "host-b");

  ToolRun up_a = Script({"up", "--cluster", file, "--host", "A", "--dir", host_a.dir()});
  REQUIRE(up_a.exit_code == 0);
  CHECK_THAT(up_a.out, Catch::Contains("this host (A) runs broker, node 1"));
  ToolRun up_b = Script({"up", "--cluster", file, "--host", "B", "--dir", host_b.dir()});
  REQUIRE(up_b.exit_code == 0);
  CHECK_THAT(up_b.out, Catch::Contains("this host (B) runs broker 2, node 2, node 3"));

  // Each launcher wrote the file its parts start from, and started only its own.
  auto written = ts::cluster_file::LoadClusterFile(host_b.file("cluster.json"));
  REQUIRE(written.ok());
  CHECK(written.value().cluster_size() == 3);
  CHECK_THAT(ReadFile(host_b.file("logs/node-2.log")), Catch::Contains("--cluster " + host_b.file("cluster.json") + " --id 2"));
  CHECK_FALSE(std::filesystem::exists(host_b.file("run/node-1.pid")));
  CHECK_FALSE(std::filesystem::exists(host_a.file("run/node-2.pid")));
  ToolRun status_b = host_b.Run("status");
  CHECK_THAT(status_b.out, Catch::Contains("node 3"));
  CHECK_THAT(status_b.out, !Catch::Contains("node 1  "));

  ToolRun put;
  REQUIRE(WaitUntil([&] { return (put = Ctl(file, {"put", "city,1", "oslo"})).exit_code == 0; }, 30s));
  const int primary = ServedBy(put.out);
  REQUIRE(primary >= 1);
  ToolRun get = Ctl(file, {"get", "city,1", ".*"});
  REQUIRE(get.exit_code == 0);
  CHECK_THAT(get.out, Catch::Contains("oslo"));

  LaunchedCluster& owner = primary == 1 ? host_a : host_b;
  ToolRun kill = owner.Run("kill", {std::to_string(primary)});
  REQUIRE(kill.exit_code == 0);
  ToolRun after;
  REQUIRE(WaitUntil([&] {
    after = Ctl(file, {"get", "city,1", ".*"});
    return after.exit_code == 0 && ServedBy(after.out) != primary && ServedBy(after.out) != 0;
  }, 30s));
  CHECK_THAT(after.out, Catch::Contains("oslo"));

  // down on one host stops only that host's parts.
  ToolRun down_a = host_a.Run("down");
  CHECK(down_a.exit_code == 0);
  CHECK_THAT(down_a.out + down_a.err, Catch::Contains("host A: its parts get SIGTERM"));
  CHECK(std::filesystem::exists(host_b.file("run/cluster.json")));
  CHECK(host_b.Run("down").exit_code == 0);
}
