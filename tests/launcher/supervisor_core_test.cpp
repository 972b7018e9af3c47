// SupervisorCore: the supervision rules of docs/OPERATIONS.md on a clock the
// test moves: the backoff sequence, giving up, the count starting again after
// a stable run, and parts stopped on purpose left alone.
#include <catch2/catch.hpp>

#include "launcher/supervisor_core.h"

using ts::launcher::ExitStatus;
using ts::launcher::Millis;
using ts::launcher::PartId;
using ts::launcher::RestartDelay;
using ts::launcher::RestartRules;
using ts::launcher::SupervisorAction;
using ts::launcher::SupervisorCore;
using Kind = SupervisorAction::Kind;
using State = SupervisorCore::State;

namespace {

const PartId kNode = PartId::Node(2);
const ExitStatus kKilled = ExitStatus::Signaled(9);

// Dies at `now`, and the tick that notices it: the restart it schedules.
SupervisorAction DieAt(SupervisorCore& core, Millis now) {
  core.OnExited(kNode, kKilled);
  std::vector<SupervisorAction> actions = core.Tick(now);
  REQUIRE(actions.size() == 1);
  return actions.front();
}

// Ticks until the due restart, and reports the part started then.
Millis RestartWhenDue(SupervisorCore& core, Millis scheduled_at, Millis delay) {
  CHECK(core.Tick(scheduled_at + delay - Millis(1)).empty());  // not a moment early
  std::vector<SupervisorAction> actions = core.Tick(scheduled_at + delay);
  REQUIRE(actions.size() == 1);
  CHECK(actions.front().kind == Kind::kRestartNow);
  core.OnStarted(kNode, scheduled_at + delay, SupervisorCore::StartedBy::kSupervisor);
  return scheduled_at + delay;
}

}  // namespace

