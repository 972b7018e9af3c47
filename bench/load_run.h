// The load tsbench puts on a broker: N client threads, each with its own
// PipelinedClient keeping `depth` requests in flight (a closed loop: a reply
// lets the next request go), for a warm-up and then a measured window.
//
// Contract: only replies that arrive inside the measured window count; ops/s
// is their number over the window's length as actually measured. A reply
// without an error is an op (its latency, send to reply, goes to the
// histograms; a PUT/POST pair the space did not use is also counted as
// rejected); a reply with an error, and a request the client gave up on, are
// errors, counted by kind and kept out of ops and latency. After the window
// the clients stop sending and wait (bounded by kDrainTimeout) for what is
// still out, so the next run starts on a quiet service. Nothing throws.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "bench/latency_histogram.h"
#include "bench/op_mix.h"
#include "clients/client_transport.h"
#include "common/status.h"

namespace ts::bench {

struct LoadDefaults {
  // After the window: how long clients wait for replies still out.
  static constexpr std::chrono::milliseconds kDrainTimeout{3'000};
  // The longest one client thread sleeps waiting for a reply before it looks
  // at the clock again.
  static constexpr std::chrono::milliseconds kPollSlice{20};
  // Preload: pairs per PUT (fewer for large values: a PUT carries at most
  // about kPreloadBatchBytes, since a 16 MB batch of 16 KiB values held the
  // nodes' loops past their liveness window on a loaded machine), and PUTs in flight.
  static constexpr size_t kPreloadBatchPairs = 1'000;
  static constexpr size_t kPreloadBatchBytes = 256 * 1024;
  static constexpr size_t kPreloadDepth = 4;
  // ZeroMQ I/O threads shared by all the client threads of one run.
  static constexpr int kIoThreads = 1;
};

struct LoadOptions {
  std::string broker;
  int clients = 1;
  int depth = 1;
  double warmup_s = 0.5;
  double duration_s = 5;
  OpMix mix;
  RequestMakerOptions requests;  // client_index and seed are set per client
  std::chrono::milliseconds request_timeout{2'500};
  int retries = 2;
  std::optional<ClientCurve> curve;  // tsbench --key: CURVE to the broker; none: plain text
};

struct OpFigures {
  uint64_t ops = 0;
  uint64_t rejected = 0;  // PUT/POST pairs not used (key present / absent)
  LatencyHistogram latency;
};

struct LoadResult {
  double measured_s = 0;
  uint64_t ops = 0;
  LatencyHistogram latency;
  std::array<OpFigures, kOpKindCount> by_op;
  uint64_t errors = 0;
  std::map<std::string, uint64_t> errors_by_kind;
  uint64_t resent = 0;   // attempts sent again after a timeout
  uint64_t expired = 0;  // requests given up after their last attempt
  std::set<std::pair<uint32_t, uint64_t>> served_by_terms;  // (node id, term) seen in replies
};

// Live counters the caller may read while RunLoad runs (for a progress line).
struct LoadProgress {
  std::atomic<uint64_t> replies{0};  // every completion so far, warm-up included
  std::atomic<uint64_t> errors{0};
  std::atomic<int> phase{0};         // 0 warm-up, 1 measuring, 2 draining
};

// Runs the load; `progress` is updated as it goes and `on_tick` (when set) is
// called about every tick_interval_s from the calling thread.
LoadResult RunLoad(const LoadOptions& options, LoadProgress& progress,
                   const std::function<void(double elapsed_s)>& on_tick, double tick_interval_s);

struct PreloadResult {
  double seconds = 0;
  uint64_t added = 0;
  uint64_t already_present = 0;
  uint64_t failed_requests = 0;
  std::string first_error;
};

// PUTs KeySpaceKey(0 .. key_space-1) with random values in batches of
// PreloadBatchPairs(value_size), so GET, POST and get-regex find their keys.
// Keys already present stay as they are.
size_t PreloadBatchPairs(size_t value_size);
PreloadResult Preload(const std::string& broker, uint64_t key_space, size_t value_size,
                      std::chrono::milliseconds request_timeout, int retries,
                      const std::optional<ClientCurve>& curve = {});

}  // namespace ts::bench
