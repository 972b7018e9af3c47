// The supervisor's shell: the parent of every part of a launched cluster. It
// starts them, reaps them with waitpid (woken by SIGCHLD through the signal
// pipe, and looking every supervise interval), feeds what happened to the
// SupervisorCore and carries out what it decides: restarts, giving up. It
// answers launcher commands on its control channel (start a part, a part is
// being stopped on purpose), and says what it does in DIR/logs/supervisor.log,
// DIR/run/<part>.note and .restarts (shown by `status`), and on the terminal
// when it runs in the foreground.
//
// It runs in the foreground tscluster (`start`) or in the background process
// `up` forks. Run() returns on SIGINT/SIGTERM (the signal) or when
// DIR/run/cluster.json is gone (0). Parts outlive it: a supervisor that ends
// leaves them running, and `down` stops them.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "launcher/child_process.h"
#include "launcher/control_channel.h"
#include "launcher/launcher_settings.h"
#include "launcher/run_state.h"
#include "launcher/supervisor_core.h"

namespace ts::launcher {

// A line "[time] message" in DIR/logs/supervisor.log, and "[supervisor]
// message" on the terminal when `to_terminal`.
void LogSupervisorEvent(const ClusterDir& dir, const std::string& message, bool to_terminal);

class Supervisor {
 public:
  Supervisor(ClusterDir dir, RunState state, LauncherSettings settings, bool foreground);
  ~Supervisor();  // releases the parts: they keep running

  // Starts every part (broker first); false (with a warning) on the first
  // that cannot be started. `import_file`: every node's --load in this first
  // start only (run.sh up --load); restarts recover the node's data directory.
  bool StartAll(const std::string& import_file = "");
  // Reaps the parts that ended, recording how (DIR/run/<part>.exit).
  void Reap();
  // A part started here that has ended, and how; nullopt while it runs.
  std::optional<ExitStatus> Ended(PartId part);

  // Listens for launcher commands; the pid file says where to find it.
  Status Listen();
  // Supervises until a stop signal (returned) or until the run state is gone (0).
  int Run();
  // A line in DIR/logs/supervisor.log, and on the terminal in the foreground.
  void Log(const std::string& message) const;

 private:
  TimePoint Now() const;
  void Handle(ControlServer::Request& request);
  void Carry(const SupervisorAction& action);
  Result<pid_t> Start(PartId part, const std::string& import_file = "");

  ClusterDir dir_;
  RunState state_;
  LauncherSettings settings_;
  bool foreground_;
  SupervisorCore core_;
  std::map<PartId, ChildProcess> children_;
  std::optional<ControlServer> control_;
};

}  // namespace ts::launcher
