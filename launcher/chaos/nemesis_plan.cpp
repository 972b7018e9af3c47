#include "launcher/chaos/nemesis_plan.h"

#include <algorithm>
#include <random>

namespace ts::launcher::chaos {
namespace {

// The kinds a round draws from: process faults, then network faults.
constexpr FaultKind kProcessFaults[] = {FaultKind::kKill, FaultKind::kPause, FaultKind::kCrashAll};
constexpr FaultKind kNetworkFaults[] = {FaultKind::kIsolate, FaultKind::kHalves, FaultKind::kIsolateBroker,
                                        FaultKind::kCutPeers, FaultKind::kOneWay};

class Draw {
 public:
  explicit Draw(uint64_t seed) : random_(seed) {}
  int Below(int bound) { return std::uniform_int_distribution<int>(0, bound - 1)(random_); }
  bool Percent(int percent) { return Below(100) < percent; }
  template <class T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Below(static_cast<int>(items.size())))];
  }
  std::mt19937_64& random() { return random_; }

 private:
  std::mt19937_64 random_;
};

std::vector<std::string> AllParts(const PlanShape& shape) {
  std::vector<std::string> parts = shape.brokers;
  parts.insert(parts.end(), shape.nodes.begin(), shape.nodes.end());
  return parts;
}

bool IsNode(const PlanShape& shape, const std::string& part) {
  return std::find(shape.nodes.begin(), shape.nodes.end(), part) != shape.nodes.end();
}

std::string Settle(const std::string& target, const PlanShape& shape, const std::string& primary) {
  if (target != kPrimaryTarget) return target;
  return primary.empty() ? shape.nodes.front() : primary;
}

// A node, or "primary" with primary_percent.
std::string NodeTarget(Draw& draw, const PlanShape& shape) {
  return draw.Percent(shape.primary_percent) ? kPrimaryTarget : draw.Pick(shape.nodes);
}

// Any part, the primary preferred.
std::string AnyTarget(Draw& draw, const PlanShape& shape) {
  return draw.Percent(shape.primary_percent) ? kPrimaryTarget : draw.Pick(AllParts(shape));
}

Fault MakeFault(FaultKind kind, Draw& draw, const PlanShape& shape) {
  Fault fault{kind, {}};
  switch (kind) {
    case FaultKind::kKill:
    case FaultKind::kPause:
    case FaultKind::kIsolate:
      fault.targets = {AnyTarget(draw, shape)};
      break;
    case FaultKind::kCrashAll:
      fault.targets = shape.nodes;
      break;
    case FaultKind::kCutPeers:
      fault.targets = {NodeTarget(draw, shape)};
      break;
    case FaultKind::kIsolateBroker:
      fault.targets = {draw.Pick(shape.brokers)};
      break;
    case FaultKind::kOneWay: {
      std::vector<std::string> parts = AllParts(shape);
      std::shuffle(parts.begin(), parts.end(), draw.random());
      // Two brokers do not talk to each other: one end at least is a node.
      if (!IsNode(shape, parts[0]) && !IsNode(shape, parts[1])) parts[1] = draw.Pick(shape.nodes);
      fault.targets = {parts[0], parts[1]};
      break;
    }
    case FaultKind::kHalves: {
      std::vector<std::string> parts = AllParts(shape);
      std::shuffle(parts.begin(), parts.end(), draw.random());
      const int side = 1 + draw.Below(static_cast<int>(parts.size()) - 1);  // 1..size-1: both sides non-empty
      fault.targets.assign(parts.begin(), parts.begin() + side);
      std::sort(fault.targets.begin(), fault.targets.end());
      break;
    }
  }
  return fault;
}

}  // namespace

std::string FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kKill: return "kill";
    case FaultKind::kPause: return "pause";
    case FaultKind::kCrashAll: return "crash-all";
    case FaultKind::kIsolate: return "isolate";
    case FaultKind::kHalves: return "halves";
    case FaultKind::kIsolateBroker: return "isolate-broker";
    case FaultKind::kCutPeers: return "cut-peers";
    case FaultKind::kOneWay: return "one-way";
  }
  return "unknown";
}

