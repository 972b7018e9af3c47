#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ts::bench {
namespace {

constexpr uint64_t kExact = uint64_t{1} << LatencyHistogram::kSubBucketBits;  // 256
constexpr uint64_t kHalf = kExact / 2;                                           // 128
// Values need at most 64 bits: shifts 1 .. 64 - kSubBucketBits.
constexpr size_t kBucketCount = kExact + (64 - LatencyHistogram::kSubBucketBits) * kHalf;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

size_t LatencyHistogram::IndexOf(uint64_t value) {
  if (value < kExact) return static_cast<size_t>(value);
  // Octave [2^(b), 2^(b+1)) with b >= kSubBucketBits: keep the top kSubBucketBits bits.
  const int shift = std::bit_width(value) - kSubBucketBits;  // >= 1
  return static_cast<size_t>(kExact + static_cast<uint64_t>(shift - 1) * kHalf + ((value >> shift) - kHalf));
}

uint64_t LatencyHistogram::LowestOf(size_t index) {
  if (index < kExact) return index;
  const uint64_t above = index - kExact;
  const int shift = static_cast<int>(above / kHalf) + 1;
  return (kHalf + above % kHalf) << shift;
}

uint64_t LatencyHistogram::HighestOf(size_t index) {
  if (index < kExact) return index;
  const int shift = static_cast<int>((index - kExact) / kHalf) + 1;
  return LowestOf(index) + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::Record(uint64_t nanoseconds) {
  ++counts_[IndexOf(nanoseconds)];
  ++count_;
  min_ = std::min(min_, nanoseconds);
  max_ = std::max(max_, nanoseconds);
  sum_ += nanoseconds;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

uint64_t LatencyHistogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  if (p <= 0) return min();  // the extremes are known exactly
  if (p >= 100) return max_;
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The bucket's midpoint; within the bucket's width of every value in it.
      const uint64_t middle = LowestOf(i) + (HighestOf(i) - LowestOf(i)) / 2;
      return std::clamp(middle, min(), max_);
    }
  }
  return max_;
}

}  // namespace ts::bench
