#include "launcher/chaos/nemesis.h"

#include <thread>

namespace ts::launcher::chaos {

Nemesis::Nemesis(NetnsCluster& cluster, FaultLog& log, std::function<bool()> stop_requested, Millis heal_timeout)
    : cluster_(cluster),
      log_(log),
      stop_requested_(std::move(stop_requested)),
      heal_timeout_(heal_timeout),
      shape_(cluster.Shape()) {}

Status Nemesis::Inject(const Fault& fault, const std::string& primary, FaultRecord& record) {
  record.kind = FaultKindName(fault.kind);
  if (IsPartition(fault.kind)) {
    Fault settled = fault;
    for (std::string& target : settled.targets) {
      if (target == kPrimaryTarget) target = primary.empty() ? shape_.nodes.front() : primary;
    }
    record.target = settled.Describe();
    for (const auto& [from, to] : BlocksOf(fault, shape_, primary)) {
      Status blocked = to == kRootSide ? cluster_.network().BlockRoot(from) : cluster_.network().Block(from, to);
      if (!blocked.ok()) return blocked;
    }
    return Status::Ok();
  }
  const std::vector<std::string> victims = VictimsOf(fault, shape_, primary);
  std::string target;
  for (const std::string& victim : victims) target += (target.empty() ? "" : ",") + victim;
  record.target = target;
  for (const std::string& victim : victims) {
    if (fault.kind == FaultKind::kPause) {
      cluster_.Pause(victim);
    } else {
      cluster_.Kill(victim);
    }
  }
  return Status::Ok();
}

void Nemesis::Stand(Millis duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until && !stop_requested_()) {
    std::this_thread::sleep_for(NemesisLimits::kStopPollInterval);
  }
}

RoundOutcome Nemesis::Run(const Round& round) {
  RoundOutcome outcome;
  outcome.round = round.number;
  const std::string primary = cluster_.PrimaryPart();
  outcome.primary = primary;
  for (const Fault& fault : round.faults) {
    FaultRecord record;
    record.round = round.number;
    record.start_ns = MonotonicNanos();
    if (Status injected = Inject(fault, primary, record); !injected.ok()) {
      outcome.note += "injecting " + FaultKindName(fault.kind) + ": " + injected.error().message + "; ";
    }
    outcome.faults.push_back(record);
  }
  Stand(round.duration);
  // Heal: the network first, so that restarted parts find their peers.
  Status healed = cluster_.network().HealAll();
  Status revived = cluster_.ReviveAll();
  const int64_t healed_ns = MonotonicNanos();
  for (FaultRecord& record : outcome.faults) {
    record.end_ns = healed_ns;
    log_.Write(record);
  }
  if (!healed.ok()) outcome.note += "healing the network: " + healed.error().message + "; ";
  if (!revived.ok()) outcome.note += "restarting: " + revived.error().message + "; ";
  const auto heal_started = std::chrono::steady_clock::now();
  std::string last_seen;
  outcome.healed = cluster_.WaitServing(heal_timeout_, &last_seen);
  outcome.recovery = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - heal_started);
  if (!outcome.healed) {
    outcome.note += "not serving " + std::to_string(heal_timeout_.count()) + " ms after the heal (last: " +
                    last_seen + ")";
  }
  return outcome;
}

}  // namespace ts::launcher::chaos
