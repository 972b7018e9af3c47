// What several launcher commands share: finding the cluster, the orderly
// shutdown (down, Ctrl-C in the foreground, a failed start), and tsctl's
// own output for status and shutdown.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "clients/tsctl_session.h"
#include "launcher/commands.h"
#include "launcher/cluster_keys_use.h"
#include "launcher/console.h"
#include "launcher/parts.h"
#include "launcher/save_files.h"
#include "launcher/supervisor.h"

namespace ts::launcher {
namespace {

bool AnyPartRunning(const ClusterDir& dir, const ClusterLayout& layout) {
  for (PartId part : layout.parts()) {
    if (dir.Running(part)) return true;
  }
  return false;
}

// Per node: did it save its file in this shutdown (newer than `marker`), and what it holds.
void ReportSavedFiles(const ClusterLayout& layout, const std::string& marker) {
  std::error_code ignored;
  const auto began = std::filesystem::last_write_time(marker, ignored);
  for (const NodeSpec& node : layout.nodes) {
    // Another host's node, or one the cluster file gives no export.
    if (!layout.IsLocal(PartId::Node(node.id)) || (!layout.save_files && !node.save)) continue;
    const std::string path = layout.SavePath(node.id);
    const std::string label = "node " + std::to_string(node.id);
    if (!std::filesystem::exists(path, ignored)) {
      Warn(label + " saved nothing (it was not running?)");
      continue;
    }
    const SaveFile file = ReadSaveFile(path);
    if (file.written > began) {
      Say(label + " saved " + PairsText(file) + " to " + path);
    } else {
      Warn(label + " did not save now (it was not running?); " + path + " is from " + LocalTimeText(file.written));
    }
  }
}

}  // namespace

std::string DirOption(const LauncherSettings& settings, const ClusterDir& dir) {
  return dir.dir() == ClusterDir(settings.data_dir).dir() ? "" : " --dir " + dir.dir();
}

ClusterDir OpenDir(const LauncherSettings& settings, const PartOptions& options) {
  if (options.dir_without_value) Die("--dir needs a value", 2);
  const std::string typed = options.dir.value_or(settings.data_dir);
  if (!std::filesystem::is_directory(typed)) {
    Die("no cluster is running from " + typed + " (no such directory; start one: ./run.sh up --dir " + typed + ")", 1);
  }
  return ClusterDir(typed);
}

RunState LoadRunningState(const ClusterDir& dir) {
  if (!dir.Exists()) {
    Die("no cluster is running from " + dir.dir() + " (start one: ./run.sh up --dir " + dir.dir() + ")", 1);
  }
  Result<RunState> state = dir.ReadState();
  if (!state.ok()) Die("cannot read the cluster's state: " + state.error().message, 1);
  return state.value();
}

int RunTsctl(const RunState& state, const std::vector<std::string>& words, std::chrono::milliseconds timeout,
             std::ostream& out) {
  tsctl::SessionOptions options;
  options.broker_endpoint = state.layout.ClientEndpoints();
  options.shutdown_endpoint = state.layout.ShutdownEndpoints();
  options.client.request_timeout = timeout;
  options.client.retries = 0;
  options.client.curve = LauncherCurveOrDie(state.layout, security::KeyRole::kClient);
  options.admin_curve = LauncherCurveOrDie(state.layout, security::KeyRole::kAdmin);  // ./run.sh down
  tsctl::Session session(options, out, std::cerr);
  const int code = session.RunWords(words);
  out << std::flush;
  return code;
}

void OrderlyDown(const LauncherSettings& settings, const ClusterDir& dir, const RunState& state, bool foreground) {
  const ClusterLayout& layout = state.layout;
  {
    Result<ClusterDir::Lock> lock = dir.LockRunState(LauncherDefaults::kLockTimeout);
    if (!lock.ok()) Die(lock.error().message);
    for (PartId part : layout.parts()) dir.SetFlag(part, PartFlag::kStopped, true);
  }
  // A save file newer than this marker was written by this shutdown.
  const std::string marker = dir.run_dir() + "/shutdown-started";
  WriteText(marker, "");

  if (std::optional<pid_t> supervisor = dir.SupervisorPid(); supervisor && *supervisor != ::getpid() &&
                                                             dir.SupervisorRunning()) {
    ::kill(*supervisor, SIGTERM);
    // A foreground supervisor shuts the cluster down itself before it exits.
    const auto patience = settings.shutdown_timeout + 2 * settings.stop_timeout + std::chrono::seconds(5);
    if (!WaitProcessGone(*supervisor, kSupervisorProgram, patience)) {
      Warn("the supervisor (pid " + std::to_string(*supervisor) + ") did not exit; killing it");
      ::kill(*supervisor, SIGKILL);
    }
    if (!dir.Exists()) {
      Say("stopped (by the foreground run.sh, pid " + std::to_string(*supervisor) + "); data kept in " + dir.dir());
      return;
    }
  }

  if (AnyPartRunning(dir, layout)) {
    bool a_broker_runs = false;
    for (const BrokerSpec& broker : layout.brokers) a_broker_runs = a_broker_runs || dir.Running(PartId::Broker(broker.id));
    if (layout.local_host) {
      // One host of several: the shutdown command would stop every host's nodes.
      Say("host " + *layout.local_host + ": its parts get SIGTERM (each node exports its save file); the whole "
          "cluster stops with tsctl --cluster FILE shutdown");
    } else if (a_broker_runs) {
      // Through every broker in turn (tsctl shutdown with the list): the
      // first that answers stops the nodes, the others then exit at once.
      Say("shutting down: the shutdown command goes through the brokers to the primary, which stops the backups; "
          "every node exports its save file");
      if (RunTsctl(state, {"shutdown"}, settings.shutdown_command_timeout, std::cerr) != 0) {
        Warn("the broker did not acknowledge the shutdown command; the nodes get SIGTERM instead");
      }
    } else {
      Warn("the broker is not running; the nodes get SIGTERM (each exports its save file)");
    }
    const auto deadline = std::chrono::steady_clock::now() + (layout.local_host ? Seconds(0) : settings.shutdown_timeout);
    while (AnyPartRunning(dir, layout) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(LauncherDefaults::kExitPollInterval);
    }
    for (PartId part : layout.parts()) {
      if (!dir.Running(part)) continue;
      if (std::chrono::steady_clock::now() >= deadline && !layout.local_host) {
        Warn(part.Label() + " still running " + std::to_string(settings.shutdown_timeout.count()) +
             " s after the shutdown command; sending SIGTERM (a node saves on it)");
      }
      StopPart(dir, part, settings.stop_timeout);
    }
  }
  ReportSavedFiles(layout, marker);
  LogSupervisorEvent(dir, "cluster stopped", foreground);
  dir.RemoveRunDir();
  Say("stopped; data kept in " + dir.dir() + " (./run.sh up" + DirOption(settings, dir) +
      " starts it again: each node recovers its own node-<id>.data)");
}

}  // namespace ts::launcher
