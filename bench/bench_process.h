// Child processes for the failover benchmark: spawn our binaries with their
// output appended to a log file, kill -9 them, stop them politely (bounded),
// and read their resident memory. Also free loopback ports.
//
// Contract: a spawned child gets SIGKILL when the benchmark process dies
// (PR_SET_PDEATHSIG), so a crashed or interrupted run leaves no orphans.
// Every wait is bounded. Nothing throws: failures come back as Status/Result.
// Not thread-safe; spawn and reap from the main thread only (the death
// signal is tied to the thread that forked).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace ts::bench {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILLs and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `argv[0]` with `argv`, stdout and stderr appended to `log_path`.
  Status Spawn(const std::vector<std::string>& argv, const std::string& log_path);

  pid_t pid() const { return pid_; }
  bool running();  // reaps the child if it has exited
  std::optional<int> exit_status() const { return exit_status_; }

  // SIGKILL, then reap (bounded).
  void Kill();
  // SIGTERM, wait up to `grace` for it to exit, then SIGKILL.
  void Stop(std::chrono::milliseconds grace);

 private:
  bool WaitExit(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// A TCP port on 127.0.0.1 that nobody was listening on a moment ago.
Result<int> FreeTcpPort();

// VmRSS of a process in KiB, from /proc/PID/status.
Result<uint64_t> ResidentKiB(pid_t pid);

}  // namespace ts::bench
