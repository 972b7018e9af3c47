#include "launcher/supervisor_core.h"

#include <algorithm>

namespace ts::launcher {

Millis RestartDelay(const RestartRules& rules, int attempt) {
  Millis delay = rules.first_delay;
  for (int k = 1; k < attempt && delay < rules.max_delay; ++k) delay *= 2;
  return std::min(delay, std::max(rules.max_delay, rules.first_delay));
}

void SupervisorCore::Add(PartId part, TimePoint now) { parts_[part] = Part{State::kRunning, 0, now, TimePoint{0}, {}}; }

void SupervisorCore::OnStarted(PartId part, TimePoint now, StartedBy by) {
  Part& p = parts_[part];
  if (by == StartedBy::kHand) {
    p.attempts = 0;  // a start by hand counts from zero again (also after giving up)
  } else if (p.state != State::kRestarting) {
    return;  // a late report for a part stopped or restarted by hand meanwhile
  }
  p.state = State::kRunning;
  p.started = now;
}

void SupervisorCore::OnExited(PartId part, ExitStatus status) {
  Part& p = parts_[part];
  if (p.state != State::kRunning && p.state != State::kRestarting) return;
  p.state = State::kDied;
  p.died = status;
}

void SupervisorCore::OnStoppedOnPurpose(PartId part) { parts_[part].state = State::kStopped; }

std::vector<SupervisorAction> SupervisorCore::Tick(TimePoint now) {
  std::vector<SupervisorAction> actions;
  for (auto& [part, p] : parts_) {
    switch (p.state) {
      case State::kRunning:
        if (p.attempts > 0 && now - p.started >= rules_.stable_after) p.attempts = 0;
        break;
      case State::kDied:
        if (p.attempts >= rules_.max_attempts) {
          p.state = State::kFailed;
          actions.push_back({SupervisorAction::Kind::kGiveUp, part, p.attempts, Millis(0), p.died});
          break;
        }
        ++p.attempts;
        p.state = State::kRestartDue;
        p.due = now + RestartDelay(rules_, p.attempts);
        actions.push_back({SupervisorAction::Kind::kRestartScheduled, part, p.attempts, p.due - now, p.died});
        break;
      case State::kRestartDue:
        if (now < p.due) break;
        p.state = State::kRestarting;
        actions.push_back({SupervisorAction::Kind::kRestartNow, part, p.attempts, Millis(0), p.died});
        break;
      case State::kRestarting:
      case State::kStopped:
      case State::kFailed:
        break;
    }
  }
  return actions;
}

std::optional<TimePoint> SupervisorCore::NextDue() const {
  std::optional<TimePoint> next;
  for (const auto& [part, p] : parts_) {
    if (p.state == State::kDied) return TimePoint{0};  // at once
    if (p.state == State::kRestartDue && (!next || p.due < *next)) next = p.due;
  }
  return next;
}

}  // namespace ts::launcher
