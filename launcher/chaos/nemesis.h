// The nemesis's shell: carries out one round of the plan (nemesis_plan.h) on
// a NetnsCluster. It settles "primary" from the broker's status, injects the
// round's faults (kill -9, SIGSTOP, nftables drops in the namespaces), lets
// them stand for the round's duration, heals everything (rules flushed,
// SIGCONT, killed parts restarted on their own data directories), writes each
// fault to FAULTS.jsonl, then waits, bounded, until a primary serves and
// every node is live again. A stop request (SIGINT, SIGTERM) cuts the
// standing time short; the heal always runs.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "launcher/chaos/fault_log.h"
#include "launcher/chaos/nemesis_plan.h"
#include "launcher/chaos/netns_cluster.h"

namespace ts::launcher::chaos {

struct NemesisLimits {
  static constexpr Millis kHealTimeout{30'000};     // the service answers again within this after a heal
  static constexpr Millis kStopPollInterval{50};    // how often a standing fault looks at the stop flag
};

struct RoundOutcome {
  int round = 0;
  std::vector<FaultRecord> faults;
  std::string primary;           // the primary when the round started ("" none known)
  bool healed = false;           // the service answered within kHealTimeout
  Millis recovery{0};            // heal -> a primary serving with every node live
  std::string note;              // what went wrong, for the report ("" when nothing)
};

class Nemesis {
 public:
  // `stop_requested`: true when the run must end (checked while faults stand).
  Nemesis(NetnsCluster& cluster, FaultLog& log, std::function<bool()> stop_requested,
          Millis heal_timeout = NemesisLimits::kHealTimeout);
  RoundOutcome Run(const Round& round);

 private:
  Status Inject(const Fault& fault, const std::string& primary, FaultRecord& record);
  void Stand(Millis duration);

  NetnsCluster& cluster_;
  FaultLog& log_;
  std::function<bool()> stop_requested_;
  Millis heal_timeout_;
  PlanShape shape_;
};

}  // namespace ts::launcher::chaos
