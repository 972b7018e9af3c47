// One child process of ours: fork and exec a binary with stdout and stderr
// appended to a log file and stdin from /dev/null, signal it, and reap it with
// waitpid. The one child-process class of the project: the launcher's
// supervisor, the integration tests and the benchmarks all start tsbroker and
// tsnode through it.
//
// Contract: Start() reports a failure to exec (the child sends errno back over
// a close-on-exec pipe) as an Error naming the binary; nothing throws. A
// child runs in its own process group (a Ctrl-C in the terminal reaches the
// parent only); with `own_session` also in its own session, detached from the
// terminal. With `die_with_parent` it gets SIGKILL when the thread that
// started it ends (PR_SET_PDEATHSIG), so a test or benchmark that dies leaves
// nothing behind; start it from the main thread then. running() reaps with
// waitpid(WNOHANG); Wait() polls it up to a bounded timeout. The destructor
// SIGKILLs and reaps a child still running unless it was Release()d (the
// launcher's parts outlive the command that started them). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "launcher/exit_status.h"

namespace ts::launcher {

struct SpawnOptions {
  bool own_session = false;     // setsid(): own session and process group
  bool die_with_parent = true;  // PR_SET_PDEATHSIG SIGKILL
};

class ChildProcess {
 public:
  ChildProcess() = default;
  // `argv[0]` is the binary's path; the child is not started yet.
  ChildProcess(std::vector<std::string> argv, std::string log_path, SpawnOptions options = {});
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts (or starts again, with the same argv) a child that is not running.
  Status Start();

  bool running();  // reaps the child when it has ended
  // Sends a signal when the child is running (not yet reaped).
  void Signal(int signal_number);
  // Waits up to `timeout` for the child to end: its Code() (exit status, or
  // 128 + signal), or nullopt while it still runs.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // SIGTERM, up to `grace` for it to end, then SIGKILL: true when it ended
  // within the grace time.
  bool Stop(std::chrono::milliseconds grace);
  void Kill();  // SIGKILL, then reap (bounded)
  // Forgets the child: it keeps running, and the destructor leaves it alone.
  void Release();

  std::optional<ExitStatus> exit_status() const { return exit_status_; }
  std::optional<int> ExitCode() const;  // exit_status()->Code()
  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }
  const std::string& log_path() const { return log_path_; }
  std::string log() const;  // the log file's contents

 private:
  std::vector<std::string> argv_;
  std::string log_path_;
  SpawnOptions options_;
  pid_t pid_ = -1;
  bool started_ = false;
  std::optional<ExitStatus> exit_status_;
};

// A process that may not be our child (a part another launcher command
// started). Alive: it exists, is no zombie, and runs the program `name` (its
// comm), so that a pid file naming a pid the system gave to someone else does
// not count. Reads /proc/PID/stat once.
bool ProcessAlive(pid_t pid, const std::string& name);
// Waits up to `timeout` until ProcessAlive(pid, name) is false.
bool WaitProcessGone(pid_t pid, const std::string& name, std::chrono::milliseconds timeout);

}  // namespace ts::launcher
