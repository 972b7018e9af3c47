#include "launcher/chaos/chaos_run.h"

#include <signal.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

#include "launcher/chaos/chaos_report.h"
#include "launcher/chaos/fault_log.h"
#include "launcher/chaos/nemesis.h"
#include "launcher/chaos/netns.h"
#include "launcher/chaos/netns_cluster.h"
#include "launcher/child_process.h"
#include "launcher/signals.h"

namespace ts::launcher::chaos {
namespace {

constexpr int kExitHeld = 0;
constexpr int kExitViolation = 1;
constexpr int kExitCannotRun = 2;

void Say(const std::string& line) { std::cerr << "[tschaos] " << line << std::endl; }

std::string RunName() {
  std::random_device device;
  const char* digits = "0123456789abcdef";
  std::string name;
  for (int i = 0; i < 4; ++i) name += digits[device() % 16];
  return name;
}

std::string Timestamp() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", std::localtime(&now));
  return text;
}

std::string Joined(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> HistoryArgv(const ChaosOptions& options, NetnsCluster& cluster, const std::string& dir,
                                     std::chrono::milliseconds duration) {
  std::vector<std::string> argv = {options.history_bin, "--broker", Joined(cluster.ClientEndpoints(), ",")};
  if (options.insecure) {
    argv.push_back("--insecure");
  } else {
    argv.insert(argv.end(), {"--key", cluster.ClientKeyBase(), "--server-key", cluster.ServerKeyPath()});
  }
  argv.insert(argv.end(), {"--clients", std::to_string(options.clients), "--keys", std::to_string(options.keys),
                           "--duration-ms", std::to_string(duration.count()), "--seed", std::to_string(options.seed),
                           "--timeout-ms", std::to_string(ChaosDefaults::kClientTimeout.count()), "--out",
                           dir + "/history.jsonl", "--rate-out", dir + "/rate.csv"});
  return argv;
}

std::string RoundLine(const RoundOutcome& outcome, int of) {
  std::string faults;
  for (const FaultRecord& fault : outcome.faults) faults += (faults.empty() ? "" : " + ") + fault.kind + " " + fault.target;
  return "round " + std::to_string(outcome.round) + "/" + std::to_string(of) + ": " + faults +
         " (primary was " + (outcome.primary.empty() ? std::string("none") : outcome.primary) + ")" +
         (outcome.healed ? "; serving again " + std::to_string(outcome.recovery.count()) + " ms after the heal"
                         : "; NOT serving after the heal") +
         (outcome.note.empty() ? "" : " (" + outcome.note + ")");
}

}  // namespace

int RunChaos(const ChaosOptions& given) {
  ChaosOptions options = given;
  if (!IsRoot()) {
    Say("needs root: each part runs in a network namespace of its own (this is uid " + std::to_string(::geteuid()) +
        "); run it as root, e.g. sudo ./run.sh chaos");
    return kExitCannotRun;
  }
  if (options.history_bin.empty()) options.history_bin = options.build_dir + "/launcher/chaos/tschaos-history";
  if (options.check_bin.empty()) options.check_bin = options.build_dir + "/launcher/chaos/tschaos-check";
  InstallSignalHandlers();

  const std::string dir = options.results_dir + "/chaos-" + Timestamp();
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    Say("cannot make " + dir + ": " + error.message());
    return kExitCannotRun;
  }
  const std::string run = RunName();
  if (Result<std::vector<std::string>> others = ExistingRuns(); others.ok() && !others.value().empty()) {
    Say("note: namespaces of other runs are here (" + Joined(others.value(), ", ") +
        "); if no run is going on, tschaos --cleanup removes them");
  }
  Say("run " + run + " in " + dir + " (seed " + std::to_string(options.seed) + ")");

