// The nemesis's plan: from a seed, the rounds of a fault campaign and the
// faults of each. Pure: no clock, no sockets, no processes; the same seed and
// shape give the same plan (the shell, nemesis.h, carries it out and logs
// what it did). "primary" as a target is settled by the shell at the moment
// the round starts (the broker's status names it).
//
// The faults (docs/OPERATIONS.md "Fault campaign"):
//   kill         kill -9 of one part (the primary preferred); healed: restarted on its data
//   pause        SIGSTOP of one part (a hung process); healed: SIGCONT
//   crash-all    kill -9 of every node at once; healed: all restarted
//   isolate      one part cut from every other part and from the clients
//   halves       the parts split at random into two sides that cannot talk
//   isolate-broker  a broker cut from every node (the clients still reach it)
//   cut-peers    a node that reaches the broker but none of its peers
//   one-way      packets from one part to another dropped, the other way open
// A round holds one fault, or (a combination) one process fault and one
// network fault at once. Every round ends by healing everything.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ts::launcher::chaos {

enum class FaultKind { kKill, kPause, kCrashAll, kIsolate, kHalves, kIsolateBroker, kCutPeers, kOneWay };

std::string FaultKindName(FaultKind kind);  // "kill", "isolate-broker", ... (FAULTS.jsonl's "kind")
bool IsPartition(FaultKind kind);           // the network faults

inline constexpr const char* kPrimaryTarget = "primary";

// Parts by name: nodes "n1".."nN", brokers "b1".. (netns.h part names).
struct Fault {
  FaultKind kind = FaultKind::kKill;
  // kill, pause, isolate: one part or "primary"; isolate-broker: a broker;
  // cut-peers: a node or "primary"; one-way: from,to; halves: one side, the
  // other side being every other part; crash-all: the nodes.
  std::vector<std::string> targets;
  std::string Describe() const;  // FAULTS.jsonl's "target": "n2", "primary", "n1->b1", "n1,b1|n2,n3"
  friend bool operator==(const Fault&, const Fault&) = default;
};

struct Round {
  int number = 0;  // 1..
  std::vector<Fault> faults;
  std::chrono::milliseconds duration{0};  // how long the faults stand before the heal
};

struct PlanShape {
  std::vector<std::string> nodes;    // "n1", "n2", "n3"
  std::vector<std::string> brokers;  // "b1"
  int rounds = 100;
  std::chrono::milliseconds shortest{1'000};  // a fault stands this long ..
  std::chrono::milliseconds longest{4'000};   // .. up to this
  int primary_percent = 60;      // kill/pause/isolate/cut-peers aim at the primary this often
  int combination_percent = 20;  // rounds with a process fault and a network fault
};

std::vector<Round> PlanRounds(uint64_t seed, const PlanShape& shape);

// The one-way blocks (from, to) a network fault makes, `primary` standing
// for "primary" (empty when none is known: the fault falls on the first
// node). Both directions of a cut are listed; "root" as `to` is the clients'
// side (the root namespace). A process fault makes none.
using Block = std::pair<std::string, std::string>;
inline constexpr const char* kRootSide = "root";
std::vector<Block> BlocksOf(const Fault& fault, const PlanShape& shape, const std::string& primary);
// The parts a process fault stops (kill, pause, crash-all), "primary" settled.
std::vector<std::string> VictimsOf(const Fault& fault, const PlanShape& shape, const std::string& primary);

}  // namespace ts::launcher::chaos
