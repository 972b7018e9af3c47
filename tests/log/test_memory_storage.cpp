// The in-memory disk (nodes/log/memory_storage.h): it keeps at least what was
// synced through any crash, may lose the rest, and undoes name operations
// that were not dir-synced.
#include <catch2/catch.hpp>

#include "log_test_support.h"

using namespace ts;
using namespace ts::wal;
using namespace ts::wal::testing;

TEST_CASE("memory storage: a crash keeps the synced prefix of every file, and at most what was written",
          "[log][memory_storage]") {
  uint64_t cut = 0;
  uint64_t kept_all = 0;
  uint64_t zero_tailed = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    MemoryStorage disk;
    REQUIRE(disk.CreateDir("d").ok());
    std::vector<std::string> written(3);
    std::vector<uint64_t> synced(3);
    std::vector<std::unique_ptr<WritableFile>> files;
    for (int i = 0; i < 3; ++i) {
      files.push_back(std::move(disk.NewWritableFile("d/f" + std::to_string(i))).value());
    }
    REQUIRE(disk.SyncDir("d").ok());
    for (int round = 0; round < 6; ++round) {
      for (int i = 0; i < 3; ++i) {
        const std::string chunk(static_cast<size_t>(seed % 7 + round * 3 + i + 1), static_cast<char>('a' + round));
        REQUIRE(files[i]->Append(chunk).ok());
        written[i] += chunk;
        if ((seed + round + i) % 3 == 0) {
          REQUIRE(files[i]->Sync().ok());
          synced[i] = written[i].size();
        }
      }
    }
    const MemoryStorage::CrashReport report = disk.Crash(seed);
    cut += report.files_cut;
    zero_tailed += report.files_zero_tailed;
    for (int i = 0; i < 3; ++i) {
      INFO("seed " << seed << " file " << i);
      const auto after = disk.ReadFile("d/f" + std::to_string(i));
      REQUIRE(after.ok());
      REQUIRE(after.value().size() >= synced[i]);
      REQUIRE(after.value().size() <= written[i].size());
      CHECK(after.value().substr(0, synced[i]) == written[i].substr(0, synced[i]));
      const std::string unsynced_kept = after.value().substr(synced[i]);
      const std::string original = written[i].substr(synced[i], unsynced_kept.size());
      for (size_t k = 0; k < unsynced_kept.size(); ++k) {
        REQUIRE((unsynced_kept[k] == original[k] || unsynced_kept[k] == '\0'));
      }
      if (after.value() == written[i]) ++kept_all;
    }
    CHECK_FALSE(files[0]->Append("x").ok());  // handles die with the crash
  }
  // Over 300 seeds every kind of outcome happens.
  CHECK(cut > 0);
  CHECK(kept_all > 0);
  CHECK(zero_tailed > 0);
}

TEST_CASE("memory storage: the same seed on the same history crashes the same way", "[log][memory_storage]") {
  auto run = [](uint64_t seed) {
    MemoryStorage disk;
    auto file = std::move(disk.NewWritableFile("f")).value();
    REQUIRE(file->Append(std::string(1000, 'q')).ok());
    disk.Crash(seed);
    return disk.Exists("f") ? disk.ReadFile("f").value() : std::string("<gone>");
  };
  for (uint64_t seed = 0; seed < 20; ++seed) CHECK(run(seed) == run(seed));
}

TEST_CASE("memory storage: names not dir-synced may be undone by a crash", "[log][memory_storage]") {
  bool vanished = false;
  bool stayed = false;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    MemoryStorage disk;
    REQUIRE(disk.CreateDir("d").ok());
    auto file = std::move(disk.NewWritableFile("d/new")).value();
    REQUIRE(file->Append("synced data").ok());
    REQUIRE(file->Sync().ok());
    disk.Crash(seed);
    if (disk.Exists("d/new")) {
      stayed = true;
      CHECK(disk.ReadFile("d/new").value() == "synced data");
    } else {
      vanished = true;  // fdatasync does not make the name durable
    }
  }
  CHECK(vanished);
  CHECK(stayed);

  for (uint64_t seed = 0; seed < 32; ++seed) {
    MemoryStorage disk;
    REQUIRE(disk.CreateDir("d").ok());
    auto file = std::move(disk.NewWritableFile("d/new")).value();
    REQUIRE(file->Append("data").ok());
    REQUIRE(file->Sync().ok());
    REQUIRE(disk.SyncDir("d").ok());
    disk.Crash(seed);
    CHECK(disk.ReadFile("d/new").value() == "data");
  }
}

TEST_CASE("memory storage: a rename is atomic and durable only after SyncDir", "[log][memory_storage]") {
  bool undone = false;
  bool done = false;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    MemoryStorage disk;
    REQUIRE(disk.CreateDir("d").ok());
    {
      auto old_file = std::move(disk.NewWritableFile("d/target")).value();
      REQUIRE(old_file->Append("old").ok());
      REQUIRE(old_file->Sync().ok());
      auto new_file = std::move(disk.NewWritableFile("d/target.tmp")).value();
      REQUIRE(new_file->Append("new").ok());
      REQUIRE(new_file->Sync().ok());
    }
    REQUIRE(disk.SyncDir("d").ok());
    REQUIRE(disk.Rename("d/target.tmp", "d/target").ok());
    CHECK(disk.ReadFile("d/target").value() == "new");
    CHECK_FALSE(disk.Exists("d/target.tmp"));
    disk.Crash(seed);
    const std::string after = disk.ReadFile("d/target").value();
    REQUIRE((after == "old" || after == "new"));
    (after == "old" ? undone : done) = true;
    CHECK(disk.Exists("d/target.tmp") == (after == "old"));
  }
  CHECK(undone);
  CHECK(done);
}

TEST_CASE("memory storage: truncate is durable, remove is undone without SyncDir", "[log][memory_storage]") {
  MemoryStorage disk;
  REQUIRE(disk.CreateDir("d").ok());
  auto file = std::move(disk.NewWritableFile("d/f")).value();
  REQUIRE(file->Append("0123456789").ok());
  REQUIRE(disk.SyncDir("d").ok());
  REQUIRE(disk.Truncate("d/f", 4).ok());
  CHECK(disk.SyncedSize("d/f") == 4);
  CHECK_FALSE(disk.Truncate("d/f", 9).ok());  // never grows
  disk.Crash(5);
  CHECK(disk.ReadFile("d/f").value() == "0123");

  bool came_back = false;
  for (uint64_t seed = 0; seed < 32 && !came_back; ++seed) {
    MemoryStorage again;
    REQUIRE(again.CreateDir("d").ok());
    auto f = std::move(again.NewWritableFile("d/f")).value();
    REQUIRE(f->Append("abc").ok());
    REQUIRE(f->Sync().ok());
    REQUIRE(again.SyncDir("d").ok());
    REQUIRE(again.Remove("d/f").ok());
    again.Crash(seed);
    came_back = again.Exists("d/f");
  }
  CHECK(came_back);
}

TEST_CASE("memory storage: injected failures name the operation and the path", "[log][memory_storage]") {
  MemoryStorage disk;
  auto file = std::move(disk.NewWritableFile("f")).value();
  disk.FailOperation(MemoryStorage::Operation::kSync, true);
  REQUIRE(file->Append("x").ok());
  const Status failed = file->Sync();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message == "fdatasync f: Input/output error (injected)");
  disk.FailOperation(MemoryStorage::Operation::kSync, false);
  CHECK(file->Sync().ok());
  CHECK(disk.sync_count() == 1);
  const auto missing = disk.ReadFile("nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "open nope: No such file or directory");
}
