// One fault campaign, end to end: a NetnsCluster (3 nodes, the broker, each
// in its own namespace), the history clients (tschaos-history) in the root
// namespace, the nemesis's rounds, then the checker (tschaos-check) over the
// history, every broker log and FAULTS.jsonl; the report under
// DIR/chaos-<time>/ and the summary line last on stdout.
//
// The two history binaries are another part's (launcher/chaos/history*,
// linearizability*): run through their command-line contract, and when one
// is not built the run goes on without it and says so (ops=0, linearizable=
// unchecked). Everything the run makes in the network goes, also on an error
// or SIGINT/SIGTERM (the stop request ends the current round, heals, and
// checks what was recorded). Exit: 0 all held, 1 a violation (lost > 0, not
// linearizable, two primaries in a term), 2 the run could not be made.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ts::launcher::chaos {

struct ChaosDefaults {
  static constexpr int kRounds = 100;
  static constexpr int kQuickRounds = 25;  // ~1.5 min
  static constexpr int kNodes = 3;
  static constexpr int kClients = 4;                            // tschaos-history --clients
  static constexpr int kKeys = 6;                               // tschaos-history --keys
  static constexpr std::chrono::milliseconds kClientTimeout{1'000};  // tschaos-history --timeout-ms
  static constexpr std::chrono::milliseconds kShortestFault{1'000};
  static constexpr std::chrono::milliseconds kLongestFault{4'000};
  static constexpr std::chrono::milliseconds kQuickLongestFault{2'000};
  static constexpr std::chrono::milliseconds kStartTimeout{30'000};   // the first primary serving
  static constexpr std::chrono::milliseconds kSettle{500};             // after the heal, before the next round
  static constexpr std::chrono::milliseconds kHistoryStopGrace{10'000};
  static constexpr std::chrono::milliseconds kCheckTimeout{600'000};  // the checker's search
};

struct ChaosOptions {
  int rounds = ChaosDefaults::kRounds;
  uint64_t seed = 1;
  bool quick = false;            // kQuickRounds, shorter faults (unless --rounds is given)
  std::string results_dir;       // DIR: the run goes to DIR/chaos-<time>
  std::string build_dir;         // the binaries: BUILD/nodes/tsnode ...
  std::string history_bin;       // default BUILD/launcher/chaos/tschaos-history
  std::string check_bin;         // default BUILD/launcher/chaos/tschaos-check
  int clients = ChaosDefaults::kClients;
  int keys = ChaosDefaults::kKeys;
  bool insecure = false;
  bool unsafe_ack = false;     // tsnode --unsafe-ack-before-replication: shows the checker finds loss
  std::chrono::seconds time_budget{0};  // 0: none; else no round starts after it
};

int RunChaos(const ChaosOptions& options);

}  // namespace ts::launcher::chaos
