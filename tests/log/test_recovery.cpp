// Recovery against damage (nodes/log/recovery.h): what a crash leaves at the
// end of the last segment is cut and reported; everything else is an error
// naming the file and the offset, never a crash and never a silent loss.
#include <catch2/catch.hpp>

#include "log_test_support.h"
#include "nodes/log/log_names.h"
#include "nodes/log/record_format.h"
#include "schema/log_codec.h"

using namespace ts;
using namespace ts::wal;
using namespace ts::wal::testing;

namespace {

const std::string kDir = "data/n1";
const std::string kFirstSegment = "data/n1/log-00000001-0.0";

// A one-segment log: batch 1:1..1:10, batch 1:11..1:15 and, unless
// `end_with_batch`, a vote (2, 3) as the last record.
struct OneSegmentLog {
  explicit OneSegmentLog(bool end_with_batch = false) {
    auto log = OpenLog(disk, kDir);
    REQUIRE(log.ok());
    REQUIRE(log.value().writer->Append(MakeEntries(1, 1, 10)).ok());
    REQUIRE(log.value().writer->Append(MakeEntries(1, 11, 15)).ok());
    if (!end_with_batch) REQUIRE(log.value().writer->AppendVote(2, 3).ok());
    REQUIRE(log.value().writer->Sync().ok());
    bytes = disk.ReadFile(kFirstSegment).value();
    const ScanResult scan = ScanRecords(bytes);
    REQUIRE(scan.records.size() == (end_with_batch ? 3u : 4u));
    first_batch = scan.records[1].offset;
    first_batch_end = scan.records[1].end();
    last_record = scan.records.back().offset;
  }
  Result<RecoveredLog> RecoverWith(std::string content) {
    REQUIRE(disk.Overwrite(kFirstSegment, std::move(content)).ok());
    return Recover(disk, kDir);
  }
  MemoryStorage disk;
  std::string bytes;
  uint64_t first_batch = 0;
  uint64_t first_batch_end = 0;
  uint64_t last_record = 0;
};

void RequireDamagedLogError(const Result<RecoveredLog>& recovered, const std::string& file, uint64_t offset) {
  REQUIRE_FALSE(recovered.ok());
  const std::string& message = recovered.error().message;
  INFO(message);
  CHECK_THAT(message, Catch::Contains(file + ", offset " + std::to_string(offset) + ":"));
  CHECK_THAT(message, Catch::Contains("move its data directory aside"));
}

}  // namespace

TEST_CASE("recovery: the last record cut at every byte is cut off and reported", "[log][recovery]") {
  OneSegmentLog log;
  for (uint64_t cut = log.last_record + 1; cut < log.bytes.size(); ++cut) {
    INFO("cut at " << cut);
    const auto recovered = log.RecoverWith(log.bytes.substr(0, cut));
    REQUIRE(recovered.ok());
    REQUIRE(recovered.value().repair);
    CHECK(recovered.value().repair->path == kFirstSegment);
    CHECK(recovered.value().repair->offset == log.last_record);
    CHECK(recovered.value().repair->bytes_dropped == cut - log.last_record);
    CHECK(recovered.value().repair->records_dropped == 1);
    CHECK(recovered.value().state == LogState{{1, 15}, 1, cluster::kNoNode});  // the vote is gone
    RequireSameEntries(recovered.value().entries, MakeEntries(1, 1, 15));
  }
  const auto clean = log.RecoverWith(log.bytes.substr(0, log.last_record));  // cut exactly between records
  REQUIRE(clean.ok());
  CHECK_FALSE(clean.value().repair);
}

TEST_CASE("recovery: a last batch cut at every byte loses only that batch", "[log][recovery]") {
  OneSegmentLog log(/*end_with_batch=*/true);
  for (uint64_t cut = log.last_record + 1; cut < log.bytes.size(); ++cut) {
    INFO("cut at " << cut);
    const auto recovered = log.RecoverWith(log.bytes.substr(0, cut));
    REQUIRE(recovered.ok());
    REQUIRE(recovered.value().repair);
    CHECK(recovered.value().repair->offset == log.last_record);
    RequireSameEntries(recovered.value().entries, MakeEntries(1, 1, 10));
  }
}

TEST_CASE("recovery: any bit flipped in the last record is cut off and reported", "[log][recovery]") {
  OneSegmentLog log;
  for (uint64_t byte = log.last_record; byte < log.bytes.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = log.bytes;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      INFO("byte " << byte << " bit " << bit);
      const auto recovered = log.RecoverWith(damaged);
      REQUIRE(recovered.ok());
      REQUIRE(recovered.value().repair);
      CHECK(recovered.value().repair->offset == log.last_record);
      CHECK(recovered.value().state.voted_for == cluster::kNoNode);
      CHECK(recovered.value().entries.size() == 15);
    }
  }
}

