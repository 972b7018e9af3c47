// Recovery: what a node's log directory holds, read back as the node's state,
// or an error that says what is wrong, where, and what to do.
//
// Recover is a pure function of the directory's contents (it only reads):
//  1. The newest snapshot (highest number, log_names.h) is the base; it must
//     pass ReadSnapshot's checks and its header must agree with its name.
//     Without a snapshot the log starts at segment 1, position 0:0.
//  2. Segments numbered below the snapshot's, older snapshots and .tmp files
//     are obsolete (a crash came between writing a snapshot and removing what
//     it replaced): listed, not read.
//  3. The segments from the snapshot's number up must all be there, without a
//     gap; each starts with a SegmentHeader that matches its name and starts
//     where the log so far ends. Their records are replayed in order under
//     LogState's rules.
//  4. Damage at the tail of the LAST segment (record_format.h kDamagedTail: a
//     record cut short, a failed checksum with nothing valid after it, zeros)
//     is what a crash mid-append leaves: recovery stops there and reports it
//     as a TailRepair (file, offset, records and bytes dropped) for the writer
//     to cut. Every other problem is an Error naming the file and the offset:
//     damage before the tail or in an earlier segment, a missing segment, a
//     snapshot that fails its check, records that break the log's rules.
//     Nothing is ever skipped silently, and nothing here crashes on bad bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "nodes/log/log_state.h"
#include "nodes/log/snapshot.h"
#include "nodes/log/storage.h"
#include "schema/log_records.h"

namespace ts::wal {

// What to tell an operator whose log is damaged beyond the tail (it ends
// every recovery error; docs/OPERATIONS.md says the same).
extern const char* const kDamagedLogAdvice;

struct TailRepair {
  std::string path;            // the last segment
  uint64_t offset = 0;         // it is whole up to here; cut it to this size
  uint64_t bytes_dropped = 0;
  uint64_t records_dropped = 0;  // 0 when the dropped bytes are all zeros
  std::string damage;          // what was found at offset
};

struct SegmentFile {
  std::string path;
  uint64_t number = 0;
  LogPosition base;
  uint64_t valid_bytes = 0;  // its size once a tail repair is applied
};

struct RecoveredLog {
  std::optional<Snapshot> snapshot;
  std::vector<LogEntry> entries;  // every entry after the snapshot, in log order
  LogState state;                 // last position, term and vote after it all

  std::vector<SegmentFile> segments;  // the live segments, in order
  uint64_t first_segment = 1;         // the number the live log starts at
  std::optional<TailRepair> repair;
  std::vector<std::string> obsolete_files;  // safe to remove

  uint64_t records_read = 0;
  uint64_t bytes_read = 0;

  // One line for the node's log: "recovered snapshot ... + 3 segments ...;
  // cut a damaged tail of 37 bytes (1 record) at log-... offset 4096 (...)".
  std::string Describe() const;
};

Result<RecoveredLog> Recover(Storage& storage, const std::string& dir);

}  // namespace ts::wal
