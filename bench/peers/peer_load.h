// The closed-loop load the peer drivers (redis_wait_bench, etcd_bench) put on
// another store, measured the way tsbench measures tuplestar (bench/load_run.h)
// and reported with the same JSON fields (bench/peers/peer_report.h).
//
// A run has clients x lanes workers, one thread and one connection each. A
// worker sends a round of up to round_size requests, waits for all of their
// replies, then sends the next round: Redis pipelines `depth` commands on one
// connection (lanes 1, round_size depth), etcd's HTTP/1.1 gateway takes one
// request per connection at a time (lanes depth, round_size 1).
//
// Contract: only requests that complete inside the measured window count; a
// reply without an error is an op (its latency, the round's send to the
// reply that acknowledges it, goes to the histogram), a reply that found no
// value is also counted as missing; a reply with an error and a request the
// connection gave up on are errors, counted by kind. No worker starts a round
// after the window closes, after the request cap is used up, or after Stop();
// the run ends when every worker has finished its round (each reply is
// bounded by the connection's own timeout). Nothing throws.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "bench/latency_histogram.h"

namespace ts::bench::peers {

using Clock = std::chrono::steady_clock;

// The run's time line, fixed before the workers start: warm-up, then the
// measured window [warm_end, end).
struct LoadWindow {
  enum class Part { kWarmUp, kMeasured, kOver };

  static LoadWindow Starting(Clock::time_point start, double warmup_s, double duration_s);
  Part PartOf(Clock::time_point t) const;
  // The measured seconds of a run whose last worker stopped at `stopped_at`
  // (earlier than `end` when the request cap or Stop() ended it).
  double MeasuredSeconds(Clock::time_point stopped_at) const;

  Clock::time_point start;
  Clock::time_point warm_end;
  Clock::time_point end;
};

// How one request ended.
struct OpOutcome {
  enum class Kind { kOk, kMissing, kError };
  Kind kind = Kind::kOk;
  std::string error_kind;  // for kError: "timeout", "redis_error", "http_503", ...
  Clock::time_point sent_at;
  Clock::time_point completed_at;
};

// The figures of the requests that completed inside the window. Not thread-safe;
// each worker keeps its own, merged at the end.
class OpTally {
 public:
  // Counts `outcome` when it completed inside the window; false when it did not count.
  bool Record(const OpOutcome& outcome, const LoadWindow& window);
  void Merge(const OpTally& other);

  uint64_t ops() const { return ops_; }
  uint64_t missing() const { return missing_; }
  uint64_t errors() const { return errors_; }
  const std::map<std::string, uint64_t>& errors_by_kind() const { return errors_by_kind_; }
  const LatencyHistogram& latency() const { return latency_; }

 private:
  uint64_t ops_ = 0;
  uint64_t missing_ = 0;
  uint64_t errors_ = 0;
  std::map<std::string, uint64_t> errors_by_kind_;
  LatencyHistogram latency_;
};

// The total number of requests a run may send, shared by its workers.
class RequestBudget {
 public:
  explicit RequestBudget(uint64_t limit) : remaining_(limit) {}
  // Takes up to `wanted` requests; returns how many were granted (0 once used up).
  uint64_t Take(uint64_t wanted);
  uint64_t remaining() const { return remaining_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> remaining_;
};

// One worker's connection to the store. RunRound sends `count` requests as
// one round and calls `done` once per request, in any order, before it
// returns; a connection that broke reconnects at its next round.
class PeerConnection {
 public:
  virtual ~PeerConnection() = default;
  virtual void RunRound(size_t count, const std::function<void(const OpOutcome&)>& done) = 0;
};

// Makes the connection of worker (client, lane); called on the worker's thread.
using ConnectionFactory = std::function<std::unique_ptr<PeerConnection>(uint32_t client, uint32_t lane)>;

struct PeerLoadOptions {
  int clients = 1;
  int lanes = 1;        // connections per client
  int round_size = 1;   // requests per round on one connection
  double warmup_s = 0.5;
  double duration_s = 5;
  uint64_t max_requests = 0;  // over the whole run, warm-up included
};

struct PeerLoadResult {
  double measured_s = 0;
  uint64_t requests_sent = 0;
  bool stopped_by_cap = false;
  OpTally tally;
};

// Runs the load on clients x lanes threads. `stop`, when set by another
// thread (a signal handler's flag), ends the run after the rounds in progress.
PeerLoadResult RunPeerLoad(const PeerLoadOptions& options, const ConnectionFactory& make_connection,
                           const std::atomic<bool>& stop);

}  // namespace ts::bench::peers
