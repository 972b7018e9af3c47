// Saving and loading a space: exact round trips, atomic replacement, and a
// clear error naming file and line for every kind of bad file.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nodes/space/persistence.h"

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

TEST_CASE("the file records the log position the space is at, and loads it back", "[persistence]") {
  TempDir dir;
  TupleSpace space;
  space.Upsert("user,1", "ann");
  space.Upsert("user,2", "bob");
  const std::string path = (dir.path / "node1.tsv").string();
  REQUIRE(SaveSpace(space, path, SnapshotPosition{7, 1234}).ok());
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  CHECK(header == "tuplestar-snapshot v2 pairs=2 term=7 seq=1234");

  TupleSpace loaded;
  SnapshotPosition at;
  REQUIRE(LoadSpace(path, &loaded, &at).ok());
  CHECK(loaded.pairs() == space.pairs());
  CHECK(at == SnapshotPosition{7, 1234});

  // Without a position (a space no write reached) the header says 0:0.
  REQUIRE(SaveSpace(space, path).ok());
  at = SnapshotPosition{9, 9};
  REQUIRE(LoadSpace(path, &loaded, &at).ok());
  CHECK(at == SnapshotPosition{0, 0});
}

TEST_CASE("a v1 file (no position) still loads, at position 0:0", "[persistence]") {
  TempDir dir;
  WriteFile(dir.path / "old.tsv", "tuplestar-snapshot v1 pairs=2\nuser,1\tann\nuser,2\tbob\n");
  TupleSpace loaded;
  SnapshotPosition at{5, 5};
  REQUIRE(LoadSpace((dir.path / "old.tsv").string(), &loaded, &at).ok());
  CHECK(loaded.size() == 2);
  CHECK(loaded.pairs().at("user,2") == "bob");
  CHECK(at == SnapshotPosition{0, 0});
}

TEST_CASE("bad v2 headers are refused with file, line and reason", "[persistence]") {
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=1\na\tb\n"), Catch::Contains(":1: a v2 header needs term="));
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=1 seq=1 term=1\na\tb\n"),
             Catch::Contains(":1: expected 'term='"));
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=1 term=-1 seq=1\na\tb\n"),
             Catch::Contains(":1: term '-1' is not a number"));
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=1 term=1 seq=99999999999999999999999\na\tb\n"),
             Catch::Contains(":1: seq '99999999999999999999999' is not a number"));
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=1 term=1 seq=2 extra\na\tb\n"),
             Catch::Contains(":1: unexpected 'extra' at the end of the header"));
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=1 term=0 seq=4\na\tb\n"),
             Catch::Contains(":1: term=0 seq=4 is not a log position"));
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=1 term=3 seq=0\na\tb\n"),
             Catch::Contains(":1: term=3 seq=0 is not a log position"));
  CHECK_THAT(LoadError("tuplestar-snapshot v9 pairs=1\na\tb\n"),
             Catch::Contains(":1: snapshot format 'v9' is not one this tsnode reads (v1, v2)"));
  CHECK_THAT(LoadError("tuplestar-snapshot v2 pairs=2 term=1 seq=1\na\tb\n"),
             Catch::Contains("header says 2 pairs but the file holds 1"));
}

TEST_CASE("a missing file is an error naming it", "[persistence]") {
  TupleSpace space;
  Status status = LoadSpace("/nonexistent/tuplestar.tsv", &space);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message, Catch::Contains("/nonexistent/tuplestar.tsv"));
}

TEST_CASE("a save file's bytes load from a stream too, errors naming the given source", "[persistence]") {
  std::istringstream good("tuplestar-snapshot v2 pairs=2 term=3 seq=8\nuser,1\tann\nuser,2\tbob\n");
  TupleSpace loaded;
  SnapshotPosition at;
  REQUIRE(LoadSpaceFrom(good, "in memory", &loaded, &at).ok());
  CHECK(loaded.size() == 2);
  CHECK(at == SnapshotPosition{3, 8});

  std::istringstream bad("tuplestar-snapshot v2 pairs=1 term=3 seq=8\nuser,1 ann\n");
  Status status = LoadSpaceFrom(bad, "in memory", &loaded, &at);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "in memory:2: expected 'key<TAB>value'");
  CHECK(loaded.size() == 2);  // unchanged
  CHECK(at == SnapshotPosition{3, 8});
}
