#include "bench/peers/peer_load.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace ts::bench::peers {
namespace {

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(0.0, s)));
}

uint64_t Nanos(Clock::duration d) {
  return static_cast<uint64_t>(std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()));
}

struct WorkerOutcome {
  OpTally tally;
  uint64_t requests_sent = 0;
  Clock::time_point stopped_at;
};

void RunWorker(const PeerLoadOptions& options, const ConnectionFactory& make_connection, uint32_t client,
               uint32_t lane, const LoadWindow& window, RequestBudget& budget, const std::atomic<bool>& stop,
               WorkerOutcome& outcome) {
  std::unique_ptr<PeerConnection> connection = make_connection(client, lane);
  auto record = [&](const OpOutcome& op) { outcome.tally.Record(op, window); };
  while (!stop.load(std::memory_order_relaxed) && window.PartOf(Clock::now()) != LoadWindow::Part::kOver) {
    const uint64_t granted = budget.Take(static_cast<uint64_t>(std::max(1, options.round_size)));
    if (granted == 0) break;
    outcome.requests_sent += granted;
    connection->RunRound(static_cast<size_t>(granted), record);
  }
  outcome.stopped_at = Clock::now();
}

}  // namespace

LoadWindow LoadWindow::Starting(Clock::time_point start, double warmup_s, double duration_s) {
  LoadWindow window;
  window.start = start;
  window.warm_end = start + Seconds(warmup_s);
  window.end = window.warm_end + Seconds(duration_s);
  return window;
}

LoadWindow::Part LoadWindow::PartOf(Clock::time_point t) const {
  if (t < warm_end) return Part::kWarmUp;
  if (t < end) return Part::kMeasured;
  return Part::kOver;
}

double LoadWindow::MeasuredSeconds(Clock::time_point stopped_at) const {
  const Clock::time_point last = std::min(stopped_at, end);
  return last <= warm_end ? 0.0 : std::chrono::duration<double>(last - warm_end).count();
}

bool OpTally::Record(const OpOutcome& outcome, const LoadWindow& window) {
  if (window.PartOf(outcome.completed_at) != LoadWindow::Part::kMeasured) return false;
  if (outcome.kind == OpOutcome::Kind::kError) {
    ++errors_;
    ++errors_by_kind_[outcome.error_kind.empty() ? "unknown" : outcome.error_kind];
    return true;
  }
  ++ops_;
  if (outcome.kind == OpOutcome::Kind::kMissing) ++missing_;
  latency_.Record(Nanos(outcome.completed_at - outcome.sent_at));
  return true;
}

void OpTally::Merge(const OpTally& other) {
  ops_ += other.ops_;
  missing_ += other.missing_;
  errors_ += other.errors_;
  for (const auto& [kind, count] : other.errors_by_kind_) errors_by_kind_[kind] += count;
  latency_.Merge(other.latency_);
}

uint64_t RequestBudget::Take(uint64_t wanted) {
  uint64_t remaining = remaining_.load(std::memory_order_relaxed);
  while (remaining > 0) {
    const uint64_t granted = std::min(wanted, remaining);
    if (remaining_.compare_exchange_weak(remaining, remaining - granted, std::memory_order_relaxed)) return granted;
  }
  return 0;
}

PeerLoadResult RunPeerLoad(const PeerLoadOptions& options, const ConnectionFactory& make_connection,
                           const std::atomic<bool>& stop) {
  const int clients = std::max(1, options.clients);
  const int lanes = std::max(1, options.lanes);
  const LoadWindow window = LoadWindow::Starting(Clock::now(), options.warmup_s, options.duration_s);
  RequestBudget budget(options.max_requests);
  std::vector<WorkerOutcome> outcomes(static_cast<size_t>(clients) * static_cast<size_t>(lanes));
  std::vector<std::thread> threads;
  threads.reserve(outcomes.size());
  for (int c = 0; c < clients; ++c) {
    for (int l = 0; l < lanes; ++l) {
      WorkerOutcome& outcome = outcomes[static_cast<size_t>(c) * static_cast<size_t>(lanes) + static_cast<size_t>(l)];
      threads.emplace_back(RunWorker, std::cref(options), std::cref(make_connection), static_cast<uint32_t>(c),
                           static_cast<uint32_t>(l), std::cref(window), std::ref(budget), std::cref(stop),
                           std::ref(outcome));
    }
  }
  for (std::thread& thread : threads) thread.join();

  PeerLoadResult result;
  Clock::time_point stopped_at = window.start;
  for (const WorkerOutcome& outcome : outcomes) {
    result.tally.Merge(outcome.tally);
    result.requests_sent += outcome.requests_sent;
    stopped_at = std::max(stopped_at, outcome.stopped_at);
  }
  result.stopped_by_cap = budget.remaining() == 0;
  result.measured_s = window.MeasuredSeconds(stopped_at);
  return result;
}

}  // namespace ts::bench::peers
