// The supervision rules (docs/OPERATIONS.md "Supervision") as a pure state
// machine: no clock, no processes. The shell (launcher/supervisor.h) tells it
// what happened to each part and when; Tick(now) says what to do.
//
// Per part, states and events (zguide bstar.c style: the whole table here):
//
//   state        event                          next          action
//   any          StoppedOnPurpose               kStopped      (a due restart is dropped)
//   any          Started(by hand)               kRunning      attempts = 0
//   kRestarting  Started(by the supervisor)     kRunning
//   kRunning,    Exited(status)                 kDied
//   kRestarting
//   kStopped,    Exited                         unchanged     (left alone)
//   kFailed
//   kDied        Tick, attempts < max           kRestartDue   kRestartScheduled(delay, attempt + 1)
//   kDied        Tick, attempts == max          kFailed       kGiveUp
//   kRestartDue  Tick, now >= due               kRestarting   kRestartNow
//   kRunning     Tick, up for stable_after      kRunning      attempts = 0
//
// The delay of restart k (1-based) is first_delay x 2^(k-1), at most
// max_delay. A start that fails is an Exited event like any other death.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "launcher/cluster_layout.h"
#include "launcher/exit_status.h"

namespace ts::launcher {

using TimePoint = Millis;  // since an arbitrary epoch: the shell passes a steady clock

struct RestartRules {
  Millis first_delay{500};
  Millis max_delay{8'000};
  int max_attempts = 5;       // restarts in a row before giving up
  Millis stable_after{30'000};  // up this long: the count starts again
};

// The delay before restart `attempt` (1-based).
Millis RestartDelay(const RestartRules& rules, int attempt);

struct SupervisorAction {
  enum class Kind {
    kRestartScheduled,  // it died: restart `attempt` is due in `delay`
    kRestartNow,        // start it again now, then report Started or Exited
    kGiveUp,            // it died after max_attempts restarts in a row
  };
  Kind kind;
  PartId part;
  int attempt = 0;
  Millis delay{0};
  ExitStatus died;  // how its last run ended (kRestartScheduled, kGiveUp)
  friend bool operator==(const SupervisorAction&, const SupervisorAction&) = default;
};

class SupervisorCore {
 public:
  enum class State { kRunning, kDied, kRestartDue, kRestarting, kStopped, kFailed };
  enum class StartedBy { kSupervisor, kHand };

  explicit SupervisorCore(RestartRules rules) : rules_(rules) {}

  // A part starts out running, as of `now` (the launcher started it).
  void Add(PartId part, TimePoint now);

  void OnStarted(PartId part, TimePoint now, StartedBy by);
  void OnExited(PartId part, ExitStatus status);
  void OnStoppedOnPurpose(PartId part);
  std::vector<SupervisorAction> Tick(TimePoint now);

  // How soon Tick has something to do (a due restart), if anything is due.
  std::optional<TimePoint> NextDue() const;

  State state(PartId part) const { return parts_.at(part).state; }
  int attempts(PartId part) const { return parts_.at(part).attempts; }
  const RestartRules& rules() const { return rules_; }

 private:
  struct Part {
    State state = State::kRunning;
    int attempts = 0;       // restarts in a row
    TimePoint started{0};   // of the current run
    TimePoint due{0};       // kRestartDue
    ExitStatus died;
  };

  RestartRules rules_;
  std::map<PartId, Part> parts_;
};

}  // namespace ts::launcher
