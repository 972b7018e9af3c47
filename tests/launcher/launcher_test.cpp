// run.sh's launcher, run for real: `up` starts tsbroker + tsnode processes in a
// temp dir on a free port range, `kill` SIGKILLs the primary, the supervisor
// restarts it and `status` says so, the service fails over and keeps the data,
// `stop`/`restart` work on one node, `down` saves every node's file, and the
// next `up` loads it. Also: two clusters side by side, and clear refusals.
#include <catch2/catch.hpp>

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <regex>

#include "launcher/ports.h"
#include "tests/client/run_tool.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using ts::testing::ReadFile;
using ts::testing::RunTool;
using ts::testing::TempDir;
using ts::testing::ToolRun;
using ts::testing::WaitUntil;

namespace {

// run.sh's own waits are bounded (START_TIMEOUT_S=30, shutdown 20 s + SIGTERM
// 10 s); these deadlines only catch a run.sh that hangs.
constexpr auto kScriptDeadline = 90s;
constexpr auto kRestartSeenTimeout = 30s;
// Ports a 3-node cluster uses: BASE .. BASE+11+2*3.
constexpr int kPortSpan = 18;

std::string RunSh() { return std::string(TS_SOURCE_DIR) + "/run.sh"; }

// The launcher uses the binaries of this build as they are (no build step),
// and restarts a dead node sooner than by default.
void UseThisBuild() {
  ::setenv("TS_BUILD_DIR", TS_BINARY_DIR, 1);
  ::setenv("TS_SKIP_BUILD", "1", 1);
  ::setenv("TS_RESTART_FIRST_DELAY_MS", "300", 1);
}

ToolRun Script(std::vector<std::string> arguments) {
  ToolRun run = RunTool(RunSh(), std::move(arguments), kScriptDeadline);
  UNSCOPED_INFO("run.sh exit " << run.exit_code << "\nstdout:\n" << run.out << "stderr:\n" << run.err);
  return run;
}

// A base port whose whole range is free, below the ephemeral range (so that
// other tests' FreeTcpPort() picks do not land in it): launcher/ports.h.
int FreePortBase() {
  ts::Result<int> base = ts::launcher::FreePortBase(kPortSpan, 20'000, 29'900);
  if (!base.ok()) throw std::runtime_error(base.error().message);
  return base.value();
}

// Shuts a launched cluster down when the test ends, however it ends; and, as
// a last resort, SIGKILLs whatever its pid files still name.
class LaunchedCluster {
 public:
  LaunchedCluster(const TempDir& dir, std::string name) : dir_((dir.path() / name).string()) {}
  ~LaunchedCluster() {
    if (!std::filesystem::exists(dir_ + "/run")) return;
    RunTool(RunSh(), {"down", "--dir", dir_}, kScriptDeadline);
    std::error_code ignored;
    if (!std::filesystem::exists(dir_ + "/run", ignored)) return;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/run", ignored)) {
      if (entry.path().extension() != ".pid") continue;
      const std::string pid = ReadFile(entry.path().string());
      if (!pid.empty()) ::kill(std::stoi(pid), SIGKILL);
    }
  }
  ToolRun Up(int nodes, int base) {
    return Script({"up", "--nodes", std::to_string(nodes), "--port", std::to_string(base), "--dir", dir_});
  }
  ToolRun Run(const std::string& command, std::vector<std::string> arguments = {}) {
    std::vector<std::string> all = {command, "--dir", dir_};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return Script(all);
  }
  // tsctl through `run.sh cli` (its options first, then the command).
  ToolRun Cli(std::vector<std::string> arguments) { return Run("cli", std::move(arguments)); }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

int ServedBy(const std::string& json_line) {
  std::smatch match;
  if (!std::regex_search(json_line, match, std::regex(R"("served_by":(\d+))"))) return 0;
  return std::stoi(match[1]);
}

bool NodeLive(const std::string& status_json, int id) {
  return std::regex_search(status_json, std::regex(R"(\{"id":)" + std::to_string(id) + R"(,[^}]*"live":true)"));
}

std::string Pid(const LaunchedCluster& cluster, const std::string& part) {
  std::string pid = ReadFile(cluster.file("run/" + part + ".pid"));
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  return pid;
}

bool ProcessGone(const std::string& pid) {
  return pid.empty() || (::kill(std::stoi(pid), 0) != 0 && errno == ESRCH) ||
         ReadFile("/proc/" + pid + "/stat").find(") Z") != std::string::npos;
}

}  // namespace

