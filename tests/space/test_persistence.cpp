// Saving and loading a space: exact round trips, atomic replacement, and a
// clear error naming file and line for every kind of bad file.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nodes/persistence.h"

using namespace ts;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tuplestar-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string LoadError(const std::string& text) {
  TempDir dir;
  WriteFile(dir.path / "bad.tsv", text);
  TupleSpace space;
  space.Upsert("keep", "me");
  Status status = LoadSpace((dir.path / "bad.tsv").string(), &space);
  REQUIRE_FALSE(status.ok());
  CHECK(space.pairs().at("keep") == "me");  // a failed load changes nothing
  return status.error().message;
}

}  // namespace

TEST_CASE("a saved space loads back exactly", "[persistence]") {
  TempDir dir;
  TupleSpace space;
  for (int i = 0; i < 5000; ++i) space.Upsert("k," + std::to_string(i), "v," + std::to_string(i * 7));
  const std::string path = (dir.path / "node1.tsv").string();
  REQUIRE(SaveSpace(space, path).ok());
  CHECK_FALSE(fs::exists(path + ".tmp"));

  TupleSpace loaded;
  loaded.Upsert("stale", "pair");
  REQUIRE(LoadSpace(path, &loaded).ok());
  CHECK(loaded.pairs() == space.pairs());
}

TEST_CASE("an empty space saves and loads", "[persistence]") {
  TempDir dir;
  const std::string path = (dir.path / "empty.tsv").string();
  REQUIRE(SaveSpace(TupleSpace{}, path).ok());
  TupleSpace loaded;
  REQUIRE(LoadSpace(path, &loaded).ok());
  CHECK(loaded.size() == 0);
}

TEST_CASE("saving replaces the old file whole, and a failed save leaves it in place",
          "[persistence]") {
  TempDir dir;
  const std::string path = (dir.path / "data.tsv").string();
  TupleSpace first;
  first.Upsert("a", "1");
  REQUIRE(SaveSpace(first, path).ok());

  // Saving into a directory that does not exist fails with a message naming it.
  Status failed = SaveSpace(first, (dir.path / "missing" / "data.tsv").string());
  REQUIRE_FALSE(failed.ok());
  CHECK_THAT(failed.error().message, Catch::Contains("missing"));

  TupleSpace second;
  second.Upsert("b", "2");
  REQUIRE(SaveSpace(second, path).ok());
  TupleSpace loaded;
  REQUIRE(LoadSpace(path, &loaded).ok());
  CHECK(loaded.pairs() == second.pairs());
}

TEST_CASE("bad files are refused with file, line and reason", "[persistence]") {
  CHECK_THAT(LoadError(""), Catch::Contains(":1: not a tuplestar snapshot"));
  CHECK_THAT(LoadError("hello\n"), Catch::Contains(":1: not a tuplestar snapshot"));
  CHECK_THAT(LoadError("tuplestar-snapshot v1 pairs=x\n"), Catch::Contains("'x' is not a number"));
  CHECK_THAT(LoadError("tuplestar-snapshot v1 pairs=1\nab\n"),
             Catch::Contains(":2: expected 'key<TAB>value'"));
  CHECK_THAT(LoadError("tuplestar-snapshot v1 pairs=1\na,,b\tc\n"),
             Catch::Contains(":2: key 'a,,b' is not a well-formed tuple"));
  CHECK_THAT(LoadError("tuplestar-snapshot v1 pairs=2\na\tc\nb\tc d\n"),
             Catch::Contains(":3: value 'c d' is not a well-formed tuple"));
  CHECK_THAT(LoadError("tuplestar-snapshot v1 pairs=2\na\tc\na\td\n"),
             Catch::Contains(":3: key 'a' appears twice"));
  CHECK_THAT(LoadError("tuplestar-snapshot v1 pairs=3\na\tc\nb\td\n"),
             Catch::Contains("header says 3 pairs but the file holds 2"));
}

TEST_CASE("a missing file is an error naming it", "[persistence]") {
  TupleSpace space;
  Status status = LoadSpace("/nonexistent/tuplestar.tsv", &space);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message, Catch::Contains("/nonexistent/tuplestar.tsv"));
}