TEST_CASE("recovery: a bit flipped in any field of a last batch is cut off and reported", "[log][recovery]") {
  OneSegmentLog log(/*end_with_batch=*/true);
  for (uint64_t byte = log.last_record; byte < log.bytes.size(); ++byte) {
    std::string damaged = log.bytes;
    damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << (byte % 8)));
    INFO("byte " << byte);
    const auto recovered = log.RecoverWith(damaged);
    REQUIRE(recovered.ok());
    REQUIRE(recovered.value().repair);
    CHECK(recovered.value().repair->offset == log.last_record);
    CHECK(recovered.value().entries.size() == 10);
  }
}

TEST_CASE("recovery: a bit flipped in a record before the last is an error naming the file and offset",
          "[log][recovery]") {
  OneSegmentLog log;
  for (uint64_t byte = log.first_batch; byte < log.first_batch_end; ++byte) {
    std::string damaged = log.bytes;
    damaged[byte] = static_cast<char>(damaged[byte] ^ 0x04);
    INFO("byte " << byte);
    const auto recovered = log.RecoverWith(damaged);
    RequireDamagedLogError(recovered, kFirstSegment, log.first_batch);
    CHECK_THAT(recovered.error().message, Catch::Contains("damage before the tail"));
  }
}

TEST_CASE("recovery: a zero-filled tail is cut off with no record lost", "[log][recovery]") {
  OneSegmentLog log;
  const auto recovered = log.RecoverWith(log.bytes + std::string(4096, '\0'));
  REQUIRE(recovered.ok());
  REQUIRE(recovered.value().repair);
  CHECK(recovered.value().repair->offset == log.bytes.size());
  CHECK(recovered.value().repair->bytes_dropped == 4096);
  CHECK(recovered.value().repair->records_dropped == 0);
  CHECK(recovered.value().state == LogState{{1, 15}, 2, 3});
  CHECK_THAT(recovered.value().Describe(), Catch::Contains("dropping a damaged tail of 4096 bytes (0 records) at " +
                                                           kFirstSegment + " offset " +
                                                           std::to_string(log.bytes.size())));
}

TEST_CASE("recovery: opening a log cuts its damaged tail and appends after it", "[log][recovery]") {
  OneSegmentLog log;
  REQUIRE(log.disk.Overwrite(kFirstSegment, log.bytes.substr(0, log.bytes.size() - 3)).ok());
  {
    auto opened = OpenLog(log.disk, kDir);
    REQUIRE(opened.ok());
    REQUIRE(opened.value().recovered.repair);
    CHECK(log.disk.FileSize(kFirstSegment).value() == log.last_record);
    REQUIRE(opened.value().writer->AppendVote(2, 1).ok());
    REQUIRE(opened.value().writer->Append(MakeEntries(2, 16, 17)).ok());
    REQUIRE(opened.value().writer->Sync().ok());
  }
  auto again = OpenLog(log.disk, kDir);
  REQUIRE(again.ok());
  CHECK_FALSE(again.value().recovered.repair);
  CHECK(again.value().recovered.state == LogState{{2, 17}, 2, 1});
  CHECK(again.value().recovered.segments.size() == 1);  // appended to the same segment
}

TEST_CASE("recovery: a segment whose header was torn off is written again", "[log][recovery]") {
  MemoryStorage disk;
  {
    auto log = OpenLog(disk, kDir);
    REQUIRE(log.ok());
  }
  REQUIRE(disk.Overwrite(kFirstSegment, disk.ReadFile(kFirstSegment).value().substr(0, 5)).ok());
  {
    auto log = OpenLog(disk, kDir);
    REQUIRE(log.ok());
    REQUIRE(log.value().recovered.repair);
    CHECK(log.value().recovered.repair->offset == 0);
    REQUIRE(log.value().writer->Append(MakeEntries(1, 1, 2)).ok());
    REQUIRE(log.value().writer->Sync().ok());
  }
  auto log = OpenLog(disk, kDir);
  REQUIRE(log.ok());
  RequireSameEntries(log.value().recovered.entries, MakeEntries(1, 1, 2));
}

