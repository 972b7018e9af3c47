// Allow-lists: one role per key, and reading them from folders and files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/security/allow_list_files.h"
#include "common/security/cluster_keys.h"
#include "common/security/key_files.h"
#include "tests/support/process.h"

using namespace ts::security;
using ts::testing::TempDir;
namespace fs = std::filesystem;

namespace {

CurveKey NewPublicKey() {
  ts::Result<CurveKeyPair> pair = GenerateCurveKeyPair();
  REQUIRE(pair.ok());
  return pair.value().public_key;
}

}  // namespace

TEST_CASE("allow-list: a key has one role", "[security][allow]") {
  AllowList list;
  const CurveKey key = NewPublicKey();
  REQUIRE(list.Add({key, KeyRole::kClient, "client", "keys/clients/client.pub"}).ok());
  CHECK(list.Add({key, KeyRole::kClient, "client", "clients.txt:3"}).ok());  // listed twice: fine
  ts::Status as_node = list.Add({key, KeyRole::kNode, "node-9", "keys/nodes/node-9.pub"});
  REQUIRE_FALSE(as_node.ok());
  CHECK_THAT(as_node.error().message, Catch::Contains("keys/nodes/node-9.pub") &&
                                          Catch::Contains("keys/clients/client.pub") && Catch::Contains("one role"));
  REQUIRE(list.Find(key) != nullptr);
  CHECK(list.Find(key)->role == KeyRole::kClient);
  CHECK(list.Find(NewPublicKey()) == nullptr);
  CHECK(list.size() == 1);
}

TEST_CASE("allow-list: a folder's .pub files are its keys, other files are skipped", "[security][allow]") {
  TempDir dir;
  ts::Result<EnsuredKeys> made = EnsureClusterKeys(dir.path(), std::vector<uint32_t>{1, 2}, std::vector<uint32_t>{1});
  REQUIRE(made.ok());
  const ClusterKeyLayout layout(dir.path());
  std::ofstream(layout.RoleDir(KeyRole::kClient) / "README") << "not a key\n";

  ts::Result<AllowList> list = LoadAllowList(layout.AllowListSources());
  REQUIRE(list.ok());
  CHECK(list.value().size() == 5);
  CHECK(list.value().CountOf(KeyRole::kNode) == 2);
  CHECK(list.value().CountOf(KeyRole::kBroker) == 1);
  CHECK(list.value().CountOf(KeyRole::kAdmin) == 1);
  CHECK(list.value().CountOf(KeyRole::kClient) == 1);
  ts::Result<CurveKey> node_2 = ReadPublicKeyFile(PublicKeyPath(layout.NodeKey(2)));
  REQUIRE(node_2.ok());
  const AllowedKey* entry = list.value().Find(node_2.value());
  REQUIRE(entry != nullptr);
  CHECK(entry->role == KeyRole::kNode);
  CHECK(entry->name == "node-2");

  // A broken .pub fails the whole load, naming it.
  std::ofstream(layout.RoleDir(KeyRole::kClient) / "typo.pub") << "not a key at all\n";
  ts::Result<AllowList> broken = LoadAllowList(layout.AllowListSources());
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(broken.error().message, Catch::Contains((layout.RoleDir(KeyRole::kClient) / "typo.pub").string()));

  // The client key copied into the nodes folder: refused, a key has one role.
  fs::remove(layout.RoleDir(KeyRole::kClient) / "typo.pub");
  fs::copy_file(PublicKeyPath(layout.ClientKey()), layout.RoleDir(KeyRole::kNode) / "sneaky.pub");
  ts::Result<AllowList> doubled = LoadAllowList(layout.AllowListSources());
  REQUIRE_FALSE(doubled.ok());
  CHECK_THAT(doubled.error().message, Catch::Contains("sneaky.pub") && Catch::Contains("one role"));
}

TEST_CASE("allow-list: a file holds a key per line, with names and comments", "[security][allow]") {
  TempDir dir;
  const CurveKey ann = NewPublicKey();
  const CurveKey bob = NewPublicKey();
  const fs::path file = dir.path() / "clients.txt";
  std::ofstream(file) << "# the analysts\n\n" << EncodeZ85Key(ann) << " ann\n  " << EncodeZ85Key(bob) << "\n";
  AllowList list;
  REQUIRE(AddKeysFrom(list, KeyRole::kClient, file).ok());
  REQUIRE(list.size() == 2);
  CHECK(list.Find(ann)->name == "ann");
  CHECK(list.Find(bob)->name == file.string() + ":4");

  std::ofstream(file, std::ios::app) << "tooshort eve\n";
  AllowList again;
  ts::Status bad = AddKeysFrom(again, KeyRole::kClient, file);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains(file.string() + ":5"));

  ts::Status missing = AddKeysFrom(again, KeyRole::kClient, dir.path() / "nowhere");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains((dir.path() / "nowhere").string()));
}
