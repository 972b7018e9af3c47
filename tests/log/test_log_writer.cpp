// The log writer and recovery together on the in-memory disk: what is
// appended and synced comes back, in order, with its term and vote; segments
// roll at their size; snapshots replace what came before them.
#include <catch2/catch.hpp>

#include "log_test_support.h"
#include "nodes/log/log_names.h"

using namespace ts;
using namespace ts::wal;
using namespace ts::wal::testing;

namespace {

OpenedLog Open(Storage& disk, LogOptions options = {}) {
  auto opened = OpenLog(disk, "data/n1", options);
  INFO((opened.ok() ? "" : opened.error().message));
  REQUIRE(opened.ok());
  return std::move(opened).value();
}

std::vector<std::string> NamesOfKind(Storage& disk, ParsedFileName::Kind kind) {
  std::vector<std::string> names;
  for (const std::string& name : SortedNames(disk, "data/n1")) {
    if (ParseFileName(name).kind == kind) names.push_back(name);
  }
  return names;
}

}  // namespace

TEST_CASE("log: entries, term changes and votes come back after a reopen", "[log][writer]") {
  MemoryStorage disk;
  std::vector<LogEntry> all = MakeEntries(1, 1, 10);
  {
    OpenedLog log = Open(disk);
    CHECK(log.recovered.entries.empty());
    CHECK(log.recovered.state == LogState{});
    REQUIRE(log.writer->Append(all).ok());
    REQUIRE(log.writer->AppendTerm(2).ok());
    REQUIRE(log.writer->AppendVote(2, 3).ok());
    const std::vector<LogEntry> more = MakeEntries(2, 11, 20);
    REQUIRE(log.writer->Append(more).ok());
    all.insert(all.end(), more.begin(), more.end());
    REQUIRE(log.writer->Sync().ok());
    CHECK(log.writer->state() == LogState{{2, 20}, 2, 3});
  }
  {
    OpenedLog log = Open(disk);
    RequireSameEntries(log.recovered.entries, all);
    CHECK(log.recovered.state == LogState{{2, 20}, 2, 3});
    CHECK_FALSE(log.recovered.repair);
    REQUIRE(log.writer->AppendTerm(5).ok());  // a newer term clears the vote
    REQUIRE(log.writer->Sync().ok());
  }
  OpenedLog log = Open(disk);
  CHECK(log.recovered.state == LogState{{2, 20}, 5, cluster::kNoNode});
  RequireSameEntries(log.recovered.entries, all);
}

TEST_CASE("log: entries of several terms in one append become one record per term", "[log][writer]") {
  MemoryStorage disk;
  std::vector<LogEntry> entries = MakeEntries(1, 1, 3);
  for (LogEntry& entry : MakeEntries(3, 4, 6)) entries.push_back(entry);
  {
    OpenedLog log = Open(disk);
    REQUIRE(log.writer->Append(entries).ok());
    CHECK(log.writer->stats().records == 3);  // the segment header and two batches
    CHECK(log.writer->state() == LogState{{3, 6}, 3, cluster::kNoNode});  // the entries' term raised it
    REQUIRE(log.writer->Sync().ok());
  }
  OpenedLog log = Open(disk);
  RequireSameEntries(log.recovered.entries, entries);
  CHECK(log.recovered.records_read == 2);
}

TEST_CASE("log: the writer refuses records that break the log's rules and writes nothing", "[log][writer]") {
  MemoryStorage disk;
  OpenedLog log = Open(disk);
  REQUIRE(log.writer->Append(MakeEntries(2, 1, 5)).ok());
  REQUIRE(log.writer->AppendVote(2, 1).ok());
  const LogState before = log.writer->state();
  const uint64_t bytes = log.writer->stats().bytes;

  const Status gap = log.writer->Append(MakeEntries(2, 7, 8));
  REQUIRE_FALSE(gap.ok());
  CHECK_THAT(gap.error().message, Catch::Contains("entry 2:7 does not follow 2:5"));
  const Status older_term = log.writer->Append(MakeEntries(1, 6, 6));
  REQUIRE_FALSE(older_term.ok());
  CHECK_THAT(older_term.error().message, Catch::Contains("has a term below"));
  const Status back = log.writer->AppendTerm(1);
  REQUIRE_FALSE(back.ok());
  CHECK_THAT(back.error().message, Catch::Contains("terms never go back"));
  const Status second_vote = log.writer->AppendVote(2, 3);
  REQUIRE_FALSE(second_vote.ok());
  CHECK_THAT(second_vote.error().message, Catch::Contains("already voted for node 1 in that term"));
  const Status old_vote = log.writer->AppendVote(1, 3);
  REQUIRE_FALSE(old_vote.ok());
  const Status nobody = log.writer->AppendVote(4, cluster::kNoNode);
  REQUIRE_FALSE(nobody.ok());

  CHECK(log.writer->state() == before);
  CHECK(log.writer->stats().bytes == bytes);
  CHECK(log.writer->failure().ok());  // a refused record does not break the writer
  CHECK(log.writer->AppendVote(2, 1).ok());  // the same vote again: nothing to write
  CHECK(log.writer->stats().bytes == bytes);
}

