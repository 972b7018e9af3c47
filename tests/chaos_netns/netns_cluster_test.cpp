// A real cluster in namespaces (launcher/chaos/netns_cluster.h) under the
// nemesis's shell (nemesis.h), as root: it serves, every kind of fault is
// injected, logged and healed, the service answers again after each round,
// and nothing is left in the network at the end. Skipped when not root.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "common/cluster_file/cluster_file.h"
#include "launcher/chaos/fault_log.h"
#include "launcher/chaos/nemesis.h"
#include "launcher/chaos/netns_cluster.h"
#include "tests/chaos_netns/netns_support.h"

namespace chaos = ts::launcher::chaos;
using chaos::FaultKind;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds kServingTimeout{30'000};

chaos::NetnsClusterOptions Options(const std::string& run, const std::string& dir) {
  chaos::NetnsClusterOptions options;
  options.run = run;
  options.dir = dir;
  options.build_dir = TS_BINARY_DIR;
  return options;
}

}  // namespace

TEST_CASE("netns cluster: serves from namespaces, and a killed primary is replaced and restarted on its data") {
  if (!ts::tests::RootOrSkip()) return;
  ts::tests::TempFolder folder;
  const std::string run = ts::tests::TestRunName();
  {
    auto made = chaos::NetnsCluster::Create(Options(run, folder.path()));
    REQUIRE(made.ok());
    chaos::NetnsCluster& cluster = *made.value();
    REQUIRE(cluster.layout().brokers.size() == 2);  // the broker pair, each in its own namespace
    CHECK(cluster.layout().brokers[0].clients.host == cluster.network().host("b1").address);
    CHECK(cluster.layout().brokers[1].clients.host == cluster.network().host("b2").address);
    CHECK(cluster.layout().nodes[1].bus.host == cluster.network().host("n2").address);
    // Every part starts from the cluster file, each namespace one of its hosts (issue 13 item 2).
    REQUIRE(cluster.layout().cluster_file == folder.path() + "/cluster.json");
    auto file = ts::cluster_file::LoadClusterFile(*cluster.layout().cluster_file);
    REQUIRE(file.ok());
    CHECK(file.value().Hosts() == std::vector<std::string>{"b1", "b2", "n1", "n2", "n3"});
    CHECK(file.value().node(2)->bus.host == cluster.network().host("n2").address);
    const std::vector<std::string> argv = cluster.layout().Argv(ts::launcher::PartId::Node(2));
    CHECK(std::find(argv.begin(), argv.end(), "--cluster") != argv.end());
    REQUIRE(cluster.StartAll().ok());
    std::string seen;
    REQUIRE(cluster.WaitServing(kServingTimeout, &seen));
    const std::string primary = cluster.PrimaryPart();
    REQUIRE(!primary.empty());
    cluster.Kill(primary);
    CHECK(!cluster.Running(primary));
    const auto deadline = std::chrono::steady_clock::now() + kServingTimeout;
    std::string next;
    while (std::chrono::steady_clock::now() < deadline && (next.empty() || next == primary)) next = cluster.PrimaryPart();
    CHECK(!next.empty());
    CHECK(next != primary);
    REQUIRE(cluster.ReviveAll().ok());
    CHECK(cluster.restarts() == 1);
    CHECK(cluster.WaitServing(kServingTimeout, &seen));
    cluster.StopAll();
  }
  auto left = chaos::RunLeftovers(run);
  REQUIRE(left.ok());
  CHECK(left.value().empty());
}

TEST_CASE("netns cluster: each fault kind is injected, logged with its settled target, healed, and served after") {
  if (!ts::tests::RootOrSkip()) return;
  ts::tests::TempFolder folder;
  const std::string run = ts::tests::TestRunName();
  {
    auto made = chaos::NetnsCluster::Create(Options(run, folder.path()));
    REQUIRE(made.ok());
    chaos::NetnsCluster& cluster = *made.value();
    REQUIRE(cluster.StartAll().ok());
    REQUIRE(cluster.WaitServing(kServingTimeout));
    chaos::FaultLog log;
    REQUIRE(log.Open(folder.path() + "/faults.jsonl").ok());
    chaos::Nemesis nemesis(cluster, log, [] { return false; });
    const std::vector<chaos::Fault> faults = {
        {FaultKind::kKill, {chaos::kPrimaryTarget}},     {FaultKind::kPause, {"n2"}},
        {FaultKind::kCrashAll, {"n1", "n2", "n3"}},      {FaultKind::kIsolate, {chaos::kPrimaryTarget}},
        {FaultKind::kHalves, {"b1", "n1"}},              {FaultKind::kIsolateBroker, {"b1"}},
        {FaultKind::kCutPeers, {chaos::kPrimaryTarget}}, {FaultKind::kOneWay, {chaos::kPrimaryTarget, "b1"}},
    };
    int number = 0;
    for (const chaos::Fault& fault : faults) {
      chaos::Round round{++number, {fault}, 800ms};
      const std::string primary = cluster.PrimaryPart();
      const chaos::RoundOutcome outcome = nemesis.Run(round);
      INFO("round " << number << " " << chaos::FaultKindName(fault.kind) << ": " << outcome.note);
      CHECK(outcome.healed);
      CHECK(outcome.note.empty());
      REQUIRE(outcome.faults.size() == 1);
      CHECK(outcome.faults[0].kind == chaos::FaultKindName(fault.kind));
      CHECK(outcome.faults[0].target.find(chaos::kPrimaryTarget) == std::string::npos);
      if (fault.targets[0] == chaos::kPrimaryTarget && !primary.empty()) {
        CHECK(outcome.faults[0].target.rfind(primary, 0) == 0);
      }
      CHECK(outcome.faults[0].end_ns - outcome.faults[0].start_ns >= 800'000'000);
      CHECK(cluster.network().blocks() == 0);
    }
    cluster.StopAll();
    std::ifstream written(folder.path() + "/faults.jsonl");
    int lines = 0;
    for (std::string line; std::getline(written, line); ++lines) CHECK(chaos::ParseFaultLine(line).ok());
    CHECK(lines == static_cast<int>(faults.size()));
  }
  auto left = chaos::RunLeftovers(run);
  REQUIRE(left.ok());
  CHECK(left.value().empty());
}
