// tschaos: the fault campaign (chaos_run.h), run by `./run.sh chaos`. Root
// only: every part runs in a network namespace of its own.
//   tschaos [--rounds N] [--seed S] [--quick] [--dir DIR] [--build-dir B] ...
//   tschaos --cleanup    remove every tschaos-* namespace and link left here
#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <iostream>

#include "launcher/chaos/chaos_run.h"
#include "launcher/chaos/netns.h"

namespace chaos = ts::launcher::chaos;

int main(int argc, char** argv) {
  CLI::App app{"tschaos: the cluster in network namespaces, history clients, the nemesis, the checker"};
  chaos::ChaosOptions options;
  std::optional<int> rounds;
  bool cleanup = false;
  int64_t budget_s = 0;
  const std::filesystem::path self = std::filesystem::weakly_canonical(std::filesystem::path(argv[0]));
  options.build_dir = self.parent_path().parent_path().parent_path().string();  // BUILD/launcher/chaos/tschaos
  options.results_dir = "results";
  app.add_option("--rounds", rounds, "rounds of faults (default " + std::to_string(chaos::ChaosDefaults::kRounds) +
                                         "; --quick: " + std::to_string(chaos::ChaosDefaults::kQuickRounds) + ")")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--seed", options.seed, "the nemesis plan's and the clients' seed")->capture_default_str();
  app.add_flag("--quick", options.quick, "a run of a few minutes (CI): fewer, shorter rounds");
  app.add_option("--dir", options.results_dir, "results folder: the run goes to DIR/chaos-<time>")->capture_default_str();
  app.add_option("--build-dir", options.build_dir, "where tsnode, tsbroker and the chaos binaries are")->capture_default_str();
  app.add_option("--history-bin", options.history_bin, "the history clients (default BUILD/launcher/chaos/tschaos-history)");
  app.add_option("--check-bin", options.check_bin, "the checker (default BUILD/launcher/chaos/tschaos-check)");
  app.add_option("--clients", options.clients, "concurrent history clients")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--keys", options.keys, "keys the clients work on")->capture_default_str()->check(CLI::Range(1, 10'000));
  app.add_flag("--insecure", options.insecure, "every part and client in plain text (default: CURVE, keys in the run's folder)");
  app.add_flag("--unsafe", options.unsafe_ack,
               "TEST ONLY: run the nodes with tsnode --unsafe-ack-before-replication and without data "
               "directories (in memory), to show the checker reports lost writes");
  app.add_option("--time-budget-s", budget_s, "start no round after this many seconds (0: none)")->check(CLI::Range(0, 86'400));
  app.add_flag("--cleanup", cleanup, "remove every tschaos-* namespace, link and process left here, then exit");
  CLI11_PARSE(app, argc, argv);
  if (cleanup) {
    if (!chaos::IsRoot()) {
      std::cerr << "tschaos --cleanup needs root\n";
      return 2;
    }
    ts::Result<std::vector<std::string>> runs = chaos::ExistingRuns();
    if (!runs.ok()) {
      std::cerr << "tschaos --cleanup: " << runs.error().message << "\n";
      return 2;
    }
    int failed = 0;
    for (const std::string& run : runs.value()) {
      ts::Status removed = chaos::RemoveRun(run);
      std::cout << "run " << run << ": " << (removed.ok() ? "removed" : removed.error().message) << "\n";
      failed += removed.ok() ? 0 : 1;
    }
    if (runs.value().empty()) std::cout << "nothing to clean up\n";
    return failed == 0 ? 0 : 2;
  }
  options.rounds = rounds.value_or(options.quick ? chaos::ChaosDefaults::kQuickRounds : chaos::ChaosDefaults::kRounds);
  options.time_budget = std::chrono::seconds(budget_s);
  return chaos::RunChaos(options);
}
