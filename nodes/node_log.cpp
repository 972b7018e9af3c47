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
  return std::unique_ptr<NodeLog>(new NodeLog(dir, options, std::move(opened).value()));
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
  Status written = Write(core);
  if (!written.ok()) return written.error();
  return Sync(core, now);
}

Status NodeLog::Write(NodeCore& core) {
  DurableWork work = core.TakeDurableWork();
  // The term and the vote first: every entry's term is at most the node's
  // term, and a vote answer waits for this record's sync (raft's Ready).
  Status written = Status::Ok();
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
  if (writer_->stats().bytes - bytes_at_snapshot_ >= options_.snapshot_log_bytes) return WriteSnapshot(core);
  return Status::Ok();
}

Result<NodeActions> NodeLog::Sync(NodeCore& core, TimePoint now) {
  if (options_.sync == SyncMode::kAlways) {
    Status synced = writer_->Sync();  // one fdatasync for everything written, or none
    if (!synced.ok()) return synced.error();
  }
  return core.on_durable(writer_->last(), now);
}

Status NodeLog::WriteSnapshot(const NodeCore& core) {
  Status written = writer_->WriteSnapshot(FillFrom(core));
  if (written.ok()) bytes_at_snapshot_ = writer_->stats().bytes;
  return written;
}

}  // namespace ts::cluster