TEST_CASE("run.sh: up, kill the primary, the supervisor restarts it, down saves, up loads", "[launcher]") {
  UseThisBuild();
  TempDir temp;
  LaunchedCluster cluster(temp, "data");
  const int base = FreePortBase();

  ToolRun up = cluster.Up(3, base);
  REQUIRE(up.exit_code == 0);
  CHECK_THAT(up.out, Catch::Contains("tuplestar is running: broker + 3 nodes"));
  CHECK_THAT(up.out, Catch::Contains("clients  tcp://127.0.0.1:" + std::to_string(base)));
  CHECK_THAT(up.out, Catch::Contains("shutdown tcp://127.0.0.1:" + std::to_string(base + 2)));
  CHECK_THAT(up.out, Catch::Contains("bus tcp://127.0.0.1:" + std::to_string(base + 12)));

  REQUIRE(cluster.Cli({"put", "user,1", "ann", "user,2", "bob"}).exit_code == 0);
  const int primary = ServedBy(cluster.Cli({"--json", "get", "user,1", ".*"}).out);
  REQUIRE(primary >= 1);
  REQUIRE(primary <= 3);

  ToolRun kill = cluster.Run("kill", {"primary"});
  CHECK(kill.exit_code == 0);
  CHECK_THAT(kill.err, Catch::Contains("the primary is node " + std::to_string(primary)));
  CHECK_THAT(kill.err, Catch::Contains("node " + std::to_string(primary) + " (pid "));
  CHECK_THAT(kill.err, Catch::Contains("killed with SIGKILL"));

  // The supervisor restarts it; another node took over; the killed one is live again.
  CHECK(WaitUntil(
      [&] {
        if (ReadFile(cluster.file("run/node-" + std::to_string(primary) + ".restarts")) != "1\n") return false;
        const std::string status = cluster.Cli({"--json", "--timeout-ms", "1000", "--retries", "0", "status"}).out;
        const int now_primary = ServedBy(status);
        return now_primary != 0 && now_primary != primary && NodeLive(status, primary);
      },
      kRestartSeenTimeout));
  ToolRun status = cluster.Run("status");
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Matches(R"([\s\S]*\nnode )" + std::to_string(primary) + R"( +[0-9]+ +running +1 [\s\S]*)",
                                        Catch::CaseSensitive::Yes));
  CHECK_THAT(status.out, Catch::Contains("restarted"));
  CHECK_THAT(status.out, Catch::Contains("node " + std::to_string(primary) + " died (killed by SIGKILL)"));
  const std::string supervisor_log = ReadFile(cluster.file("logs/supervisor.log"));
  CHECK_THAT(supervisor_log, Catch::Contains("node " + std::to_string(primary) + " restarted, pid"));

  // The data survived the failover.
  ToolRun get = cluster.Cli({"--json", "get", "user,\\d+", ".*"});
  CHECK(get.exit_code == 0);
  CHECK_THAT(get.out, Catch::Contains(R"("pairs":[["user,1","ann"],["user,2","bob"]])"));
  CHECK(ServedBy(get.out) != primary);

  // stop: on purpose, so the supervisor leaves it down; restart brings it back.
  const int backup = primary == 1 ? 2 : 1;
  ToolRun stop = cluster.Run("stop", {std::to_string(backup)});
  CHECK(stop.exit_code == 0);
  CHECK_THAT(stop.err, Catch::Contains("stopped; the supervisor leaves it down"));
  CHECK_THAT(cluster.Run("status").out,
             Catch::Matches(R"([\s\S]*\nnode )" + std::to_string(backup) + R"( +- +stopped [\s\S]*)",
                            Catch::CaseSensitive::Yes));
  ToolRun restart = cluster.Run("restart", {std::to_string(backup)});
  CHECK(restart.exit_code == 0);
  CHECK_THAT(restart.err, Catch::Contains("is live again"));
  CHECK_THAT(cluster.Run("logs", {std::to_string(backup)}).out,
             Catch::Contains("run.sh: starting node " + std::to_string(backup)));

  // down: the shutdown command through the broker; every process ends, every node saves.
  std::vector<std::string> pids = {Pid(cluster, "broker")};
  for (int id = 1; id <= 3; ++id) pids.push_back(Pid(cluster, "node-" + std::to_string(id)));
  ToolRun down = cluster.Run("down");
  CHECK(down.exit_code == 0);
  for (const std::string& pid : pids) CHECK(ProcessGone(pid));
  CHECK_FALSE(std::filesystem::exists(cluster.file("run")));
  for (int id = 1; id <= 3; ++id) {
    INFO("node " << id);
    CHECK_THAT(down.err, Catch::Contains("node " + std::to_string(id) + " saved 2 pairs to"));
    CHECK_THAT(ReadFile(cluster.file("node-" + std::to_string(id) + ".snapshot")),
               Catch::Matches("tuplestar-snapshot v2 pairs=2 term=[1-9][0-9]* seq=[1-9][0-9]*\n"
                              "user,1\tann\nuser,2\tbob\n"));
  }
  CHECK(cluster.Run("status").exit_code == 1);

  // Started again, it loads what it saved.
  up = cluster.Up(3, base);
  REQUIRE(up.exit_code == 0);
  CHECK_THAT(up.err, Catch::Contains("loads " + cluster.file("node-")));
  get = cluster.Cli({"--json", "get", ".*", ".*"});
  CHECK_THAT(get.out, Catch::Contains(R"("pairs":[["user,1","ann"],["user,2","bob"]])"));
  CHECK(cluster.Run("down").exit_code == 0);
}