TEST_CASE("log: Sync is one fdatasync for everything appended since the last one", "[log][writer]") {
  MemoryStorage disk;
  OpenedLog log = Open(disk);
  const uint64_t syncs = disk.sync_count();
  REQUIRE(log.writer->Append(MakeEntries(1, 1, 4)).ok());
  REQUIRE(log.writer->AppendTerm(2).ok());
  REQUIRE(log.writer->Append(MakeEntries(2, 5, 9)).ok());
  CHECK(log.writer->unsynced_bytes() > 0);
  CHECK(disk.sync_count() == syncs);
  REQUIRE(log.writer->Sync().ok());
  CHECK(disk.sync_count() == syncs + 1);
  CHECK(log.writer->unsynced_bytes() == 0);
  CHECK(disk.SyncedSize(log.writer->current_segment()) == disk.FileSize(log.writer->current_segment()).value());
  REQUIRE(log.writer->Sync().ok());  // nothing new: no fdatasync
  CHECK(disk.sync_count() == syncs + 1);
}

TEST_CASE("log: segments roll at the named size, named by number and the position they follow", "[log][writer]") {
  MemoryStorage disk;
  const LogOptions small{.segment_bytes = 1024};
  std::vector<LogEntry> all;
  {
    OpenedLog log = Open(disk, small);
    for (uint64_t seq = 1; seq <= 200; seq += 4) {
      const std::vector<LogEntry> batch = MakeEntries(1 + seq / 50, seq, seq + 3);
      REQUIRE(log.writer->Append(batch).ok());
      all.insert(all.end(), batch.begin(), batch.end());
    }
    REQUIRE(log.writer->Sync().ok());
  }
  const std::vector<std::string> segments = NamesOfKind(disk, ParsedFileName::Kind::kSegment);
  REQUIRE(segments.size() > 5);
  CHECK(segments.front() == "log-00000001-0.0");
  uint64_t previous_size = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const ParsedFileName parsed = ParseFileName(segments[i]);
    CHECK(parsed.number == i + 1);
    if (i > 0) CHECK(previous_size >= small.segment_bytes);  // only a full segment rolls
    previous_size = disk.FileSize("data/n1/" + segments[i]).value();
  }
  OpenedLog log = Open(disk, small);
  RequireSameEntries(log.recovered.entries, all);
  CHECK(log.recovered.segments.size() == segments.size());
  for (size_t i = 1; i < log.recovered.segments.size(); ++i) {
    // Each segment starts right after the last entry of the one before it.
    const LogPosition base = log.recovered.segments[i].base;
    CHECK(base.seq % 4 == 0);
    CHECK(ParseFileName(segments[i]).position == base);
  }
}

