// start (the foreground default), up (the same, with a background
// supervisor) and down. The process that supervises is the parent of every
// part: in the foreground that is tscluster itself; for `up` it forks the
// background supervisor first, which starts the parts, and waits for it to
// say the cluster is ready before printing the banner.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <iostream>

#include "clients/tsctl_format.h"
#include "launcher/cluster_shape.h"
#include "launcher/cluster_status.h"
#include "launcher/layout_file.h"
#include "launcher/commands.h"
#include "launcher/cluster_keys_use.h"
#include "launcher/console.h"
#include "launcher/ports.h"
#include "launcher/save_files.h"
#include "launcher/signals.h"
#include "launcher/supervisor.h"

namespace ts::launcher {
namespace {

using D = LauncherDefaults;

// "broker", "2 brokers".
std::string Brokers(const ClusterLayout& layout) {
  return layout.broker_count() == 1 ? "broker" : std::to_string(layout.broker_count()) + " brokers";
}

// What the background supervisor tells `up` over its pipe.
constexpr char kReady = 'R';

std::optional<int> WholeNumber(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoi(text);
}

struct StartPlan {
  ClusterDir dir;
  ClusterLayout layout;
  std::string import_file;  // --load, absolute (empty: none)
};

ClusterDir MakeClusterDir(const std::string& typed_dir) {
  std::error_code error;
  std::filesystem::create_directories(typed_dir, error);
  if (error) Die("cannot create the cluster directory " + typed_dir);
  return ClusterDir(typed_dir);
}

// The binaries, the logs, DIR/cluster.json (which every part starts from).
void SetLauncherPaths(const LauncherSettings& settings, const ClusterDir& dir, ClusterLayout& layout) {
  layout.tsbroker = settings.build_dir + "/brokers/tsbroker";
  layout.tsnode = settings.build_dir + "/nodes/tsnode";
  layout.data_dir = dir.dir();
  layout.log_dir = dir.log_dir();
  layout.cluster_file = dir.cluster_file();
}

std::string ImportFile(const StartOptions& options) {
  std::error_code error;
  return options.load ? std::filesystem::absolute(*options.load, error).lexically_normal().string() : "";
}

// up --cluster FILE [--host NAME]: the layout is the file's; the keys are
// the file's keys_dir (copied to this host, not made here).
StartPlan PlanStartFromFile(const LauncherSettings& settings, const StartOptions& options,
                            const std::string& typed_dir) {
  for (auto [given, name] : {std::pair{options.nodes.has_value(), "--nodes"},
                             std::pair{options.brokers.has_value(), "--brokers"},
                             std::pair{options.port.has_value(), "--port"}}) {
    if (given) Die(std::string(name) + " goes with a port layout; with --cluster the file names every part", 2);
  }
  Result<cluster_file::ClusterFile> file = cluster_file::LoadClusterFile(*options.cluster);
  if (!file.ok()) Die("--cluster: " + file.error().message, 2);
  ClusterLayout layout = LayoutFromClusterFile(file.value());
  if (options.host) {
    const std::vector<std::string> hosts = file.value().Hosts();
    if (std::find(hosts.begin(), hosts.end(), *options.host) == hosts.end()) {
      std::string names;
      for (const std::string& host : hosts) names += (names.empty() ? "" : ", ") + host;
      Die("--host " + *options.host + ": no part of " + *options.cluster + " runs there (its hosts: " + names + ")", 2);
    }
    layout.local_host = *options.host;
  }
  const ClusterDir dir = MakeClusterDir(typed_dir);
  SetLauncherPaths(settings, dir, layout);
  if (options.min_acks) layout.min_acks = options.min_acks;
  if (options.max_clients) layout.max_clients = options.max_clients;
  if (options.sync) layout.sync = options.sync;
  std::string here;
  for (PartId part : layout.parts()) here += (here.empty() ? "" : ", ") + part.Label();
  Say("cluster file " + *options.cluster + ": " + std::to_string(layout.broker_count()) + " broker(s) + " +
      std::to_string(layout.node_count()) + " nodes" +
      (layout.local_host ? "; host " + *layout.local_host + " runs " + here + " (the others are expected elsewhere)"
                         : "; every part runs here"));
  Say(layout.keys_dir ? "keys: " + *layout.keys_dir + " (the file's keys_dir)"
                      : "the cluster file says \"insecure\": every part runs --insecure (plain text, no keys)");
  return StartPlan{dir, layout, ImportFile(options)};
}

// Checks [--nodes N] [--port BASE] [--dir DIR] [--load FILE] as run.sh did:
// the directory and the layout of the cluster to start.
StartPlan PlanStart(const LauncherSettings& settings, const StartOptions& options, const std::string& command) {
  for (auto [missing, name] : {std::pair{options.nodes_without_value, "--nodes"},
                               std::pair{options.brokers_without_value, "--brokers"},
                               std::pair{options.port_without_value, "--port"},
                               std::pair{options.dir_without_value, "--dir"},
                               std::pair{options.load_without_value, "--load"}}) {
    if (missing) Die(std::string(name) + " needs a value (./run.sh help)", 2);
  }
  if (!options.unknown.empty()) Die(command + ": unknown argument '" + options.unknown.front() + "' (./run.sh help)", 2);
  if (options.cluster_without_value) Die("--cluster needs a value (./run.sh help)", 2);
  if (options.host_without_value) Die("--host needs a value (./run.sh help)", 2);
  const std::string typed_dir = options.dir.value_or(settings.data_dir);
  if (typed_dir.empty()) Die("--dir needs a directory", 2);
  if (options.host && !options.cluster) Die("--host needs --cluster FILE (the file says which parts run where)", 2);
  if (options.cluster) return PlanStartFromFile(settings, options, typed_dir);
  // A directory that ran a cluster starts it again as it was, unless flags say otherwise.
  Result<std::optional<ClusterShape>> remembered = ReadClusterShape(ClusterDir(typed_dir).dir());
  if (!remembered.ok()) Die(remembered.error().message, 2);
  const std::optional<ClusterShape>& shape = remembered.value();
  if (shape && (!options.port || !options.nodes)) {
    Say("this directory ran " + std::to_string(shape->nodes) + " nodes on port base " +
        std::to_string(shape->port_base) + " (" + ClusterShapePath(ClusterDir(typed_dir).dir()) +
        "); starting it so unless --port / --nodes say otherwise");
  }
  const std::string nodes_text =
      options.nodes.value_or(shape ? std::to_string(shape->nodes) : settings.node_count);
  const std::optional<int> nodes = WholeNumber(nodes_text);
  if (!nodes || *nodes < D::kMinNodeCount || *nodes > D::kMaxNodeCount) {
    Die("--nodes must be a number from " + std::to_string(D::kMinNodeCount) + " to " +
            std::to_string(D::kMaxNodeCount) + ", not '" + nodes_text + "'",
        2);
  }
  const std::string brokers_text =
      options.brokers.value_or(shape ? std::to_string(shape->brokers) : std::to_string(D::kBrokerCount));
  const std::optional<int> brokers = WholeNumber(brokers_text);
  if (!brokers || *brokers < 1 || *brokers > D::kMaxBrokerCount) {
    Die("--brokers must be a number from 1 to " + std::to_string(D::kMaxBrokerCount) + ", not '" + brokers_text + "'",
        2);
  }
  const std::string port_text = options.port.value_or(shape ? std::to_string(shape->port_base) : settings.port_base);
  const std::optional<int> base = WholeNumber(port_text);
  const int span = PortLayout::Span(*nodes);
  if (!base || *base < D::kMinPortBase || *base + span > 65535) {
    Die("--port must be a number from " + std::to_string(D::kMinPortBase) + " to " + std::to_string(65535 - span) +
            " (the cluster uses BASE..BASE+" + std::to_string(span) + "), not '" + port_text + "'",
        2);
  }
  if (std::optional<PortRange> ephemeral = EphemeralPortRange();
      ephemeral && Overlaps(*base, *base + span, *ephemeral)) {
    Die("--port " + std::to_string(*base) + ": the cluster's ports " + std::to_string(*base) + ".." +
            std::to_string(*base + span) + " overlap the kernel's ephemeral ports " +
            std::to_string(ephemeral->lowest) + ".." + std::to_string(ephemeral->highest) +
            " (/proc/sys/net/ipv4/ip_local_port_range), which any outgoing connection may take first; "
            "choose a base below " + std::to_string(ephemeral->lowest - span) + " or above " +
            std::to_string(ephemeral->highest),
        2);
  }
  const ClusterDir dir = MakeClusterDir(typed_dir);
  ClusterLayout layout = ClusterLayout::FromPortBase(*base, *nodes, *brokers);
  SetLauncherPaths(settings, dir, layout);
  layout.node_data_dirs = true;  // each node's own history: DIR/node-<id>.data
  layout.heartbeat = settings.node_heartbeat;
  layout.liveness = settings.node_liveness;
  layout.min_acks = options.min_acks;
  layout.max_clients = options.max_clients;
  layout.sync = options.sync;
  if (settings.insecure) {
    Warn("TS_INSECURE=1: every part runs --insecure (plain text, no keys)");
  } else {
    Result<std::string> keys = EnsureLayoutKeys(dir.dir(), layout);
    if (!keys.ok()) Die("cannot make the cluster's keys: " + keys.error().message);
    Say(keys.value());
  }
  return StartPlan{dir, layout, ImportFile(options)};
}

void CheckCanStart(const ClusterDir& dir, const ClusterLayout& layout) {
  if (dir.Exists()) {
    bool running = dir.SupervisorRunning();
    if (Result<RunState> old = dir.ReadState(); old.ok()) {
      for (PartId part : old.value().layout.parts()) running = running || dir.Running(part);
    }
    if (running) {
      Die("a cluster is already running from " + dir.dir() + ": see ./run.sh status --dir " + dir.dir() +
              ", stop it with ./run.sh down --dir " + dir.dir(),
          1);
    }
    Warn(dir.dir() + " held the state of a cluster that is no longer running (not shut down by run.sh); "
         "starting it again (each node recovers its own data directory)");
    dir.RemoveRunDir();
  }
  const int highest = layout.port_base + PortLayout::Span(layout.node_count());
  std::vector<std::pair<int, std::string>> ports = layout.ListeningPorts();
  for (const auto& metrics_port : layout.MetricsPorts()) ports.push_back(metrics_port);
  for (const auto& [port, what] : ports) {
    if (PortInUse(port)) {
      Die("port " + std::to_string(port) + " (" + what + ") is already in use: is another cluster running? " +
              (layout.port_base == 0 ? std::string("Change it in the cluster file")
                                     : "Choose another base with --port (this one uses " +
                                           std::to_string(layout.port_base) + ".." + std::to_string(highest) + ")"),
          1);
    }
  }
}

bool HasHistory(const std::string& data_dir) {
  std::error_code ignored;
  return std::filesystem::is_directory(data_dir, ignored) && !std::filesystem::is_empty(data_dir, ignored);
}

// Says where each node's data comes from: its own data directory (a restart
// recovers it), or, for a cluster without any history, the --load export; and
// refuses a --load that would not be used.
void AnnounceData(const ClusterDir& dir, const ClusterLayout& layout, const std::string& import_file) {
  std::vector<uint32_t> with_history, without;
  for (const NodeSpec& node : layout.nodes) (HasHistory(layout.NodeDataDir(node.id)) ? with_history : without).push_back(node.id);
  if (!import_file.empty()) {
    if (!with_history.empty()) {
      Die("--load " + import_file + " seeds an empty cluster, but " + layout.NodeDataDir(with_history.front()) +
              " already holds node " + std::to_string(with_history.front()) +
              "'s history; start without --load (the nodes recover their own data), or use another --dir",
          2);
    }
    Result<SnapshotHeader> header = ReadSnapshotHeader(import_file);
    if (!header.ok()) Die("--load " + import_file + ": " + header.error().message, 2);
    const SaveFile file = ReadSaveFile(import_file);
    Say("every node imports " + import_file + " (" + PairsText(file) + " at " + PositionText(file) +
        ") into its empty data directory " + dir.dir() + "/node-<id>.data");
    return;
  }
  if (!with_history.empty()) {
    Say("each node recovers its own history from " + dir.dir() + "/node-<id>.data");
    for (uint32_t id : without) {
      Say("node " + std::to_string(id) + " has no history yet: it starts empty and copies the state from the primary");
    }
    return;
  }
  Say("no data in " + dir.dir() + ": the nodes start empty");
  if (const std::optional<SaveFile> export_file = Freshest(SaveFilesIn(dir.dir()))) {
    Warn(export_file->path + " (" + PairsText(*export_file) + " at " + PositionText(*export_file) + ", written " +
         LocalTimeText(export_file->written) + ") is an export; to seed the cluster from it: ./run.sh down, then "
         "./run.sh up --load " + export_file->path);
  }
}

// Sleeps up to `wait`, less when a signal arrives.
void Pause(Millis wait) {
  pollfd item{SignalPipeFd(), POLLIN, 0};
  ::poll(&item, 1, static_cast<int>(wait.count()));
  DrainSignalPipe();
}

// up --host NAME: ready once every broker of this host answers and every
// node of this host is live at some broker of the cluster (the other hosts'
// parts may not be started yet: a primary is not waited for).
bool ReadyOnThisHost(const LauncherSettings& settings, const ClusterLayout& layout, std::string* last_seen) {
  std::set<uint32_t> live;
  bool local_brokers_answer = true;
  for (const BrokerSpec& broker : layout.brokers) {
    Result<Reply> reply = RequestStatus(broker.clients.Tcp(), settings.probe_timeout,
                                        LauncherCurveOrDie(layout, security::KeyRole::kClient));
    const bool local = layout.IsLocal(PartId::Broker(broker.id));
    if (!reply.ok()) {
      if (local) *last_seen = tsctl::JsonLine(tsctl::FailureJson("STATUS", reply.error()));
      local_brokers_answer = local_brokers_answer && !local;
      continue;
    }
    *last_seen = tsctl::JsonLine(tsctl::ReplyJson(reply.value()));
    for (const auto& [id, node] : ParseClusterStatus(reply.value()).nodes) {
      if (node.live()) live.insert(id);
    }
  }
  if (!local_brokers_answer) return false;
  for (const NodeSpec& node : layout.nodes) {
    if (layout.IsLocal(PartId::Node(node.id)) && live.count(node.id) == 0) return false;
  }
  return true;
}

// Until a primary serves and every node is live; on failure says why. False
// also when a stop signal came.
bool WaitUntilReady(const LauncherSettings& settings, const RunState& state, Supervisor& supervisor) {
  const auto deadline = std::chrono::steady_clock::now() + settings.start_timeout;
  std::string last_seen;
  while (std::chrono::steady_clock::now() < deadline) {
    if (StopSignal() != 0) return false;
    for (PartId part : state.layout.parts()) {
      std::optional<ExitStatus> ended = supervisor.Ended(part);
      if (!ended) continue;
      const std::string log = state.layout.LogPath(part);
      Warn(part.Label() + " exited during start (" + ended->Describe() + "); the end of " + log + ":");
      std::cerr << TailLines(ReadText(log), D::kLogTailLines) << std::flush;
      return false;
    }
    if (state.layout.local_host) {
      if (ReadyOnThisHost(settings, state.layout, &last_seen)) return true;
      Pause(D::kReadyPollInterval);
      continue;
    }
    // Ready once every broker serves a primary and sees every node live.
    bool ready = true;
    for (const BrokerSpec& broker : state.layout.brokers) {
      Result<Reply> reply = RequestStatus(broker.clients.Tcp(), settings.probe_timeout,
                                          LauncherCurveOrDie(state.layout, security::KeyRole::kClient));
      if (reply.ok()) {
        last_seen = tsctl::JsonLine(tsctl::ReplyJson(reply.value()));
        const ClusterStatus status = ParseClusterStatus(reply.value());
        bool all_live = reply.value().ok() && status.primary != 0;
        for (const NodeSpec& node : state.layout.nodes) {
          auto seen = status.nodes.find(node.id);
          all_live = all_live && seen != status.nodes.end() && seen->second.live();
        }
        ready = ready && all_live;
      } else {
        last_seen = tsctl::JsonLine(tsctl::FailureJson("STATUS", reply.error()));
        ready = false;
      }
      if (!ready) break;
    }
    if (ready) return true;
    Pause(D::kReadyPollInterval);
  }
  while (!last_seen.empty() && last_seen.back() == '\n') last_seen.pop_back();
  Warn("the cluster did not become ready within " + std::to_string(settings.start_timeout.count()) +
       " s (a primary serving, every node live)");
  Warn("last status seen: " + (last_seen.empty() ? std::string("no answer from the broker") : last_seen) +
       "; logs are in " + state.layout.log_dir);
  return false;
}

void PrintBanner(const LauncherSettings& settings, const ClusterDir& dir, const RunState& state) {
  const ClusterLayout& layout = state.layout;
  Result<ClusterStatus> status = ProbeStatus(layout.ClientEndpoints(), settings.probe_timeout,
                                               LauncherCurveOrDie(layout, security::KeyRole::kClient));
  const uint32_t primary = status.ok() ? status.value().primary : 0;
  std::cout << "\ntuplestar is running: " << Brokers(layout) << " + " << layout.node_count() << " nodes, data in "
            << dir.dir() << "\n";
  for (const BrokerSpec& broker : layout.brokers) {
    std::string name = PartId::Broker(broker.id).Name();
    name.resize(std::max<size_t>(name.size(), 8), ' ');
    std::cout << "  " << name << " clients  " << broker.clients.Tcp() << "   (tsctl --broker)\n"
              << "           nodes    " << broker.nodes.Tcp() << "\n"
              << "           shutdown " << broker.shutdown.Tcp() << "   (tsctl shutdown)\n";
  }
  for (const NodeSpec& node : layout.nodes) {
    std::string id = std::to_string(node.id);
    id.resize(std::max<size_t>(id.size(), 3), ' ');
    std::cout << "  node " << id << " bus " << node.bus.Tcp() << "  transfer " << node.transfer.Tcp() << "  data "
              << layout.NodeDataDir(node.id) << (node.id == primary ? "  (primary)" : "") << "\n";
  }
  if (layout.local_host) {
    std::string here;
    for (PartId part : layout.parts()) here += (here.empty() ? "" : ", ") + part.Label();
    std::cout << "  this host (" << *layout.local_host << ") runs " << here
              << "; the others run on their own hosts\n";
  }
  const std::string cli = "./run.sh cli" + DirOption(settings, dir);
  std::cout << "  logs     " << layout.log_dir << "/\n\n"
            << "Try it (tsctl is " << state.tsctl << "):\n"
            << "  " << cli << " put user,1 ann user,2 bob\n"
            << "  " << cli << " get 'user,\\d+' '.*'\n"
            << "  " << cli << " status\n"
            << "More: ./run.sh help\n"
            << std::flush;
}

// Starts every part as children of this process and waits until the cluster
// is ready; on failure stops what was started and ends the command.
void StartParts(const LauncherSettings& settings, const ClusterDir& dir, const RunState& state, Supervisor& supervisor,
                bool foreground, const std::string& import_file) {
  bool started = false;
  {
    Result<ClusterDir::Lock> lock = dir.LockRunState(D::kLockTimeout);
    if (!lock.ok()) Die(lock.error().message);
    started = supervisor.StartAll(import_file);
  }
  if (started && WaitUntilReady(settings, state, supervisor)) return;
  if (StopSignal() != 0) {  // Ctrl-C or `down` during the start
    if (foreground && dir.Exists()) OrderlyDown(settings, dir, state, true);
    throw CommandExit{130};
  }
  Warn("start failed; stopping what was started");
  OrderlyDown(settings, dir, state, foreground);
  throw CommandExit{1};
}

// The background supervisor, in the process `up` forked: starts the parts,
// tells `up` over `ready_fd` once the cluster is ready, then supervises with
// its output in DIR/logs/supervisor.log.
int RunBackgroundSupervisor(const LauncherSettings& settings, const ClusterDir& dir, const RunState& state,
                            const std::string& import_file, int ready_fd) {
  ::setsid();  // no terminal: a Ctrl-C or a closed terminal does not reach it
  InstallSignalHandlers();
  dir.WriteSupervisorPid(::getpid());
  Supervisor supervisor(dir, state, settings, /*foreground=*/false);
  try {
    StartParts(settings, dir, state, supervisor, /*foreground=*/false, import_file);
  } catch (const CommandExit& exit) {
    return exit.code;
  }
  if (Status listening = supervisor.Listen(); !listening.ok()) {
    Warn("the supervisor cannot take commands: " + listening.error().message);
  }
  const int log = ::open(dir.supervisor_log().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::cout << std::flush;
  std::cerr << std::flush;
  if (log >= 0) {
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
  }
  if (input >= 0) ::dup2(input, STDIN_FILENO);
  (void)!::write(ready_fd, &kReady, 1);
  ::close(ready_fd);
  if (const int signal_number = supervisor.Run(); signal_number != 0) {
    supervisor.Log(std::string("supervisor stopped (") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM") + ")");
  }
  return 0;
}

}  // namespace

int CmdStart(const LauncherSettings& settings, const StartOptions& options, bool foreground) {
  StartPlan plan = PlanStart(settings, options, foreground ? "start" : "up");
  const ClusterDir& dir = plan.dir;
  RunState state;
  state.layout = plan.layout;
  state.tsctl = settings.build_dir + "/clients/tsctl";
  state.mode = foreground ? "foreground" : "background";
  state.started_at = NowText();
  if (foreground) InstallSignalHandlers();  // before anything starts: Ctrl-C always shuts down in order
  CheckCanStart(dir, state.layout);
  for (const std::string& binary : {state.layout.tsbroker, state.layout.tsnode, state.tsctl}) {
    if (::access(binary.c_str(), X_OK) != 0) Die(binary + " is missing: build it with ./run.sh build", 1);
  }
  if (state.layout.port_base != 0) {
    Say("starting " + Brokers(state.layout) + " + " + std::to_string(state.layout.node_count()) + " nodes on ports " +
        std::to_string(state.layout.port_base) + ".." +
        std::to_string(state.layout.port_base + PortLayout::Span(state.layout.node_count())) +
        ", directory " + dir.dir());
  } else {
    Say("starting " + std::to_string(state.layout.parts().size()) + " part(s) from the cluster file, directory " +
        dir.dir());
  }
  AnnounceData(dir, state.layout, plan.import_file);  // before the run state: a refused --load leaves none
  if (Status created = dir.CreateRunDirs(); !created.ok()) Die(created.error().message);
  if (Status written = dir.WriteState(state); !written.ok()) Die(written.error().message);
  // What every part starts from (--cluster DIR/cluster.json --id N): the layout, as a cluster file.
  if (Status written = cluster_file::WriteClusterFile(dir.cluster_file(), ToClusterFile(state.layout)); !written.ok()) {
    Die(written.error().message);
  }
  if (state.layout.port_base != 0) {  // a cluster file is remembered by its own --cluster
    const ClusterShape shape{state.layout.port_base, state.layout.node_count(), state.layout.broker_count()};
    if (Status written = WriteClusterShape(dir.dir(), shape); !written.ok()) Die(written.error().message);
  }

  if (foreground) {
    // This process is the supervisor from the start, so that a `down`
    // elsewhere signals it (and it shuts down in order) even mid-start.
    dir.WriteSupervisorPid(::getpid());
    Supervisor supervisor(dir, state, settings, /*foreground=*/true);
    StartParts(settings, dir, state, supervisor, /*foreground=*/true, plan.import_file);
    PrintBanner(settings, dir, state);
    std::cout << "Supervising in the foreground (a node that dies is restarted). Ctrl-C stops everything, data saved."
              << std::endl;
    if (Status listening = supervisor.Listen(); !listening.ok()) {
      Warn("the supervisor cannot take commands: " + listening.error().message);
    }
    if (supervisor.Run() != 0 && dir.Exists()) OrderlyDown(settings, dir, state, /*foreground=*/true);
    return 0;
  }

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) Die("cannot make a pipe for the background supervisor");
  std::cout << std::flush;
  std::cerr << std::flush;
  const pid_t child = ::fork();
  if (child < 0) Die("cannot fork the background supervisor");
  if (child == 0) {
    ::close(ready[0]);
    std::exit(RunBackgroundSupervisor(settings, dir, state, plan.import_file, ready[1]));
  }
  ::close(ready[1]);
  // The supervisor's own waits are bounded (start, then an orderly stop).
  const auto patience = settings.start_timeout + settings.shutdown_timeout + 2 * settings.stop_timeout +
                        D::kSupervisorStartTimeout;
  pollfd item{ready[0], POLLIN, 0};
  char answer = 0;
  const bool heard = ::poll(&item, 1, static_cast<int>(Millis(patience).count())) > 0;
  const bool ready_now = heard && ::read(ready[0], &answer, 1) == 1 && answer == kReady;
  ::close(ready[0]);
  if (!ready_now) {  // a supervisor that gave up said why on our stderr; one that crashed could not
    int wait_status = 0;
    if (!heard) {
      Warn("the background supervisor (pid " + std::to_string(child) + ") did not report within " +
           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(patience).count()) + " s");
    } else if (::waitpid(child, &wait_status, 0) == child && WIFSIGNALED(wait_status)) {
      Warn("the background supervisor (pid " + std::to_string(child) + ") was " +
           ExitStatus::Signaled(WTERMSIG(wait_status)).Describe() + " during the start");
    }
    return 1;
  }
  PrintBanner(settings, dir, state);
  std::cout << "Running in the background; stop it with: ./run.sh down" << DirOption(settings, dir) << std::endl;
  return 0;
}

int CmdDown(const LauncherSettings& settings, const PartOptions& options) {
  if (options.dir_without_value) Die("--dir needs a value", 2);
  if (!options.words.empty()) Die("down: unknown argument '" + options.words.front() + "' (./run.sh help)", 2);
  const std::string typed = options.dir.value_or(settings.data_dir);
  if (!std::filesystem::is_directory(typed)) {
    Say("no cluster is running from " + typed + " (no such directory); nothing to stop");
    return 0;
  }
  const ClusterDir dir(typed);
  if (!dir.Exists()) {
    Say("no cluster is running from " + dir.dir() + "; nothing to stop");
    return 0;
  }
  OrderlyDown(settings, dir, LoadRunningState(dir), /*foreground=*/false);
  return 0;
}

}  // namespace ts::launcher
