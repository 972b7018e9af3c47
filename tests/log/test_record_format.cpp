// The record frame and the scanner (nodes/log/record_format.h): whole files
// read to the end; every way a crash can leave the last record (cut at every
// byte, any bit flipped, zeros) is a damaged tail; damage before the tail is
// corruption, found with the offset of the good record after it.
#include <catch2/catch.hpp>

#include "log_test_support.h"
#include "nodes/log/record_format.h"
#include "schema/log_codec.h"

using namespace ts;
using namespace ts::wal;
using namespace ts::wal::testing;

namespace {

// Three real records: a segment header, a batch, a vote.
struct ThreeRecords {
  ThreeRecords() {
    AppendFramedRecord(&bytes, RecordType::kSegmentHeader, EncodePayload(SegmentHeader{1, {}}));
    first_end = bytes.size();
    AppendFramedRecord(&bytes, RecordType::kEntryBatch, EncodeEntryBatch(MakeEntries(1, 1, 6)));
    second_end = bytes.size();
    AppendFramedRecord(&bytes, RecordType::kVote, EncodePayload(Vote{2, 3}));
  }
  std::string bytes;
  size_t first_end = 0;
  size_t second_end = 0;
};

}  // namespace

TEST_CASE("records: a whole file scans to its end", "[log][records]") {
  ThreeRecords file;
  const ScanResult scan = ScanRecords(file.bytes);
  CHECK(scan.stop == ScanResult::Stop::kEnd);
  REQUIRE(scan.records.size() == 3);
  CHECK(scan.records[1].offset == file.first_end);
  CHECK(scan.records[1].type == uint8_t(RecordType::kEntryBatch));
  CHECK(scan.records[2].end() == file.bytes.size());
  CHECK(scan.valid_bytes == file.bytes.size());

  const ScanResult empty = ScanRecords("");
  CHECK(empty.stop == ScanResult::Stop::kEnd);
  CHECK(empty.records.empty());
}

TEST_CASE("records: payloads of any length are padded to 8 bytes and read back exactly", "[log][records]") {
  std::string bytes;
  for (size_t length = 0; length < 20; ++length) {
    AppendFramedRecord(&bytes, RecordType::kTermChange, std::string(length, static_cast<char>('a' + length)));
    REQUIRE(bytes.size() % 8 == 0);
  }
  const ScanResult scan = ScanRecords(bytes);
  CHECK(scan.stop == ScanResult::Stop::kEnd);
  REQUIRE(scan.records.size() == 20);
  for (size_t length = 0; length < 20; ++length) {
    CHECK(scan.records[length].payload == std::string(length, static_cast<char>('a' + length)));
  }
}

TEST_CASE("records: the last record cut at every byte is a damaged tail", "[log][records]") {
  ThreeRecords file;
  for (size_t cut = file.second_end + 1; cut < file.bytes.size(); ++cut) {
    INFO("cut at " << cut << " of " << file.bytes.size());
    const ScanResult scan = ScanRecords(std::string_view(file.bytes).substr(0, cut));
    REQUIRE(scan.stop == ScanResult::Stop::kDamagedTail);
    CHECK(scan.records.size() == 2);
    CHECK(scan.valid_bytes == file.second_end);
    CHECK_FALSE(scan.damage_is_zeros);
    CHECK_THAT(scan.damage, Catch::Contains("incomplete record header") || Catch::Contains("cut short"));
  }
}

TEST_CASE("records: any bit flipped in the last record is a damaged tail", "[log][records]") {
  ThreeRecords file;
  for (size_t byte = file.second_end; byte < file.bytes.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = file.bytes;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      INFO("byte " << byte - file.second_end << " of the last record, bit " << bit);
      const ScanResult scan = ScanRecords(damaged);
      REQUIRE(scan.stop == ScanResult::Stop::kDamagedTail);
      CHECK(scan.records.size() == 2);
      CHECK(scan.valid_bytes == file.second_end);
    }
  }
}

TEST_CASE("records: any bit flipped in a record before the last is corruption", "[log][records]") {
  ThreeRecords file;
  for (size_t byte = file.first_end; byte < file.second_end; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = file.bytes;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      INFO("byte " << byte - file.first_end << " of the middle record, bit " << bit);
      const ScanResult scan = ScanRecords(damaged);
      REQUIRE(scan.stop == ScanResult::Stop::kCorrupt);
      CHECK(scan.records.size() == 1);
      CHECK(scan.valid_bytes == file.first_end);
      CHECK(scan.next_valid_offset == file.second_end);
    }
  }
}

TEST_CASE("records: each header field's damage is named", "[log][records]") {
  ThreeRecords file;
  auto damage_at = [&](size_t offset_in_record) {
    std::string damaged = file.bytes;
    damaged[file.second_end + offset_in_record] ^= 0x10;
    return ScanRecords(damaged).damage;
  };
  CHECK_THAT(damage_at(0), Catch::Contains("no record magic"));
  CHECK_THAT(damage_at(2), Catch::Contains("header whose checksum does not match"));   // type
  CHECK_THAT(damage_at(4), Catch::Contains("header whose checksum does not match"));   // length
  CHECK_THAT(damage_at(8), Catch::Contains("header whose checksum does not match"));   // header CRC
  CHECK_THAT(damage_at(12), Catch::Contains("vote record whose payload checksum does not match"));
  CHECK_THAT(damage_at(kRecordHeaderBytes), Catch::Contains("payload checksum does not match"));
}

TEST_CASE("records: a zero-filled tail is a damaged tail of zeros", "[log][records]") {
  ThreeRecords file;
  const ScanResult scan = ScanRecords(file.bytes + std::string(4096, '\0'));
  REQUIRE(scan.stop == ScanResult::Stop::kDamagedTail);
  CHECK(scan.damage_is_zeros);
  CHECK(scan.records.size() == 3);
  CHECK(scan.valid_bytes == file.bytes.size());

  // The last record's second half reached the disk as zeros.
  std::string half = file.bytes;
  std::fill(half.begin() + static_cast<std::ptrdiff_t>(file.second_end + 20), half.end(), '\0');
  const ScanResult torn = ScanRecords(half);
  REQUIRE(torn.stop == ScanResult::Stop::kDamagedTail);
  CHECK_FALSE(torn.damage_is_zeros);
  CHECK(torn.valid_bytes == file.second_end);
}

TEST_CASE("records: a record inside a damaged record's payload does not make it corruption", "[log][records]") {
  // A stored value may hold bytes that frame a valid record; a torn record
  // carrying it is still the tail.
  const std::string inner = FrameRecord(RecordType::kVote, EncodePayload(Vote{5, 5}));
  std::string bytes;
  AppendFramedRecord(&bytes, RecordType::kSegmentHeader, EncodePayload(SegmentHeader{1, {}}));
  const size_t start = bytes.size();
  AppendFramedRecord(&bytes, RecordType::kTermChange, std::string(64, 'v') + inner + std::string(64, 'w'));
  bytes[bytes.size() - 1] ^= 1;  // the outer record's payload checksum fails
  const ScanResult scan = ScanRecords(bytes);
  CHECK(scan.stop == ScanResult::Stop::kDamagedTail);
  CHECK(scan.valid_bytes == start);
}