TEST_CASE("supervisor core: the delay starts at 500 ms and doubles up to 8 s", "[launcher][supervisor]") {
  const RestartRules rules;
  CHECK(RestartDelay(rules, 1) == Millis(500));
  CHECK(RestartDelay(rules, 2) == Millis(1'000));
  CHECK(RestartDelay(rules, 3) == Millis(2'000));
  CHECK(RestartDelay(rules, 4) == Millis(4'000));
  CHECK(RestartDelay(rules, 5) == Millis(8'000));
  CHECK(RestartDelay(rules, 6) == Millis(8'000));
  CHECK(RestartDelay(RestartRules{Millis(300), Millis(1'000), 5, Millis(30'000)}, 3) == Millis(1'000));
}

TEST_CASE("supervisor core: a part that keeps dying is restarted with backoff, then given up on",
          "[launcher][supervisor]") {
  SupervisorCore core{RestartRules{}};
  core.Add(kNode, Millis(0));
  Millis now{1'000};
  std::vector<int64_t> delays;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    const SupervisorAction scheduled = DieAt(core, now);
    CHECK(scheduled.kind == Kind::kRestartScheduled);
    CHECK(scheduled.attempt == attempt);
    CHECK(scheduled.died == kKilled);
    CHECK(core.state(kNode) == State::kRestartDue);
    delays.push_back(scheduled.delay.count());
    now = RestartWhenDue(core, now, scheduled.delay) + Millis(100);  // dies soon after each start
  }
  CHECK(delays == std::vector<int64_t>{500, 1'000, 2'000, 4'000, 8'000});
  const SupervisorAction gave_up = DieAt(core, now);
  CHECK(gave_up.kind == Kind::kGiveUp);
  CHECK(gave_up.attempt == 5);
  CHECK(core.state(kNode) == State::kFailed);
  CHECK(core.Tick(now + Millis(60'000)).empty());  // left down
  CHECK_FALSE(core.NextDue());
}

TEST_CASE("supervisor core: after a stable run the count starts again", "[launcher][supervisor]") {
  SupervisorCore core{RestartRules{}};
  core.Add(kNode, Millis(0));
  Millis now{0};
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const SupervisorAction scheduled = DieAt(core, now);
    now = RestartWhenDue(core, now, scheduled.delay) + Millis(10);
  }
  CHECK(core.attempts(kNode) == 3);
  core.Tick(now + Millis(29'000));  // up 29 s: still counting
  CHECK(core.attempts(kNode) == 3);
  core.Tick(now + Millis(30'000));  // up 30 s since its restart
  CHECK(core.attempts(kNode) == 0);
  const SupervisorAction scheduled = DieAt(core, now + Millis(31'000));
  CHECK(scheduled.attempt == 1);
  CHECK(scheduled.delay == Millis(500));
}

TEST_CASE("supervisor core: a part stopped on purpose is left alone, a due restart dropped",
          "[launcher][supervisor]") {
  SupervisorCore core{RestartRules{}};
  core.Add(kNode, Millis(0));
  core.Add(PartId::Broker(), Millis(0));

  SECTION("stopped, then it exits") {
    core.OnStoppedOnPurpose(kNode);
    core.OnExited(kNode, ExitStatus::Exited(0));
    CHECK(core.Tick(Millis(1'000)).empty());
    CHECK(core.Tick(Millis(100'000)).empty());
    CHECK(core.state(kNode) == State::kStopped);
  }
  SECTION("died, restart due, then stopped before it is due") {
    DieAt(core, Millis(1'000));
    CHECK(core.NextDue() == Millis(1'500));
    core.OnStoppedOnPurpose(kNode);
    CHECK(core.Tick(Millis(1'500)).empty());
    CHECK_FALSE(core.NextDue());
    CHECK(core.state(kNode) == State::kStopped);
  }
  SECTION("a start by hand brings it back, counting from zero") {
    core.OnStoppedOnPurpose(kNode);
    core.OnStarted(kNode, Millis(5'000), SupervisorCore::StartedBy::kHand);
    CHECK(core.state(kNode) == State::kRunning);
    const SupervisorAction scheduled = DieAt(core, Millis(6'000));
    CHECK(scheduled.attempt == 1);
  }
  CHECK(core.state(PartId::Broker()) == State::kRunning);  // the others are not touched
}

TEST_CASE("supervisor core: a part given up on comes back by hand", "[launcher][supervisor]") {
  SupervisorCore core{RestartRules{Millis(100), Millis(100), 1, Millis(30'000)}};
  core.Add(kNode, Millis(0));
  const SupervisorAction scheduled = DieAt(core, Millis(0));
  RestartWhenDue(core, Millis(0), scheduled.delay);
  CHECK(DieAt(core, Millis(200)).kind == Kind::kGiveUp);
  core.OnStarted(kNode, Millis(300), SupervisorCore::StartedBy::kHand);
  CHECK(core.state(kNode) == State::kRunning);
  CHECK(core.attempts(kNode) == 0);
  CHECK(DieAt(core, Millis(400)).kind == Kind::kRestartScheduled);
}

TEST_CASE("supervisor core: a restart that fails to start counts as a death", "[launcher][supervisor]") {
  SupervisorCore core{RestartRules{}};
  core.Add(kNode, Millis(0));
  DieAt(core, Millis(0));
  REQUIRE(core.Tick(Millis(500)).front().kind == Kind::kRestartNow);
  CHECK(core.state(kNode) == State::kRestarting);
  core.OnExited(kNode, ExitStatus::Exited(127));  // exec failed
  const std::vector<SupervisorAction> actions = core.Tick(Millis(501));
  REQUIRE(actions.size() == 1);
  CHECK(actions.front().attempt == 2);
  CHECK(actions.front().delay == Millis(1'000));
  CHECK(actions.front().died.Describe() == "exited with status 127");
}

TEST_CASE("supervisor core: how a part ended, in words", "[launcher][supervisor]") {
  CHECK(ExitStatus::Signaled(9).Describe() == "killed by SIGKILL");
  CHECK(ExitStatus::Exited(2).Describe() == "exited with status 2");
  CHECK(ExitStatus::FromCode(137) == ExitStatus::Signaled(9));
  CHECK(ExitStatus::Signaled(15).Code() == 143);
}
