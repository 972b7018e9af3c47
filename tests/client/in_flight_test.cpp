// The pipelined client's pure bookkeeping core, on a hand-driven clock.
#include <catch2/catch.hpp>

#include "clients/in_flight.h"

using namespace std::chrono_literals;
using ts::InFlightTable;

namespace {
const InFlightTable::TimePoint kStart{};
}

TEST_CASE("in-flight: a reply completes its request once, duplicates and strays complete nothing",
          "[client][in_flight]") {
  InFlightTable table(100ms, 3);
  table.OnSent(1, "one", kStart);
  table.OnSent(2, "two", kStart);
  CHECK(table.size() == 2);

  std::optional<InFlightTable::Completed> done = table.OnReply(2);
  REQUIRE(done);
  CHECK(done->number == 2);
  CHECK(done->attempts == 1);
  CHECK_FALSE(table.OnReply(2));   // a second answer (to a retry) is unmatched
  CHECK_FALSE(table.OnReply(77));  // never sent
  CHECK(table.size() == 1);
  CHECK(table.contains(1));
}

TEST_CASE("in-flight: a timed-out attempt is resent with the same number until attempts run out",
          "[client][in_flight]") {
  InFlightTable table(100ms, 3);
  table.OnSent(5, "frame5", kStart);
  CHECK(*table.NextDeadline() == kStart + 100ms);

  InFlightTable::TickActions early = table.OnTick(kStart + 99ms);
  CHECK(early.resend.empty());
  CHECK(early.expired.empty());

  InFlightTable::TickActions second = table.OnTick(kStart + 100ms);
  CHECK(second.resend == std::vector<uint64_t>{5});
  CHECK(table.AttemptsOf(5) == 2);
  CHECK(table.FrameOf(5) == "frame5");
  CHECK(*table.NextDeadline() == kStart + 200ms);

  CHECK(table.OnTick(kStart + 200ms).resend == std::vector<uint64_t>{5});
  CHECK(table.AttemptsOf(5) == 3);

  InFlightTable::TickActions last = table.OnTick(kStart + 300ms);
  CHECK(last.resend.empty());
  CHECK(last.expired == std::vector<uint64_t>{5});
  CHECK(table.empty());
  CHECK_FALSE(table.NextDeadline());
  CHECK(table.FrameOf(5).empty());
}

TEST_CASE("in-flight: a reply after a resend reports the attempts it took", "[client][in_flight]") {
  InFlightTable table(100ms, 3);
  table.OnSent(1, "f", kStart);
  table.OnTick(kStart + 150ms);
  std::optional<InFlightTable::Completed> done = table.OnReply(1);
  REQUIRE(done);
  CHECK(done->attempts == 2);
}

TEST_CASE("in-flight: an unnumbered (broker-made) reply completes the oldest request",
          "[client][in_flight]") {
  InFlightTable table(100ms, 1);
  CHECK_FALSE(table.OnReply(0));  // nothing out
  table.OnSent(4, "four", kStart);
  table.OnSent(9, "nine", kStart + 1ms);
  std::optional<InFlightTable::Completed> done = table.OnReply(0);
  REQUIRE(done);
  CHECK(done->number == 4);  // the oldest: numbers grow in sending order
  CHECK(table.contains(9));
}

TEST_CASE("in-flight: with one attempt, the first timeout expires the request", "[client][in_flight]") {
  InFlightTable table(10ms, 0);  // clamped to one attempt
  CHECK(table.max_attempts() == 1);
  table.OnSent(1, "f", kStart);
  table.OnSent(2, "g", kStart + 5ms);
  InFlightTable::TickActions actions = table.OnTick(kStart + 10ms);
  CHECK(actions.expired == std::vector<uint64_t>{1});
  CHECK(actions.resend.empty());
  CHECK(table.contains(2));
}

TEST_CASE("in-flight: moving to another broker sends every request out, oldest first, counting an attempt",
          "[client][in_flight]") {
  InFlightTable table(100ms, 2);
  table.OnSent(1, "one", kStart);
  table.OnSent(2, "two", kStart + 40ms);
  table.OnSent(3, "three", kStart + 60ms);
  InFlightTable::TickActions timed_out = table.OnTick(kStart + 100ms);
  REQUIRE(timed_out.resend == std::vector<uint64_t>{1});

  // 2 and 3 have not timed out, but they were sent to the broker left behind.
  CHECK(table.RedirectAll(kStart + 100ms, timed_out.resend) == std::vector<uint64_t>{1, 2, 3});
  CHECK(table.AttemptsOf(1) == 2);
  CHECK(table.AttemptsOf(2) == 2);
  CHECK(table.AttemptsOf(3) == 2);
  CHECK(*table.NextDeadline() == kStart + 200ms);

  // On its last attempt a request is not moved again; it expires where it is.
  table.OnSent(4, "four", kStart + 150ms);
  InFlightTable::TickActions next = table.OnTick(kStart + 200ms);
  CHECK(next.expired == std::vector<uint64_t>{1, 2, 3});
  CHECK(table.RedirectAll(kStart + 200ms, next.resend) == std::vector<uint64_t>{4});
  InFlightTable last(100ms, 1);
  last.OnSent(9, "nine", kStart);
  CHECK(last.RedirectAll(kStart, {}).empty());
}