TEST_CASE("log: a snapshot removes the segments and snapshots before it", "[log][writer]") {
  MemoryStorage disk;
  const LogOptions small{.segment_bytes = 1024};
  {
    OpenedLog log = Open(disk, small);
    for (uint64_t seq = 1; seq <= 60; seq += 5) REQUIRE(log.writer->Append(MakeEntries(1, seq, seq + 4)).ok());
    REQUIRE(log.writer->AppendVote(2, 2).ok());
    REQUIRE(log.writer->Sync().ok());
    REQUIRE(NamesOfKind(disk, ParsedFileName::Kind::kSegment).size() > 2);
    REQUIRE(log.writer->WriteSnapshot([](SnapshotWriter& snapshot) {
      for (int i = 0; i < 1000; ++i) {
        Status added = snapshot.AddPair("key," + std::to_string(i), "value," + std::to_string(i));
        if (!added.ok()) return added;
      }
      return snapshot.AddClient(MakeClientRow(7, 60, 60));
    }).ok());
    CHECK(log.writer->stats().snapshots == 1);
    // Only the snapshot and the segment after it are left.
    const std::vector<std::string> names = SortedNames(disk, "data/n1");
    REQUIRE(names.size() == 2);
    const ParsedFileName segment = ParseFileName(names[0]);
    const ParsedFileName snapshot = ParseFileName(names[1]);
    CHECK(segment.kind == ParsedFileName::Kind::kSegment);
    CHECK(snapshot.kind == ParsedFileName::Kind::kSnapshot);
    CHECK(segment.number == snapshot.number);
    CHECK(snapshot.position == LogPosition{1, 60});

    REQUIRE(log.writer->Append(MakeEntries(2, 61, 70)).ok());
    REQUIRE(log.writer->Sync().ok());
    REQUIRE(log.writer->WriteSnapshot(NoPairs).ok());  // a second snapshot replaces the first
    REQUIRE(NamesOfKind(disk, ParsedFileName::Kind::kSnapshot).size() == 1);
    REQUIRE(log.writer->Append(MakeEntries(2, 71, 75)).ok());
    REQUIRE(log.writer->Sync().ok());
  }
  OpenedLog log = Open(disk, small);
  REQUIRE(log.recovered.snapshot);
  CHECK(log.recovered.snapshot->header.at == LogPosition{2, 70});
  CHECK(log.recovered.snapshot->pairs.empty());
  CHECK(log.recovered.snapshot->header.term == 2);
  CHECK(log.recovered.snapshot->header.voted_for == 2);
  RequireSameEntries(log.recovered.entries, MakeEntries(2, 71, 75));
  CHECK(log.recovered.state == LogState{{2, 75}, 2, 2});
}

TEST_CASE("log: a snapshot's pairs, client rows, term and vote come back", "[log][writer]") {
  MemoryStorage disk;
  const LogOptions small_chunks{.snapshot_chunk_bytes = 512};
  {
    OpenedLog log = Open(disk, small_chunks);
    REQUIRE(log.writer->AppendVote(4, 9).ok());
    REQUIRE(log.writer->Append(MakeEntries(4, 1, 3)).ok());
    REQUIRE(log.writer->WriteSnapshot([](SnapshotWriter& snapshot) {
      for (int i = 0; i < 300; ++i) {
        if (Status s = snapshot.AddPair("k," + std::to_string(i), std::string(i % 50 + 1, 'v')); !s.ok()) return s;
        if (i % 10 == 0) {
          if (Status s = snapshot.AddClient(MakeClientRow(i, 1, 3)); !s.ok()) return s;
        }
      }
      return Status::Ok();
    }).ok());
  }
  OpenedLog log = Open(disk, small_chunks);
  REQUIRE(log.recovered.snapshot);
  const Snapshot& snapshot = *log.recovered.snapshot;
  REQUIRE(snapshot.pairs.size() == 300);
  for (int i = 0; i < 300; ++i) {
    CHECK(snapshot.pairs[i] == std::pair<std::string, std::string>("k," + std::to_string(i), std::string(i % 50 + 1, 'v')));
  }
  REQUIRE(snapshot.clients.size() == 30);
  CHECK(snapshot.clients[29].client_id == 290);
  CHECK(snapshot.clients[29].reply.op_name == "POST");
  CHECK(log.recovered.state == LogState{{4, 3}, 4, 9});
  CHECK(log.recovered.entries.empty());
}

TEST_CASE("log: installing a snapshot replaces the whole history", "[log][writer]") {
  MemoryStorage disk;
  {
    OpenedLog log = Open(disk);
    REQUIRE(log.writer->Append(MakeEntries(1, 1, 20)).ok());  // 1:11..1:20 diverge from the new primary's log
    REQUIRE(log.writer->Sync().ok());
    REQUIRE(log.writer->InstallSnapshot({3, 9}, [](SnapshotWriter& snapshot) { return snapshot.AddPair("a,1", "b"); }).ok());
    CHECK(log.writer->state() == LogState{{3, 9}, 3, cluster::kNoNode});
    REQUIRE(log.writer->Append(MakeEntries(3, 10, 12)).ok());
    REQUIRE(log.writer->Sync().ok());
  }
  const std::vector<std::string> names = SortedNames(disk, "data/n1");
  CHECK(names == std::vector<std::string>{"log-00000002-3.9", "snapshot-00000002-3.9"});
  OpenedLog log = Open(disk);
  REQUIRE(log.recovered.snapshot);
  CHECK(log.recovered.snapshot->pairs.size() == 1);
  RequireSameEntries(log.recovered.entries, MakeEntries(3, 10, 12));
  CHECK(log.recovered.state.last == LogPosition{3, 12});
}

