// The nemesis's plan (launcher/chaos/nemesis_plan.h): deterministic from its
// seed, every fault kind drawn, and the blocks each network fault makes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "launcher/chaos/nemesis_plan.h"

namespace chaos = ts::launcher::chaos;
using chaos::FaultKind;

namespace {

chaos::PlanShape Shape(int rounds = 200) {
  chaos::PlanShape shape;
  shape.nodes = {"n1", "n2", "n3"};
  shape.brokers = {"b1"};
  shape.rounds = rounds;
  return shape;
}

bool Has(const std::vector<chaos::Block>& blocks, const std::string& from, const std::string& to) {
  return std::find(blocks.begin(), blocks.end(), chaos::Block{from, to}) != blocks.end();
}

}  // namespace

TEST_CASE("nemesis plan: the same seed gives the same rounds, another seed others") {
  const auto first = chaos::PlanRounds(7, Shape());
  const auto again = chaos::PlanRounds(7, Shape());
  const auto other = chaos::PlanRounds(8, Shape());
  REQUIRE(first.size() == 200);
  bool all_same = true, any_different = false;
  for (size_t i = 0; i < first.size(); ++i) {
    all_same = all_same && first[i].faults == again[i].faults && first[i].duration == again[i].duration;
    any_different = any_different || first[i].faults != other[i].faults;
  }
  CHECK(all_same);
  CHECK(any_different);
}

TEST_CASE("nemesis plan: every kind appears, rounds are numbered and their durations in range") {
  const chaos::PlanShape shape = Shape();
  std::set<FaultKind> kinds;
  int combinations = 0, primary_aimed = 0;
  int number = 0;
  for (const chaos::Round& round : chaos::PlanRounds(3, shape)) {
    CHECK(round.number == ++number);
    CHECK(round.duration >= shape.shortest);
    CHECK(round.duration <= shape.longest);
    REQUIRE((round.faults.size() == 1 || round.faults.size() == 2));
    if (round.faults.size() == 2) {
      ++combinations;
      CHECK(!chaos::IsPartition(round.faults[0].kind));  // a process fault ..
      CHECK(chaos::IsPartition(round.faults[1].kind));   // .. with a network fault
    }
    for (const chaos::Fault& fault : round.faults) {
      kinds.insert(fault.kind);
      REQUIRE(!fault.targets.empty());
      if (fault.targets[0] == chaos::kPrimaryTarget) ++primary_aimed;
    }
  }
  CHECK(kinds.size() == 8);
  CHECK(combinations > 10);   // ~20% of 200
  CHECK(primary_aimed > 30);  // the primary preferred
}

TEST_CASE("nemesis plan: no shape, no rounds") {
  chaos::PlanShape shape = Shape();
  shape.brokers.clear();
  CHECK(chaos::PlanRounds(1, shape).empty());
  CHECK(chaos::PlanRounds(1, Shape(0)).empty());
}

TEST_CASE("nemesis plan: isolating the primary cuts it both ways from every part and from the clients") {
  const chaos::Fault fault{FaultKind::kIsolate, {chaos::kPrimaryTarget}};
  const auto blocks = chaos::BlocksOf(fault, Shape(), "n2");
  CHECK(blocks.size() == 7);  // 3 others x 2 + the clients
  for (const char* other : {"n1", "n3", "b1"}) {
    CHECK(Has(blocks, "n2", other));
    CHECK(Has(blocks, other, "n2"));
  }
  CHECK(Has(blocks, "n2", chaos::kRootSide));
  // No primary known: the first node.
  CHECK(Has(chaos::BlocksOf(fault, Shape(), ""), "n1", "b1"));
}

TEST_CASE("nemesis plan: halves block every pair across the sides and none within") {
  const chaos::Fault fault{FaultKind::kHalves, {"b1", "n3"}};
  const auto blocks = chaos::BlocksOf(fault, Shape(), "n1");
  CHECK(blocks.size() == 8);  // 2 x 2 pairs, both ways
  CHECK(Has(blocks, "b1", "n1"));
  CHECK(Has(blocks, "n2", "n3"));
  CHECK(!Has(blocks, "b1", "n3"));
  CHECK(!Has(blocks, "n1", "n2"));
  for (const chaos::Round& round : chaos::PlanRounds(5, Shape())) {
    for (const chaos::Fault& planned : round.faults) {
      if (planned.kind != FaultKind::kHalves) continue;
      CHECK(!planned.targets.empty());
      CHECK(planned.targets.size() < 4);  // the other side is not empty either
    }
  }
}

TEST_CASE("nemesis plan: cut-peers keeps the broker, isolate-broker keeps the clients, one-way is one block") {
  const auto cut = chaos::BlocksOf({FaultKind::kCutPeers, {"n1"}}, Shape(), "n2");
  CHECK(cut.size() == 4);
  CHECK(Has(cut, "n1", "n2"));
  CHECK(Has(cut, "n3", "n1"));
  CHECK(!Has(cut, "n1", "b1"));
  const auto broker = chaos::BlocksOf({FaultKind::kIsolateBroker, {"b1"}}, Shape(), "n2");
  CHECK(broker.size() == 6);
  CHECK(!Has(broker, "b1", chaos::kRootSide));
  const auto one_way = chaos::BlocksOf({FaultKind::kOneWay, {chaos::kPrimaryTarget, "b1"}}, Shape(), "n3");
  REQUIRE(one_way.size() == 1);
  CHECK(one_way[0] == chaos::Block{"n3", "b1"});
  CHECK(chaos::BlocksOf({FaultKind::kKill, {"n1"}}, Shape(), "n1").empty());
}

TEST_CASE("nemesis plan: process faults name their victims with the primary settled") {
  CHECK(chaos::VictimsOf({FaultKind::kKill, {chaos::kPrimaryTarget}}, Shape(), "n3") ==
        std::vector<std::string>{"n3"});
  CHECK(chaos::VictimsOf({FaultKind::kCrashAll, {"n1", "n2", "n3"}}, Shape(), "n3").size() == 3);
  CHECK(chaos::VictimsOf({FaultKind::kIsolate, {"n1"}}, Shape(), "n3").empty());
  CHECK(chaos::Fault{FaultKind::kOneWay, {"n1", "b1"}}.Describe() == "n1->b1");
  CHECK(chaos::FaultKindName(FaultKind::kIsolateBroker) == "isolate-broker");
}
