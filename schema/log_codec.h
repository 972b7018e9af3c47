// Log and snapshot record payloads: the values of schema/log_records.h to
// Cap'n Proto bytes and back (schema/log.capnp). The frame around a payload
// (type byte, length, checksums) is nodes/log/record_format.h's.
//
// Encoding cannot fail. Decoding reads through schema/capnp_frame.h's guarded
// path (aligned copy, traversal and nesting limits), so bytes that passed the
// frame's checksums but still do not decode (a bug, or a newer writer) come
// back as an Error of kind kInternal naming the record type and the field,
// never as an exception. A segment or snapshot header of another format
// version is refused with a message naming both versions. Decoded entries and
// client rows carry their client replies decoded (schema/codec.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "schema/log_records.h"

namespace ts::wal {

// The largest payload a record may carry (a batch of big writes, a snapshot
// chunk); a frame claiming more is damaged.
inline constexpr uint32_t kMaxRecordPayloadBytes = uint32_t{512} << 20;

// The format version this build writes and reads (schema/log.capnp).
uint16_t LogFormatVersion();

std::string EncodePayload(const SegmentHeader& record);
std::string EncodePayload(const EntryBatch& record);
std::string EncodePayload(const TermChange& record);
std::string EncodePayload(const Vote& record);
std::string EncodePayload(const SnapshotHeader& record);
std::string EncodePayload(const SnapshotPairs& record);
std::string EncodePayload(const SnapshotClients& record);
std::string EncodePayload(const SnapshotEnd& record);

// An EntryBatch payload straight from entries of one term with consecutive
// seqs (no copy into an EntryBatch); entries must not be empty.
std::string EncodeEntryBatch(std::span<const LogEntry> entries);

RecordType RecordTypeOf(const LogRecord& record);
RecordType RecordTypeOf(const SnapshotRecord& record);

// `type` is the frame's type byte. A type that belongs to the other file kind
// (a snapshot record in a segment, or the reverse) or that this build does not
// know is an error.
Result<LogRecord> DecodeLogRecord(uint8_t type, std::string_view payload);
Result<SnapshotRecord> DecodeSnapshotRecord(uint8_t type, std::string_view payload);

}  // namespace ts::wal
