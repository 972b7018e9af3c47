// Issue 14's Done-when for TAKE, with real processes: two workers take from
// one pattern while a third client puts 1,000 tuples, and the primary is
// killed with SIGKILL halfway; every tuple is taken exactly once. A worker
// that gets no answer sends the same request (the same id) again until it
// does: that is what makes a take exactly-once across a failover (the new
// primary answers a take it already holds from its exactly-once table).
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "tests/integration/require.h"

namespace ts::itest {
namespace {

using testing::WaitUntil;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr size_t kTuples = 1'000;
constexpr uint32_t kTakeWaitMs = 1'000;
constexpr Millis kWholeRun{120'000};

// A "not enough replicas" answer is asked again (same id) this many times,
// this far apart: a failover in between may still bring the write back.
constexpr int kNotEnoughReplicasRetries = 50;
constexpr Millis kNotEnoughReplicasPause{100};

// The final answer to `request`: sent again with the same id while there is
// no answer or "unavailable" (the primary may have run it), and a while
// longer while it is "not enough replicas".
Result<Reply> Settled(Client& client, const Request& request, SteadyTime until) {
  int not_enough = 0;
  for (;;) {
    Result<Reply> reply = client.CallWithId(request);
    if (std::chrono::steady_clock::now() > until) return reply;
    if (!reply.ok() || (reply.value().error && reply.value().error->kind == ErrorKind::kUnavailable)) continue;
    if (reply.value().error && reply.value().error->kind == ErrorKind::kNotEnoughReplicas &&
        ++not_enough < kNotEnoughReplicasRetries) {
      std::this_thread::sleep_for(kNotEnoughReplicasPause);
      continue;
    }
    return reply;
  }
}

struct Taken {
  std::mutex mutex;
  std::map<std::string, int> by_key;  // key text -> how many times it was taken
  std::vector<std::string> anomalies;
  size_t Count() {
    std::lock_guard lock(mutex);
    return by_key.size();
  }
};

void Work(const Cluster& cluster, Taken& taken, const std::atomic<bool>& stop, SteadyTime until) {
  Client client = cluster.NewClient();
  while (!stop && std::chrono::steady_clock::now() < until) {
    Request take = MakeTake("q,.*", ".*", kTakeWaitMs);
    take.id = client.TakeNextRequestId();
    Result<Reply> reply = Settled(client, take, until);
    std::lock_guard lock(taken.mutex);
    if (!reply.ok()) {
      taken.anomalies.push_back("take: " + reply.error().message);
      continue;
    }
    if (reply.value().error) {
      if (reply.value().error->kind != ErrorKind::kNotEnoughReplicas) {
        taken.anomalies.push_back("take answered: " + reply.value().error->message);
      }
      continue;
    }
    for (const Pair& pair : reply.value().pairs) ++taken.by_key[TupleText(pair.key)];
    if (reply.value().pairs.size() > 1) taken.anomalies.push_back("a take answered more than one pair");
  }
}

}  // namespace

TEST_CASE("take: two workers share 1,000 tuples put by a third, each taken exactly once, across a kill -9 of the "
          "primary",
          "[integration][take]") {
  Cluster cluster;
  RequireStarted(cluster);
  const PrimaryView first = RequirePrimary(cluster, kFailoverTimeout);
  const SteadyTime until = std::chrono::steady_clock::now() + kWholeRun;

  Taken taken;
  std::atomic<bool> stop{false};
  std::thread worker_a([&] { Work(cluster, taken, stop, until); });
  std::thread worker_b([&] { Work(cluster, taken, stop, until); });

  Client putter = cluster.NewClient();
  std::vector<std::string> put_anomalies;
  bool killed = false;
  for (size_t i = 0; i < kTuples; ++i) {
    if (i == kTuples / 2) {
      cluster.Kill(first.id);
      killed = true;
    }
    Request put = MakePut({Pair{{"q", std::to_string(i)}, {"v" + std::to_string(i)}}});
    put.id = putter.TakeNextRequestId();
    Result<Reply> reply = Settled(putter, put, until);
    if (!reply.ok() || !reply.value().ok() || !reply.value().rejected.empty()) {
      put_anomalies.push_back("put q," + std::to_string(i) + ": " +
                              (!reply.ok() ? reply.error().message
                               : reply.value().error ? reply.value().error->message
                                                     : "rejected"));
    }
  }
  CHECK(killed);
  const bool all_taken = WaitUntil([&] { return taken.Count() >= kTuples; }, Millis(60'000));
  stop = true;
  worker_a.join();
  worker_b.join();

  CHECK(put_anomalies.empty());
  INFO("anomalies: " << (taken.anomalies.empty() ? "" : taken.anomalies.front()));
  CHECK(taken.anomalies.empty());
  CHECK(all_taken);
  std::vector<std::string> twice;
  for (const auto& [key, times] : taken.by_key) {
    if (times != 1) twice.push_back(key + " x" + std::to_string(times));
  }
  INFO("taken more than once: " << twice.size());
  CHECK(twice.empty());
  CHECK(taken.by_key.size() == kTuples);
  for (size_t i = 0; i < kTuples; ++i) {
    if (taken.by_key.count("q," + std::to_string(i)) == 0) FAIL_CHECK("q," << i << " was never taken");
  }
  // Nothing left behind in the space either.
  Client reader = cluster.NewClient();
  Result<Reply> left = reader.Get("q,.*", ".*");
  REQUIRE(left.ok());
  CHECK(left.value().pairs.empty());
}

}  // namespace ts::itest
