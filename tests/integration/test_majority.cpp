// Issue 11's first bug, with real processes and durable nodes: the broker is
// restarted (SIGKILL, memory lost) while the nodes holding the newest
// acknowledged writes are stopped. Before majority elections the fresh broker
// accepted the first node to ask, whatever its log, and the nodes with the
// newer writes then resynchronised from it: acknowledged writes were gone.
// Now a stale node alone cannot win (no majority votes for it), and once a
// node with the writes is back it wins, and nothing acknowledged is lost.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <map>
#include <string>

#include "tests/integration/require.h"

namespace ts::itest {
namespace {

using testing::WaitUntil;

constexpr int kAckedWrites = 40;

ClusterOptions DurableOptions() {
  ClusterOptions options;
  options.data_dirs = true;
  options.hold = Millis(500);
  return options;
}

uint32_t OtherThan(const Cluster& cluster, std::initializer_list<uint32_t> excluded) {
  for (uint32_t id : cluster.node_ids()) {
    if (std::find(excluded.begin(), excluded.end(), id) == excluded.end()) return id;
  }
  return 0;
}

}  // namespace

TEST_CASE("majority: a broker restarted while the nodes with the newest acknowledged writes are stopped loses none",
          "[integration][majority]") {
  Cluster cluster(DurableOptions());
  RequireStarted(cluster);
  const PrimaryView first = RequirePrimary(cluster, kFailoverTimeout);
  const uint32_t stale = OtherThan(cluster, {first.id});
  const uint32_t fresh = OtherThan(cluster, {first.id, stale});

  // The stale node stops; every write after that is acknowledged by the
  // primary and the fresh backup (a majority), not by it.
  cluster.Kill(stale);
  ClientOptions quick;
  quick.request_timeout = Millis(3'000);
  quick.retries = 2;
  Client client = cluster.NewClient(quick);
  std::map<std::string, std::string> acknowledged;
  for (int i = 0; i < kAckedWrites; ++i) {
    const std::string key = "acked," + std::to_string(i);
    Result<Reply> put = client.Put({Pair{{"acked", std::to_string(i)}, {"v" + std::to_string(i)}}});
    REQUIRE(put.ok());
    REQUIRE(put.value().ok());
    acknowledged[key] = "v" + std::to_string(i);
  }

  // Both nodes holding them stop; the broker restarts with no memory; the
  // stale node comes back first and alone.
  cluster.Kill(fresh);
  cluster.Kill(first.id);
  cluster.broker().Signal(SIGKILL);
  REQUIRE(cluster.broker().Wait(kProcessExitTimeout).has_value());
  cluster.broker().Start();
  cluster.Restart(stale);

  // It must not take over: every try is unavailable, for well past an
  // election's time (a failover takes under a second).
  ClientOptions once;
  once.request_timeout = Millis(1'500);
  once.retries = 0;
  Client probe = cluster.NewClient(once);
  for (int i = 0; i < 4; ++i) {
    Result<Reply> read = probe.Get(".*", ".*");
    INFO("read with only the stale node up, try " << i);
    CHECK((!read.ok() || (read.value().error && read.value().served_by == 0)));
  }

  // A node with the writes is back: it wins (the stale node votes for it),
  // and every acknowledged write is served.
  cluster.Restart(fresh);
  const PrimaryView second = RequirePrimary(cluster, kFailoverTimeout);
  CHECK(second.id == fresh);
  Client reader = cluster.NewClient();
  Result<std::map<std::string, std::string>> after = ReadAll(reader, "acked,.*");
  INFO((after.ok() ? "" : after.error().message));
  REQUIRE(after.ok());
  CHECK(after.value() == acknowledged);

  // The old primary returns and catches up; still everything is there.
  cluster.Restart(first.id);
  RequireCaughtUp(cluster, first.id, kCatchUpTimeout);
  RequireCaughtUp(cluster, stale, kCatchUpTimeout);
  Result<std::map<std::string, std::string>> last = ReadAll(reader, "acked,.*");
  REQUIRE(last.ok());
  CHECK(last.value() == acknowledged);
}

}  // namespace ts::itest
