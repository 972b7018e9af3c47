// run.sh run for real, for the launcher's process-level tests: the build's
// binaries as they are, a free port range below the ephemeral ports, and a
// LaunchedCluster that is shut down however its test ends (and, as a last
// resort, SIGKILLed through its pid files).
#pragma once

#include <catch2/catch.hpp>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "launcher/ports.h"
#include "tests/client/run_tool.h"
#include "tests/support/process.h"

namespace ts::launcher_test {

using namespace std::chrono_literals;
using ts::testing::ReadFile;
using ts::testing::RunTool;
using ts::testing::TempDir;
using ts::testing::ToolRun;
using ts::testing::WaitUntil;

// run.sh's own waits are bounded (START_TIMEOUT_S=30, shutdown 20 s + SIGTERM
// 10 s); these deadlines only catch a run.sh that hangs.
inline constexpr auto kScriptDeadline = 90s;
inline constexpr auto kRestartSeenTimeout = 30s;
// Ports a 3-node cluster uses: BASE .. BASE+11+2*3.
inline constexpr int kPortSpan = 18;

inline std::string RunSh() { return std::string(TS_SOURCE_DIR) + "/run.sh"; }

// The launcher uses the binaries of this build as they are (no build step),
// and restarts a dead node sooner than by default.
inline void UseThisBuild() {
  ::setenv("TS_BUILD_DIR", TS_BINARY_DIR, 1);
  ::setenv("TS_SKIP_BUILD", "1", 1);
  ::setenv("TS_RESTART_FIRST_DELAY_MS", "300", 1);
}

inline ToolRun Script(std::vector<std::string> arguments) {
  ToolRun run = RunTool(RunSh(), std::move(arguments), kScriptDeadline);
  UNSCOPED_INFO("run.sh exit " << run.exit_code << "\nstdout:\n" << run.out << "stderr:\n" << run.err);
  return run;
}

// A base port whose whole range is free, below the ephemeral range (so that
// other tests' FreeTcpPort() picks do not land in it): launcher/ports.h.
inline int FreePortBase() {
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

inline int ServedBy(const std::string& json_line) {
  std::smatch match;
  if (!std::regex_search(json_line, match, std::regex(R"("served_by":(\d+))"))) return 0;
  return std::stoi(match[1]);
}

inline bool NodeLive(const std::string& status_json, int id) {
  return std::regex_search(status_json, std::regex(R"(\{"id":)" + std::to_string(id) + R"(,[^}]*"live":true)"));
}

inline std::string Pid(const LaunchedCluster& cluster, const std::string& part) {
  std::string pid = ReadFile(cluster.file("run/" + part + ".pid"));
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  return pid;
}

inline bool ProcessGone(const std::string& pid) {
  return pid.empty() || (::kill(std::stoi(pid), 0) != 0 && errno == ESRCH) ||
         ReadFile("/proc/" + pid + "/stat").find(") Z") != std::string::npos;
}

}  // namespace ts::launcher_test
