// The log's payload codec (schema/log_codec.h): every record round-trips, and
// bytes that are not a payload come back as errors that name the record.
#include <catch2/catch.hpp>

#include "log_test_support.h"
#include "schema/log_codec.h"

using namespace ts;
using namespace ts::wal;
using namespace ts::wal::testing;

TEST_CASE("log codec: every log record round-trips", "[log][codec]") {
  const auto header = DecodeLogRecord(uint8_t(RecordType::kSegmentHeader), EncodePayload(SegmentHeader{12, {3, 17}}));
  REQUIRE(header.ok());
  CHECK(std::get<SegmentHeader>(header.value()) == SegmentHeader{12, {3, 17}});

  const std::vector<LogEntry> entries = MakeEntries(4, 10, 16);
  const auto batch = DecodeLogRecord(uint8_t(RecordType::kEntryBatch), EncodeEntryBatch(entries));
  REQUIRE(batch.ok());
  const auto& decoded = std::get<EntryBatch>(batch.value());
  CHECK(decoded.term == 4);
  CHECK(decoded.first_seq == 10);
  CHECK(decoded.last_seq == 16);
  RequireSameEntries(decoded.entries, entries);

  const auto term = DecodeLogRecord(uint8_t(RecordType::kTermChange), EncodePayload(TermChange{9}));
  REQUIRE(term.ok());
  CHECK(std::get<TermChange>(term.value()) == TermChange{9});

  const auto vote = DecodeLogRecord(uint8_t(RecordType::kVote), EncodePayload(Vote{9, 3}));
  REQUIRE(vote.ok());
  CHECK(std::get<Vote>(vote.value()) == Vote{9, 3});
}

TEST_CASE("log codec: every snapshot record round-trips", "[log][codec]") {
  const SnapshotHeader header{5, {2, 40}, 3, 1};
  const auto h = DecodeSnapshotRecord(uint8_t(RecordType::kSnapshotHeader), EncodePayload(header));
  REQUIRE(h.ok());
  CHECK(std::get<SnapshotHeader>(h.value()) == header);

  SnapshotPairs pairs{3, {{"a,1", "x"}, {"b,2", std::string(300, 'y')}}};
  const auto p = DecodeSnapshotRecord(uint8_t(RecordType::kSnapshotPairs), EncodePayload(pairs));
  REQUIRE(p.ok());
  CHECK(std::get<SnapshotPairs>(p.value()).index == 3);
  CHECK(std::get<SnapshotPairs>(p.value()).pairs == pairs.pairs);

  SnapshotClients clients{4, {MakeClientRow(9, 2, 30), MakeClientRow(9, 3, 31)}};
  const auto c = DecodeSnapshotRecord(uint8_t(RecordType::kSnapshotClients), EncodePayload(clients));
  REQUIRE(c.ok());
  const auto& rows = std::get<SnapshotClients>(c.value()).clients;
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].client_id == 9);
  CHECK(rows[1].request_number == 3);
  CHECK(rows[1].seq == 31);
  CHECK(rows[1].reply.op_name == "POST");

  const SnapshotEnd end{2, 2, 2, 0xdeadbeef};
  const auto e = DecodeSnapshotRecord(uint8_t(RecordType::kSnapshotEnd), EncodePayload(end));
  REQUIRE(e.ok());
  CHECK(std::get<SnapshotEnd>(e.value()) == end);
}

TEST_CASE("log codec: bytes that are not a payload are errors naming the record", "[log][codec]") {
  const auto garbage = DecodeLogRecord(uint8_t(RecordType::kEntryBatch), std::string(24, '\x7f'));
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().kind == ErrorKind::kInternal);
  CHECK_THAT(garbage.error().message, Catch::Contains("entry batch record"));

  const auto odd = DecodeLogRecord(uint8_t(RecordType::kVote), "abc");
  REQUIRE_FALSE(odd.ok());
  CHECK_THAT(odd.error().message, Catch::Contains("vote record"));

  const auto unknown = DecodeLogRecord(200, EncodePayload(TermChange{1}));
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.error().message, Catch::Contains("type #200 is unknown to this build"));

  const auto wrong_file = DecodeLogRecord(uint8_t(RecordType::kSnapshotEnd), EncodePayload(SnapshotEnd{}));
  REQUIRE_FALSE(wrong_file.ok());
  CHECK_THAT(wrong_file.error().message, Catch::Contains("snapshot end record found in a log segment"));

  const auto wrong_file_2 = DecodeSnapshotRecord(uint8_t(RecordType::kVote), EncodePayload(Vote{1, 1}));
  REQUIRE_FALSE(wrong_file_2.ok());
  CHECK_THAT(wrong_file_2.error().message, Catch::Contains("vote record found in a snapshot file"));
}

TEST_CASE("log codec: a segment header of another format version is refused", "[log][codec]") {
  std::string payload = EncodePayload(SegmentHeader{1, {}});
  // The root struct's data section starts after the 8-byte segment table and
  // the 8-byte root pointer; formatVersion is its first field.
  REQUIRE(static_cast<uint8_t>(payload[16]) == LogFormatVersion());
  payload[16] = 7;
  const auto decoded = DecodeLogRecord(uint8_t(RecordType::kSegmentHeader), payload);
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(decoded.error().message, Catch::Contains("log format version 7; this build reads version 1"));
}
