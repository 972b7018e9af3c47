// The names of the files in a node's log directory.
//
//   log-00000012-3.17        segment 12; its first entry follows position 3:17
//   snapshot-00000012-3.17   the state at 3:17; the log continues in segment 12
//   snapshot-...-3.17.tmp    a snapshot being written (never read; removed)
//
// Segment numbers count up for the life of the directory and order
// everything: a snapshot bears the number of the segment that continues after
// it, so the newest snapshot is the one with the highest number, and the
// segments it needs are that number and up, without a gap. Positions in names
// are for people (and cross-checked against the files' headers); numbers are
// zero-padded to 8 digits so `ls` lists them in order, and parse at any width.
// Any other name in the directory is left alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schema/log_records.h"

namespace ts::wal {

std::string SegmentFileName(uint64_t number, LogPosition base);
std::string SnapshotFileName(uint64_t first_segment, LogPosition at);
inline constexpr std::string_view kTempSuffix = ".tmp";

struct ParsedFileName {
  enum class Kind { kOther, kSegment, kSnapshot, kTemp };
  Kind kind = Kind::kOther;
  uint64_t number = 0;
  LogPosition position;
};
// kTemp for any name of ours ending in ".tmp"; kOther for names not ours.
ParsedFileName ParseFileName(std::string_view name);

}  // namespace ts::wal