  ReportInput report;
  std::vector<std::string> broker_logs;  // every broker's, for the checker's primaries per term
  report.dir = dir;
  std::vector<Round> plan;
  int64_t history_start_ns = 0;
  {
    NetnsClusterOptions cluster_options;
    cluster_options.run = run;
    cluster_options.dir = dir;
    cluster_options.build_dir = options.build_dir;
    cluster_options.nodes = ChaosDefaults::kNodes;
    cluster_options.insecure = options.insecure;
    if (options.unsafe_ack) {
      cluster_options.extra_node_args = {"--unsafe-ack-before-replication"};
      cluster_options.in_memory_nodes = true;
    }
    Result<std::unique_ptr<NetnsCluster>> made = NetnsCluster::Create(cluster_options);
    if (!made.ok()) {
      Say("cannot make the cluster: " + made.error().message);
      (void)RemoveRun(run);
      return kExitCannotRun;
    }
    NetnsCluster& cluster = *made.value();
    broker_logs = cluster.BrokerLogs();
    std::string hosts;
    for (const std::string& part : cluster.parts()) {
      hosts += (hosts.empty() ? "" : ", ") + part + " " + cluster.network().host(part).address + " (" +
               cluster.network().host(part).ns + ")";
    }
    Say("hosts: " + hosts + "; bridge " + cluster.network().bridge() + " " + cluster.network().bridge_address());
    if (Status started = cluster.StartAll(); !started.ok()) {
      Say("cannot start the cluster: " + started.error().message);
      return kExitCannotRun;
    }
    std::string last_seen;
    if (!cluster.WaitServing(ChaosDefaults::kStartTimeout, &last_seen)) {
      Say("the cluster did not serve within " + std::to_string(ChaosDefaults::kStartTimeout.count()) +
          " ms (last: " + last_seen + "); logs in " + dir + "/logs");
      return kExitCannotRun;
    }

    PlanShape shape = cluster.Shape();
    shape.rounds = options.rounds;
    shape.shortest = ChaosDefaults::kShortestFault;
    shape.longest = options.quick ? ChaosDefaults::kQuickLongestFault : ChaosDefaults::kLongestFault;
    plan = PlanRounds(options.seed, shape);
    if (options.unsafe_ack) {
      // In-memory nodes come back from a crash of them all at term 0, below
      // what the broker served: it must forget too, or nothing serves again.
      for (Round& round : plan) {
        for (Fault& fault : round.faults) {
          if (fault.kind == FaultKind::kCrashAll) fault.targets.insert(fault.targets.end(), shape.brokers.begin(), shape.brokers.end());
        }
      }
    }
    report.settings = "seed " + std::to_string(options.seed) + ", rounds planned " + std::to_string(options.rounds) +
                      ", faults stand " + std::to_string(shape.shortest.count()) + ".." +
                      std::to_string(shape.longest.count()) + " ms, " + std::to_string(ChaosDefaults::kNodes) +
                      " nodes + " + std::to_string(shape.brokers.size()) + " brokers, " + (options.insecure ? "--insecure" : "CURVE") +
                      (options.unsafe_ack ? ", UNSAFE tsnode --unsafe-ack-before-replication, nodes in memory" : "") +
                      "\nhosts: " + hosts + "\nclients: " + std::to_string(options.clients) + " x " +
                      std::to_string(options.keys) + " keys, timeout " +
                      std::to_string(ChaosDefaults::kClientTimeout.count()) + " ms\n";

    // The history clients, for as long as the rounds can take; stopped by SIGTERM after the last.
    std::optional<ChildProcess> history;
    if (std::filesystem::exists(options.history_bin)) {
      const auto bound = (shape.longest + NemesisLimits::kHealTimeout + ChaosDefaults::kSettle) * (options.rounds + 1);
      history.emplace(HistoryArgv(options, cluster, dir, bound), dir + "/history.log");
      history_start_ns = MonotonicNanos();
      if (Status started = history->Start(); !started.ok()) {
        Say("cannot start the history clients: " + started.error().message);
        return kExitCannotRun;
      }
      Say("history clients: " + options.history_bin + " (log " + dir + "/history.log)");
    } else {
      Say("warning: " + options.history_bin + " is not built: the rounds run without history clients, unchecked");
      history_start_ns = MonotonicNanos();
    }

    FaultLog faults;
    if (Status opened = faults.Open(dir + "/faults.jsonl"); !opened.ok()) {
      Say(opened.error().message);
      return kExitCannotRun;
    }
    Nemesis nemesis(cluster, faults, [] { return StopSignal() != 0; });
    const auto began = std::chrono::steady_clock::now();
    for (const Round& round : plan) {
      if (StopSignal() != 0) {
        Say("stop requested (signal " + std::to_string(StopSignal()) + "): no more rounds");
        break;
      }
      if (options.time_budget.count() > 0 && std::chrono::steady_clock::now() - began > options.time_budget) {
        Say("time budget of " + std::to_string(options.time_budget.count()) + " s spent: no more rounds");
        break;
      }
      report.rounds.push_back(nemesis.Run(round));
      Say(RoundLine(report.rounds.back(), static_cast<int>(plan.size())));
      if (history && !history->running()) {
        Say("warning: the history clients ended early (" +
            (history->exit_status() ? history->exit_status()->Describe() : std::string("?")) + ")");
        history.reset();
      }
      std::this_thread::sleep_for(ChaosDefaults::kSettle);
    }
    if (history) {
      history->Signal(SIGTERM);
      if (!history->Wait(ChaosDefaults::kHistoryStopGrace)) {
        Say("warning: the history clients did not end within the grace time: killed");
        history->Kill();
      }
    }
    cluster.StopAll();
  }  // the cluster's namespaces, links and processes go here
  if (Status removed = RemoveRun(run); !removed.ok()) Say("warning: cleanup: " + removed.error().message);
  if (Result<std::vector<std::string>> left = RunLeftovers(run); !left.ok() || !left.value().empty()) {
    Say("warning: left in the network: " + (left.ok() ? Joined(left.value(), " ") : left.error().message));
  }

