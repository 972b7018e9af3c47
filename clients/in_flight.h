// The pipelined client's bookkeeping, as a pure core: which requests are out,
// how many attempts each has had, when each attempt times out, and what a
// reply or the passing of time means. No sockets and no clock reads: the
// shell (pipelined_client.cpp) passes `now` in and carries out the actions.
//
// Contract: a request is out from OnSent until a reply completes it (OnReply)
// or its last attempt times out (OnTick lists it as expired, and forgets it).
// A timed-out attempt with attempts left is listed for resending with the SAME
// request number, so the server can answer a retry with its stored reply.
// A reply numbered 0 (one the broker made itself, e.g. "service refused")
// completes the oldest request out; a reply for a number not out (a duplicate
// answer to a retried request, or a stray) completes nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ts {

class InFlightTable {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  InFlightTable(std::chrono::milliseconds attempt_timeout, int max_attempts);

  // Request `number` (> 0, not already out) was sent for the first time.
  void OnSent(uint64_t number, std::string frame, TimePoint now);

  // A reply for `number` arrived: the request it completes, if any, with the
  // number of attempts that request had.
  struct Completed {
    uint64_t number = 0;
    int attempts = 0;
  };
  std::optional<Completed> OnReply(uint64_t number);

  struct TickActions {
    std::vector<uint64_t> resend;   // attempt timed out, attempts left: send again now
    std::vector<uint64_t> expired;  // last attempt timed out: failed, no longer out
  };
  // Everything whose attempt deadline is at or before `now`. Resent requests
  // count one more attempt with a new deadline of now + attempt_timeout.
  TickActions OnTick(TimePoint now);

  // The shell moved to another broker after `just_resent` (OnTick's resend
  // list) timed out: every request out, oldest first, to send there now.
  // Those not just resent count one more attempt with a new deadline (a
  // request on its last attempt is left to expire where it was). Why all of
  // them: the primary wants a client's requests in order, and keeps replies
  // for a bounded window of its latest requests; a request left waiting at
  // the dead broker while newer ones are answered through the new one would
  // reach the primary late, out of order, or behind that window.
  std::vector<uint64_t> RedirectAll(TimePoint now, const std::vector<uint64_t>& just_resent);

  // Every request out, oldest first, now failed and forgotten (the shell
  // learnt that nobody will answer: the connection was refused).
  std::vector<Completed> TakeAll();

  // The frame to send for a request that is out (empty when it is not).
  const std::string& FrameOf(uint64_t number) const;
  int AttemptsOf(uint64_t number) const;  // 0 when not out

  // The earliest attempt deadline, when anything is out.
  std::optional<TimePoint> NextDeadline() const;

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool contains(uint64_t number) const { return entries_.count(number) != 0; }
  int max_attempts() const { return max_attempts_; }
  std::chrono::milliseconds attempt_timeout() const { return attempt_timeout_; }

 private:
  struct Entry {
    std::string frame;
    int attempts = 0;
    TimePoint deadline;
  };
  std::chrono::milliseconds attempt_timeout_;
  int max_attempts_;
  std::map<uint64_t, Entry> entries_;  // by request number: begin() is the oldest
};

}  // namespace ts
