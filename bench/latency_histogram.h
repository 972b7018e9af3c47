// LatencyHistogram: HdrHistogram-style log-linear buckets for latencies in
// nanoseconds, so that p50 / p99 / p99.9 come from every sample, not a sample
// of samples, in fixed memory (about 60 KB) and O(1) per record.
//
// Contract: values below 2^kSubBucketBits are counted exactly; above, each
// power-of-two range is cut into 2^(kSubBucketBits-1) equal buckets, so any
// reported value is within 1/128 (0.8%) of a recorded one. Percentile(p)
// returns the value at rank ceil(p/100 x count) (its bucket's midpoint,
// clamped to [min, max] seen); p <= 0 and p >= 100 give min and max exactly.
// Histograms of different threads Merge into one. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ts::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 8;  // 256 exact values, then 128 buckets per octave

  LatencyHistogram();

  void Record(uint64_t nanoseconds);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }
  // p in [0, 100]; 0 for an empty histogram.
  uint64_t Percentile(double p) const;

  // Bucket arithmetic, public for tests.
  static size_t IndexOf(uint64_t value);
  static uint64_t LowestOf(size_t index);   // smallest value counted in bucket `index`
  static uint64_t HighestOf(size_t index);  // largest value counted in bucket `index`

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  unsigned __int128 sum_ = 0;
};

}  // namespace ts::bench
