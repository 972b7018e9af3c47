// The peer drivers' closed-loop load (bench/peers/peer_load.h): the window,
// the tally, the request cap, and the runner over an in-process connection
// that answers at once (the drivers' real connections are tested against
// real servers in redis_wait_process_test.cpp and etcd_process_test.cpp).
#include <catch2/catch.hpp>

#include <mutex>
#include <set>

#include "bench/peers/peer_load.h"
#include "bench/peers/peer_report.h"

using namespace ts::bench::peers;
using namespace std::chrono_literals;

namespace {

OpOutcome Outcome(OpOutcome::Kind kind, Clock::time_point sent, Clock::duration latency, std::string error = "") {
  OpOutcome outcome;
  outcome.kind = kind;
  outcome.error_kind = std::move(error);
  outcome.sent_at = sent;
  outcome.completed_at = sent + latency;
  return outcome;
}

// Answers every request at once, and notes which (client, lane) asked how much.
class InstantConnection : public PeerConnection {
 public:
  InstantConnection(uint32_t client, uint32_t lane, std::mutex& mutex, std::multiset<std::pair<uint32_t, size_t>>& rounds)
      : client_(client), lane_(lane), mutex_(mutex), rounds_(rounds) {}
  void RunRound(size_t count, const std::function<void(const OpOutcome&)>& done) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      rounds_.insert({client_ * 100 + lane_, count});
    }
    const Clock::time_point now = Clock::now();
    for (size_t i = 0; i < count; ++i) done(Outcome(OpOutcome::Kind::kOk, now, 0ns));
  }

 private:
  uint32_t client_, lane_;
  std::mutex& mutex_;
  std::multiset<std::pair<uint32_t, size_t>>& rounds_;
};

}  // namespace

TEST_CASE("LoadWindow puts a time in the warm-up, the window or after it", "[peers]") {
  const Clock::time_point start = Clock::now();
  const LoadWindow window = LoadWindow::Starting(start, 1.0, 2.0);
  CHECK(window.PartOf(start) == LoadWindow::Part::kWarmUp);
  CHECK(window.PartOf(start + 999ms) == LoadWindow::Part::kWarmUp);
  CHECK(window.PartOf(start + 1s) == LoadWindow::Part::kMeasured);
  CHECK(window.PartOf(start + 2999ms) == LoadWindow::Part::kMeasured);
  CHECK(window.PartOf(start + 3s) == LoadWindow::Part::kOver);
  CHECK(window.MeasuredSeconds(start + 10s) == Approx(2.0));    // ran to the end
  CHECK(window.MeasuredSeconds(start + 1500ms) == Approx(0.5));  // the cap stopped it early
  CHECK(window.MeasuredSeconds(start + 500ms) == 0.0);           // stopped in the warm-up
}

TEST_CASE("OpTally counts what completed inside the window, by outcome", "[peers]") {
  const Clock::time_point start = Clock::now();
  const LoadWindow window = LoadWindow::Starting(start, 1.0, 1.0);
  OpTally tally;
  CHECK_FALSE(tally.Record(Outcome(OpOutcome::Kind::kOk, start, 500ms), window));  // in the warm-up
  CHECK(tally.Record(Outcome(OpOutcome::Kind::kOk, start + 900ms, 200ms), window));  // sent before, completed inside
  CHECK(tally.Record(Outcome(OpOutcome::Kind::kMissing, start + 1100ms, 100ms), window));
  CHECK(tally.Record(Outcome(OpOutcome::Kind::kError, start + 1200ms, 1ms, "timeout"), window));
  CHECK(tally.Record(Outcome(OpOutcome::Kind::kError, start + 1300ms, 1ms, "timeout"), window));
  CHECK(tally.Record(Outcome(OpOutcome::Kind::kError, start + 1300ms, 1ms), window));
  CHECK_FALSE(tally.Record(Outcome(OpOutcome::Kind::kOk, start + 1900ms, 200ms), window));  // completed after
  CHECK(tally.ops() == 2);
  CHECK(tally.missing() == 1);
  CHECK(tally.errors() == 3);
  CHECK(tally.errors_by_kind() == std::map<std::string, uint64_t>{{"timeout", 2}, {"unknown", 1}});
  CHECK(tally.latency().count() == 2);  // errors stay out of the latency
  CHECK(tally.latency().min() == 100'000'000);
  CHECK(tally.latency().max() == 200'000'000);

  OpTally other;
  other.Record(Outcome(OpOutcome::Kind::kError, start + 1500ms, 1ms, "timeout"), window);
  tally.Merge(other);
  CHECK(tally.errors_by_kind().at("timeout") == 3);
  CHECK(tally.errors() == 4);
}

