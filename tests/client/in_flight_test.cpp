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
