// NodeLog: a node's durable log as its shell drives it (tsnode, and the
// simulation on a disk that crashes). The log itself is nodes/log/
// (durable_log.h); the decisions stay in NodeCore, which never touches
// storage: this class only carries out what the core says must be durable.
//
// The contract:
//  - Open recovers the data directory (created if missing): the newest
//    snapshot, the log after it, a torn tail cut (recovered().repair says
//    what was dropped, and where). Damage that a crash cannot leave (before
//    the tail, a missing segment, a snapshot failing its check) is an error
//    naming the file and the offset: the node must not start.
//  - Restore puts the recovered state into a NodeCore built with
//    config.durable, before its first event (Preload, then Restore).
//  - Persist, once per poll cycle, is Write then Sync:
//    Write takes the core's DurableWork, records its term and vote first (a
//    Vote record, or a term that rose), then appends its entries as one
//    record per term (or, when a snapshot replaced the history, writes the
//    whole state as a snapshot at that position), and,
//    once snapshot_log_bytes of log were written since the last snapshot,
//    writes one (the older segments go; the state is exactly the log's tail
//    right after a take, so this is the moment).
//    Sync syncs ONCE for everything written so far (group commit: one
//    fdatasync per cycle, or for several cycles when the shell syncs less
//    often than it writes, as the simulation's slow disk does) and only then
//    tells the core (on_durable) the position the log now holds, returning
//    the acks and replies that waited for this fsync. With SyncMode::kNone
//    the fdatasync is skipped and the core is told all the same (what
//    --sync none risks: acknowledged writes lost if a majority of machines
//    lose power together).
//  - With options.sync_thread (tsnode, --sync always) Persist does not wait
//    for the fdatasync: it takes the result of the sync that finished since
//    the last turn (SyncThread, sync_thread.h) and only then reports its
//    position to the core, appends this turn's work, and hands the sync of
//    everything appended to the thread when none is in flight. The shell
//    polls wake_fd() so that a finished sync ends its wait at once. A sync in
//    flight never reports a position of a history a snapshot install
//    replaced (the install waits for it and drops its position), and no
//    segment is closed under it (the writer's before_close hook waits).
//  - With options.snapshot_thread (tsnode) the snapshot that Write starts
//    once snapshot_log_bytes were written is built off the loop: Write rolls
//    the segment, freezes the state at the log's tail (a count per leaf,
//    PairStore::Freeze) and hands the encoding, writing, fdatasync and
//    rename to a SnapshotThread (snapshot_thread.h); a later Write takes its
//    result and only then removes the log before it. One at a time: while
//    one is in flight no other starts. An install first waits for it. The
//    --load import and installs (WriteSnapshot, work.install) stay on the
//    caller's thread.
//  - The first storage error is final (log_writer.h): Persist returns it and
//    the node must stop; the next start's recovery repairs the tail.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "nodes/cluster/node_core.h"
#include "nodes/log/durable_log.h"
#include "nodes/snapshot_thread.h"
#include "nodes/sync_thread.h"

namespace ts::cluster {

enum class SyncMode { kAlways, kNone };

// A snapshot is written after this many bytes of log since the last one, so
// that recovery replays at most about this much (see ARCHITECTURE.md "The
// durable log" for what recovery costs).
inline constexpr uint64_t kSnapshotLogBytes = uint64_t{64} << 20;

struct NodeLogOptions {
  SyncMode sync = SyncMode::kAlways;
  uint64_t snapshot_log_bytes = kSnapshotLogBytes;
  wal::LogOptions log;
  bool sync_thread = false;  // fdatasync on a SyncThread (with kAlways); else on the caller's
  bool snapshot_thread = false;  // the periodic snapshot on a SnapshotThread; else on the caller's
};

class NodeLog {
 public:
  static Result<std::unique_ptr<NodeLog>> Open(wal::Storage& storage, const std::string& dir,
                                               NodeLogOptions options = {});

  // What recovery found (Describe() is the log line); emptied by Restore.
  const wal::RecoveredLog& recovered() const { return recovered_; }
  // Nothing was recovered: no snapshot, no entry, term 0.
  bool empty() const { return empty_; }
  void Restore(NodeCore& core);

  Result<NodeActions> Persist(NodeCore& core, TimePoint now);
  Status Write(NodeCore& core);
  Result<NodeActions> Sync(NodeCore& core, TimePoint now);
  // A snapshot of the state at the log's tail, now (right after a Write).
  Status WriteSnapshot(const NodeCore& core);

  const wal::LogWriter& writer() const { return *writer_; }
  uint64_t syncs() const { return writer_->stats().syncs; }
  const std::string& dir() const { return dir_; }
  // Readable when a sync finished on the sync thread; -1 without one.
  int wake_fd() const { return syncer_ ? syncer_->wake_fd() : -1; }
  // Blocks until no sync runs on the thread (its result is taken by the next
  // Persist): lets a test step cycles without racing the thread.
  void WaitForSyncThread() {
    if (syncer_) syncer_->WaitIdle();
  }
  // A periodic snapshot is being written on the snapshot thread (or written
  // and not yet taken by a Write).
  bool snapshot_in_flight() const { return snapshot_in_flight_.has_value(); }
  // Blocks until the snapshot thread is idle (its result is taken by the
  // next Write): lets a test step without racing it.
  void WaitForSnapshotThread() {
    if (snapshotter_) snapshotter_->WaitIdle();
  }

 private:
  NodeLog(std::string dir, NodeLogOptions options, wal::OpenedLog opened);
  // The sync that finished on the thread, if any: counted, and its position
  // reported to the core unless `report` is false (a replaced history).
  Status TakeFinishedSync(NodeCore& core, TimePoint now, bool report, NodeActions& released);
  // Rolls the segment and hands the snapshot of the frozen state to the thread.
  Status StartSnapshot(const NodeCore& core);
  // The snapshot the thread finished, if any (`wait`: blocks for it): the log
  // before it goes, or its error is returned.
  Status TakeFinishedSnapshot(bool wait);

  std::string dir_;
  NodeLogOptions options_;
  wal::RecoveredLog recovered_;
  std::unique_ptr<wal::LogWriter> writer_;
  bool empty_ = true;
  uint64_t bytes_at_snapshot_ = 0;  // writer_->stats().bytes at the last snapshot
  std::unique_ptr<SyncThread> syncer_;  // after writer_: stopped before the writer closes its segment
  std::optional<wal::SnapshotHeader> snapshot_in_flight_;
  std::unique_ptr<SnapshotThread> snapshotter_;  // after writer_: joined before the writer goes
};

}  // namespace ts::cluster
