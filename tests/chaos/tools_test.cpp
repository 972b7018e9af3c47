// The built tschaos-check and tschaos-history as the campaign runs them:
// exit codes (0 clean, 1 violation, 2 usage or malformed input with
// FILE:LINE), the exact last line, and the recorder against a real 3-node
// cluster (--insecure) for ~3 s, whose history checks clean; and a recorder
// stopped by SIGTERM that still leaves a complete, checkable file.
#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>

#include "launcher/chaos/primaries.h"

#include "tests/chaos/history_builder.h"
#include "tests/client/run_tool.h"
#include "tests/integration/cluster_fixture.h"

using namespace std::chrono_literals;
using ts::itest::Cluster;
using ts::itest::ClusterOptions;
using ts::testing::BinaryPath;
using ts::testing::RunTool;
using ts::testing::TempDir;
using ts::testing::WaitUntil;

namespace {

constexpr auto kToolDeadline = 60s;
constexpr int kRecordMs = 3000;

std::string Check() { return BinaryPath("launcher/chaos/tschaos-check"); }
std::string Recorder() { return BinaryPath("launcher/chaos/tschaos-history"); }

std::string LastLine(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  const size_t at = trimmed.rfind('\n');
  return at == std::string::npos ? trimmed : trimmed.substr(at + 1);
}

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

size_t CountLines(const std::string& path) {
  std::ifstream in(path);
  return static_cast<size_t>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// A cluster that does not fail over on a busy CI machine: a clean run must
// not depend on scheduling (a failover would still have to check clean).
ClusterOptions CalmCluster() {
  ClusterOptions options;
  options.heartbeat = 100ms;
  options.liveness = 20;
  return options;
}

}  // namespace

TEST_CASE("tschaos-check: exit 0 and the summary line on a clean history", "[chaos]") {
  TempDir dir;
  ts::chaos::testing::HistoryBuilder h;
  h.Put(0, "k1", "a", 10, 20).Get(1, "k1", "a", 30, 40);
  WriteFile(dir / "h.jsonl", h.text());
  auto run = RunTool(Check(), {"--history", dir / "h.jsonl"}, kToolDeadline);
  CHECK(run.exit_code == 0);
  CHECK(LastLine(run.out) == "check: ops=2 acknowledged=2 lost=0 linearizable=yes primaries_per_term<=1");
}

TEST_CASE("tschaos-check: exit 1 on a lost write, a split brain in the broker logs, with the faults", "[chaos]") {
  TempDir dir;
  ts::chaos::testing::HistoryBuilder h;
  h.Put(0, "k1", "a", 10, 20).Get(1, "k1", std::nullopt, 30, 40);
  WriteFile(dir / "h.jsonl", h.text());
  WriteFile(dir / "b1.log", "[info] node 1 is primary for term 4\n");
  WriteFile(dir / "b2.log", "[info] node 2 is primary for term 4\n");
  WriteFile(dir / "faults.jsonl", R"({"start_ns":15,"end_ns":35,"description":"isolate primary"})" "\n"
                                  R"({"start_ns":100,"end_ns":null,"description":"later"})" "\n");
  auto run = RunTool(Check(), {"--history", dir / "h.jsonl", "--broker-log", dir / "b1.log", "--broker-log",
                               dir / "b2.log", "--faults", dir / "faults.jsonl"},
                     kToolDeadline);
  CHECK(run.exit_code == 1);
  CHECK(LastLine(run.out) == "check: ops=2 acknowledged=2 lost=1 linearizable=no primaries_per_term=VIOLATED");
  CHECK(run.out.find("isolate primary") != std::string::npos);
  CHECK(run.out.find("\"later\"") == std::string::npos);
  CHECK(run.out.find("term 4 had 2 primaries") != std::string::npos);
}

TEST_CASE("tschaos-check: exit 2 with FILE:LINE on malformed input or usage", "[chaos]") {
  TempDir dir;
  WriteFile(dir / "h.jsonl", R"({"process":0,"type":"invoke","f":"get","key":"k1","time_ns":1})" "\nnot json\n");
  auto run = RunTool(Check(), {"--history", dir / "h.jsonl"}, kToolDeadline);
  CHECK(run.exit_code == 2);
  CHECK(run.err == "tschaos-check: " + (dir / "h.jsonl") + ":2: not a JSON object\n");

  WriteFile(dir / "ok.jsonl", "");
  WriteFile(dir / "faults.jsonl", R"({"end_ns":3})" "\n");
  run = RunTool(Check(), {"--history", dir / "ok.jsonl", "--faults", dir / "faults.jsonl"}, kToolDeadline);
  CHECK(run.exit_code == 2);
  CHECK(run.err == "tschaos-check: " + (dir / "faults.jsonl") + ":1: \"start_ns\" must be an integer\n");

  CHECK(RunTool(Check(), {}, kToolDeadline).exit_code == 2);
  CHECK(RunTool(Check(), {"--history", dir / "missing.jsonl"}, kToolDeadline).exit_code == 2);
}

TEST_CASE("tschaos-history: refuses to guess the security mode or a bad endpoint", "[chaos]") {
  TempDir dir;
  auto run = RunTool(Recorder(), {"--broker", "tcp://127.0.0.1:1", "--out", dir / "h.jsonl"}, kToolDeadline);
  CHECK(run.exit_code == 2);
  CHECK(run.err == "tschaos-history: give --key FILE (and --server-key FILE), or --insecure\n");
  run = RunTool(Recorder(), {"--broker", "tcp://127.0.0.1:99999", "--insecure", "--out", dir / "h.jsonl"}, kToolDeadline);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("--broker 'tcp://127.0.0.1:99999'") != std::string::npos);
}

