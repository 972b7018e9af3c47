// Persistence with real processes: the shutdown command saves every node's
// file and a restart with --load restores it exactly; SIGTERM saves too; a
// bad --load file stops tsnode with a message naming the file and line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/integration/require.h"

namespace ts::itest {
namespace {

using testing::BinaryPath;
using testing::FreeTcpPort;
using testing::LoopbackEndpoint;

// Writes a mix of PUTs, POSTs and DELETEs; returns what the space then holds.
std::map<std::string, std::string> WriteSomeData(Client& client) {
  std::vector<Pair> pairs;
  for (int i = 0; i < 300; ++i) pairs.push_back(Pair{{"s", std::to_string(i)}, {"v", std::to_string(i)}});
  Result<Reply> put = client.Put(pairs);
  REQUIRE(put.ok());
  REQUIRE(put.value().ok());
  REQUIRE(put.value().rejected.empty());
  std::vector<Pair> updates;
  for (int i = 0; i < 300; i += 7) updates.push_back(Pair{{"s", std::to_string(i)}, {"updated"}});
  Result<Reply> post = client.Post(updates);
  REQUIRE(post.ok());
  REQUIRE(post.value().ok());
  REQUIRE(post.value().rejected.empty());
  Result<Reply> erase = client.Delete("s,1[0-9]", ".*");
  REQUIRE(erase.ok());
  REQUIRE(erase.value().ok());
  REQUIRE(erase.value().pairs.size() == 10);

  std::map<std::string, std::string> expected;
  for (int i = 0; i < 300; ++i) {
    if (i >= 10 && i <= 19) continue;
    expected["s," + std::to_string(i)] = i % 7 == 0 ? "updated" : "v," + std::to_string(i);
  }
  Result<std::map<std::string, std::string>> held = ReadAll(client);
  REQUIRE(held.ok());
  REQUIRE(held.value() == expected);
  return expected;
}

void CheckSnapshot(const std::string& path, const std::map<std::string, std::string>& expected) {
  INFO("snapshot " << path);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  Result<std::map<std::string, std::string>> saved = ReadSnapshot(path);
  INFO((saved.ok() ? "" : saved.error().message));
  REQUIRE(saved.ok());
  CHECK(saved.value().size() == expected.size());
  CHECK(saved.value() == expected);
}

}  // namespace

TEST_CASE("integration: shutdown saves every node's file and --load restores it",
          "[integration][persistence]") {
  Cluster cluster;
  RequireStarted(cluster);
  Client client = cluster.NewClient();
  const std::map<std::string, std::string> expected = WriteSomeData(client);

  Result<Reply> acknowledged = SendShutdown(cluster.shutdown_endpoint(), PatientClientOptions());
  INFO((acknowledged.ok() ? "" : acknowledged.error().message));
  REQUIRE(acknowledged.ok());
  CHECK(acknowledged.value().ok());
  CHECK(acknowledged.value().op_name == "SHUTDOWN");

  std::optional<int> broker_exit = cluster.broker().Wait(kProcessExitTimeout);
  REQUIRE(broker_exit.has_value());
  CHECK(*broker_exit == 0);
  for (uint32_t id : cluster.node_ids()) {
    INFO("node " << id);
    std::optional<int> node_exit = cluster.node(id).Wait(kProcessExitTimeout);
    REQUIRE(node_exit.has_value());
    CHECK(*node_exit == 0);
    CheckSnapshot(cluster.save_path(id), expected);
  }

  // A new cluster loading those files holds exactly the same pairs, and works.
  ClusterOptions reload;
  for (uint32_t id : cluster.node_ids()) reload.load_files[id] = cluster.save_path(id);
  Cluster restored(reload);
  RequireStarted(restored);
  Client again = restored.NewClient();
  Result<std::map<std::string, std::string>> held = ReadAll(again);
  REQUIRE(held.ok());
  CHECK(held.value() == expected);
  Result<Reply> put = again.Put({Pair{{"new"}, {"1"}}});
  REQUIRE(put.ok());
  CHECK(put.value().ok());
  CHECK(put.value().rejected.empty());
}

TEST_CASE("integration: a node stopped with SIGTERM saves its file and exits 0",
          "[integration][persistence]") {
  ClusterOptions options;
  options.node_count = 2;
  Cluster cluster(options);
  RequireStarted(cluster);
  Client client = cluster.NewClient();
  const std::map<std::string, std::string> expected = WriteSomeData(client);
  const PrimaryView primary = RequirePrimary(cluster, kFailoverTimeout);

  // The backup first, then the primary.
  std::vector<uint32_t> order = {primary.id == 1 ? 2u : 1u, primary.id};
  for (uint32_t id : order) {
    INFO("node " << id);
    std::optional<int> code = cluster.Terminate(id);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CheckSnapshot(cluster.save_path(id), expected);
  }
}

TEST_CASE("integration: a malformed or unreadable --load file stops tsnode with a clear error",
          "[integration][persistence]") {
  TempDir dir;
  struct Case {
    std::string name;
    std::optional<std::string> content;  // nullopt: the file does not exist
    std::string expected_in_log;         // besides the file's path
  };
  const std::string path = dir / "load.snapshot";
  const std::vector<Case> cases = {
      {"a line without a tab", "tuplestar-snapshot v1 pairs=2\na,1\tx\nno tab here\n", path + ":3"},
      {"a malformed key", "tuplestar-snapshot v1 pairs=1\nbad-key\tx\n", path + ":2"},
      {"a wrong header", "hello\n", path + ":1"},
      {"a truncated file", "tuplestar-snapshot v1 pairs=3\na\t1\n", path},
      {"no such file", std::nullopt, path},
  };
  for (const Case& test : cases) {
    INFO("case: " << test.name);
    std::filesystem::remove(path);
    if (test.content) std::ofstream(path) << *test.content;
    const std::vector<std::string> arguments = {
        "--id", "1",
        "--bus", LoopbackEndpoint(FreeTcpPort()),
        "--transfer", LoopbackEndpoint(FreeTcpPort()),
        "--peer", "2," + LoopbackEndpoint(FreeTcpPort()) + "," + LoopbackEndpoint(FreeTcpPort()),
        "--broker", LoopbackEndpoint(FreeTcpPort()),
        "--load", path, "--insecure"};
    ChildProcess node(BinaryPath("nodes/tsnode"), arguments, dir / "node.log");
    std::optional<int> code = node.Wait(kProcessExitTimeout);
    const std::string log = node.log();
    INFO("log:\n" << log);
    REQUIRE(code.has_value());
    CHECK(*code == 2);
    CHECK(log.find(test.expected_in_log) != std::string::npos);
    std::filesystem::remove(dir / "node.log");
  }
}

}  // namespace ts::itest
