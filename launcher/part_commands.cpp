// Commands on a running cluster: status, kill, stop, restart, logs, cli.
// Each finds the cluster through --dir DIR (default ./data) and
// DIR/run/cluster.json. A part is started only by the supervisor when one
// runs (it must be the parent to reap it); without one, by the command.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "launcher/cluster_status.h"
#include "launcher/commands.h"
#include "launcher/cluster_keys_use.h"
#include "launcher/console.h"
#include "launcher/control_channel.h"
#include "launcher/parts.h"
#include "launcher/save_files.h"

namespace ts::launcher {
namespace {

using D = LauncherDefaults;

struct Target {
  ClusterDir dir;
  RunState state;
  PartId part;
};

std::string Padded(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

// "broker", "2", "node-2", "node 2", "node2" -> the part; nullopt when none.
std::optional<PartId> PartFromWord(const std::string& word, const ClusterLayout& layout) {
  if (word == "broker" || word == "broker1") return PartId::Broker();
  if (word.rfind("broker", 0) == 0 && word.size() > 6 && word.find_first_not_of("0123456789", 6) == std::string::npos &&
      word.size() < 12) {
    const uint32_t id = static_cast<uint32_t>(std::stoul(word.substr(6)));
    if (layout.broker(id) == nullptr) return std::nullopt;
    return PartId::Broker(id);
  }
  std::string number = word;
  if (number.rfind("node", 0) == 0) number = number.substr(4);
  if (!number.empty() && (number[0] == '-' || number[0] == ' ')) number = number.substr(1);
  if (number.empty() || number.size() > 9 || number.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const uint32_t id = static_cast<uint32_t>(std::stoul(number));
  if (layout.node(id) == nullptr) return std::nullopt;
  return PartId::Node(id);
}

// The one part named in the words ("primary": the broker's current one).
Target OnePart(const LauncherSettings& settings, const PartOptions& options, const std::string& command) {
  ClusterDir dir = OpenDir(settings, options);
  RunState state = LoadRunningState(dir);
  const std::string nodes = "1.." + std::to_string(state.layout.node_count());
  if (options.words.size() != 1) {
    Die("usage: ./run.sh " + command + " ID [--dir DIR]  (ID: " + nodes + ", primary, or broker)", 2);
  }
  std::string word = options.words.front();
  if (word == "primary") {
    Result<ClusterStatus> status = ProbeStatus(state.layout.ClientEndpoints(), settings.probe_timeout,
                                               LauncherCurveOrDie(state.layout, security::KeyRole::kClient));
    if (!status.ok()) Die(command + " primary: the broker does not answer, so the primary is unknown", 1);
    if (status.value().primary == 0) Die(command + " primary: there is no primary right now (./run.sh status)", 1);
    word = std::to_string(status.value().primary);
    Say("the primary is node " + word);
  }
  std::optional<PartId> part = PartFromWord(word, state.layout);
  if (!part) Die(command + ": no part '" + word + "' in this cluster (nodes " + nodes + ", primary, or broker)", 2);
  return Target{dir, state, *part};
}

// Marks the part stopped on purpose, so that no supervisor restarts it.
void MarkStopped(const Target& target) {
  Result<ClusterDir::Lock> lock = target.dir.LockRunState(D::kLockTimeout);
  if (!lock.ok()) Die(lock.error().message);
  if (std::optional<pid_t> supervisor = target.dir.SupervisorPid(); supervisor && target.dir.SupervisorRunning()) {
    Result<std::string> answer = AskSupervisor(*supervisor, "stop " + target.part.Name(), D::kControlTimeout);
    if (!answer.ok()) Warn(answer.error().message);
  }
  target.dir.SetFlag(target.part, PartFlag::kStopped, true);
}

// ", metrics http://127.0.0.1:5655/metrics" when the part serves them.
std::string MetricsUrl(const std::optional<Endpoint>& metrics) {
  return metrics ? ", metrics http://" + metrics->HostPort() + "/metrics" : "";
}

std::string Listens(const ClusterLayout& layout, PartId part) {
  if (part.is_broker()) {
    const BrokerSpec& broker = *layout.broker(part.broker);
    return "clients " + broker.clients.Tcp() + ", nodes :" + std::to_string(broker.nodes.port) +
           ", shutdown :" + std::to_string(broker.shutdown.port) + MetricsUrl(broker.metrics);
  }
  const NodeSpec& node = *layout.node(part.node);
  return "bus " + node.bus.Tcp() + ", transfer :" + std::to_string(node.transfer.port) + MetricsUrl(node.metrics);
}

std::string PartState(const ClusterDir& dir, PartId part) {
  if (dir.Running(part)) return "running";
  if (dir.HasFlag(part, PartFlag::kStopped)) return "stopped";
  if (dir.HasFlag(part, PartFlag::kFailed)) return "failed";
  return "down";
}

[[noreturn]] void Exec(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::cout << std::flush;
  std::cerr << std::flush;
  ::execvp(args[0], args.data());
  Die("cannot run " + argv[0] + ": " + std::strerror(errno));
}

}  // namespace

int CmdStatus(const LauncherSettings& settings, const PartOptions& options) {
  const ClusterDir dir = OpenDir(settings, options);
  const RunState state = LoadRunningState(dir);
  if (!options.words.empty()) Die("status: unknown argument '" + options.words.front() + "'", 2);
  const ClusterLayout& layout = state.layout;
  std::string supervisor = "not running: a part that dies stays down";
  if (dir.SupervisorRunning()) supervisor = "pid " + std::to_string(*dir.SupervisorPid());
  std::cout << "cluster in " << dir.dir() << ": port base " << layout.port_base << ", " << layout.node_count()
            << " nodes, started " << state.started_at << " (" << state.mode << ")\n"
            << "supervisor: " << supervisor << "\n"
            << Padded("PART", 8) << " " << Padded("PID", 8) << " " << Padded("STATE", 8) << " "
            << Padded("RESTARTS", 9) << " LISTENS ON\n";
  for (PartId part : layout.parts()) {
    const std::string part_state = PartState(dir, part);
    const std::string pid = part_state == "running" ? std::to_string(*dir.Pid(part)) : "-";
    std::cout << Padded(part.Label(), 8) << " " << Padded(pid, 8) << " " << Padded(part_state, 8) << " "
              << Padded(std::to_string(dir.Restarts(part)), 9) << " " << Listens(layout, part) << "\n";
    std::string note = dir.Note(part);
    if (part_state == "stopped") note = "stopped on purpose; ./run.sh restart " + part.Word() + " starts it again";
    if (!note.empty()) std::cout << "         ^ " << note << "\n";
  }
  const std::string events = TailLines(ReadText(dir.supervisor_log()), D::kStatusEventLines);
  if (!events.empty()) {
    std::cout << "recent supervisor events (" << dir.supervisor_log() << "):\n";
    size_t start = 0;
    while (start < events.size()) {
      const size_t end = events.find('\n', start);
      std::cout << "  " << events.substr(start, end - start) << "\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  std::cout << "\nthe cluster as the broker sees it (tsctl status):\n" << std::flush;
  return RunTsctl(state, {"status"}, settings.probe_timeout, std::cout);
}

int CmdKill(const LauncherSettings& settings, const PartOptions& options) {
  const Target target = OnePart(settings, options, "kill");
  const std::string label = target.part.Label();
  if (!target.dir.Running(target.part)) Die(label + " is not running (./run.sh status)", 1);
  const pid_t pid = *target.dir.Pid(target.part);
  ::kill(pid, SIGKILL);
  if (!WaitProcessGone(pid, target.part.Binary(), settings.stop_timeout)) {
    Die(label + " (pid " + std::to_string(pid) + ") survived SIGKILL for " +
            std::to_string(settings.stop_timeout.count()) + " s",
        1);
  }
  Say(label + " (pid " + std::to_string(pid) + ") killed with SIGKILL" +
      (target.part.is_broker() ? "" : "; its data directory keeps what it acknowledged"));
  if (target.dir.SupervisorRunning()) {
    Say("the supervisor restarts it in about " + std::to_string(settings.restart.first_delay.count()) +
        " ms; watch: ./run.sh status" + DirOption(settings, target.dir));
  } else {
    Warn("no supervisor is running: it stays down until ./run.sh restart " + target.part.Word() +
         DirOption(settings, target.dir));
  }
  return 0;
}

int CmdStop(const LauncherSettings& settings, const PartOptions& options) {
  if (options.words.empty()) {
    Die("stop needs an ID: a node id, primary or broker (./run.sh stop 2); to stop the whole cluster: ./run.sh down" +
            std::string(options.dir ? " --dir " + *options.dir : ""),
        2);
  }
  const Target target = OnePart(settings, options, "stop");
  const std::string label = target.part.Label();
  const std::string again = "./run.sh restart " + target.part.Word() + DirOption(settings, target.dir);
  MarkStopped(target);
  if (!target.dir.Running(target.part)) {
    Say(label + " was not running; it stays down (" + again + " starts it)");
    return 0;
  }
  StopPart(target.dir, target.part, settings.stop_timeout);
  target.dir.WriteNote(target.part, "stopped " + NowText(false) + " on purpose");
  if (!target.part.is_broker()) {
    const std::string save = target.state.layout.SavePath(target.part.node);
    Say(label + " saved " + PairsText(ReadSaveFile(save)) + " to " + save);
  }
  Say(label + " stopped; the supervisor leaves it down. " + again + " starts it again");
  return 0;
}

int CmdRestart(const LauncherSettings& settings, const PartOptions& options) {
  const Target target = OnePart(settings, options, "restart");
  const ClusterDir& dir = target.dir;
  const PartId part = target.part;
  const std::string label = part.Label();
  const std::string log = target.state.layout.LogPath(part);
  MarkStopped(target);
  if (dir.Running(part)) StopPart(dir, part, settings.stop_timeout);

  pid_t pid = -1;
  std::optional<ChildProcess> own;  // started here: no supervisor runs
  {
    Result<ClusterDir::Lock> lock = dir.LockRunState(D::kLockTimeout);
    if (!lock.ok()) Die(lock.error().message);
    if (std::optional<pid_t> supervisor = dir.SupervisorPid(); supervisor && dir.SupervisorRunning()) {
      Result<std::string> answer = AskSupervisor(*supervisor, "start " + part.Name(), D::kControlTimeout);
      if (!answer.ok() || answer.value().rfind("started ", 0) != 0) {
        Warn(answer.ok() ? answer.value() : answer.error().message);
        Die(label + " did not start (see " + log + ")", 1);
      }
      pid = static_cast<pid_t>(std::stol(answer.value().substr(8)));
    } else {
      Result<ChildProcess> started = StartPart(dir, target.state, part);
      if (!started.ok()) {
        Warn(started.error().message);
        Die(label + " did not start (see " + log + ")", 1);
      }
      own.emplace(std::move(started.value()));
      pid = own->pid();
      dir.SetFlag(part, PartFlag::kStopped, false);
      dir.SetFlag(part, PartFlag::kFailed, false);
      dir.WriteNote(part, "restarted " + NowText(false) + " by hand, pid " + std::to_string(pid));
    }
  }
  Say(label + " started, pid " + std::to_string(pid));
  // A part started here outlives this command, whatever happens below.
  auto release = [&own] {
    if (own) own->Release();
  };
  if (part.is_broker()) {
    release();
    return 0;
  }
  const auto deadline = std::chrono::steady_clock::now() + settings.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (own && !own->running()) dir.WriteExit(part, *own->exit_status());  // no supervisor records it
    if (!dir.Running(part)) {
      release();
      Die(label + " exited (" + ExitReason(dir, part) + "); see " + log, 1);
    }
    Result<ClusterStatus> status = ProbeStatus(target.state.layout.ClientEndpoints(), settings.probe_timeout,
                                               LauncherCurveOrDie(target.state.layout, security::KeyRole::kClient));
    if (status.ok()) {
      auto node = status.value().nodes.find(part.node);
      if (node != status.value().nodes.end() && node->second.live()) {
        release();
        Say(label + " is live again (the broker sees it); it rejoins as a backup");
        return 0;
      }
    }
    std::this_thread::sleep_for(D::kReadyPollInterval);
  }
  release();
  Die(label + " runs but the broker has not seen it live within " + std::to_string(settings.start_timeout.count()) +
          " s (./run.sh logs " + part.Word() + ")",
      1);
}

int CmdLogs(const LauncherSettings& settings, const LogsOptions& options) {
  if (options.dir_without_value) Die("--dir needs a value", 2);
  const std::string lines = options.lines.value_or(std::to_string(D::kLogTailLines));
  if (lines.empty() || lines.find_first_not_of("0123456789") != std::string::npos) {
    Die("--lines needs a number, not '" + lines + "'", 2);
  }
  const ClusterDir dir(options.dir.value_or(settings.data_dir));
  const std::string log_dir = dir.log_dir();
  if (!std::filesystem::is_directory(log_dir)) Die("no logs in " + dir.dir() + " (no cluster was started there)", 1);
  std::vector<std::string> files;
  if (options.words.empty()) {
    for (const char* name : {"supervisor", "broker"}) {
      if (std::filesystem::exists(log_dir + "/" + name + ".log")) files.push_back(log_dir + "/" + name + ".log");
    }
    std::vector<std::string> nodes;
    for (const auto& entry : std::filesystem::directory_iterator(log_dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("node-", 0) == 0 && name.ends_with(".log")) nodes.push_back(entry.path().string());
    }
    std::sort(nodes.begin(), nodes.end());
    files.insert(files.end(), nodes.begin(), nodes.end());
  }
  for (const std::string& word : options.words) {
    const std::string part = word == "supervisor" || word == "broker" ? word
                             : word.rfind("node-", 0) == 0           ? word
                                                                     : "node-" + word;
    const std::string path = log_dir + "/" + part + ".log";
    if (!std::filesystem::exists(path)) {
      std::vector<std::string> there;
      for (const auto& entry : std::filesystem::directory_iterator(log_dir)) {
        there.push_back(entry.path().filename().string());
      }
      std::sort(there.begin(), there.end());
      std::string listing;
      for (const std::string& name : there) listing += (listing.empty() ? "" : "\n") + name;
      Die("no log for '" + word + "' in " + log_dir + " (there: " + listing + ")", 2);
    }
    files.push_back(path);
  }
  if (files.empty()) Die("no logs in " + log_dir + " yet", 1);
  std::vector<std::string> tail = {"tail", "-n", lines};
  if (options.follow) tail.push_back("-F");  // until Ctrl-C: following is what was asked
  tail.insert(tail.end(), files.begin(), files.end());
  Exec(tail);
}

int CmdCli(const LauncherSettings& settings, const PartOptions& options) {
  const ClusterDir dir = OpenDir(settings, options);
  const RunState state = LoadRunningState(dir);
  std::vector<std::string> argv = {state.tsctl, "--broker", state.layout.ClientEndpoints(),
                                   "--shutdown-endpoint", state.layout.ShutdownEndpoints()};
  if (state.layout.keys_dir) {
    // The cluster's client key; shutdown from the prompt needs the admin key (./run.sh down has it).
    argv.insert(argv.end(), {"--key", LauncherKeyBase(state.layout, security::KeyRole::kClient)});
  }
  argv.insert(argv.end(), options.words.begin(), options.words.end());
  Exec(argv);
}

}  // namespace ts::launcher
