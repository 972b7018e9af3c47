// At most `burst` log lines per `window`, and a count of the lines held back,
// so that a peer knocking over and over cannot flood the log but the operator
// still learns how often it knocked. Pure: the caller passes `now`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/clock.h"

namespace ts::security {

class LogRateLimiter {
 public:
  LogRateLimiter(size_t burst, cluster::Millis window) : burst_(burst), window_(window) {}

  // Whether to log an event that happens at `now`; a refused one is counted.
  bool Allow(cluster::TimePoint now) {
    StartWindowIfOver(now);
    if (logged_in_window_ < burst_) {
      ++logged_in_window_;
      return true;
    }
    ++suppressed_;
    return false;
  }

  // The events held back, once the window they were held back in is over
  // (then the count starts again); 0 before that.
  uint64_t TakeSuppressed(cluster::TimePoint now) {
    if (suppressed_ == 0 || now - window_start_ < window_) return 0;
    const uint64_t count = suppressed_;
    suppressed_ = 0;
    return count;
  }

 private:
  void StartWindowIfOver(cluster::TimePoint now) {
    if (!started_ || now - window_start_ >= window_) {
      started_ = true;
      window_start_ = now;
      logged_in_window_ = 0;
    }
  }

  size_t burst_;
  cluster::Millis window_;
  bool started_ = false;
  cluster::TimePoint window_start_{0};
  size_t logged_in_window_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace ts::security