TEST_CASE("recovery: damage at the end of a segment that is not the last is an error", "[log][recovery]") {
  MemoryStorage disk;
  {
    auto log = OpenLog(disk, kDir, {.segment_bytes = 600});
    REQUIRE(log.ok());
    for (uint64_t seq = 1; seq <= 40; seq += 5) REQUIRE(log.value().writer->Append(MakeEntries(1, seq, seq + 4)).ok());
    REQUIRE(log.value().writer->Sync().ok());
  }
  const std::string first = disk.ReadFile(kFirstSegment).value();
  REQUIRE(disk.Overwrite(kFirstSegment, first.substr(0, first.size() - 4)).ok());
  const auto recovered = Recover(disk, kDir);
  const uint64_t last_start = ScanRecords(first).records.back().offset;
  RequireDamagedLogError(recovered, kFirstSegment, last_start);
  CHECK_THAT(recovered.error().message, Catch::Contains("not the last"));
}

TEST_CASE("recovery: a missing segment is an error naming it", "[log][recovery]") {
  MemoryStorage disk;
  {
    auto log = OpenLog(disk, kDir, {.segment_bytes = 600});
    REQUIRE(log.ok());
    for (uint64_t seq = 1; seq <= 60; seq += 5) REQUIRE(log.value().writer->Append(MakeEntries(1, seq, seq + 4)).ok());
    REQUIRE(log.value().writer->Sync().ok());
  }
  std::vector<std::string> segments;
  for (const std::string& name : SortedNames(disk, kDir)) segments.push_back(name);
  REQUIRE(segments.size() >= 4);
  REQUIRE(disk.Remove(JoinPath(kDir, segments[1])).ok());
  const auto recovered = Recover(disk, kDir);
  RequireDamagedLogError(recovered, JoinPath(kDir, segments[2]), 0);
  CHECK_THAT(recovered.error().message, Catch::Contains("segment 2 before it is missing"));

  REQUIRE(disk.Remove(kFirstSegment).ok());
  const auto no_start = Recover(disk, kDir);
  REQUIRE_FALSE(no_start.ok());
  CHECK_THAT(no_start.error().message, Catch::Contains("segments 1 to 2 before it are missing") &&
                                           Catch::Contains("without a snapshot the log must start at segment 1"));
}

TEST_CASE("recovery: a segment that does not start where the log before it ends is an error", "[log][recovery]") {
  MemoryStorage disk;
  {
    auto log = OpenLog(disk, kDir, {.segment_bytes = 600});
    REQUIRE(log.ok());
    for (uint64_t seq = 1; seq <= 30; seq += 5) REQUIRE(log.value().writer->Append(MakeEntries(1, seq, seq + 4)).ok());
    REQUIRE(log.value().writer->Sync().ok());
  }
  const std::vector<std::string> names = SortedNames(disk, kDir);
  REQUIRE(names.size() >= 2);
  const ParsedFileName second = ParseFileName(names[1]);
  const std::string renamed = JoinPath(kDir, SegmentFileName(second.number, {1, second.position.seq + 1}));
  REQUIRE(disk.Rename(JoinPath(kDir, names[1]), renamed).ok());
  const auto recovered = Recover(disk, kDir);
  RequireDamagedLogError(recovered, renamed, 0);
  CHECK_THAT(recovered.error().message, Catch::Contains("but the log before it ends at"));
}

TEST_CASE("recovery: records that break the log's rules are an error at their offset", "[log][recovery]") {
  MemoryStorage disk;
  REQUIRE(disk.CreateDir(kDir).ok());
  std::string bytes;
  AppendFramedRecord(&bytes, RecordType::kSegmentHeader, EncodePayload(SegmentHeader{1, {}}));
  AppendFramedRecord(&bytes, RecordType::kEntryBatch, EncodeEntryBatch(MakeEntries(1, 1, 3)));
  const uint64_t gap_at = bytes.size();
  AppendFramedRecord(&bytes, RecordType::kEntryBatch, EncodeEntryBatch(MakeEntries(1, 5, 6)));
  AppendFramedRecord(&bytes, RecordType::kTermChange, EncodePayload(TermChange{4}));
  {
    auto file = std::move(disk.NewWritableFile(kFirstSegment)).value();
    REQUIRE(file->Append(bytes).ok());
  }
  const auto recovered = Recover(disk, kDir);
  RequireDamagedLogError(recovered, kFirstSegment, gap_at);
  CHECK_THAT(recovered.error().message, Catch::Contains("entry 1:5 does not follow 1:3"));

  std::string mislabeled;
  AppendFramedRecord(&mislabeled, RecordType::kSegmentHeader, EncodePayload(SegmentHeader{1, {}}));
  EntryBatch batch{1, 1, 4, MakeEntries(1, 1, 3)};  // claims four entries, holds three
  AppendFramedRecord(&mislabeled, RecordType::kEntryBatch, EncodePayload(batch));
  REQUIRE(disk.Overwrite(kFirstSegment, mislabeled).ok());
  const auto wrong_range = Recover(disk, kDir);
  REQUIRE_FALSE(wrong_range.ok());
  CHECK_THAT(wrong_range.error().message, Catch::Contains("range 1..4 does not match its 3 entries"));

  std::string no_header;
  AppendFramedRecord(&no_header, RecordType::kTermChange, EncodePayload(TermChange{4}));
  REQUIRE(disk.Overwrite(kFirstSegment, no_header).ok());
  const auto headless = Recover(disk, kDir);
  RequireDamagedLogError(headless, kFirstSegment, 0);
  CHECK_THAT(headless.error().message, Catch::Contains("not a segment header"));
}