TEST_CASE("run.sh: two clusters side by side, and clear refusals", "[launcher]") {
  UseThisBuild();
  TempDir temp;
  LaunchedCluster first(temp, "first");
  LaunchedCluster second(temp, "second");

  ToolRun nothing = first.Run("status");
  CHECK(nothing.exit_code == 1);
  CHECK_THAT(nothing.err, Catch::Contains("no cluster is running from"));
  CHECK(first.Run("down").exit_code == 0);  // nothing to stop is not an error

  const int first_base = FreePortBase();
  REQUIRE(first.Up(2, first_base).exit_code == 0);
  int second_base = FreePortBase();
  while (second_base / 100 == first_base / 100) second_base = FreePortBase();
  REQUIRE(second.Up(2, second_base).exit_code == 0);

  REQUIRE(first.Cli({"put", "only", "first"}).exit_code == 0);
  CHECK_THAT(first.Cli({"get", "only", ".*"}).out, Catch::StartsWith("KEY   VALUE\nonly  first\n"));
  CHECK_THAT(second.Cli({"get", "only", ".*"}).out, Catch::StartsWith("no pairs matched"));

  ToolRun again = first.Up(2, first_base);
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("a cluster is already running from " + first.dir()));
  ToolRun taken = Script({"up", "--nodes", "2", "--port", std::to_string(first_base), "--dir",
                          (temp.path() / "third").string()});
  CHECK(taken.exit_code == 1);
  CHECK_THAT(taken.err, Catch::Contains("port " + std::to_string(first_base) + " (broker-clients) is already in use"));

  ToolRun no_such_node = first.Run("kill", {"7"});
  CHECK(no_such_node.exit_code == 2);
  CHECK_THAT(no_such_node.err, Catch::Contains("no part '7' in this cluster (nodes 1..2, primary, or broker)"));
  ToolRun bad_nodes = Script({"up", "--nodes", "1", "--dir", (temp.path() / "third").string()});
  CHECK(bad_nodes.exit_code == 2);
  CHECK_THAT(bad_nodes.err, Catch::Contains("--nodes must be a number from 2 to 20, not '1'"));

  CHECK(first.Run("down").exit_code == 0);
  CHECK(second.Run("down").exit_code == 0);
}

TEST_CASE("run.sh: the supervisor gives up on a part that keeps dying, without a supervisor parts stay up",
          "[launcher]") {
  UseThisBuild();
  ::setenv("TS_RESTART_MAX_ATTEMPTS", "1", 1);
  TempDir temp;
  LaunchedCluster cluster(temp, "data");
  REQUIRE(cluster.Up(2, FreePortBase()).exit_code == 0);

  // Killed twice in a row: one restart, then the supervisor gives up.
  REQUIRE(cluster.Run("kill", {"2"}).exit_code == 0);
  REQUIRE(WaitUntil([&] { return ReadFile(cluster.file("run/node-2.restarts")) == "1\n"; }, kRestartSeenTimeout));
  REQUIRE(WaitUntil([&] { return !Pid(cluster, "node-2").empty(); }, kRestartSeenTimeout));
  REQUIRE(cluster.Run("kill", {"2"}).exit_code == 0);
  CHECK(WaitUntil([&] { return std::filesystem::exists(cluster.file("run/node-2.failed")); }, kRestartSeenTimeout));
  ToolRun status = cluster.Run("status");
  CHECK_THAT(status.out, Catch::Matches(R"([\s\S]*\nnode 2 +- +failed +1 [\s\S]*)", Catch::CaseSensitive::Yes));
  CHECK_THAT(status.out, Catch::Contains("gave up after 1 restarts: ./run.sh restart 2 tries again"));
  CHECK_THAT(ReadFile(cluster.file("logs/supervisor.log")), Catch::Contains("node 2 FAILED: died (killed by SIGKILL)"));
  ToolRun restart = cluster.Run("restart", {"2"});
  CHECK(restart.exit_code == 0);
  CHECK_THAT(restart.err, Catch::Contains("node 2 is live again"));
  CHECK_FALSE(std::filesystem::exists(cluster.file("run/node-2.failed")));

  // The supervisor gone, the parts run on; a killed part stays down until
  // restarted by hand, and down stops everything.
  const std::string supervisor = ReadFile(cluster.file("run/supervisor.pid"));
  REQUIRE_FALSE(supervisor.empty());
  ::kill(std::stoi(supervisor), SIGKILL);
  REQUIRE(WaitUntil([&] { return ProcessGone(std::to_string(std::stoi(supervisor))); }, kRestartSeenTimeout));
  status = cluster.Run("status");
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("supervisor: not running: a part that dies stays down"));
  ToolRun kill = cluster.Run("kill", {"1"});
  CHECK(kill.exit_code == 0);
  CHECK_THAT(kill.err, Catch::Contains("no supervisor is running: it stays down until ./run.sh restart 1"));
  restart = cluster.Run("restart", {"1"});
  CHECK(restart.exit_code == 0);
  CHECK_THAT(restart.err, Catch::Contains("node 1 is live again"));
  std::vector<std::string> pids = {Pid(cluster, "broker"), Pid(cluster, "node-1"), Pid(cluster, "node-2")};
  ToolRun down = cluster.Run("down");
  CHECK(down.exit_code == 0);
  for (const std::string& pid : pids) CHECK(ProcessGone(pid));
  CHECK_FALSE(std::filesystem::exists(cluster.file("run")));
}

