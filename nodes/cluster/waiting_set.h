// WaitingSet: the client requests a primary holds until they can be answered
// (docs/PROTOCOL.md "Waiting requests"): a GET or TAKE with a wait whose
// patterns match nothing yet, a WATCH with no matching change after its
// cursor yet. Each waits until its deadline, at most max_wait after it came.
//
// Bounded: a request asking to wait longer than max_wait, or arriving while
// max_waiting requests wait already, is refused (WhyNot says why, in a
// sentence for the client). A request with the id of one already waiting (a
// Lazy Pirate retry on a new socket, or the broker's resend) takes its place:
// the answer goes to the newest address, and one request never waits twice.
// The set only keeps them in arrival order; when each is answered is the
// PrimaryReplicator's decision (ServeWaiting), driven by `now`. Stepping down
// drops them all: the broker sends every unanswered request to the next
// primary, where it waits again. No sockets, threads or clocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "schema/cluster_messages.h"
#include "schema/messages.h"

namespace ts::cluster {

struct WaitingRequest {
  ClientTag client;
  Request request;
  TimePoint deadline{0};
  uint64_t cursor = 0;  // WATCH: the changes after this seq are asked for (0: not fixed yet)
};

class WaitingSet {
 public:
  WaitingSet(size_t max_waiting, Millis max_wait) : max_waiting_(max_waiting), max_wait_(max_wait) {}

  // Why `request` may not wait, or nullopt when it may (a retry of a waiting
  // request always may: it replaces itself).
  std::optional<Error> WhyNot(const Request& request) const;
  void Add(WaitingRequest waiting);
  // All of them, in arrival order, leaving the set empty: the replicator
  // answers some and Adds back the rest (Keep), in the same order.
  std::deque<WaitingRequest> TakeAll() { return std::exchange(waiting_, {}); }
  void Keep(WaitingRequest waiting) { waiting_.push_back(std::move(waiting)); }
  void Clear() { waiting_.clear(); }

  size_t size() const { return waiting_.size(); }
  bool empty() const { return waiting_.empty(); }
  Millis max_wait() const { return max_wait_; }

 private:
  bool Holds(const RequestId& id) const;

  size_t max_waiting_;
  Millis max_wait_;
  std::deque<WaitingRequest> waiting_;
};

}  // namespace ts::cluster