TEST_CASE("recovery: a snapshot failing its check is an error naming it and the offset", "[log][recovery]") {
  MemoryStorage disk;
  {
    auto log = OpenLog(disk, kDir, {.snapshot_chunk_bytes = 256});
    REQUIRE(log.ok());
    REQUIRE(log.value().writer->Append(MakeEntries(1, 1, 5)).ok());
    REQUIRE(log.value().writer->WriteSnapshot([](SnapshotWriter& snapshot) {
      for (int i = 0; i < 40; ++i) {
        if (Status s = snapshot.AddPair("k," + std::to_string(i), "v"); !s.ok()) return s;
      }
      return snapshot.AddClient(MakeClientRow(1, 1, 5));
    }).ok());
  }
  const std::string path = JoinPath(kDir, SnapshotFileName(2, {1, 5}));
  const std::string bytes = disk.ReadFile(path).value();
  REQUIRE(Recover(disk, kDir).ok());

  // A bit flipped anywhere, the file cut anywhere: always an error, never a crash.
  for (uint64_t byte = 0; byte < bytes.size(); byte += 3) {
    std::string damaged = bytes;
    damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << (byte % 8)));
    REQUIRE(disk.Overwrite(path, damaged).ok());
    INFO("byte " << byte);
    const auto recovered = Recover(disk, kDir);
    REQUIRE_FALSE(recovered.ok());
    CHECK_THAT(recovered.error().message, Catch::Contains("snapshot " + path + " fails its check at offset"));
    CHECK_THAT(recovered.error().message, Catch::Contains("move its data directory aside"));
  }
  for (uint64_t cut = 0; cut < bytes.size(); cut += 5) {
    REQUIRE(disk.Overwrite(path, bytes.substr(0, cut)).ok());
    INFO("cut at " << cut);
    REQUIRE_FALSE(Recover(disk, kDir).ok());
  }

  // The payloads all pass their CRCs but the content checksum does not: two
  // chunks swapped.
  const ScanResult scan = ScanRecords(bytes);
  REQUIRE(scan.records.size() > 4);
  const RecordView& a = scan.records[1];
  const RecordView& b = scan.records[2];
  std::string swapped = bytes.substr(0, a.offset) + bytes.substr(b.offset, b.end() - b.offset) +
                        bytes.substr(a.offset, a.end() - a.offset) + bytes.substr(b.end());
  REQUIRE(disk.Overwrite(path, swapped).ok());
  const auto recovered = Recover(disk, kDir);
  REQUIRE_FALSE(recovered.ok());
  CHECK_THAT(recovered.error().message, Catch::Contains("content checksum does not match"));
}

TEST_CASE("recovery: an empty directory is an empty log, a missing one is an error", "[log][recovery]") {
  MemoryStorage disk;
  REQUIRE(disk.CreateDir(kDir).ok());
  const auto empty = Recover(disk, kDir);
  REQUIRE(empty.ok());
  CHECK(empty.value().entries.empty());
  CHECK_FALSE(empty.value().snapshot);
  CHECK(empty.value().state == LogState{});
  CHECK(empty.value().first_segment == 1);

  const auto missing = Recover(disk, "data/none");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("list data/none"));
}

TEST_CASE("recovery: other files in the directory are left alone", "[log][recovery]") {
  OneSegmentLog log;
  auto other = std::move(log.disk.NewWritableFile("data/n1/export.tsv")).value();
  REQUIRE(other->Append("user,1\tAlice\n").ok());
  auto opened = OpenLog(log.disk, kDir);
  REQUIRE(opened.ok());
  CHECK(opened.value().recovered.obsolete_files.empty());
  CHECK(log.disk.Exists("data/n1/export.tsv"));
}
