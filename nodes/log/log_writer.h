// LogWriter: appends a node's records to its log and makes them durable.
//
// The contract:
//  - Append / AppendTerm / AppendVote check the record against LogState's
//    rules (log_state.h) and write it to the current segment; nothing is
//    durable until Sync() returns. Sync is one fdatasync for everything
//    appended since the last one (nothing to sync: no call), so a caller that
//    appends a poll cycle's records and then Syncs once has group commit. An
//    acknowledgement may be sent only after the Sync that covers its record.
//  - When the current segment has reached segment_bytes, the next record
//    starts a new one: the full segment is synced, the new one is created and
//    the directory fsynced before the record goes in. Segments are named by
//    number and the position they start after (log_names.h).
//  - WriteSnapshot records the state at last(): it starts a new segment, has
//    `fill` add the pairs and client rows, commits the snapshot (snapshot.h)
//    and then removes the segments and snapshots before it. InstallSnapshot
//    replaces the whole log with a snapshot at any position (state transfer,
//    a divergent tail): the snapshot is durable before the new segment that
//    follows it exists, so a crash leaves the old log or the new one. A
//    snapshot whose fill or write fails changes nothing (the temp file goes),
//    except an install that failed after its rename: which log the next start
//    sees is then unknown, so the writer fails (below).
//  - BeginSnapshot / WriteSnapshotFile / FinishSnapshot split WriteSnapshot
//    for a snapshot written on another thread: BeginSnapshot starts the
//    segment that follows the snapshot and returns its header (the state to
//    write is the one at last(), now); WriteSnapshotFile (any thread; it
//    touches no writer state) writes and commits the file; FinishSnapshot,
//    back on the writer's thread, counts it and only then removes the log
//    before it. Appends go on meanwhile, into the new segment and later
//    ones, which the removal never touches.
//  - The first storage error makes the writer fail: that call and every
//    later one return it (after a failed fsync the kernel may have dropped the
//    pages; retrying would claim durability it cannot know). The node must
//    stop; recovery at the next start repairs the tail.
//  - BeginSync / FinishSync split Sync for a dedicated sync thread: BeginSync
//    hands out the current segment and the position its records reach; the
//    other thread calls file->Sync() (the only call it makes: appends may go
//    on meanwhile, an fdatasync covers at least what was written before it
//    began); FinishSync counts the result (an error fails the writer). The
//    segment must not be closed while such a sync runs: before a roll or a
//    snapshot closes it, the writer calls the before_close hook, which waits
//    for the sync thread.
// One thread uses a LogWriter at a time (but for a SyncJob's file->Sync()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "nodes/log/log_state.h"
#include "nodes/log/recovery.h"
#include "nodes/log/snapshot.h"
#include "nodes/log/storage.h"

namespace ts::wal {

// A segment is rolled once it holds this many bytes.
inline constexpr uint64_t kSegmentBytes = uint64_t{64} << 20;

struct LogOptions {
  uint64_t segment_bytes = kSegmentBytes;
  size_t snapshot_chunk_bytes = kSnapshotChunkBytes;
};

// Adds the pairs and client rows of the state being snapshotted.
using SnapshotFill = std::function<Status(SnapshotWriter&)>;

// Writes and commits (snapshot.h) the snapshot `header` names in dir, with
// the pairs and rows `fill` adds; its result is the file's final path.
Result<std::string> WriteSnapshotFile(Storage& storage, const std::string& dir, const SnapshotHeader& header,
                                      size_t chunk_bytes, const SnapshotFill& fill);

class LogWriter {
 public:
  // Continues the log that `recovered` (Recover on the same directory)
  // describes: removes its obsolete files, cuts its damaged tail, and appends
  // to its last segment (or starts the first one).
  static Result<std::unique_ptr<LogWriter>> Open(Storage& storage, const std::string& dir,
                                                 const RecoveredLog& recovered, LogOptions options = {});
  ~LogWriter();

  // Entries in log order, of one term or several (one record per term).
  Status Append(std::span<const LogEntry> entries);
  Status AppendTerm(uint64_t term);                    // no record if term == state().term
  Status AppendVote(uint64_t term, NodeId candidate);  // no record if it repeats the vote held
  Status Sync();

  struct SyncJob {
    WritableFile* file = nullptr;  // the current segment: call only Sync() on it
    LogPosition through;           // durable once file->Sync() returned ok
    uint64_t term = 0;             // ... and the term and vote records of this term
  };
  // Nothing appended since the last sync: nullopt. Otherwise the job that
  // makes it durable; the writer counts those bytes as being synced.
  std::optional<SyncJob> BeginSync();
  // The result of a job's file->Sync(): counted, or the writer fails.
  Status FinishSync(Status result);
  // Called before the current segment is closed (a roll, a snapshot).
  void set_before_close(std::function<void()> hook) { before_close_ = std::move(hook); }

  Status WriteSnapshot(const SnapshotFill& fill);
  Status InstallSnapshot(LogPosition at, const SnapshotFill& fill);
  Result<SnapshotHeader> BeginSnapshot();
  // `written`: WriteSnapshotFile's result for BeginSnapshot's header.
  Status FinishSnapshot(const SnapshotHeader& header, const Result<std::string>& written);
  Storage& storage() const { return storage_; }
  const std::string& dir() const { return dir_; }
  size_t snapshot_chunk_bytes() const { return options_.snapshot_chunk_bytes; }

  const LogState& state() const { return state_; }
  LogPosition last() const { return state_.last; }
  uint64_t unsynced_bytes() const { return unsynced_bytes_; }
  const std::string& current_segment() const { return segment_path_; }
  Status failure() const { return failed_; }

  struct Stats {
    uint64_t records = 0;
    uint64_t bytes = 0;
    uint64_t syncs = 0;  // fdatasyncs of segments (Sync and rolls)
    uint64_t segments_started = 0;
    uint64_t snapshots = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  LogWriter(Storage& storage, std::string dir, LogOptions options, LogState state);

  Status WriteRecord(RecordType type, const std::string& payload);
  Status SyncSegment();
  Status StartSegment(uint64_t number, bool sync_previous);
  Status CommitSnapshot(const SnapshotHeader& header, const SnapshotFill& fill);
  Status RemoveBefore(uint64_t first_segment);
  Status Fail(Status status);

  Storage& storage_;
  std::string dir_;
  LogOptions options_;
  LogState state_;
  std::unique_ptr<WritableFile> segment_;
  std::string segment_path_;
  uint64_t segment_number_ = 0;
  uint64_t unsynced_bytes_ = 0;
  std::string snapshot_path_;               // the newest snapshot, if any
  Stats stats_;
  Status failed_;
  std::function<void()> before_close_;
};

}  // namespace ts::wal
