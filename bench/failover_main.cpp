// failover_bench: failover, resync and memory figures of a tuplestar cluster
// of real processes (bench/failover_phases.h has what each phase measures).
//
//   failover_bench [--kills 20] [--broker-kills 5] [--brokers 2] [--saturated-s 60]
//                  [--resync-pairs 1000000] [--json FILE]
//
// The tsbroker and tsnode binaries default to the build tree this binary is
// in (../brokers/tsbroker, ../nodes/tsnode). Progress goes to stderr, the
// figures as one JSON object to --json FILE (or stdout). Exit codes: 0 when
// every phase ran (its figures may still show a missed target), 1 when a
// phase could not run (the JSON says why), 2 for bad flags.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "bench/failover_phases.h"

int main(int argc, char** argv) {
  using namespace ts::bench;
  std::error_code ignored;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  const std::filesystem::path build = self.parent_path().parent_path();
  PhaseOptions options;
  options.cluster.tsbroker = (build / "brokers" / "tsbroker").string();
  options.cluster.tsnode = (build / "nodes" / "tsnode").string();
  int kills = 20;
  int broker_kills = 5;
  double saturated_s = 60;
  uint64_t resync_pairs = 1'000'000;
  std::string json_path;
  std::string work_dir;

  CLI::App app{"failover_bench: kill -9 failover times, resync time and memory of a tuplestar cluster"};
  app.add_option("--tsbroker", options.cluster.tsbroker, "tsbroker binary")->capture_default_str();
  app.add_option("--tsnode", options.cluster.tsnode, "tsnode binary")->capture_default_str();
  app.add_option("--work-dir", work_dir, "logs go here (default: a new directory under /tmp)");
  app.add_option("--nodes", options.cluster.node_count, "nodes in the kill loop and saturated runs")
      ->capture_default_str()
      ->check(CLI::Range(2, 9));
  app.add_option("--kills", kills, "kill -9 rounds (0: skip)")->capture_default_str()->check(CLI::Range(0, 10'000));
  app.add_option("--brokers", options.cluster.broker_count,
                 "tsbrokers (the writers take every endpoint; ./run.sh up starts 2)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3));
  app.add_option("--broker-kills", broker_kills, "kill -9 rounds of one broker under load (0, or --brokers 1: skip)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10'000));
  app.add_option("--saturated-s", saturated_s, "fault-free saturated write run, seconds (0: skip)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86'400.0));
  app.add_option("--resync-pairs", resync_pairs, "pairs a fresh backup resynchronises (0: skip)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, uint64_t{100'000'000}));
  app.add_option("--writers", options.writers, "writer threads")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--depth", options.depth, "writes in flight per writer")->capture_default_str()->check(CLI::Range(1, 10'000));
  app.add_option("--heartbeat-ms", options.cluster.heartbeat_ms, "tsnode --heartbeat-ms")
      ->capture_default_str()
      ->check(CLI::Range(4, 60'000));
  app.add_option("--liveness", options.cluster.liveness, "tsnode --liveness")->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--json", json_path, "write the figures here (default: stdout)");
  CLI11_PARSE(app, argc, argv);

  for (const std::string& binary : {options.cluster.tsbroker, options.cluster.tsnode}) {
    if (::access(binary.c_str(), X_OK) != 0) {
      std::cerr << "failover_bench: " << binary << " is not an executable (build it, or pass --tsbroker/--tsnode)\n";
      return 2;
    }
  }
  if (work_dir.empty()) {
    char pattern[] = "/tmp/tsbench-failover-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      std::cerr << "failover_bench: cannot make a work directory under /tmp\n";
      return 1;
    }
    work_dir = pattern;
  }
  std::cerr << "[failover_bench] logs in " << work_dir << "\n";

  nlohmann::json out = {{"tool", "failover_bench"},
                        {"nodes", options.cluster.node_count},
                        {"brokers", options.cluster.broker_count},
                        {"heartbeat_ms", options.cluster.heartbeat_ms},
                        {"liveness", options.cluster.liveness},
                        {"writers", options.writers},
                        {"depth", options.depth},
                        {"work_dir", work_dir}};
  auto phase = [&](const std::string& name) {
    PhaseOptions copy = options;
    copy.cluster.work_dir = work_dir + "/" + name;
    std::filesystem::create_directories(copy.cluster.work_dir, ignored);
    return copy;
  };
  if (saturated_s > 0) out["saturated"] = RunSaturated(phase("saturated"), saturated_s);
  if (kills > 0) out["kill_loop"] = RunKillLoop(phase("kill-loop"), kills);
  if (broker_kills > 0 && options.cluster.broker_count > 1) {
    out["broker_kills"] = RunBrokerKills(phase("broker-kills"), broker_kills);
  }
  if (resync_pairs > 0) out["resync"] = RunResync(phase("resync"), resync_pairs);

  bool failed = false;
  for (const char* name : {"saturated", "kill_loop", "broker_kills", "resync"}) {
    if (out.contains(name) && out[name].contains("error")) failed = true;
  }
  if (json_path.empty()) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::ofstream file(json_path);
    file << out.dump(2) << "\n";
    if (!file) {
      std::cerr << "failover_bench: cannot write " << json_path << "\n";
      return 1;
    }
  }
  return failed ? 1 : 0;
}
