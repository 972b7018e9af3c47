// Deterministic simulation runs (see sim_world.h for what is checked).
//
// The normal run covers 2,000 seeds split over several test cases, so that
// ctest -j runs them side by side. TS_SIM_SEEDS=N runs N seeds instead
// (TS_SIM_SEED_BASE=B shifts them to B+1 ... B+N);
// TS_SIM_SEED=N replays one seed with a full trace on stderr:
//   TS_SIM_SEED=123 ./tests/ts_sim_tests "sim: replay one seed"
// (add TS_SIM_ASYNC=1 for an async-mode seed). That case is tagged [.]: it is
// a tool, not a test, so ctest and a plain run of the binary leave it out (it
// would pass without checking anything new); named, it runs. Without
// TS_SIM_SEED it replays kDefaultReplaySeed.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <string>

#include "tests/sim/sim_world.h"

namespace {

constexpr uint64_t kDefaultSeeds = 2'000;
constexpr uint64_t kSeedRanges = 8;  // one TEST_CASE each
constexpr int kMaxFailuresShown = 5;
constexpr uint64_t kDefaultReplaySeed = 1;
constexpr uint64_t kMinRunsForBothShutdowns = 50;

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 10);
}

void RunSeedRange(uint64_t range, bool async_replies = false) {
  const uint64_t total = EnvNumber("TS_SIM_SEEDS", kDefaultSeeds);
  const uint64_t base = EnvNumber("TS_SIM_SEED_BASE", 0);  // explore other seeds: base + 1 ...
  const uint64_t first = base + range * total / kSeedRanges + 1;
  const uint64_t last = base + (range + 1) * total / kSeedRanges;
  uint64_t events = 0, acknowledged = 0, left_open = 0, primaries = 0, crashes = 0, broker_crashes = 0,
           partitions = 0, via_broker2 = 0, runs = 0;
  int failures = 0;
  const auto started = std::chrono::steady_clock::now();
  for (uint64_t seed = first; seed <= last && failures < kMaxFailuresShown; ++seed) {
    ts::sim::SimOptions options;
    options.seed = seed;
    options.async_replies = async_replies;
    const ts::sim::SimResult result = ts::sim::RunSimulation(options);
    events += result.events;
    acknowledged += result.acknowledged;
    left_open += result.left_open;
    primaries += result.primaries;
    crashes += result.crashes;
    broker_crashes += result.broker_crashes;
    partitions += result.partitions;
    via_broker2 += result.shutdowns_via_broker2;
    ++runs;
    if (!result.ok) {
      ++failures;
      FAIL_CHECK("seed " << seed << " failed: " << result.failure << "\n  replay: TS_SIM_SEED=" << seed
                         << (async_replies ? " TS_SIM_ASYNC=1" : "") << " " << TS_BINARY_DIR
                         << "/tests/ts_sim_tests \"sim: replay one seed\"");
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("seeds " << first << ".." << last << ": " << events << " events, " << acknowledged
                << " client requests acknowledged, " << left_open << " writes left open, " << primaries << " primaries, " << crashes
                << " crashes, " << broker_crashes << " broker crashes, " << partitions << " partitions, " << via_broker2 << " shutdowns through broker 2, " << seconds
                << " s");
  // Both shutdown paths run in every range of the normal run (half the seeds each).
  if (runs >= kMinRunsForBothShutdowns && failures == 0) {
    CHECK(via_broker2 > 0);
    CHECK(via_broker2 < runs);
  }
}

}  // namespace

TEST_CASE("sim: seeds range 1 of 8") { RunSeedRange(0); }
TEST_CASE("sim: seeds range 2 of 8") { RunSeedRange(1); }
TEST_CASE("sim: seeds range 3 of 8") { RunSeedRange(2); }
TEST_CASE("sim: seeds range 4 of 8") { RunSeedRange(3); }
TEST_CASE("sim: seeds range 5 of 8") { RunSeedRange(4); }
TEST_CASE("sim: seeds range 6 of 8") { RunSeedRange(5); }
TEST_CASE("sim: seeds range 7 of 8") { RunSeedRange(6); }
TEST_CASE("sim: seeds range 8 of 8") { RunSeedRange(7); }

TEST_CASE("sim: async mode keeps one primary per term and converges") {
  // Async replies may lose acknowledged writes on failover (that is the
  // trade-off), but terms, fencing and convergence must hold all the same.
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    ts::sim::SimOptions options;
    options.seed = seed;
    options.async_replies = true;
    const ts::sim::SimResult result = ts::sim::RunSimulation(options);
    if (!result.ok) {
      FAIL("async seed " << seed << " failed: " << result.failure
                         << "\n  replay: TS_SIM_SEED=" << seed << " TS_SIM_ASYNC=1 " << TS_BINARY_DIR
                         << "/tests/ts_sim_tests \"sim: replay one seed\"");
    }
  }
}

TEST_CASE("sim: a seed replays exactly") {
  ts::sim::SimOptions options;
  options.seed = 4242;
  const ts::sim::SimResult first = ts::sim::RunSimulation(options);
  const ts::sim::SimResult second = ts::sim::RunSimulation(options);
  CHECK(first.ok == second.ok);
  CHECK(first.events == second.events);
  CHECK(first.end_time_ms == second.end_time_ms);
  CHECK(first.acknowledged == second.acknowledged);
  CHECK(first.primaries == second.primaries);
  CHECK(first.crashes == second.crashes);
  CHECK(first.events > 1'000);
  CHECK(first.acknowledged > 10);
}

TEST_CASE("sim: replay one seed", "[.][replay]") {
  const uint64_t asked = EnvNumber("TS_SIM_SEED", 0);
  const uint64_t seed = asked != 0 ? asked : kDefaultReplaySeed;
  if (asked == 0) {
    WARN("TS_SIM_SEED is not set: replaying seed " << seed << "; set TS_SIM_SEED=N to replay seed N");
  }
  ts::sim::SimOptions options;
  options.seed = seed;
  options.trace = true;
  options.async_replies = EnvNumber("TS_SIM_ASYNC", 0) != 0;
  const ts::sim::SimResult result = ts::sim::RunSimulation(options);
  INFO("seed " << seed << ": " << result.failure);
  CHECK(result.ok);
}
