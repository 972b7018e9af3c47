// Test support for the peer drivers' process tests: the real servers they
// drive (a Redis master + replica, a 3-member etcd through
// bench/peers/etcd_cluster.sh) on free loopback ports in temp dirs, and the
// drivers' JSON result. A server that is not installed makes the fixture
// report why (`skip_reason`), so the test can say so and pass over it.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace ts::testing::peers {

using namespace std::chrono_literals;

// The limits of these tests, in one place.
constexpr auto kToolTimeout = 30s;         // one redis-cli / etcdctl call
constexpr auto kReplicaLinkTimeout = 30s;  // until the replica is linked to the master
constexpr auto kClusterScriptTimeout = 90s;  // etcd_cluster.sh start / stop
constexpr auto kDriverTimeout = 120s;      // one driver run (its own flags bound it far lower)

// The absolute path of `name` on $PATH, or "" when it is not there.
inline std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    start = colon == std::string::npos ? dirs.size() + 1 : colon + 1;
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Runs a short-lived tool to its end; nullopt when it did not end in time.
struct ToolRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
inline std::optional<ToolRun> RunTool(const TempDir& dir, const std::string& binary, const std::vector<std::string>& arguments,
                                      std::chrono::milliseconds timeout = kToolTimeout) {
  static int counter = 0;
  const std::string log = dir / ("tool-" + std::to_string(++counter) + ".out");
  ChildProcess child(binary, arguments, log);
  const std::optional<int> code = child.Wait(timeout);
  if (!code) return std::nullopt;
  return ToolRun{*code, ReadFile(log)};
}

// The first line of `output` that is a JSON object (the drivers print one with --json).
inline nlohmann::json JsonLine(const std::string& output) {
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    if (output.compare(start, 2, "{\"") == 0) {
      return nlohmann::json::parse(output.substr(start, end - start), nullptr, false);
    }
    start = end + 1;
  }
  return nlohmann::json();
}

inline std::string DriverPath(const std::string& name) { return BinaryPath("bench/peers/" + name); }
inline bool Built(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// A Redis master and (with_replica) its replica, no persistence, in a temp dir.
class RedisServers {
 public:
  explicit RedisServers(bool with_replica) {
    server_ = FindOnPath("redis-server");
    cli_ = FindOnPath("redis-cli");
    if (server_.empty() || cli_.empty()) {
      skip_reason_ = "redis-server / redis-cli are not installed (bench/peers/install.sh)";
      return;
    }
    if (!Built(DriverPath("redis_wait_bench"))) {
      skip_reason_ = "redis_wait_bench was not built (hiredis missing at configure time)";
      return;
    }
    master_ = Start("master", master_port_, {});
    if (with_replica) {
      replica_ = Start("replica", replica_port_, {"--replicaof", "127.0.0.1", std::to_string(master_port_)});
    }
  }

  const std::string& skip_reason() const { return skip_reason_; }
  int master_port() const { return master_port_; }
  int replica_port() const { return replica_port_; }
  const TempDir& dir() const { return dir_; }

  // redis-cli -p PORT ARGS...; its output without the trailing newline.
  std::optional<std::string> Cli(int port, const std::vector<std::string>& arguments) const {
    std::vector<std::string> all = {"-h", "127.0.0.1", "-p", std::to_string(port)};
    all.insert(all.end(), arguments.begin(), arguments.end());
    std::optional<ToolRun> run = RunTool(dir_, cli_, all);
    if (!run || run->exit_code != 0) return std::nullopt;
    std::string text = run->output;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }

  bool MasterAnswers() const { return Cli(master_port_, {"PING"}) == std::optional<std::string>("PONG"); }
  bool ReplicaLinked() const {
    std::optional<std::string> info = Cli(replica_port_, {"INFO", "replication"});
    return info && info->find("master_link_status:up") != std::string::npos;
  }

 private:
  std::unique_ptr<ChildProcess> Start(const std::string& name, int port, std::vector<std::string> extra) {
    std::vector<std::string> arguments = {"--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no",
                                          "--dir", dir_.path().string(), "--dbfilename", name + ".rdb"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(server_, arguments, dir_ / (name + ".log"));
  }

  TempDir dir_;
  std::string server_, cli_, skip_reason_;
  int master_port_ = FreeTcpPort();
  int replica_port_ = FreeTcpPort();
  std::unique_ptr<ChildProcess> master_, replica_;
};

// A 3-member etcd started by bench/peers/etcd_cluster.sh (owned by this test
// process: its watcher stops the members if the test dies), stopped by the
// destructor.
class EtcdCluster {
 public:
  EtcdCluster() {
    etcdctl_ = FindOnPath("etcdctl");
    if (FindOnPath("etcd").empty() || etcdctl_.empty()) {
      skip_reason_ = "etcd / etcdctl are not installed (bench/peers/install.sh)";
      return;
    }
    if (!Built(DriverPath("etcd_bench"))) {
      skip_reason_ = "etcd_bench was not built (cpp-httplib missing at configure time)";
      return;
    }
    start_ = Script({"start", dir_.path().string(), "--owner", std::to_string(::getpid())});
    if (start_ && start_->exit_code == 0) {
      endpoints_ = ReadFile(dir_ / "etcd-cluster/endpoints");
      while (!endpoints_.empty() && endpoints_.back() == '\n') endpoints_.pop_back();
    }
  }
  ~EtcdCluster() {
    if (skip_reason_.empty()) Stop();
  }
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  const std::string& skip_reason() const { return skip_reason_; }
  // Empty when the start failed; start_output() says why.
  const std::string& endpoints() const { return endpoints_; }
  std::string start_output() const { return start_ ? start_->output : "etcd_cluster.sh start did not end in time"; }
  const TempDir& dir() const { return dir_; }

  std::optional<ToolRun> Stop() { return Script({"stop", dir_.path().string()}); }

  // etcdctl --endpoints E ARGS...
  std::optional<ToolRun> Ctl(const std::string& endpoints, const std::vector<std::string>& arguments) const {
    std::vector<std::string> all = {"--endpoints=" + endpoints, "--dial-timeout=2s", "--command-timeout=10s"};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return RunTool(dir_, etcdctl_, all);
  }

 private:
  std::optional<ToolRun> Script(std::vector<std::string> arguments) const {
    arguments.insert(arguments.begin(), std::string(TS_SOURCE_DIR) + "/bench/peers/etcd_cluster.sh");
    return RunTool(dir_, "/bin/bash", arguments, kClusterScriptTimeout);
  }

  TempDir dir_;
  std::string etcdctl_, skip_reason_, endpoints_;
  std::optional<ToolRun> start_;
};

}  // namespace ts::testing::peers
