#include "launcher/parts.h"

#include <signal.h>

#include <thread>

#include "launcher/console.h"
#include "launcher/launcher_settings.h"

namespace ts::launcher {

Result<ChildProcess> StartPart(const ClusterDir& dir, const RunState& state, PartId part,
                               const std::string& import_file) {
  std::vector<std::string> argv = state.layout.Argv(part, part.is_broker() ? "" : import_file);
  std::string command;
  for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
  const std::string log = state.layout.LogPath(part);
  AppendText(log, "\n----- " + NowText() + " run.sh: starting " + part.Label() + ": " + command + "\n");
  dir.RemoveExit(part);
  ChildProcess child(std::move(argv), log, SpawnOptions{.own_session = true, .die_with_parent = false});
  Status started = child.Start();
  if (!started.ok()) return started.error();
  dir.WritePid(part, child.pid());
  return child;
}

void StopPart(const ClusterDir& dir, PartId part, std::chrono::seconds timeout) {
  std::optional<pid_t> pid = dir.Pid(part);
  if (!pid || !ProcessAlive(*pid, part.Binary())) return;
  const std::string label = part.Label() + " (pid " + std::to_string(*pid) + ")";
  ::kill(*pid, SIGTERM);
  if (WaitProcessGone(*pid, part.Binary(), timeout)) return;
  Warn(label + " still running " + std::to_string(timeout.count()) + " s after SIGTERM; killing it (SIGKILL)" +
       (part.is_broker() ? "" : ": its export was NOT written (its data directory keeps what it acknowledged)"));
  ::kill(*pid, SIGKILL);
  if (!WaitProcessGone(*pid, part.Binary(), timeout)) Warn(label + " survived SIGKILL?");
}

std::string ExitReason(const ClusterDir& dir, PartId part) {
  // Whoever reaps the part (its supervisor) writes the file right after.
  const auto deadline = std::chrono::steady_clock::now() + LauncherDefaults::kExitStatusWait;
  std::optional<ExitStatus> status;
  while (!(status = dir.LastExit(part)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(LauncherDefaults::kExitPollInterval / 2);
  }
  return status ? status->Describe() : "its process is gone";
}

}  // namespace ts::launcher
