// tscluster's commands: what `./run.sh start|up|down|status|kill|stop|restart|
// logs|cli` do (docs/OPERATIONS.md). Each returns its exit code or ends with
// Die (CommandExit): 0 done; 1 it could not be done (no cluster there, a part
// not running, a start that failed, ...); 2 a usage error; `status` and `cli`
// return tsctl's code (3: the broker does not answer).
//
// Options come as typed, and each command checks them with run.sh's messages.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "launcher/launcher_settings.h"
#include "launcher/run_state.h"

namespace ts::launcher {

// start and up: [--nodes N] [--brokers B] [--port BASE] [--dir DIR] [--load FILE]
// or [--cluster FILE [--host NAME]] [--dir DIR] [--load FILE], each
// unset: the default (--load: none, every node recovers its own data directory).
struct StartOptions {
  std::optional<std::string> nodes, brokers, port, dir, load;
  bool nodes_without_value = false, brokers_without_value = false, port_without_value = false,
       dir_without_value = false, load_without_value = false;
  // --cluster FILE [--host NAME]: the parts are the file's (only NAME's, with --host).
  std::optional<std::string> cluster, host;
  bool cluster_without_value = false, host_without_value = false;
  std::optional<size_t> min_acks, max_clients;  // tscluster only: for the benchmarks
  std::optional<std::string> sync;              // tscluster only: tsnode --sync (the benchmarks)
  std::vector<std::string> unknown;             // what was not understood
};

// A command on a running cluster: --dir DIR and the words after it.
struct PartOptions {
  std::optional<std::string> dir;
  bool dir_without_value = false;
  std::vector<std::string> words;
};

struct LogsOptions {
  std::optional<std::string> dir;
  bool dir_without_value = false;
  bool follow = false;
  std::optional<std::string> lines;
  std::vector<std::string> words;
};

int CmdStart(const LauncherSettings& settings, const StartOptions& options, bool foreground);
int CmdDown(const LauncherSettings& settings, const PartOptions& options);
int CmdStatus(const LauncherSettings& settings, const PartOptions& options);
int CmdKill(const LauncherSettings& settings, const PartOptions& options);
int CmdStop(const LauncherSettings& settings, const PartOptions& options);
int CmdRestart(const LauncherSettings& settings, const PartOptions& options);
int CmdLogs(const LauncherSettings& settings, const LogsOptions& options);
int CmdCli(const LauncherSettings& settings, const PartOptions& options);

// Shared by the commands (launcher/command_support.cpp).

// " --dir DIR" unless DIR is the default directory: for the hints printed.
std::string DirOption(const LauncherSettings& settings, const ClusterDir& dir);
// The directory of a command on a running cluster, and its state; dies with
// run.sh's messages when there is none.
ClusterDir OpenDir(const LauncherSettings& settings, const PartOptions& options);
RunState LoadRunningState(const ClusterDir& dir);
// Orderly shutdown of the cluster in `dir` (docs/OPERATIONS.md "Shutting
// down"); `foreground`: this process is the foreground supervisor, whose
// events also go to the terminal.
void OrderlyDown(const LauncherSettings& settings, const ClusterDir& dir, const RunState& state, bool foreground);
// tsctl's own command `words` against the cluster (the same output as tsctl),
// to `out`; its exit code.
int RunTsctl(const RunState& state, const std::vector<std::string>& words, std::chrono::milliseconds timeout,
             std::ostream& out);

}  // namespace ts::launcher
