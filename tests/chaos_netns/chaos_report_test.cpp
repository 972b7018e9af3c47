// The run's words (launcher/chaos/chaos_report.h, fault_log.h): the checker's
// verdict read exactly, the summary line, RATE.csv and FAULTS.jsonl lines.
#include <catch2/catch.hpp>

#include "launcher/chaos/chaos_report.h"
#include "launcher/chaos/fault_log.h"

namespace chaos = ts::launcher::chaos;

TEST_CASE("chaos report: the checker's last line is its verdict") {
  auto verdict = chaos::ParseCheckOutput(
      "reading history\ncheck: ops=1 acknowledged=1 lost=9 linearizable=no primaries_per_term<=1\n"
      "check: ops=120 acknowledged=100 lost=2 linearizable=no primaries_per_term=VIOLATED\n");
  REQUIRE(verdict.ok());
  CHECK(verdict.value().ops == 120);
  CHECK(verdict.value().acknowledged == 100);
  CHECK(verdict.value().lost == 2);
  CHECK(verdict.value().linearizable == "no");
  CHECK(verdict.value().primaries == "VIOLATED");
}

TEST_CASE("chaos report: a verdict line that lacks a field or has a bad number is an error naming it") {
  auto missing = chaos::ParseCheckOutput("check: ops=1 acknowledged=1 linearizable=yes primaries_per_term<=1\n");
  REQUIRE(!missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("lost"));
  auto bad = chaos::ParseCheckOutput("check: ops=x acknowledged=1 lost=0 linearizable=yes primaries_per_term<=1");
  REQUIRE(!bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("ops='x'"));
  CHECK(!chaos::ParseCheckOutput("no verdict here\n").ok());
}

TEST_CASE("chaos report: the summary line has the issue's form") {
  chaos::ChaosSummary summary;
  summary.rounds = 100;
  summary.faults = 121;
  summary.partitions = 70;
  summary.verdict = {5000, 4000, 0, "yes", "<=1"};
  CHECK(summary.Line() ==
        "chaos: rounds=100 faults=121 partitions=70 ops=5000 acknowledged=4000 lost=0 linearizable=yes "
        "primaries_per_term<=1");
  summary.verdict.primaries = "VIOLATED";
  CHECK_THAT(summary.Line(), Catch::EndsWith("primaries_per_term=VIOLATED"));
  CHECK_THAT(chaos::ChaosSummary{}.Line(), Catch::EndsWith("linearizable=unchecked primaries_per_term=unchecked"));
}

TEST_CASE("chaos report: RATE.csv lines are read, others skipped") {
  const auto rate = chaos::ParseRateCsv("second,acknowledged\n0,10\n1,12\nbad\n3,x\n4,7\n");
  REQUIRE(rate.size() == 3);
  CHECK(rate[1] == std::pair<int64_t, int64_t>{1, 12});
  CHECK(rate[2] == std::pair<int64_t, int64_t>{4, 7});
  // What tschaos-history writes: a third column, the second's start on CLOCK_MONOTONIC.
  const auto recorded = chaos::ParseRateCsv("second,acknowledged,start_ns\n0,31,27592664419599\n1,0,27593664419599\n");
  REQUIRE(recorded.size() == 2);
  CHECK(recorded[0] == std::pair<int64_t, int64_t>{0, 31});
  CHECK(recorded[1] == std::pair<int64_t, int64_t>{1, 0});
}

TEST_CASE("fault log: a FAULTS.jsonl line reads back as written") {
  const chaos::FaultRecord record{3, "one-way", "n1->b1", 100, 2'000'000'100};
  const std::string line = chaos::FaultLine(record);
  CHECK(line == R"({"round":3,"kind":"one-way","target":"n1->b1","start_ns":100,"end_ns":2000000100})");
  auto back = chaos::ParseFaultLine(line);
  REQUIRE(back.ok());
  CHECK(back.value().target == "n1->b1");
  CHECK(back.value().end_ns == 2'000'000'100);
  auto bad = chaos::ParseFaultLine(R"({"round":3,"kind":"kill"})");
  REQUIRE(!bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("target"));
  CHECK(chaos::MonotonicNanos() > 0);
}
