#include "launcher/supervisor.h"

#include <poll.h>
#include <unistd.h>

#include <iostream>

#include "launcher/console.h"
#include "launcher/parts.h"
#include "launcher/signals.h"

namespace ts::launcher {
namespace {

std::optional<PartId> PartFromName(const ClusterLayout& layout, const std::string& name) {
  for (PartId part : layout.parts()) {
    if (part.Name() == name) return part;
  }
  return std::nullopt;
}

std::string Attempt(int attempt, const RestartRules& rules) {
  return "attempt " + std::to_string(attempt) + " of " + std::to_string(rules.max_attempts);
}

}  // namespace

Supervisor::Supervisor(ClusterDir dir, RunState state, LauncherSettings settings, bool foreground)
    : dir_(std::move(dir)),
      state_(std::move(state)),
      settings_(settings),
      foreground_(foreground),
      core_(settings.restart) {}

Supervisor::~Supervisor() {
  for (auto& [part, child] : children_) child.Release();
}

TimePoint Supervisor::Now() const {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch());
}

void LogSupervisorEvent(const ClusterDir& dir, const std::string& message, bool to_terminal) {
  AppendText(dir.supervisor_log(), "[" + NowText() + "] " + message + "\n");
  if (to_terminal) std::cerr << "[supervisor] " << message << std::endl;
}

void Supervisor::Log(const std::string& message) const { LogSupervisorEvent(dir_, message, foreground_); }

Result<pid_t> Supervisor::Start(PartId part, const std::string& import_file) {
  Result<ChildProcess> child = StartPart(dir_, state_, part, import_file);
  if (!child.ok()) return child.error();
  const pid_t pid = child.value().pid();
  children_[part] = std::move(child.value());
  return pid;
}

bool Supervisor::StartAll(const std::string& import_file) {
  for (PartId part : state_.layout.parts()) {
    Result<pid_t> started = Start(part, import_file);
    if (!started.ok()) {
      Warn(part.Label() + " did not start: " + started.error().message);
      return false;
    }
    core_.Add(part, Now());
  }
  return true;
}

void Supervisor::Reap() {
  for (auto& [part, child] : children_) {
    if (child.pid() <= 0 || child.exit_status() || child.running()) continue;
    dir_.WriteExit(part, *child.exit_status());
    if (dir_.Pid(part) == child.pid()) dir_.RemovePid(part);
    core_.OnExited(part, *child.exit_status());
  }
}

std::optional<ExitStatus> Supervisor::Ended(PartId part) {
  Reap();
  auto it = children_.find(part);
  if (it == children_.end()) return std::nullopt;
  return it->second.exit_status();
}

Status Supervisor::Listen() {
  Result<ControlServer> server = ControlServer::Listen(::getpid());
  if (!server.ok()) return server.error();
  control_.emplace(std::move(server.value()));
  return Status::Ok();
}

int Supervisor::Run() {
  const RestartRules& rules = settings_.restart;
  Log("supervisor started (pid " + std::to_string(::getpid()) + "): restarts a dead part after " +
      std::to_string(rules.first_delay.count()) + " ms (doubling, at most " + std::to_string(rules.max_delay.count()) +
      " ms), " + std::to_string(rules.max_attempts) + " times in a row at most");
  while (dir_.Exists()) {
    if (StopSignal() != 0) return StopSignal();
    DrainSignalPipe();
    Reap();
    for (const SupervisorAction& action : core_.Tick(Now())) Carry(action);
    // Sleep until a signal (a child ended, or stop), a command, a due
    // restart, or the next look, whichever comes first.
    Millis wait = settings_.supervise_interval;
    if (std::optional<TimePoint> due = core_.NextDue()) wait = std::clamp(*due - Now(), Millis(0), wait);
    pollfd items[2] = {{SignalPipeFd(), POLLIN, 0}, {control_ ? control_->fd() : -1, POLLIN, 0}};
    if (::poll(items, 2, static_cast<int>(wait.count())) > 0 && (items[1].revents & POLLIN) != 0) {
      Reap();  // a command about a part acts on its latest state
      while (std::optional<ControlServer::Request> request = control_->Accept(LauncherDefaults::kControlTimeout)) {
        Handle(*request);
      }
    }
  }
  Log("supervisor exits: " + dir_.run_dir() + "/cluster.json is gone");
  return 0;
}