TEST_CASE("RequestBudget grants exactly its limit, in parts", "[peers]") {
  RequestBudget budget(10);
  CHECK(budget.Take(4) == 4);
  CHECK(budget.Take(4) == 4);
  CHECK(budget.Take(4) == 2);
  CHECK(budget.Take(4) == 0);
  CHECK(budget.remaining() == 0);
}

TEST_CASE("RunPeerLoad sends exactly the request cap over clients x lanes, in rounds of round_size", "[peers]") {
  std::mutex mutex;
  std::multiset<std::pair<uint32_t, size_t>> rounds;
  PeerLoadOptions options;
  options.clients = 3;
  options.lanes = 2;
  options.round_size = 4;
  options.warmup_s = 0;
  options.duration_s = 60;  // the cap ends it long before
  options.max_requests = 1'002;
  std::atomic<bool> stop{false};
  std::set<uint32_t> workers;  // client x 100 + lane of each connection made
  const PeerLoadResult result = RunPeerLoad(
      options,
      [&](uint32_t client, uint32_t lane) {
        {
          std::lock_guard<std::mutex> lock(mutex);
          workers.insert(client * 100 + lane);
        }
        return std::make_unique<InstantConnection>(client, lane, mutex, rounds);
      },
      stop);
  CHECK(result.requests_sent == 1'002);
  CHECK(result.tally.ops() == 1'002);
  CHECK(result.tally.errors() == 0);
  CHECK(result.stopped_by_cap);
  CHECK(result.measured_s > 0);
  CHECK(result.measured_s < 60);
  size_t short_rounds = 0;
  size_t sent = 0;
  for (const auto& [worker, count] : rounds) {
    sent += count;
    CHECK(count <= 4);
    if (count < 4) ++short_rounds;
  }
  CHECK(workers == std::set<uint32_t>{0, 1, 100, 101, 200, 201});
  CHECK(sent == 1'002);
  CHECK(short_rounds == 1);  // 1002 = 250 x 4 + 2: only the round that took the budget's rest is short
}

TEST_CASE("RunPeerLoad stops when asked, and when its window closes", "[peers]") {
  std::mutex mutex;
  std::multiset<std::pair<uint32_t, size_t>> rounds;
  auto make = [&](uint32_t client, uint32_t lane) { return std::make_unique<InstantConnection>(client, lane, mutex, rounds); };
  PeerLoadOptions options;
  options.warmup_s = 0;
  options.duration_s = 3'600;
  options.max_requests = UINT64_MAX;
  std::atomic<bool> stop{true};
  CHECK(RunPeerLoad(options, make, stop).requests_sent == 0);

  options.duration_s = 0.2;
  stop = false;
  const auto started = Clock::now();
  const PeerLoadResult result = RunPeerLoad(options, make, stop);
  CHECK(Clock::now() - started < 30s);
  CHECK_FALSE(result.stopped_by_cap);
  CHECK(result.measured_s == Approx(0.2).margin(0.05));
  CHECK(result.tally.ops() > 0);
}

TEST_CASE("PeerResultJson has the fields bench_report.py reads from tsbench's JSON", "[peers]") {
  const Clock::time_point start = Clock::now();
  const LoadWindow window = LoadWindow::Starting(start, 0, 1);
  PeerLoadResult result;
  result.measured_s = 0.5;
  result.requests_sent = 3;
  for (int i = 0; i < 2; ++i) result.tally.Record(Outcome(OpOutcome::Kind::kOk, start, 1ms), window);
  result.tally.Record(Outcome(OpOutcome::Kind::kError, start, 1ms, "timeout"), window);
  PeerRunInfo info;
  info.tool = "redis_wait_bench";
  info.system = "redis-wait";
  info.workload = "write";
  info.mix = "set+wait=1";
  info.clients = 8;
  info.depth = 16;
  const nlohmann::json json = PeerResultJson(info, result);
  for (const char* field : {"tool", "clients", "depth", "mix", "key_space", "value_size", "warmup_s", "duration_s",
                            "measured_s", "ops", "ops_per_s", "latency_us", "by_op", "errors", "errors_by_kind", "method"}) {
    INFO(field);
    CHECK(json.contains(field));
  }
  CHECK(json["ops"] == 2);
  CHECK(json["ops_per_s"].get<double>() == Approx(4.0));
  CHECK(json["errors"] == 1);
  CHECK(json["errors_by_kind"]["timeout"] == 1);
  for (const char* percentile : {"min", "mean", "p50", "p90", "p99", "p999", "max"}) {
    INFO(percentile);
    CHECK(json["latency_us"][percentile].get<double>() == Approx(1000.0).epsilon(0.01));
  }
  CHECK(json["by_op"]["set+wait"]["ops"] == 2);
}