TEST_CASE("tschaos-history against a real 3-node cluster for 3 s: the history checks clean", "[chaos][cluster]") {
  Cluster cluster(CalmCluster());
  REQUIRE(cluster.Start());
  const std::string history = cluster.dir() / "history.jsonl";
  const std::string rates = cluster.dir() / "rates.csv";
  // A second endpoint in the list: accepted (the first is used today).
  auto record = RunTool(Recorder(), {"--broker", cluster.client_endpoint() + ",tcp://127.0.0.1:1", "--insecure",
                                     "--clients", "4", "--keys", "3", "--duration-ms", std::to_string(kRecordMs),
                                     "--seed", "7", "--timeout-ms", "5000", "--out", history, "--rate-out", rates},
                        kToolDeadline);
  INFO(record.err);
  REQUIRE(record.exit_code == 0);
  INFO(record.out);
  CHECK(record.out.rfind("history: ops=", 0) == 0);
  CHECK(record.out.find(" unknown=0") != std::string::npos);
  auto parsed = ts::chaos::ReadHistory(history);
  REQUIRE(parsed.ok());
  size_t regexes = 0, writes = 0;
  for (const auto& op : parsed.value().ops) {
    CHECK(op.outcome == ts::chaos::Outcome::kOk);
    regexes += op.is_regex();
    writes += op.is_write();
  }
  CHECK(parsed.value().ops.size() > 50);
  CHECK(regexes > 0);
  CHECK(writes > 0);
  const std::string rate_text = ts::testing::ReadFile(rates);
  CHECK(rate_text.rfind("second,acknowledged,start_ns\n0,", 0) == 0);

  auto check = RunTool(Check(), {"--history", history, "--broker-log", cluster.broker().log_path()}, kToolDeadline);
  INFO(check.out);
  CHECK(check.exit_code == 0);
  CHECK(LastLine(check.out).find(" lost=0 linearizable=yes primaries_per_term<=1") != std::string::npos);
}

TEST_CASE("tschaos-history across a kill of the primary: unknowns allowed, the history checks clean", "[chaos][cluster]") {
  ClusterOptions options;
  options.heartbeat = 100ms;
  options.liveness = 5;
  Cluster cluster(options);
  REQUIRE(cluster.Start());
  auto primary = cluster.WaitForPrimary(ts::itest::kFailoverTimeout);
  REQUIRE(primary);
  const std::string history = cluster.dir() / "history.jsonl";
  ts::testing::ChildProcess recorder(Recorder(),
                                     {"--broker", cluster.client_endpoint(), "--insecure", "--clients", "4",
                                      "--keys", "3", "--duration-ms", "6000", "--timeout-ms", "200", "--out", history},
                                     cluster.dir() / "recorder.log");
  REQUIRE(WaitUntil([&] { return CountLines(history) >= 200; }, 30s));
  cluster.Kill(primary->id);
  REQUIRE(cluster.WaitForPrimary(ts::itest::kFailoverTimeout, primary->id));
  cluster.Restart(primary->id);
  REQUIRE(recorder.Wait(60s) == std::optional<int>(0));
  INFO(recorder.log());
  // The real broker's log names the primaries the way the checker reads them.
  auto claims = ts::chaos::ReadBrokerLog(cluster.broker().log_path());
  REQUIRE(claims.ok());
  CHECK(claims.value().size() >= 2);  // the first primary and the one after the kill
  auto check = RunTool(Check(), {"--history", history, "--broker-log", cluster.broker().log_path()}, kToolDeadline);
  INFO(check.out);
  std::cout << "tschaos-check: " << LastLine(check.out) << " in " << check.elapsed.count() << " ms\n";
  CHECK(check.exit_code == 0);
  CHECK(LastLine(check.out).find(" lost=0 linearizable=yes primaries_per_term<=1") != std::string::npos);
}

TEST_CASE("tschaos-history stops on SIGTERM with its file complete", "[chaos][cluster]") {
  Cluster cluster(CalmCluster());
  REQUIRE(cluster.Start());
  const std::string history = cluster.dir() / "history.jsonl";
  ts::testing::ChildProcess recorder(Recorder(),
                                     {"--broker", cluster.client_endpoint(), "--insecure", "--clients", "3",
                                      "--duration-ms", "600000", "--timeout-ms", "5000", "--out", history},
                                     cluster.dir() / "recorder.log");
  REQUIRE(WaitUntil([&] { return CountLines(history) >= 20; }, 30s));
  recorder.Signal(SIGTERM);
  REQUIRE(recorder.Wait(30s) == std::optional<int>(0));
  CHECK(recorder.log().rfind("history: ops=", 0) == 0);
  auto parsed = ts::chaos::ReadHistory(history);
  REQUIRE(parsed.ok());
  for (const auto& op : parsed.value().ops) CHECK(op.complete_line != 0);  // nothing left open
  auto check = RunTool(Check(), {"--history", history}, kToolDeadline);
  CHECK(check.exit_code == 0);
}