TEST_CASE("log: an install whose snapshot may or may not be durable stops the writer", "[log][writer]") {
  MemoryStorage disk;
  {
    OpenedLog log = Open(disk);
    REQUIRE(log.writer->Append(MakeEntries(1, 1, 5)).ok());
    REQUIRE(log.writer->Sync().ok());
    // A fill that fails leaves the old log current.
    const Status refused = log.writer->InstallSnapshot({2, 3}, [](SnapshotWriter&) {
      return Status(Error{ErrorKind::kInternal, "space unavailable"});
    });
    REQUIRE_FALSE(refused.ok());
    CHECK(log.writer->failure().ok());
    CHECK(log.writer->state().last == LogPosition{1, 5});
    // Renamed into place, but the directory fsync failed: whether the next
    // start sees the old log or the snapshot is unknown, so nothing more may
    // be appended to either.
    disk.FailOperation(MemoryStorage::Operation::kSyncDir, true);
    const Status unknown = log.writer->InstallSnapshot({2, 3}, NoPairs);
    REQUIRE_FALSE(unknown.ok());
    CHECK_FALSE(log.writer->failure().ok());
    disk.FailOperation(MemoryStorage::Operation::kSyncDir, false);
    CHECK_FALSE(log.writer->Append(MakeEntries(1, 6, 6)).ok());
  }
  OpenedLog log = Open(disk);
  CHECK(log.recovered.state.last == LogPosition{2, 3});  // the snapshot was in place
}

TEST_CASE("log: files a crash left behind a snapshot are obsolete and removed at open", "[log][writer]") {
  MemoryStorage disk;
  {
    OpenedLog log = Open(disk, {.segment_bytes = 512});
    for (uint64_t seq = 1; seq <= 30; seq += 5) REQUIRE(log.writer->Append(MakeEntries(1, seq, seq + 4)).ok());
    disk.FailOperation(MemoryStorage::Operation::kRemove, true);  // as if the process died after the rename
    const Status snapshot = log.writer->WriteSnapshot(NoPairs);
    CHECK_FALSE(snapshot.ok());
    disk.FailOperation(MemoryStorage::Operation::kRemove, false);
    REQUIRE(log.writer->Append(MakeEntries(1, 31, 32)).ok());
    REQUIRE(log.writer->Sync().ok());
    auto temp = std::move(disk.NewWritableFile("data/n1/snapshot-00000009-1.40.tmp")).value();
    REQUIRE(temp->Append("half a snapshot").ok());
  }
  REQUIRE(NamesOfKind(disk, ParsedFileName::Kind::kSegment).size() > 2);
  const auto recovered = Recover(disk, "data/n1");
  REQUIRE(recovered.ok());
  // Every segment but the one after the snapshot, and the temp file.
  const size_t segments = NamesOfKind(disk, ParsedFileName::Kind::kSegment).size();
  CHECK(recovered.value().obsolete_files.size() == (segments - 1) + 1);
  OpenedLog log = Open(disk);
  RequireSameEntries(log.recovered.entries, MakeEntries(1, 31, 32));
  CHECK(NamesOfKind(disk, ParsedFileName::Kind::kSegment).size() == 1);
  CHECK(NamesOfKind(disk, ParsedFileName::Kind::kTemp).empty());
}

TEST_CASE("log: after a storage failure the writer refuses everything, and the synced log recovers",
          "[log][writer]") {
  MemoryStorage disk;
  {
    OpenedLog log = Open(disk);
    REQUIRE(log.writer->Append(MakeEntries(1, 1, 5)).ok());
    REQUIRE(log.writer->Sync().ok());
    REQUIRE(log.writer->Append(MakeEntries(1, 6, 8)).ok());
    disk.FailOperation(MemoryStorage::Operation::kSync, true);
    const Status failed = log.writer->Sync();
    REQUIRE_FALSE(failed.ok());
    CHECK_THAT(failed.error().message, Catch::Contains("the log is unusable") && Catch::Contains("fdatasync data/n1/log-"));
    disk.FailOperation(MemoryStorage::Operation::kSync, false);
    CHECK_FALSE(log.writer->Append(MakeEntries(1, 9, 9)).ok());
    CHECK_FALSE(log.writer->Sync().ok());
    CHECK(log.writer->failure().error().message == failed.error().message);
  }
  disk.Crash(3);
  OpenedLog log = Open(disk);
  CHECK(log.recovered.state.last.seq >= 5);
  RequireSameEntries(log.recovered.entries, MakeEntries(1, 1, log.recovered.state.last.seq));
}