  ChaosSummary& summary = report.summary;
  summary.rounds = static_cast<int>(report.rounds.size());
  for (const RoundOutcome& outcome : report.rounds) {
    for (const FaultRecord& fault : outcome.faults) {
      ++summary.faults;
      for (const Round& round : plan) {
        if (round.number != outcome.round) continue;
        for (const Fault& planned : round.faults) {
          if (FaultKindName(planned.kind) == fault.kind && IsPartition(planned.kind)) ++summary.partitions;
        }
      }
    }
  }
  report.history_start_ns = history_start_ns;
  report.rate_csv = std::filesystem::exists(dir + "/rate.csv") ? dir + "/rate.csv" : "";

  int exit_code = kExitHeld;
  if (std::filesystem::exists(options.check_bin) && std::filesystem::exists(dir + "/history.jsonl")) {
    std::vector<std::string> argv = {options.check_bin, "--history", dir + "/history.jsonl"};
    for (const std::string& log : broker_logs) argv.insert(argv.end(), {"--broker-log", log});
    argv.insert(argv.end(), {"--faults", dir + "/faults.jsonl"});
    ChildProcess check(argv, dir + "/check.log");
    Say("checking: " + Joined(argv, " "));
    std::optional<int> code = check.Start().ok() ? check.Wait(ChaosDefaults::kCheckTimeout) : std::nullopt;
    if (!code) check.Kill();
    report.check_exit = code.value_or(kExitCannotRun);
    report.check_output = ReadText(dir + "/check.log");
    Result<CheckVerdict> verdict = ParseCheckOutput(report.check_output);
    if (verdict.ok()) {
      summary.verdict = verdict.value();
    } else {
      Say("the checker's verdict: " + verdict.error().message);
    }
    exit_code = report.check_exit == 0 ? kExitHeld : report.check_exit == 1 ? kExitViolation : kExitCannotRun;
    const CheckVerdict& seen = summary.verdict;
    if (seen.lost > 0 || seen.linearizable == "no" || seen.primaries == "VIOLATED") exit_code = kExitViolation;
  } else {
    Say("warning: no check: " + options.check_bin + " or the history is missing");
  }
  int not_healed = 0;
  for (const RoundOutcome& outcome : report.rounds) not_healed += outcome.healed ? 0 : 1;
  if (not_healed > 0) Say("warning: " + std::to_string(not_healed) + " round(s) did not serve again in time");
  const std::string notes = WriteReport(report);
  if (!notes.empty()) Say(notes);
  Say("report: " + dir + "/report.txt, timeline: " + dir + "/timeline.png");
  std::cout << summary.Line() << std::endl;
  return exit_code;
}

}  // namespace ts::launcher::chaos
