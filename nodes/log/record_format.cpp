#include "nodes/log/record_format.h"

#include <algorithm>
#include <cstring>

#include "nodes/log/crc32c.h"
#include "schema/log_codec.h"

namespace ts::wal {
namespace {

constexpr uint64_t kAlignment = 8;

void Put16(char* at, uint16_t value) {
  at[0] = static_cast<char>(value);
  at[1] = static_cast<char>(value >> 8);
}
void Put32(char* at, uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<char>(value >> (8 * i));
}
uint16_t Get16(const char* at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(at[0]) | (static_cast<uint8_t>(at[1]) << 8));
}
uint32_t Get32(const char* at) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t{static_cast<uint8_t>(at[i])} << (8 * i);
  return value;
}

uint32_t PayloadCrc(uint8_t type, std::string_view payload) {
  const char type_byte = static_cast<char>(type);
  return crc32c::Extend(crc32c::Extend(0, &type_byte, 1), payload.data(), payload.size());
}

// What is at one offset.
struct Probe {
  enum class Kind { kRecord, kCutShort, kBad } kind;
  RecordView record;  // kRecord
  std::string why;    // otherwise
  bool header_trusted = false;  // kBad: the header's checksum held, so its length is real
  uint64_t claimed_end = 0;     // when header_trusted
};

Probe ProbeAt(std::string_view bytes, uint64_t offset) {
  const uint64_t left = bytes.size() - offset;
  const char* at = bytes.data() + offset;
  if (left < kRecordHeaderBytes) {
    return Probe{Probe::Kind::kCutShort, {}, "an incomplete record header (" + std::to_string(left) + " of " +
                                                 std::to_string(kRecordHeaderBytes) + " bytes)"};
  }
  if (Get16(at) != kRecordMagic) return Probe{Probe::Kind::kBad, {}, "no record magic"};
  if (crc32c::Unmask(Get32(at + 8)) != crc32c::Extend(0, at, 8)) {
    return Probe{Probe::Kind::kBad, {}, "a record header whose checksum does not match"};
  }
  const uint8_t type = static_cast<uint8_t>(at[2]);
  const uint32_t length = Get32(at + 4);
  if (at[3] != 0 || length > kMaxRecordPayloadBytes) {
    return Probe{Probe::Kind::kBad, {}, "a record header with impossible fields (length " + std::to_string(length) + ")"};
  }
  const uint64_t end = offset + FramedSize(length);
  if (end > bytes.size()) {
    return Probe{Probe::Kind::kCutShort, {}, "a " + RecordTypeName(type) + " record of " + std::to_string(length) +
                                                 " payload bytes cut short (" + std::to_string(left - kRecordHeaderBytes) +
                                                 " present)"};
  }
  const std::string_view payload(at + kRecordHeaderBytes, length);
  if (crc32c::Unmask(Get32(at + 12)) != PayloadCrc(type, payload)) {
    return Probe{Probe::Kind::kBad, {}, "a " + RecordTypeName(type) + " record whose payload checksum does not match",
                 true, end};
  }
  return Probe{Probe::Kind::kRecord, RecordView{offset, type, payload}, {}};
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

uint64_t FramedSize(uint64_t payload_bytes) {
  return kRecordHeaderBytes + (payload_bytes + kAlignment - 1) / kAlignment * kAlignment;
}

void AppendFramedRecord(std::string* out, RecordType type, std::string_view payload) {
  const size_t start = out->size();
  out->resize(start + FramedSize(payload.size()), '\0');
  char* at = out->data() + start;
  Put16(at, kRecordMagic);
  at[2] = static_cast<char>(type);
  at[3] = 0;
  Put32(at + 4, static_cast<uint32_t>(payload.size()));
  Put32(at + 8, crc32c::Mask(crc32c::Extend(0, at, 8)));
  Put32(at + 12, crc32c::Mask(PayloadCrc(static_cast<uint8_t>(type), payload)));
  if (!payload.empty()) std::memcpy(at + kRecordHeaderBytes, payload.data(), payload.size());
}

std::string FrameRecord(RecordType type, std::string_view payload) {
  std::string out;
  AppendFramedRecord(&out, type, payload);
  return out;
}

ScanResult ScanRecords(std::string_view bytes) {
  ScanResult result;
  result.file_bytes = bytes.size();
  uint64_t offset = 0;
  while (offset < bytes.size()) {
    Probe probe = ProbeAt(bytes, offset);
    if (probe.kind == Probe::Kind::kRecord) {
      result.records.push_back(probe.record);
      offset = probe.record.end();
      result.valid_bytes = offset;
      continue;
    }
    result.damage = std::move(probe.why);
    result.damage_is_zeros = AllZero(bytes.substr(offset));
    // A torn append leaves nothing valid after the tear; look for a whole
    // record past the damage (past a trusted record's own bytes, which may
    // hold anything, e.g. a stored value that looks like a record).
    uint64_t from = probe.header_trusted ? probe.claimed_end : offset + kAlignment;
    from = (from + kAlignment - 1) / kAlignment * kAlignment;
    for (uint64_t at = from; probe.kind != Probe::Kind::kCutShort && at + kRecordHeaderBytes <= bytes.size();
         at += kAlignment) {
      if (ProbeAt(bytes, at).kind == Probe::Kind::kRecord) {
        result.stop = ScanResult::Stop::kCorrupt;
        result.next_valid_offset = at;
        return result;
      }
    }
    result.stop = ScanResult::Stop::kDamagedTail;
    return result;
  }
  result.stop = ScanResult::Stop::kEnd;
  return result;
}

}  // namespace ts::wal
