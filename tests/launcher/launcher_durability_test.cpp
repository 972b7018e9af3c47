// Issue 10, checked the way a user would: the default layout started by
// `run.sh up`, three writers, `kill -9` of every tsnode at once (the broker
// stays up), the supervisor restarts them, and every acknowledged write is
// there and the service answers again within 10 s of the restart. Each node
// recovers its own data directory (DIR/node-<id>.data); nothing is loaded.
#include <algorithm>
#include <memory>

#include "tests/integration/cluster_fixture.h"
#include "tests/integration/write_recorder.h"
#include "tests/launcher/launched_cluster.h"

using namespace ts::launcher_test;
using ts::itest::AckMonitor;
using ts::itest::CheckWrites;
using ts::itest::JoinSome;
using ts::itest::Writer;

namespace {

constexpr int kNodes = 3;  // run.sh's default
constexpr int kWriters = 3;
constexpr int kRounds = 3;  // the supervisor's default allows 5 restarts in a row
// Acknowledgements to see in each round before the power cut.
constexpr uint64_t kAcksPerRound = 30;
// Issue 10: the service answers again within 10 s of the restart.
constexpr auto kServiceBackTimeout = 10s;

uint64_t Acknowledged(const std::vector<std::unique_ptr<Writer>>& writers) {
  uint64_t total = 0;
  for (const auto& writer : writers) total += writer->acknowledged_calls();
  return total;
}

std::string NodePart(int id) { return "node-" + std::to_string(id); }

}  // namespace

TEST_CASE("run.sh: SIGKILL of every node under load loses no acknowledged write, the service comes back",
          "[launcher][durability]") {
  UseThisBuild();
  TempDir temp;
  LaunchedCluster cluster(temp, "data");
  const int base = FreePortBase();
  ::setenv("TS_INSECURE", "1", 1);  // about durability, not keys: the writers connect in plain text
  REQUIRE(cluster.Up(kNodes, base).exit_code == 0);

  AckMonitor monitor;
  std::vector<std::unique_ptr<Writer>> writers;
  for (int index = 0; index < kWriters; ++index) {
    writers.push_back(std::make_unique<Writer>(index, "tcp://127.0.0.1:" + std::to_string(base), monitor));
    writers.back()->Start();
  }

  for (int round = 1; round <= kRounds; ++round) {
    INFO("round " << round);
    const uint64_t before = Acknowledged(writers);
    REQUIRE(WaitUntil([&] { return Acknowledged(writers) >= before + kAcksPerRound; }, kRestartSeenTimeout));

    // kill -9 of every tsnode pid at once, as the issue is checked.
    std::vector<std::string> killed;
    for (int id = 1; id <= kNodes; ++id) killed.push_back(Pid(cluster, NodePart(id)));
    for (const std::string& pid : killed) {
      REQUIRE_FALSE(pid.empty());
      ::kill(std::stoi(pid), SIGKILL);
    }
    REQUIRE(WaitUntil([&] { return std::all_of(killed.begin(), killed.end(), ProcessGone); }, kRestartSeenTimeout));

    // The supervisor restarts each (a new pid that runs).
    REQUIRE(WaitUntil(
        [&] {
          for (int id = 1; id <= kNodes; ++id) {
            const std::string pid = Pid(cluster, NodePart(id));
            if (pid.empty() || pid == killed[static_cast<size_t>(id - 1)] || ProcessGone(pid)) return false;
          }
          return true;
        },
        kRestartSeenTimeout));
    const auto restarted = std::chrono::steady_clock::now();
    const uint64_t at_restart = Acknowledged(writers);
    const bool back = WaitUntil([&] { return Acknowledged(writers) > at_restart; }, kServiceBackTimeout);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restarted);
    INFO("first acknowledgement " << took.count() << " ms after the restart");
    CHECK(back);
    if (!back) UNSCOPED_INFO(cluster.Run("status").out);
  }

  for (const auto& writer : writers) writer->Stop();
  ts::Client reader("tcp://127.0.0.1:" + std::to_string(base), ts::itest::PatientClientOptions());
  for (const auto& writer : writers) {
    const ts::itest::WriterReport& report = writer->report();
    INFO("writer " << report.index << ": " << report.calls << " calls, " << report.acknowledged_calls
                   << " acknowledged");
    CHECK(JoinSome(report.anomalies, 10) == "");
    ts::Result<std::map<std::string, std::string>> actual = ts::itest::ReadAll(reader, Writer::KeyPattern(report.index));
    INFO((actual.ok() ? "" : actual.error().message));
    REQUIRE(actual.ok());
    CHECK(JoinSome(CheckWrites(report, actual.value()), 20) == "");
  }
  // Nothing was loaded: each node recovered its own directory.
  for (int id = 1; id <= kNodes; ++id) {
    CHECK_THAT(ReadFile(cluster.file("logs/" + NodePart(id) + ".log")), !Catch::Contains("--load"));
  }
  CHECK(cluster.Run("down").exit_code == 0);
}
