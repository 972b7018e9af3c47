// The records of a node's durable log and snapshot files, as plain C++ values
// (the disk side of schema/log.capnp; nodes/log/ writes and reads them, and
// docs/ARCHITECTURE.md "The durable log" tells the whole story).
//
// A log segment is a sequence of records: a SegmentHeader first, then entry
// batches, term changes and votes in the order the node made them. A snapshot
// file is a SnapshotHeader, pair and client chunks, and a SnapshotEnd. The
// RecordType is the frame's type byte (nodes/log/record_format.h); its values
// are on disk, so they never change meaning.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "schema/cluster_messages.h"

namespace ts::wal {

using cluster::ClientRecord;
using cluster::LogEntry;
using cluster::LogPosition;
using cluster::NodeId;

enum class RecordType : uint8_t {
  kSegmentHeader = 1,
  kEntryBatch = 2,
  kTermChange = 3,
  kVote = 4,
  kSnapshotHeader = 16,
  kSnapshotPairs = 17,
  kSnapshotClients = 18,
  kSnapshotEnd = 19,
};
// "entry batch", ...; "type #N" for a byte this build does not know.
std::string RecordTypeName(uint8_t type);
bool IsKnownRecordType(uint8_t type);

struct SegmentHeader {
  uint64_t number = 0;
  LogPosition base;  // the segment's first entry, if any, is at base.seq + 1
  friend bool operator==(const SegmentHeader&, const SegmentHeader&) = default;
};

// Entries of one term, seqs first_seq..last_seq in order (entries[i] is at
// (term, first_seq + i)).
struct EntryBatch {
  uint64_t term = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  std::vector<LogEntry> entries;
};

struct TermChange {
  uint64_t term = 0;
  friend bool operator==(const TermChange&, const TermChange&) = default;
};

struct Vote {
  uint64_t term = 0;
  NodeId voted_for = cluster::kNoNode;
  friend bool operator==(const Vote&, const Vote&) = default;
};

using LogRecord = std::variant<SegmentHeader, EntryBatch, TermChange, Vote>;

struct SnapshotHeader {
  uint64_t first_segment = 0;  // the segment the log continues in
  LogPosition at;              // the snapshot holds every entry up to here
  uint64_t term = 0;           // the node's term and vote when it was taken
  NodeId voted_for = cluster::kNoNode;
  friend bool operator==(const SnapshotHeader&, const SnapshotHeader&) = default;
};

struct SnapshotPairs {
  uint32_t index = 0;
  std::vector<std::pair<std::string, std::string>> pairs;  // key text, value text
};

struct SnapshotClients {
  uint32_t index = 0;
  std::vector<ClientRecord> clients;
};

struct SnapshotEnd {
  uint64_t pair_count = 0;
  uint64_t client_count = 0;
  uint32_t chunk_count = 0;   // pair and client chunks together
  uint32_t content_crc = 0;   // CRC32C of every byte before this record
  friend bool operator==(const SnapshotEnd&, const SnapshotEnd&) = default;
};

using SnapshotRecord = std::variant<SnapshotHeader, SnapshotPairs, SnapshotClients, SnapshotEnd>;

}  // namespace ts::wal