bool IsPartition(FaultKind kind) {
  return std::find(std::begin(kNetworkFaults), std::end(kNetworkFaults), kind) != std::end(kNetworkFaults);
}

std::string Fault::Describe() const {
  std::string text;
  const char* separator = kind == FaultKind::kOneWay ? "->" : ",";
  for (const std::string& target : targets) text += (text.empty() ? "" : separator) + target;
  return kind == FaultKind::kHalves ? text + "|rest" : text;
}

std::vector<Round> PlanRounds(uint64_t seed, const PlanShape& shape) {
  std::vector<Round> rounds;
  if (shape.nodes.empty() || shape.brokers.empty() || shape.rounds <= 0) return rounds;
  Draw draw(seed);
  const std::vector<FaultKind> process(std::begin(kProcessFaults), std::end(kProcessFaults));
  const std::vector<FaultKind> network(std::begin(kNetworkFaults), std::end(kNetworkFaults));
  std::vector<FaultKind> every = process;
  every.insert(every.end(), network.begin(), network.end());
  const int spread = static_cast<int>((shape.longest - shape.shortest).count());
  for (int number = 1; number <= shape.rounds; ++number) {
    Round round;
    round.number = number;
    round.duration = shape.shortest + std::chrono::milliseconds(spread > 0 ? draw.Below(spread + 1) : 0);
    if (draw.Percent(shape.combination_percent)) {
      // crash-all with a partition says little more than crash-all: a single-part process fault.
      const FaultKind first = draw.Percent(50) ? FaultKind::kKill : FaultKind::kPause;
      round.faults.push_back(MakeFault(first, draw, shape));
      round.faults.push_back(MakeFault(draw.Pick(network), draw, shape));
    } else {
      round.faults.push_back(MakeFault(draw.Pick(every), draw, shape));
    }
    rounds.push_back(std::move(round));
  }
  return rounds;
}

std::vector<Block> BlocksOf(const Fault& fault, const PlanShape& shape, const std::string& primary) {
  std::vector<Block> blocks;
  const std::vector<std::string> parts = AllParts(shape);
  auto cut = [&](const std::string& a, const std::string& b) {
    blocks.emplace_back(a, b);
    blocks.emplace_back(b, a);
  };
  switch (fault.kind) {
    case FaultKind::kIsolate: {
      const std::string victim = Settle(fault.targets.at(0), shape, primary);
      for (const std::string& other : parts) {
        if (other != victim) cut(victim, other);
      }
      blocks.emplace_back(victim, kRootSide);
      break;
    }
    case FaultKind::kHalves: {
      const std::vector<std::string>& side = fault.targets;
      for (const std::string& a : side) {
        for (const std::string& b : parts) {
          if (std::find(side.begin(), side.end(), b) == side.end()) cut(a, b);
        }
      }
      break;
    }
    case FaultKind::kIsolateBroker:
      for (const std::string& node : shape.nodes) cut(fault.targets.at(0), node);
      break;
    case FaultKind::kCutPeers: {
      const std::string victim = Settle(fault.targets.at(0), shape, primary);
      for (const std::string& node : shape.nodes) {
        if (node != victim) cut(victim, node);
      }
      break;
    }
    case FaultKind::kOneWay:
      blocks.emplace_back(Settle(fault.targets.at(0), shape, primary), Settle(fault.targets.at(1), shape, primary));
      break;
    case FaultKind::kKill:
    case FaultKind::kPause:
    case FaultKind::kCrashAll:
      break;
  }
  return blocks;
}

std::vector<std::string> VictimsOf(const Fault& fault, const PlanShape& shape, const std::string& primary) {
  if (IsPartition(fault.kind)) return {};
  std::vector<std::string> victims;
  for (const std::string& target : fault.targets) victims.push_back(Settle(target, shape, primary));
  return victims;
}

}  // namespace ts::launcher::chaos
