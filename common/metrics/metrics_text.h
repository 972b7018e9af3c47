// The Prometheus text exposition format (version 0.0.4), written by hand:
// each family's # HELP and # TYPE lines, then its samples, one per line:
//
//   # HELP tuplestar_broker_requests_forwarded_total Client requests sent to a primary.
//   # TYPE tuplestar_broker_requests_forwarded_total counter
//   tuplestar_broker_requests_forwarded_total 1234
//
// Contract: the samples of one family are added one after another (a family
// whose name was already closed by another family is a programming error and
// throws std::logic_error); names are [a-zA-Z_:][a-zA-Z0-9_:]*; label values
// are escaped here. Pure: no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ts::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Latency buckets in seconds, 0.25 ms .. 5 s: a request through the broker
// and a primary takes about a millisecond here; a failover hold, seconds.
inline constexpr std::array<double, 14> kLatencyBucketsSeconds = {
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0};

// A histogram's state: a count per bucket (not cumulative), the sum and count.
struct LatencyHistogram {
  std::array<uint64_t, kLatencyBucketsSeconds.size() + 1> counts{};  // the last: above every bucket
  double sum_seconds = 0;
  uint64_t count = 0;

  void Observe(double seconds);
};

class MetricsText {
 public:
  void Counter(std::string_view name, std::string_view help, double value, const Labels& labels = {});
  void Gauge(std::string_view name, std::string_view help, double value, const Labels& labels = {});
  void Histogram(std::string_view name, std::string_view help, const LatencyHistogram& histogram,
                 const Labels& labels = {});

  const std::string& text() const { return text_; }

 private:
  void Family(std::string_view name, std::string_view help, const char* type);
  void Sample(std::string_view name, const Labels& labels, double value);

  std::string text_;
  std::string open_family_;
  std::set<std::string, std::less<>> closed_families_;
};

// "a\"b" for a label value: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);

}  // namespace ts::metrics
