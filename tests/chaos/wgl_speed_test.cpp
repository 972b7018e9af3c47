// The WGL search on long histories of one key: a linearizable history of 5
// concurrent processes x 2,000 operations (made by running a true register
// at each operation's chosen linearization point) is accepted within
// seconds, and the same history with one read made stale is refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <random>

#include "launcher/chaos/key_history.h"
#include "launcher/chaos/linearizability.h"

using namespace ts::chaos;

namespace {

constexpr int kProcesses = 5;
constexpr int kOpsPerProcess = 2000;
// Far above what the search needs on this machine (well under a second), so
// only a search that went exponential fails it.
constexpr auto kSearchBound = std::chrono::seconds(20);

struct Planned {
  KeyOp op;
  int64_t point;  // when it takes effect
};

std::vector<KeyOp> ConcurrentHistory(uint64_t seed, int unknown_per_mille = 0) {
  std::mt19937_64 random(seed);
  std::vector<Planned> planned;
  int writes = 0;
  for (int p = 0; p < kProcesses; ++p) {
    int64_t t = static_cast<int64_t>(random() % 10);
    for (int i = 0; i < kOpsPerProcess; ++i) {
      Planned next;
      next.op.invoke_ns = t + static_cast<int64_t>(random() % 10);
      next.point = next.op.invoke_ns + 1 + static_cast<int64_t>(random() % 20);
      next.op.complete_ns = next.point + 1 + static_cast<int64_t>(random() % 20);
      t = next.op.complete_ns;
      const int kind = static_cast<int>(random() % 4);
      next.op.kind = kind == 0 ? KeyOp::Kind::kPut : kind == 1 ? KeyOp::Kind::kPost
                   : kind == 2 ? KeyOp::Kind::kRead : KeyOp::Kind::kDelete;
      next.op.value = "v" + std::to_string(++writes);
      // An unknown write: no reply; it took effect at its point, or never.
      if (next.op.kind != KeyOp::Kind::kRead && static_cast<int>(random() % 1000) < unknown_per_mille) {
        next.op.complete_ns = kNeverCompleted;
        next.op.effect = KeyOp::Effect::kUnknown;
        if (random() % 2) next.point = kNeverCompleted;  // never happened
        t = next.point == kNeverCompleted ? t + 30 : next.point + 1;
      }
      planned.push_back(next);
    }
  }
  std::sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) { return a.point < b.point; });
  std::optional<std::string> state;
  std::vector<KeyOp> ops;
  for (Planned& step : planned) {
    KeyOp& op = step.op;
    switch (op.kind) {
      case KeyOp::Kind::kPut:
        if (op.effect == KeyOp::Effect::kUnknown) {
          if (step.point != kNeverCompleted && !state) state = op.value;
          break;
        }
        op.effect = state ? KeyOp::Effect::kRejected : KeyOp::Effect::kApplied;
        if (!state) state = op.value;
        break;
      case KeyOp::Kind::kPost:
        if (op.effect == KeyOp::Effect::kUnknown) {
          if (step.point != kNeverCompleted && state) state = op.value;
          break;
        }
        op.effect = state ? KeyOp::Effect::kApplied : KeyOp::Effect::kRejected;
        if (state) state = op.value;
        break;
      case KeyOp::Kind::kRead:
        op.observed_known = true;
        op.observed = state;
        break;
      case KeyOp::Kind::kDelete:
        if (op.effect == KeyOp::Effect::kUnknown) {
          if (step.point != kNeverCompleted) state.reset();
          break;
        }
        op.observed_known = true;
        op.observed = state;
        state.reset();
        break;
    }
    ops.push_back(op);
  }
  std::sort(ops.begin(), ops.end(), [](const KeyOp& a, const KeyOp& b) { return a.invoke_ns < b.invoke_ns; });
  return ops;
}

}  // namespace

TEST_CASE("chaos wgl: 5 processes x 2000 operations on one key check within seconds", "[chaos]") {
  std::vector<KeyOp> ops = ConcurrentHistory(7);
  REQUIRE(ops.size() == kProcesses * kOpsPerProcess);
  const auto start = std::chrono::steady_clock::now();
  KeyCheck check = CheckKeyLinearizable(ops);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::cout << "wgl: " << ops.size() << " ops, " << check.states << " states, "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms (linearizable)\n";
  CHECK(check.verdict == Verdict::kLinearizable);
  CHECK(elapsed < kSearchBound);
}

TEST_CASE("chaos wgl: the same history with one stale read is refused and shrunk", "[chaos]") {
  std::vector<KeyOp> ops = ConcurrentHistory(7);
  // The last read that saw a value sees that value again after a later,
  // non-overlapping write replaced it: find a read followed by an applied
  // post that completes before a second read.
  size_t changed = ops.size();
  for (size_t i = ops.size() / 2; i < ops.size() && changed == ops.size(); ++i) {
    if (ops[i].kind != KeyOp::Kind::kRead || !ops[i].observed) continue;
    for (size_t j = i + 1; j < ops.size(); ++j) {
      if (ops[j].invoke_ns <= ops[i].complete_ns) continue;
      if (ops[j].kind == KeyOp::Kind::kRead && ops[j].observed && *ops[j].observed != *ops[i].observed) {
        // A value seen strictly earlier, after a read that strictly follows saw a newer one.
        ops.push_back(ops[i]);
        ops.back().invoke_ns = ops[j].complete_ns + 1;
        ops.back().complete_ns = ops[j].complete_ns + 2;
        // Nothing may overlap it that could write the old value back: values are unique.
        changed = i;
        break;
      }
    }
  }
  REQUIRE(changed < ops.size());
  std::stable_sort(ops.begin(), ops.end(), [](const KeyOp& a, const KeyOp& b) { return a.invoke_ns < b.invoke_ns; });
  const auto start = std::chrono::steady_clock::now();
  KeyCheck check = CheckKeyLinearizable(ops);
  std::vector<KeyOp> window = ShrinkFailure(ops);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::cout << "wgl: " << ops.size() << " ops, " << check.states << " states, search + shrink "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms (not linearizable, window "
            << window.size() << ")\n";
  CHECK(check.verdict == Verdict::kNotLinearizable);
  CHECK(window.size() < 50);
  CHECK(CheckKeyFromAnyState(window).verdict == Verdict::kNotLinearizable);
  CHECK(elapsed < kSearchBound);
}

TEST_CASE("chaos wgl: unknown writes and deletes pending forever stay tractable", "[chaos]") {
  for (int per_mille : {5, 10, 20}) {
    std::vector<KeyOp> ops = ConcurrentHistory(11, per_mille);
    const auto start = std::chrono::steady_clock::now();
    KeyCheck check = CheckKeyLinearizable(ops);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    size_t unknown = 0;
    for (const KeyOp& op : ops) unknown += op.complete_ns == kNeverCompleted;
    std::cout << "wgl: " << ops.size() << " ops, " << unknown << " unknown, " << check.states << " states, "
              << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
    CHECK(check.verdict == Verdict::kLinearizable);
    CHECK(elapsed < kSearchBound);
  }
}
