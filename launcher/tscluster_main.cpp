// tscluster: run.sh's launcher. Starts a local cluster (a tsbroker and N
// tsnode processes) from a ClusterLayout, supervises it, and operates it:
//
//   tscluster start|up [--nodes N] [--port BASE] [--dir DIR] [--load FILE]
//   tscluster start|up --cluster FILE [--host NAME] [--dir DIR] [--load FILE]
//   tscluster down|status [--dir DIR]
//   tscluster kill|stop|restart ID [--dir DIR]
//   tscluster logs [ID|broker|supervisor ...] [-f] [-n LINES] [--dir DIR]
//   tscluster cli [--dir DIR] [TSCTL ARGS...]
//   tscluster free-port-base [--nodes N]   a free port base (for scripts)
//
// ./run.sh is its front end and says the same (./run.sh help,
// docs/OPERATIONS.md); limits and timeouts: launcher/launcher_settings.h,
// each overridable by TS_<NAME> in the environment.
#include <CLI/CLI.hpp>

#include <iostream>

#include "launcher/cluster_layout.h"
#include "launcher/commands.h"
#include "launcher/console.h"
#include "launcher/launcher_settings.h"
#include "launcher/ports.h"

namespace {

using namespace ts::launcher;
using ts::Result;

// Free bases for scripts are taken below the kernel's ephemeral ports (where
// outgoing connections take their local ports) and above FreeTcpPort's
// 10000..19999, so that neither lands in them.
constexpr int kScriptPortBaseLowest = 20'000;
constexpr int kScriptPortBaseHighest = 29'900;

// An option given without its value is recorded (run.sh's "--nodes needs a
// value") rather than rejected by the parser with its own words.
CLI::Option* ValueOption(CLI::App* app, const std::string& name, std::optional<std::string>* value,
                         const std::string& help) {
  return app->add_option_function<std::string>(name, [value](const std::string& text) { *value = text; }, help)
      ->expected(0, 1);
}

// `cli` passes its words to tsctl, but its own --dir may come anywhere among
// them (`cli --json --dir D get ...`): tsctl has no --dir, and no tuple or
// pattern word is "--dir". Words after a "--" are tsctl's, whatever they are.
void TakeDirOption(PartOptions* options) {
  std::vector<std::string>& words = options->words;
  for (size_t i = 0; i < words.size() && words[i] != "--";) {
    if (words[i].rfind("--dir=", 0) == 0) {
      options->dir = words[i].substr(6);
      options->dir_without_value = options->dir->empty();
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (words[i] == "--dir") {
      const bool has_value = i + 1 < words.size() && words[i + 1] != "--";
      options->dir_without_value = !has_value;
      if (has_value) options->dir = words[i + 1];
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(i),
                  words.begin() + static_cast<std::ptrdiff_t>(i + (has_value ? 2 : 1)));
    } else {
      ++i;
    }
  }
}

bool GivenWithoutValue(const CLI::Option* option, const std::optional<std::string>& value) {
  return option->count() > 0 && (!value || value->empty());
}

}  // namespace

