// The record frame of log segments and snapshot files, and the scanner that
// reads a file's records and says exactly where and how it stops.
//
// A record is a 16-byte header, the payload, and zero padding to a multiple
// of 8 bytes (Cap'n Proto payloads need none), all little-endian:
//    0  u16  magic 0x4c57 ("WL")
//    2  u8   type (schema/log_records.h RecordType)
//    3  u8   0 (reserved)
//    4  u32  payload length, without padding (at most kMaxRecordPayloadBytes)
//    8  u32  masked CRC32C of bytes 0..7 (so a damaged length is caught as such)
//   12  u32  masked CRC32C of the type byte and the payload
// Records start at multiples of 8 from the start of the file.
//
// ScanRecords walks a file's bytes and stops at the first place that is not a
// whole, valid record. Where that place is decides what it is:
//  - kEnd: the file ends exactly after a record.
//  - kDamagedTail: nothing valid follows it: the bytes left are a record cut
//    short, a record whose checksum fails with no whole record after it, or
//    zeros. That is what a crash in the middle of an append leaves; the file
//    is whole up to valid_bytes.
//  - kCorrupt: a whole, valid record does follow the damage (at
//    next_valid_offset): this is not a torn append but damage inside the
//    file, and cutting there would drop good records.
// The scanner only reads; what to do about each outcome is recovery's rule
// (recovery.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schema/log_records.h"

namespace ts::wal {

inline constexpr size_t kRecordHeaderBytes = 16;
inline constexpr uint16_t kRecordMagic = 0x4c57;

// The bytes of one framed record (header, payload, padding).
std::string FrameRecord(RecordType type, std::string_view payload);
void AppendFramedRecord(std::string* out, RecordType type, std::string_view payload);
// A framed record's size for a payload of `payload_bytes`.
uint64_t FramedSize(uint64_t payload_bytes);

struct RecordView {
  uint64_t offset = 0;  // where its header starts
  uint8_t type = 0;
  std::string_view payload;  // points into the scanned bytes
  uint64_t end() const { return offset + FramedSize(payload.size()); }
};

struct ScanResult {
  enum class Stop { kEnd, kDamagedTail, kCorrupt };
  Stop stop = Stop::kEnd;
  std::vector<RecordView> records;  // every whole record before the stop, in order
  uint64_t valid_bytes = 0;         // the end of the last whole record
  uint64_t file_bytes = 0;
  std::string damage;               // what is wrong at valid_bytes (not for kEnd)
  bool damage_is_zeros = false;     // kDamagedTail: only zero bytes follow
  uint64_t next_valid_offset = 0;   // kCorrupt: a whole record found after the damage
};

ScanResult ScanRecords(std::string_view bytes);

}  // namespace ts::wal