void Supervisor::Handle(ControlServer::Request& request) {
  const size_t space = request.line.find(' ');
  const std::string verb = request.line.substr(0, space);
  std::optional<PartId> part =
      space == std::string::npos ? std::nullopt : PartFromName(state_.layout, request.line.substr(space + 1));
  if (!part) {
    ControlServer::Answer(request, "failed: no such request '" + request.line + "'");
    return;
  }
  if (verb == "stop") {
    core_.OnStoppedOnPurpose(*part);
    dir_.SetFlag(*part, PartFlag::kStopped, true);
    ControlServer::Answer(request, "ok");
    return;
  }
  if (verb != "start") {
    ControlServer::Answer(request, "failed: no such request '" + request.line + "'");
    return;
  }
  if (auto it = children_.find(*part); it != children_.end() && it->second.running()) {
    ControlServer::Answer(request, "failed: " + part->Label() + " is running (pid " + std::to_string(it->second.pid()) + ")");
    return;
  }
  Result<pid_t> started = Start(*part);
  if (!started.ok()) {
    ControlServer::Answer(request, "failed: " + started.error().message);
    return;
  }
  core_.OnStarted(*part, Now(), SupervisorCore::StartedBy::kHand);
  dir_.SetFlag(*part, PartFlag::kStopped, false);
  dir_.SetFlag(*part, PartFlag::kFailed, false);
  dir_.WriteNote(*part, "restarted " + NowText(false) + " by hand, pid " + std::to_string(started.value()));
  ControlServer::Answer(request, "started " + std::to_string(started.value()));
}

void Supervisor::Carry(const SupervisorAction& action) {
  const RestartRules& rules = settings_.restart;
  const PartId part = action.part;
  const std::string label = part.Label();
  const std::string reason = action.died.Describe();
  switch (action.kind) {
    case SupervisorAction::Kind::kRestartScheduled: {
      const std::string delay = std::to_string(action.delay.count());
      dir_.WriteNote(part, "died " + NowText(false) + " (" + reason + "); restart " + std::to_string(action.attempt) +
                               " of " + std::to_string(rules.max_attempts) + " due in " + delay + " ms");
      Log(label + " died (" + reason + "); restarting it in " + delay + " ms (" + Attempt(action.attempt, rules) + ")");
      return;
    }
    case SupervisorAction::Kind::kGiveUp: {
      const std::string attempts = std::to_string(action.attempt);
      dir_.SetFlag(part, PartFlag::kFailed, true);
      dir_.WriteNote(part, "died " + NowText(false) + " (" + reason + "); gave up after " + attempts +
                               " restarts: ./run.sh restart " + part.Word() + " tries again");
      Log(label + " FAILED: died (" + reason + ") after " + attempts + " restarts in a row; giving up (see " +
          state_.layout.LogPath(part) + "; './run.sh restart " + part.Word() + "' tries again)");
      return;
    }
    case SupervisorAction::Kind::kRestartNow: {
      Result<pid_t> started = Start(part);
      if (!started.ok()) {
        Log(label + " could not be started (" + Attempt(action.attempt, rules) + "): " + started.error().message);
        core_.OnExited(part, ExitStatus::Exited(127));
        return;
      }
      const std::string pid = std::to_string(started.value());
      dir_.WriteRestarts(part, dir_.Restarts(part) + 1);
      core_.OnStarted(part, Now(), SupervisorCore::StartedBy::kSupervisor);
      dir_.WriteNote(part, "restarted " + NowText(false) + " by the supervisor (" + Attempt(action.attempt, rules) +
                               "), pid " + pid);
      Log(label + " restarted, pid " + pid + " (" + Attempt(action.attempt, rules) +
          (part.is_broker() ? "; the nodes reconnect to it)" : "; it rejoins as a backup)"));
      return;
    }
  }
}

}  // namespace ts::launcher