int main(int argc, char** argv) {
  Result<LauncherSettings> read = LauncherSettings::FromEnvironment();
  if (!read.ok()) {
    std::cerr << "[run.sh] error: " << read.error().message << std::endl;
    return 2;
  }
  const LauncherSettings settings = read.value();

  CLI::App app{"tscluster: run.sh's launcher: a local tuplestar cluster (tsbroker + N tsnode), supervised"};
  app.require_subcommand(1);

  StartOptions start_options;
  std::optional<size_t> min_acks, max_clients;
  std::optional<std::string> sync;
  auto add_start = [&](const std::string& name, const std::string& help) {
    CLI::App* command = app.add_subcommand(name, help);
    command->allow_extras();
    auto* nodes = ValueOption(command, "--nodes", &start_options.nodes, "nodes (2..20)");
    auto* brokers = ValueOption(command, "--brokers", &start_options.brokers, "brokers (1..3; default 2)");
    auto* port = ValueOption(command, "--port", &start_options.port, "port base (PortLayout)");
    auto* dir = ValueOption(command, "--dir", &start_options.dir, "data, logs and state");
    auto* load = ValueOption(command, "--load", &start_options.load, "seed an empty cluster from this export");
    auto* cluster = ValueOption(command, "--cluster", &start_options.cluster,
                                "the cluster file: its parts, endpoints, data directories, keys and timeouts");
    auto* host = ValueOption(command, "--host", &start_options.host,
                             "with --cluster: start and supervise only the parts whose host is NAME");
    command->add_option("--min-acks", min_acks, "tsnode --min-acks (for the benchmarks)");
    command->add_option("--max-clients", max_clients, "tsbroker --max-clients (for the benchmarks)");
    command->add_option("--sync", sync, "tsnode --sync (for the benchmarks)")->check(CLI::IsMember({"always", "none"}));
    command->callback([&, command, nodes, brokers, port, dir, load, cluster, host] {
      start_options.cluster_without_value = GivenWithoutValue(cluster, start_options.cluster);
      start_options.host_without_value = GivenWithoutValue(host, start_options.host);
      start_options.nodes_without_value = GivenWithoutValue(nodes, start_options.nodes);
      start_options.brokers_without_value = GivenWithoutValue(brokers, start_options.brokers);
      start_options.port_without_value = GivenWithoutValue(port, start_options.port);
      start_options.dir_without_value = dir->count() > 0 && !start_options.dir;
      start_options.load_without_value = GivenWithoutValue(load, start_options.load);
      start_options.min_acks = min_acks;
      start_options.max_clients = max_clients;
      start_options.sync = sync;
      start_options.unknown = command->remaining();
    });
    return command;
  };
  CLI::App* start = add_start("start", "brokers + N nodes in the foreground; Ctrl-C shuts down in order");
  CLI::App* up = add_start("up", "the same in the background, with a background supervisor");

  PartOptions part_options;
  auto add_part_command = [&](const std::string& name, const std::string& help) {
    CLI::App* command = app.add_subcommand(name, help);
    command->allow_extras();
    auto* dir = ValueOption(command, "--dir", &part_options.dir, "the cluster's directory");
    command->add_option("words", part_options.words, "what the command acts on");
    command->callback([&, command, dir] {
      part_options.dir_without_value = GivenWithoutValue(dir, part_options.dir);
      for (const std::string& extra : command->remaining()) part_options.words.push_back(extra);
    });
    return command;
  };
  CLI::App* down = add_part_command("down", "orderly shutdown, data saved");
  CLI::App* status = add_part_command("status", "processes, restarts, supervisor events, and tsctl status");
  CLI::App* kill = add_part_command("kill", "SIGKILL ID (a node id, primary, broker, or broker2)");
  CLI::App* stop = add_part_command("stop", "stop ID on purpose (a node id, primary or broker); the whole cluster: down");
  CLI::App* restart = add_part_command("restart", "stop (if running) and start ID; waits until it is live");

  CLI::App* cli = app.add_subcommand("cli", "tsctl against the running cluster");
  cli->prefix_command();
  auto* cli_dir = ValueOption(cli, "--dir", &part_options.dir, "the cluster's directory");
  cli->callback([&] {
    part_options.dir_without_value = GivenWithoutValue(cli_dir, part_options.dir);
    part_options.words = cli->remaining();
    TakeDirOption(&part_options);
  });

  LogsOptions logs_options;
  CLI::App* logs = app.add_subcommand("logs", "the last lines of the logs, or follow them (-f)");
  logs->allow_extras();
  auto* logs_dir = ValueOption(logs, "--dir", &logs_options.dir, "the cluster's directory");
  logs->add_flag("-f,--follow", logs_options.follow, "follow");
  ValueOption(logs, "-n,--lines", &logs_options.lines, "lines from each log");
  logs->add_option("words", logs_options.words, "ID, broker or supervisor");
  logs->callback([&] {
    logs_options.dir_without_value = GivenWithoutValue(logs_dir, logs_options.dir);
    for (const std::string& extra : logs->remaining()) logs_options.words.push_back(extra);
  });

  int free_nodes = LauncherDefaults::kNodeCount;
  CLI::App* free_base = app.add_subcommand("free-port-base", "print a port base whose whole range is free");
  free_base->add_option("--nodes", free_nodes, "nodes of the cluster")->check(CLI::Range(1, 1000));

  CLI11_PARSE(app, argc, argv);
  try {
    if (start->parsed()) return CmdStart(settings, start_options, /*foreground=*/true);
    if (up->parsed()) return CmdStart(settings, start_options, /*foreground=*/false);
    if (down->parsed()) return CmdDown(settings, part_options);
    if (status->parsed()) return CmdStatus(settings, part_options);
    if (kill->parsed()) return CmdKill(settings, part_options);
    if (stop->parsed()) return CmdStop(settings, part_options);
    if (restart->parsed()) return CmdRestart(settings, part_options);
    if (logs->parsed()) return CmdLogs(settings, logs_options);
    if (cli->parsed()) return CmdCli(settings, part_options);
    if (free_base->parsed()) {
      Result<int> base = FreePortBase(PortLayout::Span(free_nodes), kScriptPortBaseLowest, kScriptPortBaseHighest);
      if (!base.ok()) Die(base.error().message);
      std::cout << base.value() << std::endl;
      return 0;
    }
  } catch (const CommandExit& exit) {
    return exit.code;
  }
  return 2;
}
