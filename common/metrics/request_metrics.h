// RequestMetrics: requests by op and outcome, and a latency histogram per op,
// for a binary that sees a request arrive and, later, its reply leave (the
// node: from the broker and back; the broker: from a client and back).
//
// Contract: Started(key, op, now) when a request arrives (a retry under the
// same key keeps the first arrival); Finished(key, outcome, now) when its
// reply leaves: counted under (op, outcome) with its latency; a reply whose
// request was not seen (or forgotten) counts under op "unknown", without a
// latency. At most kMaxOps op names are kept (the rest count as "OTHER"), at
// most kMaxWaiting requests wait (the rest are counted as untracked), and one
// waiting longer than kForgetAfter is dropped (its reply will never come: a
// primary that stepped down). Pure: `now` is any monotonic clock, passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/metrics/metrics_text.h"

namespace ts::metrics {

using MonotonicTime = std::chrono::nanoseconds;

struct RequestMetricsDefaults {
  static constexpr size_t kMaxOps = 32;
  static constexpr size_t kMaxWaiting = 100'000;
  static constexpr std::chrono::seconds kForgetAfter{120};
};

class RequestMetrics {
 public:
  void Started(std::string key, std::string_view op, MonotonicTime now);
  void Finished(const std::string& key, std::string_view outcome, MonotonicTime now);
  // Drops requests waiting longer than kForgetAfter (call it now and then).
  void Forget(MonotonicTime now);

  // Families `<prefix>_requests_total{op,outcome}`,
  // `<prefix>_request_duration_seconds{op}`, `<prefix>_requests_waiting` and
  // `<prefix>_requests_untracked_total`.
  void Render(MetricsText& out, const std::string& prefix, std::string_view who) const;

  size_t waiting() const { return waiting_.size(); }
  uint64_t count(const std::string& op, const std::string& outcome) const;

 private:
  struct Waiting {
    std::string op;
    MonotonicTime since{0};
  };
  std::string OpLabel(std::string_view op);

  std::unordered_map<std::string, Waiting> waiting_;
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;  // (op, outcome)
  std::map<std::string, LatencyHistogram> latency_;                 // by op
  uint64_t untracked_ = 0;
};

// A label-safe op name: upper-case letters, digits and '_' only, at most 16
// of them; anything else is "OTHER".
std::string OpLabelOf(std::string_view op);

}  // namespace ts::metrics
