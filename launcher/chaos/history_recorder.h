// tschaos-history's shell: N client threads, each its own ts::Client (one
// REQ socket, `retries` bounded, each attempt `timeout`), doing the
// operations OpPlanner picks on K keys until `duration` passes or `stop` is
// set, appending every invoke and completion to the history file (flushed
// line by line, so a killed recorder leaves a readable file). After an
// unknown, a thread goes on as a fresh process id. At the natural end (not
// when stopped) one more process reads every key once, so a write lost at the
// end is seen. Per-second acknowledged counts go to `rate_out` as CSV
// "second,acknowledged,start_ns" (second 0 starts at the recorder's start).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "clients/client_transport.h"
#include "common/status.h"

namespace ts::chaos {

struct RecorderOptions {
  std::string broker;  // the client endpoint
  std::optional<ClientCurve> curve;
  int clients = 5;
  int keys = 3;
  std::chrono::milliseconds duration{10'000};
  std::chrono::milliseconds timeout{1'000};  // per attempt
  int retries = 0;
  uint64_t seed = 1;
  std::string out;
  std::string rate_out;  // empty: none
};

struct RecorderTotals {
  size_t ops = 0;
  size_t ok = 0;
  size_t fail = 0;
  size_t unknown = 0;
  // "history: ops=O ok=A fail=F unknown=U"
  std::string SummaryLine() const;
};

// CLOCK_MONOTONIC in nanoseconds: the history's clock.
int64_t MonotonicNowNs();

// Runs the clients; an error when a file cannot be written.
Result<RecorderTotals> RunRecorder(const RecorderOptions& options, const std::atomic<bool>& stop);

}  // namespace ts::chaos
