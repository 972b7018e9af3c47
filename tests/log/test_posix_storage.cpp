// The log on real files (nodes/log/posix_storage.h) in a temp directory:
// every Storage operation, errors that name the path and the errno text,
// descriptors closed on exec, and a whole log written, synced, damaged at its
// tail and recovered.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "log_test_support.h"
#include "nodes/log/posix_storage.h"

using namespace ts;
using namespace ts::wal;
using namespace ts::wal::testing;
namespace fs = std::filesystem;

TEST_CASE("posix storage: files are written, synced, read, renamed, cut and removed", "[log][posix]") {
  TempDir temp;
  PosixStorage disk;
  const std::string dir = temp.path + "/data/n1";
  REQUIRE(disk.CreateDir(dir).ok());
  REQUIRE(disk.CreateDir(dir).ok());  // again: fine
  REQUIRE(fs::is_directory(dir));

  const std::string path = dir + "/a";
  {
    auto file = disk.NewWritableFile(path);
    REQUIRE(file.ok());
    REQUIRE(file.value()->Append("hello ").ok());
    REQUIRE(file.value()->Append("world").ok());
    CHECK(file.value()->size() == 11);
    REQUIRE(file.value()->Sync().ok());
    REQUIRE(file.value()->Close().ok());
  }
  REQUIRE(disk.SyncDir(dir).ok());
  CHECK(disk.ReadFile(path).value() == "hello world");
  CHECK(disk.ReadRange(path, 6, 100).value() == "world");
  CHECK(disk.ReadRange(path, 0, 5).value() == "hello");
  CHECK(disk.ReadRange(path, 50, 5).value().empty());
  CHECK(disk.FileSize(path).value() == 11);
  {
    auto file = disk.OpenAppendable(path);
    REQUIRE(file.ok());
    CHECK(file.value()->size() == 11);
    REQUIRE(file.value()->Append("!").ok());
    REQUIRE(file.value()->Sync().ok());
  }
  CHECK(disk.ReadFile(path).value() == "hello world!");
  REQUIRE(disk.Truncate(path, 5).ok());
  CHECK(disk.ReadFile(path).value() == "hello");
  CHECK_FALSE(disk.Truncate(path, 6).ok());

  REQUIRE(disk.Rename(path, dir + "/b").ok());
  CHECK_FALSE(disk.Exists(path));
  CHECK(disk.Exists(dir + "/b"));
  CHECK(SortedNames(disk, dir) == std::vector<std::string>{"b"});
  REQUIRE(disk.Remove(dir + "/b").ok());
  CHECK(SortedNames(disk, dir).empty());
}

TEST_CASE("posix storage: errors name the operation, the path and the errno text", "[log][posix]") {
  TempDir temp;
  PosixStorage disk;
  const std::string missing = temp.path + "/nope";
  const auto read = disk.ReadFile(missing);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().kind == ErrorKind::kInternal);
  CHECK(read.error().message == "open " + missing + ": No such file or directory (errno 2)");
  const auto list = disk.List(missing);
  REQUIRE_FALSE(list.ok());
  CHECK(list.error().message == "list " + missing + ": No such file or directory (errno 2)");
  CHECK(disk.Remove(missing).error().message == "remove " + missing + ": No such file or directory (errno 2)");
  CHECK_THAT(disk.NewWritableFile(missing + "/x").error().message,
             Catch::Contains("create " + missing + "/x: No such file or directory"));
  std::ofstream(temp.path + "/plain") << "x";
  CHECK_THAT(disk.CreateDir(temp.path + "/plain").error().message, Catch::Contains("Not a directory"));
}

TEST_CASE("posix storage: a log file's descriptor is closed on exec", "[log][posix]") {
  TempDir temp;
  PosixStorage disk;
  const std::string path = temp.path + "/segment";
  auto file = disk.NewWritableFile(path);
  REQUIRE(file.ok());
  const std::string canonical = fs::canonical(path).string();
  int found = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const fs::path target = fs::read_symlink(entry.path(), error);
    if (error || target != canonical) continue;
    const int fd = std::stoi(entry.path().filename().string());
    const int flags = ::fcntl(fd, F_GETFD);
    REQUIRE(flags >= 0);
    CHECK((flags & FD_CLOEXEC) != 0);
    ++found;
  }
  CHECK(found == 1);
}

TEST_CASE("posix storage: a whole log is written, synced, torn at its tail and recovered", "[log][posix]") {
  TempDir temp;
  PosixStorage disk;
  const std::string dir = temp.path + "/n1";
  std::vector<LogEntry> written;
  {
    auto log = OpenLog(disk, dir, {.segment_bytes = 4096});
    REQUIRE(log.ok());
    for (uint64_t seq = 1; seq <= 200; seq += 5) {
      const std::vector<LogEntry> batch = MakeEntries(1, seq, seq + 4);
      REQUIRE(log.value().writer->Append(batch).ok());
      written.insert(written.end(), batch.begin(), batch.end());
      REQUIRE(log.value().writer->Sync().ok());
    }
    REQUIRE(log.value().writer->AppendVote(2, 3).ok());
    REQUIRE(log.value().writer->Sync().ok());
    CHECK(log.value().writer->stats().segments_started > 3);
    REQUIRE(log.value().writer->WriteSnapshot([](SnapshotWriter& snapshot) { return snapshot.AddPair("a,1", "b"); }).ok());
    const std::vector<LogEntry> after = MakeEntries(2, 201, 203);
    REQUIRE(log.value().writer->Append(after).ok());
    REQUIRE(log.value().writer->Sync().ok());
    written = after;
  }
  // A crash mid-append: the last segment ends in half a record.
  std::string last_segment;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("log-", 0) == 0) last_segment = entry.path().string();
  }
  REQUIRE(SortedNames(disk, dir).size() == 2);  // the snapshot and the segment after it
  {
    std::ofstream out(last_segment, std::ios::binary | std::ios::app);
    out << std::string("\x57\x4c\x02\x00\x40\x00\x00", 7);
  }
  auto log = OpenLog(disk, dir);
  REQUIRE(log.ok());
  REQUIRE(log.value().recovered.repair);
  CHECK(log.value().recovered.repair->bytes_dropped == 7);
  REQUIRE(log.value().recovered.snapshot);
  CHECK(log.value().recovered.snapshot->pairs.size() == 1);
  RequireSameEntries(log.value().recovered.entries, written);
  CHECK(log.value().recovered.state == LogState{{2, 203}, 2, 3});
  CHECK(fs::file_size(last_segment) == log.value().recovered.repair->offset);
}
