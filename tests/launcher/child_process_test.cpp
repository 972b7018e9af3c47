// The one child-process class and the free-port helpers (launcher/), run for
// real on /bin/sh; and the save-file helpers the launcher picks its data by.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "launcher/child_process.h"
#include "launcher/launcher_settings.h"
#include "launcher/ports.h"
#include "launcher/save_files.h"
#include "tests/client/run_tool.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using ts::launcher::ChildProcess;
using ts::launcher::ExitStatus;
using ts::testing::ReadFile;
using ts::testing::TempDir;

TEST_CASE("child process: output goes to its log, and how it ended is known", "[launcher][process]") {
  TempDir dir;
  ChildProcess child({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, dir / "sh.log");
  REQUIRE(child.Start().ok());
  CHECK(child.Wait(10s) == 3);
  CHECK(child.exit_status() == ExitStatus::Exited(3));
  CHECK(child.log() == "out\nerr\n");
  CHECK_FALSE(child.running());

  // Started again with the same command line, appending to the same log.
  REQUIRE(child.Start().ok());
  CHECK(child.Wait(10s) == 3);
  CHECK(child.log() == "out\nerr\nout\nerr\n");
}

TEST_CASE("child process: a signal ends it, and the code says which", "[launcher][process]") {
  TempDir dir;
  ChildProcess child({"/bin/sleep", "30"}, dir / "sleep.log");
  REQUIRE(child.Start().ok());
  CHECK(child.running());
  CHECK_FALSE(child.Wait(0ms));
  child.Signal(SIGKILL);
  CHECK(child.Wait(10s) == 128 + SIGKILL);
  CHECK(child.exit_status()->Describe() == "killed by SIGKILL");
}

TEST_CASE("child process: Stop is SIGTERM, then SIGKILL after the grace time", "[launcher][process]") {
  TempDir dir;
  ChildProcess polite({"/bin/sleep", "30"}, dir / "polite.log");
  REQUIRE(polite.Start().ok());
  CHECK(polite.Stop(10s));
  CHECK(polite.exit_status() == ExitStatus::Signaled(SIGTERM));

  ChildProcess stubborn({"/bin/sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.05; done"},
                        dir / "stubborn.log");
  REQUIRE(stubborn.Start().ok());
  REQUIRE(ts::testing::WaitUntil([&] { return stubborn.log() == "ready\n"; }, 10s));
  CHECK_FALSE(stubborn.Stop(200ms));
  CHECK(stubborn.exit_status() == ExitStatus::Signaled(SIGKILL));
}

TEST_CASE("child process: a binary that cannot run is an error naming it", "[launcher][process]") {
  TempDir dir;
  ChildProcess missing({dir / "no-such-binary"}, dir / "missing.log");
  ts::Status started = missing.Start();
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(started.error().message, Catch::Contains("no-such-binary") && Catch::Contains("No such file"));
  CHECK_FALSE(missing.running());

  ChildProcess no_log({"/bin/true"}, dir / "no-such-dir/x.log");
  REQUIRE_FALSE(no_log.Start().ok());
  CHECK_THAT(no_log.Start().error().message, Catch::Contains("no-such-dir"));
}

TEST_CASE("child process: it runs in its own process group, the destructor kills it unless released",
          "[launcher][process]") {
  TempDir dir;
  pid_t released_pid = -1;
  {
    ChildProcess child({"/bin/sleep", "30"}, dir / "group.log");
    REQUIRE(child.Start().ok());
    CHECK(::getpgid(child.pid()) == child.pid());
    CHECK(::getpgid(child.pid()) != ::getpgrp());
    ChildProcess kept({"/bin/sleep", "30"}, dir / "kept.log",
                      ts::launcher::SpawnOptions{.own_session = true, .die_with_parent = false});
    REQUIRE(kept.Start().ok());
    CHECK(::getsid(kept.pid()) == kept.pid());
    released_pid = kept.pid();
    kept.Release();
  }
  // The released one still runs (a launcher part outlives its starter); the other was killed.
  CHECK(ts::launcher::ProcessAlive(released_pid, "sleep"));
  CHECK_FALSE(ts::launcher::ProcessAlive(released_pid, "tsnode"));  // a pid of some other program
  ::kill(released_pid, SIGKILL);
  CHECK(ts::launcher::WaitProcessGone(released_pid, "sleep", 10s));  // a zombie of ours counts as gone
  ::waitpid(released_pid, nullptr, 0);
  CHECK_FALSE(ts::launcher::ProcessAlive(released_pid, "sleep"));
}

TEST_CASE("free ports: a free port binds, a base's whole range is free", "[launcher][process]") {
  auto port = ts::launcher::FreeTcpPort();
  REQUIRE(port.ok());
  CHECK(ts::launcher::PortBindable(port.value()));
  CHECK_FALSE(ts::launcher::PortInUse(port.value()));
  auto base = ts::launcher::FreePortBase(17, 20'000, 29'900);
  REQUIRE(base.ok());
  CHECK(base.value() % 100 == 0);
  CHECK(base.value() >= 20'000);
  for (int p = base.value(); p <= base.value() + 17; ++p) CHECK(ts::launcher::PortBindable(p));
}

// A port from bind(0) lies where outgoing connections take their local ports,
// so another process's connect could take it before a test's server binds it
// (a node failed "Address already in use" in a full ctest run).
TEST_CASE("free ports: a free port is picked below the kernel's ephemeral ports", "[launcher][process]") {
  const std::optional<ts::launcher::PortRange> ephemeral = ts::launcher::EphemeralPortRange();
  REQUIRE(ephemeral);
  if (ts::launcher::Overlaps(10'000, 19'999, *ephemeral)) {
    WARN("this machine's ephemeral ports overlap 10000..19999: FreeTcpPort falls back to bind(0)");
    return;
  }
  for (int i = 0; i < 50; ++i) {
    auto port = ts::launcher::FreeTcpPort();
    REQUIRE(port.ok());
    CHECK(port.value() >= 10'000);
    CHECK(port.value() <= 19'999);
    CHECK_FALSE(ts::launcher::Overlaps(port.value(), port.value(), *ephemeral));
  }
  auto kernel = ts::launcher::KernelPickedPort();
  REQUIRE(kernel.ok());
  CHECK(ts::launcher::Overlaps(kernel.value(), kernel.value(), *ephemeral));
}

TEST_CASE("save files: the freshest is the highest position, then the newest", "[launcher][save]") {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  };
  write("node-1.snapshot", "tuplestar-snapshot v2 pairs=1 term=2 seq=5\na\tb\n");
  write("node-2.snapshot", "tuplestar-snapshot v2 pairs=2 term=3 seq=1\na\tb\nc\td\n");
  write("node-3.snapshot", "tuplestar-snapshot v1 pairs=0\n");
  write("node-4.snapshot", "garbage\n");
  write("other.txt", "tuplestar-snapshot v2 pairs=1 term=9 seq=9\na\tb\n");
  const auto files = ts::launcher::SaveFilesIn(dir.path().string());
  REQUIRE(files.size() == 4);
  auto freshest = ts::launcher::Freshest(files);
  REQUIRE(freshest);
  CHECK(freshest->path == dir / "node-2.snapshot");
  CHECK(ts::launcher::PairsText(*freshest) == "2 pairs");
  CHECK(ts::launcher::PositionText(*freshest) == "3:1");
  CHECK(ts::launcher::PairsText(files[0]) == "1 pair");
  CHECK(ts::launcher::PositionText(files[2]) == "0:0");  // v1: no position
  CHECK(ts::launcher::PairsText(files[3]) == "? pairs");  // not a save file
  CHECK(ts::launcher::PositionText(files[3]) == "0:0");

  // Among equal positions, the newest file.
  TempDir same;
  std::ofstream(same / "node-1.snapshot") << "tuplestar-snapshot v1 pairs=0\n";
  std::ofstream(same / "node-2.snapshot") << "tuplestar-snapshot v1 pairs=0\n";
  std::filesystem::last_write_time(same / "node-1.snapshot",
                                   std::filesystem::last_write_time(same / "node-2.snapshot") + 2s);
  CHECK(ts::launcher::Freshest(ts::launcher::SaveFilesIn(same.path().string()))->path == same / "node-1.snapshot");
  CHECK_FALSE(ts::launcher::Freshest({}));
}

TEST_CASE("run.sh help shows the launcher's defaults as launcher_settings.h has them", "[launcher]") {
  using D = ts::launcher::LauncherDefaults;
  for (const char* name : {"TS_NODES", "TS_PORT_BASE", "TS_RESTART_FIRST_DELAY_MS", "TS_RESTART_MAX_DELAY_MS",
                           "TS_RESTART_MAX_ATTEMPTS"}) {
    ::unsetenv(name);
  }
  const ts::testing::ToolRun help =
      ts::testing::RunTool(std::string(TS_SOURCE_DIR) + "/run.sh", {"help"}, std::chrono::seconds(30));
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("Defaults: --nodes " + std::to_string(D::kNodeCount) + ", --brokers " +
                                       std::to_string(D::kBrokerCount) + ", --port " + std::to_string(D::kPortBase) +
                                       ","));
  CHECK_THAT(help.out, Catch::Contains("restarted after " + std::to_string(D::kRestartFirstDelay.count()) +
                                       " ms (doubling up to " + std::to_string(D::kRestartMaxDelay.count()) + " ms)"));
  CHECK_THAT(help.out, Catch::Contains(std::to_string(D::kRestartMaxAttempts) + " times in a row"));
}
