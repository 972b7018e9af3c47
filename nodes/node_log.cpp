#include "nodes/node_log.h"

#include <utility>

namespace ts::cluster {
namespace {

wal::SnapshotFill FillFrom(const NodeCore& core) {
  return [&core](wal::SnapshotWriter& snapshot) -> Status {
    for (const auto& [key, value] : core.space().pairs()) {
      Status added = snapshot.AddPair(key, value);
      if (!added.ok()) return added;
    }
    for (const ClientRecord& row : core.client_rows()) {
      Status added = snapshot.AddClient(row);
      if (!added.ok()) return added;
    }
    return Status::Ok();
  };
}

// The state at the log's tail, frozen: the thread reads it while the loop
// changes the space (the leaves are shared, copied on write: pair_store.h).
struct FrozenState {
  FrozenPairs pairs;
  std::vector<ClientRecord> clients;
};

wal::SnapshotFill FillFromFrozen(std::shared_ptr<const FrozenState> frozen) {
  return [frozen = std::move(frozen)](wal::SnapshotWriter& snapshot) -> Status {
    for (const auto& [key, value] : frozen->pairs) {
      Status added = snapshot.AddPair(key, value);
      if (!added.ok()) return added;
    }
    for (const ClientRecord& row : frozen->clients) {
      Status added = snapshot.AddClient(row);
      if (!added.ok()) return added;
    }
    return Status::Ok();
  };
}

}  // namespace

NodeLog::NodeLog(std::string dir, NodeLogOptions options, wal::OpenedLog opened)
    : dir_(std::move(dir)),
      options_(options),
      recovered_(std::move(opened.recovered)),
      writer_(std::move(opened.writer)) {
  empty_ = !recovered_.snapshot && recovered_.entries.empty() && recovered_.state.term == 0;
}

Result<std::unique_ptr<NodeLog>> NodeLog::Open(wal::Storage& storage, const std::string& dir,
                                               NodeLogOptions options) {
  Result<wal::OpenedLog> opened = wal::OpenLog(storage, dir, options.log);
  if (!opened.ok()) return opened.error();
  std::unique_ptr<NodeLog> log(new NodeLog(dir, options, std::move(opened).value()));
  if (options.sync_thread && options.sync == SyncMode::kAlways) {
    Result<std::unique_ptr<SyncThread>> syncer = SyncThread::Start();
    if (!syncer.ok()) return syncer.error();
    log->syncer_ = std::move(syncer).value();
    log->writer_->set_before_close([syncer = log->syncer_.get()] { syncer->WaitIdle(); });
  }
  if (options.snapshot_thread) log->snapshotter_ = std::make_unique<SnapshotThread>();
  return log;
}

void NodeLog::Restore(NodeCore& core) {
  LogPosition at;
  std::vector<ClientRecord> rows;
  if (recovered_.snapshot) {
    for (auto& [key, value] : recovered_.snapshot->pairs) core.Preload(std::move(key), std::move(value));
    at = recovered_.snapshot->header.at;
    rows = std::move(recovered_.snapshot->clients);
  }
  core.Restore(at, rows, recovered_.entries, recovered_.state.term, recovered_.state.voted_for);
  recovered_.snapshot.reset();
  recovered_.entries.clear();
  recovered_.entries.shrink_to_fit();
}

Result<NodeActions> NodeLog::Persist(NodeCore& core, TimePoint now) {
  if (!syncer_) {
    Status written = Write(core);
    if (!written.ok()) return written.error();
    return Sync(core, now);
  }
  // A failed writer stays failed (log_writer.h): nothing may count as durable
  // again, even in a cycle with nothing to write.
  if (Status failed = writer_->failure(); !failed.ok()) return failed.error();
  NodeActions released;
  if (Status taken = TakeFinishedSync(core, now, /*report=*/true, released); !taken.ok()) return taken.error();
  if (Status written = Write(core); !written.ok()) return written.error();
  if (!syncer_->busy()) {
    if (std::optional<wal::LogWriter::SyncJob> job = writer_->BeginSync()) {
      syncer_->Run(*job);
    } else {
      // Nothing unsynced, nothing in flight: all written is durable.
      released.Append(core.on_durable(writer_->last(), writer_->state().term, now));
    }
  }
  return released;
}

Status NodeLog::TakeFinishedSync(NodeCore& core, TimePoint now, bool report, NodeActions& released) {
  std::optional<SyncThread::Done> done = syncer_->TakeDone();
  if (!done) return Status::Ok();
  Status counted = writer_->FinishSync(std::move(done->result));
  if (!counted.ok()) return counted;
  // The job covers the bytes written when it began: entries through its
  // position, and the term (and vote) records of its term, no later ones.
  if (report) released.Append(core.on_durable(done->job.through, done->job.term, now));
  return Status::Ok();
}

Status NodeLog::Write(NodeCore& core) {
  if (Status taken = TakeFinishedSnapshot(/*wait=*/false); !taken.ok()) return taken;
  DurableWork work = core.TakeDurableWork();
  // The term and the vote first: every entry's term is at most the node's
  // term, and a vote answer waits for this record's sync (raft's Ready).
  Status written = Status::Ok();
  if (work.install) {
    // The install replaces the log the snapshot in flight would shorten.
    if (Status taken = TakeFinishedSnapshot(/*wait=*/true); !taken.ok()) return taken;
  }
  if (work.install && syncer_) {
    // The sync in flight covers the history this install replaces: its
    // position must not reach the core.
    syncer_->WaitIdle();
    NodeActions none;
    if (Status taken = TakeFinishedSync(core, TimePoint{}, /*report=*/false, none); !taken.ok()) return taken;
  }
  if (work.voted_for != kNoNode) {
    written = writer_->AppendVote(work.term, work.voted_for);  // no record if it repeats the vote held
  } else if (work.term > writer_->state().term) {
    written = writer_->AppendTerm(work.term);
  }
  if (!written.ok()) return written;
  if (work.install) {
    written = writer_->InstallSnapshot(work.through, FillFrom(core));  // durable when it returns
    bytes_at_snapshot_ = writer_->stats().bytes;
  } else if (!work.entries.empty()) {
    written = writer_->Append(work.entries);
  }
  if (!written.ok()) return written;
  if (writer_->last() != work.through) {
    return Error{ErrorKind::kInternal, "the log in " + dir_ + " ends at " + Describe(writer_->last()) +
                                           " but the node is at " + Describe(work.through) +
                                           " (a bug: the node must stop)"};
  }
  if (writer_->stats().bytes - bytes_at_snapshot_ < options_.snapshot_log_bytes) return Status::Ok();
  if (!snapshotter_) return WriteSnapshot(core);
  if (snapshot_in_flight_) return Status::Ok();  // the next one once it is done
  return StartSnapshot(core);
}

Status NodeLog::StartSnapshot(const NodeCore& core) {
  // Frozen in the same turn as the header's position is taken: the state
  // at the log's tail, as WriteSnapshot writes it.
  Result<wal::SnapshotHeader> header = writer_->BeginSnapshot();
  if (!header.ok()) return header.error();
  auto frozen = std::make_shared<FrozenState>(FrozenState{core.space().pairs().Freeze(), core.client_rows()});
  bytes_at_snapshot_ = writer_->stats().bytes;
  snapshot_in_flight_ = header.value();
  snapshotter_->Run([&storage = writer_->storage(), dir = writer_->dir(), header = header.value(),
                     chunk_bytes = writer_->snapshot_chunk_bytes(), fill = FillFromFrozen(std::move(frozen))] {
    return wal::WriteSnapshotFile(storage, dir, header, chunk_bytes, fill);
  });
  return Status::Ok();
}

Status NodeLog::TakeFinishedSnapshot(bool wait) {
  if (!snapshot_in_flight_) return Status::Ok();
  if (wait) snapshotter_->WaitIdle();
  std::optional<Result<std::string>> done = snapshotter_->TakeDone();
  if (!done) return Status::Ok();
  const wal::SnapshotHeader header = *snapshot_in_flight_;
  snapshot_in_flight_.reset();
  return writer_->FinishSnapshot(header, *done);
}

Result<NodeActions> NodeLog::Sync(NodeCore& core, TimePoint now) {
  if (syncer_) {  // this sync covers what the thread's did: its position is reported below
    syncer_->WaitIdle();
    NodeActions none;
    if (Status taken = TakeFinishedSync(core, now, /*report=*/false, none); !taken.ok()) return taken.error();
  }
  if (options_.sync == SyncMode::kAlways) {
    Status synced = writer_->Sync();  // one fdatasync for everything written, or none
    if (!synced.ok()) return synced.error();
  }
  return core.on_durable(writer_->last(), writer_->state().term, now);
}

Status NodeLog::WriteSnapshot(const NodeCore& core) {
  Status written = writer_->WriteSnapshot(FillFrom(core));
  if (written.ok()) bytes_at_snapshot_ = writer_->stats().bytes;
  return written;
}

}  // namespace ts::cluster
