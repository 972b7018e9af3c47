// --load with real processes when only some nodes have a file: the save
// file's header carries the node's log position, so a loaded node outranks
// empty nodes with higher ids, becomes primary, and its pairs reach every
// node (before, a loaded node ranked like an empty one at 0:0: node 3 won
// and node 1 resynchronised to its empty space).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "nodes/space/persistence.h"
#include "tests/integration/require.h"

namespace ts::itest {
namespace {

struct SavedFile {
  std::map<std::string, std::string> pairs;
  SnapshotPosition at;
};

SavedFile ReadSaved(const std::string& path) {
  INFO("save file " << path);
  TupleSpace space;
  SavedFile saved;
  Status loaded = LoadSpace(path, &space, &saved.at);
  INFO((loaded.ok() ? "" : loaded.error().message));
  REQUIRE(loaded.ok());
  for (const auto& [key, value] : space.pairs()) saved.pairs.emplace(key, value);
  return saved;
}

}  // namespace

TEST_CASE("integration: a node loaded from its file wins over empty nodes with higher ids, and every node gets "
          "its pairs",
          "[integration][persistence]") {
  TempDir files;
  TupleSpace data;
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 500; ++i) {
    data.Upsert("loaded," + std::to_string(i), "v," + std::to_string(i));
    expected["loaded," + std::to_string(i)] = "v," + std::to_string(i);
  }
  const SnapshotPosition loaded_at{3, 812};
  const std::string file = files / "node-1.load";
  REQUIRE(SaveSpace(data, file, loaded_at).ok());

  ClusterOptions options;
  options.load_files[1] = file;  // nodes 2 and 3 start empty
  // Every node listens for one liveness window before electing: a whole
  // second here, so that node 1 takes part even if it starts late on a busy box.
  options.liveness = 10;
  Cluster cluster(options);
  RequireStarted(cluster);

  Client client = cluster.NewClient();
  Result<std::map<std::string, std::string>> served = ReadAll(client);
  REQUIRE(served.ok());
  CHECK(served.value() == expected);
  const PrimaryView primary = RequirePrimary(cluster, kFailoverTimeout);
  CHECK(primary.id == 1);
  CHECK(primary.term > loaded_at.term);

  // The pairs reached the others: with node 1 gone, the new primary serves them.
  RequireCaughtUp(cluster, 2, kCatchUpTimeout);
  RequireCaughtUp(cluster, 3, kCatchUpTimeout);
  cluster.Kill(1);
  const PrimaryView after = RequirePrimary(cluster, kFailoverTimeout, 1);
  served = ReadAll(client);
  REQUIRE(served.ok());
  CHECK(served.value() == expected);

  // Shut down: the survivors' files hold the pairs, at a position past the loaded one.
  Result<Reply> acknowledged = SendShutdown(cluster.shutdown_endpoint(), PatientClientOptions());
  INFO((acknowledged.ok() ? "" : acknowledged.error().message));
  REQUIRE(acknowledged.ok());
  CHECK(acknowledged.value().ok());
  for (uint32_t id : {2u, 3u}) {
    INFO("node " << id);
    std::optional<int> exit_code = cluster.node(id).Wait(kProcessExitTimeout);
    REQUIRE(exit_code.has_value());
    CHECK(*exit_code == 0);
    const SavedFile saved = ReadSaved(cluster.save_path(id));
    CHECK(saved.pairs == expected);
    CHECK(saved.at.term >= after.term);
    CHECK(saved.at.seq > loaded_at.seq);
  }
}

}  // namespace ts::itest
