// Test hosts in network namespaces (launcher/chaos/netns.h), as root: parts
// reach each other and the root namespace on their own addresses, a block
// drops one direction only, a heal opens it again, and nothing of a run is
// left afterwards, also after a failed set-up. Skipped, with a message,
// when not root.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "launcher/chaos/netns.h"
#include "launcher/child_process.h"
#include "tests/chaos_netns/netns_support.h"

namespace chaos = ts::launcher::chaos;
using ts::launcher::ChildProcess;
using namespace std::chrono_literals;

namespace {

constexpr int kPort = 7999;

// A TCP connect from `from`'s namespace ("" = the root namespace) to
// `address`, bounded: true when it was accepted.
bool Connects(chaos::NetnsNetwork& network, const std::string& from, const std::string& address) {
  const std::vector<std::string> probe = {
      "python3", "-c",
      "import socket,sys\ns=socket.socket()\ns.settimeout(1.0)\n"
      "try:\n  s.connect(('" + address + "'," + std::to_string(kPort) + "))\nexcept OSError:\n  sys.exit(1)\n"};
  return chaos::RunCommand(from.empty() ? probe : network.Wrap(from, probe), 5'000ms).ok();
}

// A listener on kPort in `part`'s namespace, until the child is killed.
ChildProcess Listen(chaos::NetnsNetwork& network, const std::string& part, const std::string& log) {
  ChildProcess listener(network.Wrap(part, {"/usr/bin/python3", "-c",
                                            "import socket,time\ns=socket.socket()\n"
                                            "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                                            "s.bind(('0.0.0.0'," + std::to_string(kPort) + "))\ns.listen(64)\n"
                                            "while True:\n  c,_=s.accept()\n  c.close()\n"}),
                        log);
  REQUIRE(listener.Start().ok());
  return listener;
}

bool EventuallyConnects(chaos::NetnsNetwork& network, const std::string& from, const std::string& address) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Connects(network, from, address)) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

}  // namespace

TEST_CASE("netns: parts reach each other and the root side, a block drops one way, a heal opens it") {
  if (!ts::tests::RootOrSkip()) return;
  ts::tests::TempFolder folder;
  const std::string run = ts::tests::TestRunName();
  {
    auto made = chaos::NetnsNetwork::Create(run, {"a", "b"});
    REQUIRE(made.ok());
    chaos::NetnsNetwork& network = *made.value();
    CHECK(network.host("a").address != network.host("b").address);
    ChildProcess listener = Listen(network, "b", folder.path() + "/listener.log");
    const std::string b = network.host("b").address;
    REQUIRE(EventuallyConnects(network, "a", b));
    CHECK(Connects(network, "", b));  // the clients' side, through the bridge

    REQUIRE(network.Block("a", "b").ok());
    CHECK(network.blocks() == 1);
    CHECK(!Connects(network, "a", b));
    CHECK(Connects(network, "", b));  // only a's packets to b are dropped

    // One way: a listener in a, reached from b although a cannot send to b (its
    // SYN-ACK is dropped, so the connect fails: TCP needs both ways).
    ChildProcess listener_a = Listen(network, "a", folder.path() + "/listener-a.log");
    REQUIRE(EventuallyConnects(network, "", network.host("a").address));
    CHECK(!Connects(network, "b", network.host("a").address));

    REQUIRE(network.HealAll().ok());
    CHECK(network.blocks() == 0);
    CHECK(Connects(network, "a", b));
    CHECK(Connects(network, "b", network.host("a").address));

    REQUIRE(network.BlockRoot("b").ok());
    CHECK(!Connects(network, "", b));
    CHECK(Connects(network, "a", b));
    listener.Release();  // left running in its namespace: removal must end it
  }
  auto left = chaos::RunLeftovers(run);
  REQUIRE(left.ok());
  CHECK(left.value().empty());
}

TEST_CASE("netns: a set-up that fails half-way removes what it made") {
  if (!ts::tests::RootOrSkip()) return;
  const std::string run = ts::tests::TestRunName();
  auto made = chaos::NetnsNetwork::Create(run, {"a", "a"});  // the second namespace exists already
  REQUIRE(!made.ok());
  CHECK_THAT(made.error().message, Catch::Contains("ip netns add tschaos-" + run + "-a"));
  auto left = chaos::RunLeftovers(run);
  REQUIRE(left.ok());
  CHECK(left.value().empty());
}

TEST_CASE("netns: the cleanup pass removes a run that was never torn down") {
  if (!ts::tests::RootOrSkip()) return;
  const std::string run = ts::tests::TestRunName();
  auto made = chaos::NetnsNetwork::Create(run, {"x", "y"});
  REQUIRE(made.ok());
  auto present = chaos::RunLeftovers(run);
  REQUIRE(present.ok());
  CHECK(present.value().size() == 5);  // 2 namespaces, 2 host-side veths, the bridge
  auto runs = chaos::ExistingRuns();
  REQUIRE(runs.ok());
  CHECK(std::find(runs.value().begin(), runs.value().end(), run) != runs.value().end());
  REQUIRE(chaos::RemoveRun(run).ok());
  auto left = chaos::RunLeftovers(run);
  REQUIRE(left.ok());
  CHECK(left.value().empty());
}

TEST_CASE("netns: bad names are refused with what is wrong") {
  auto long_run = chaos::NetnsNetwork::Create("toolong", {"a"});
  REQUIRE(!long_run.ok());
  if (chaos::IsRoot()) {
    CHECK_THAT(long_run.error().message, Catch::Contains("1 to 4 letters"));
    auto bad_part = chaos::NetnsNetwork::Create("ab", {"a-b"});
    REQUIRE(!bad_part.ok());
    CHECK_THAT(bad_part.error().message, Catch::Contains("part name 'a-b'"));
  } else {
    CHECK_THAT(long_run.error().message, Catch::Contains("need root"));
  }
}
