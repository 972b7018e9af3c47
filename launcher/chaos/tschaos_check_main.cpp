// tschaos-check: the verdict on a chaos history (launcher/chaos/checker.h).
// Exit 0: clean; 1: a violation (or the search gave up); 2: bad usage or a
// malformed input file (the message names FILE:LINE).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "launcher/chaos/checker.h"

namespace {

constexpr int kExitClean = 0;
constexpr int kExitViolation = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tschaos-check: lost writes, per-key linearizability (WGL) and one primary per term in a chaos history"};
  std::string history_path;
  std::vector<std::string> broker_logs;
  std::string faults_path;
  size_t max_states = ts::chaos::kDefaultMaxSearchStates;
  app.add_option("--history", history_path, "the history (JSON lines) tschaos-history wrote")->required();
  app.add_option("--broker-log", broker_logs, "a broker's log, for 'node N is primary for term T' (repeatable)");
  app.add_option("--faults", faults_path, "the nemesis's faults (JSON lines with start_ns/end_ns)");
  app.add_option("--max-states", max_states, "memoised WGL states per key before the search gives up");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitClean : kExitUsage;
  }

  ts::chaos::CheckInputs inputs;
  inputs.history_name = history_path;
  inputs.max_states = max_states;
  auto history = ts::chaos::ReadHistory(history_path);
  if (!history.ok()) {
    std::cerr << "tschaos-check: " << history.error().message << "\n";
    return kExitUsage;
  }
  inputs.history = std::move(history).value();
  for (const std::string& path : broker_logs) {
    auto claims = ts::chaos::ReadBrokerLog(path);
    if (!claims.ok()) {
      std::cerr << "tschaos-check: " << claims.error().message << "\n";
      return kExitUsage;
    }
    inputs.claims.insert(inputs.claims.end(), claims.value().begin(), claims.value().end());
  }
  if (!faults_path.empty()) {
    auto faults = ts::chaos::ReadFaults(faults_path);
    if (!faults.ok()) {
      std::cerr << "tschaos-check: " << faults.error().message << "\n";
      return kExitUsage;
    }
    inputs.faults = std::move(faults).value();
  }
  ts::chaos::CheckReport report = ts::chaos::RunCheck(inputs);
  std::cout << report.details << report.SummaryLine() << std::endl;
  return report.clean() ? kExitClean : kExitViolation;
}