TEST_CASE("run.sh: a directory keeps its ports and nodes across down and up, and cli takes --dir anywhere",
          "[launcher]") {
  UseThisBuild();
  TempDir temp;
  LaunchedCluster cluster(temp, "data");
  const int base = FreePortBase();
  REQUIRE(cluster.Up(2, base).exit_code == 0);
  REQUIRE(cluster.Cli({"put", "kept", "yes"}).exit_code == 0);

  // `cli`'s --dir after tsctl's own flags is still the launcher's.
  ToolRun late_dir = Script({"cli", "--json", "--dir", cluster.dir(), "status"});
  CHECK(late_dir.exit_code == 0);
  CHECK_THAT(late_dir.out, Catch::Contains(R"("op":"STATUS")"));
  ToolRun no_value = Script({"cli", "--json", "--dir"});
  CHECK(no_value.exit_code == 2);
  CHECK_THAT(no_value.err, Catch::Contains("--dir needs a value"));

  // `stop` alone is refused (it used to stop everything, unlike `stop ID`).
  ToolRun stop_all = cluster.Run("stop");
  CHECK(stop_all.exit_code == 2);
  CHECK_THAT(stop_all.err, Catch::Contains("stop needs an ID"));
  CHECK_THAT(stop_all.err, Catch::Contains("to stop the whole cluster: ./run.sh down --dir " + cluster.dir()));
  CHECK(cluster.Run("status").exit_code == 0);  // still running

  REQUIRE(cluster.Run("down").exit_code == 0);
  ToolRun again = Script({"up", "--dir", cluster.dir()});  // no --port, no --nodes
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("this directory ran 2 nodes on port base " + std::to_string(base)));
  CHECK_THAT(again.out, Catch::Contains("tuplestar is running: broker + 2 nodes"));
  CHECK_THAT(again.out, Catch::Contains("clients  tcp://127.0.0.1:" + std::to_string(base)));
  CHECK_THAT(cluster.Cli({"get", "kept", ".*"}).out, Catch::Contains("kept  yes"));
  CHECK(cluster.Run("down").exit_code == 0);
}

TEST_CASE("run.sh up refuses a port base in the kernel's ephemeral range, saying why", "[launcher]") {
  UseThisBuild();
  const std::optional<ts::launcher::PortRange> ephemeral = ts::launcher::EphemeralPortRange();
  REQUIRE(ephemeral);
  TempDir temp;
  const int inside = (ephemeral->lowest + 99) / 100 * 100;
  REQUIRE(inside + kPortSpan <= ephemeral->highest);
  ToolRun up = Script({"up", "--port", std::to_string(inside), "--dir", (temp.path() / "d").string()});
  CHECK(up.exit_code == 2);
  CHECK_THAT(up.err, Catch::Contains("overlap the kernel's ephemeral ports " + std::to_string(ephemeral->lowest) +
                                     ".." + std::to_string(ephemeral->highest)));
  CHECK_FALSE(std::filesystem::exists(temp.path() / "d" / "run"));
}

TEST_CASE("run.sh help lists every command", "[launcher]") {
  ToolRun help = Script({"help"});
  CHECK(help.exit_code == 0);
  for (const char* command : {"setup", "build", "test", "bench", "fuzz", "start", "up", "down", "status", "kill ID",
                              "stop ID", "restart ID", "logs", "cli"}) {
    CHECK_THAT(help.out, Catch::Contains(std::string("./run.sh ") + command));
  }
  ToolRun unknown = Script({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown command: frobnicate"));
}
